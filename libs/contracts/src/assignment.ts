import { z } from 'zod';
import { TaskSchema } from './task';

/** The body of a direct dispatch to an agent (validated by the agent on receipt). */
export const AssignmentSchema = z.object({
  task: TaskSchema,
  attempt: z.int().min(1),
  /** The attempt's fencing token; every event the agent reports for it carries the token. */
  token: z.string().min(1).max(100),
  traceparent: z.string().max(200).optional(),
});

export const CancelAssignmentSchema = z.object({ reason: z.string().max(500) });

export const AgentLoadSchema = z.object({
  agentId: z.string(),
  inFlight: z.int().min(0),
  concurrency: z.int().min(1),
  draining: z.boolean(),
});
