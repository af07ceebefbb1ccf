import { z } from 'zod';

/**
 * The envelope of every WebSocket stream message (one JSON text frame each) on /tasks/stream/{id},
 * /agents/stream and /metrics/stream. Clients validate frames with StreamMessageSchema.
 *
 * - `event`: one change. `seq` orders the stream and is the resume point: reconnect with
 *   `?after=<seq>` (plus `&epoch=<epoch>` on the agents and metrics streams).
 * - `snapshot`: the current state (agents list, or metrics) that covers everything up to and
 *   including `seq`. Sent first on the agents and metrics streams when a client connects without
 *   a resume point, or with one the server cannot honour (another epoch: the stream restarted,
 *   or older than the retention window). Live events follow with seq > the snapshot's, so there
 *   are no gaps: what the client missed is folded into the snapshot. Task streams never need one:
 *   their history is durable.
 * - `error`: a problem the server reports before closing (the common error shape in `data`).
 * - `end`: the stream is complete (a task reached a final status); the server then closes with
 *   1000. `seq` is the last event's.
 *
 * Sequence numbers: task streams carry the task's durable per-task event seq (1, 2, ...; see
 * @contextforge/contracts task-stream.ts), valid on every gateway replica and forever. The agents
 * and metrics streams carry a per-gateway-replica counter with an `epoch` (random per replica
 * start); a seq means nothing under another epoch. Their retention window is the last N events or
 * M minutes (StreamHubOptions), whichever is smaller.
 *
 * Close codes: 1000 after `end`; 4008 "slow consumer; resume with after=<seq>" when the client
 * read too slowly (resume with that seq loses nothing); 1001 when the gateway shuts down.
 */
export const STREAM_MESSAGE_TYPES = ['event', 'snapshot', 'error', 'end'] as const;
export type StreamMessageType = (typeof STREAM_MESSAGE_TYPES)[number];

export const StreamMessageSchema = z.object({
  type: z.enum(STREAM_MESSAGE_TYPES),
  seq: z.int().min(0),
  epoch: z.string().optional(),
  data: z.unknown(),
});

export interface StreamMessage<T = unknown> {
  type: StreamMessageType;
  seq: number;
  epoch?: string;
  data: T;
}

/** WebSocket close codes of the streams. */
export const STREAM_CLOSE_CODES = {
  normal: 1000,
  goingAway: 1001,
  /** Application code: the client did not read fast enough; resume after the last seq it got. */
  slowConsumer: 4008,
  /** Application code: the peer stopped answering pings. */
  deadPeer: 4009,
} as const;
