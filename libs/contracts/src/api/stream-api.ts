import { z } from 'zod';
import { AgentCircuitEventSchema, AgentSchema, AgentStatusEventSchema } from '../agent';
import { AgentMetricsSchema, TaskMetricsSchema } from './gateway-api';

/**
 * The gateway's WebSocket stream contract (/tasks/stream/{id}, /agents/stream, /metrics/stream),
 * shared by the gateway and its clients. Every frame is one JSON text message, a StreamMessage:
 *
 * - `event`: one change. `seq` orders the stream and is the resume point: reconnect with
 *   `?after=<seq>` (plus `&epoch=<epoch>` on the agents and metrics streams).
 * - `snapshot`: the current state (agents list, or metrics) that covers everything up to and
 *   including `seq`. Sent first on the agents and metrics streams when a client connects without
 *   a resume point, or with one the server cannot honour (another epoch: the stream restarted,
 *   or older than the retention window). Task streams never need one: their history is durable.
 * - `error`: a problem the server reports before closing (`{ code, message }` in `data`).
 * - `end`: the stream is complete (a task reached a final status); the server then closes with
 *   1000. `seq` is the last event's; `data` is `{ taskId, status }`.
 *
 * Task streams carry the task's durable per-task event seq (task-stream.ts), valid on every
 * gateway replica. The agents and metrics streams carry a per-replica counter with an `epoch`;
 * a seq means nothing under another epoch.
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

/**
 * WebSocket close codes of the streams: 1000 after `end`; 1001 when the gateway shuts down;
 * 4008 "slow consumer; resume with after=<seq>" (resuming with that seq loses nothing); 4009 when
 * the peer stopped answering pings.
 */
export const STREAM_CLOSE_CODES = {
  normal: 1000,
  goingAway: 1001,
  slowConsumer: 4008,
  deadPeer: 4009,
} as const;

/** `data` of an `end` message on a task stream. */
export const TaskStreamEndSchema = z.object({
  taskId: z.string(),
  status: z.string(),
});

/** `data` of an `event` on /agents/stream: a registry status change or a scheduler breaker change. */
export const AgentFeedEventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('status'), event: AgentStatusEventSchema }),
  z.object({ kind: z.literal('circuit'), event: AgentCircuitEventSchema }),
]);
export type AgentFeedEventMessage = z.output<typeof AgentFeedEventSchema>;

/** `data` of a `snapshot` on /agents/stream: every agent the caller may see. */
export const AgentsSnapshotSchema = z.array(AgentSchema);

/** `data` of both `snapshot` and `event` on /metrics/stream: one tick. */
export const MetricsTickSchema = z.object({
  agents: AgentMetricsSchema,
  tasks: TaskMetricsSchema,
});
export type MetricsTick = z.output<typeof MetricsTickSchema>;
