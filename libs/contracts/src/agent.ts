import { z } from 'zod';

const name = z.string().min(1).max(200);
const token = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'letters, digits and . _ : - only');

/** What an agent declares when it registers. */
export const AgentRegistrationSchema = z.object({
  id: token,
  name,
  /** The agent's kind, e.g. "code-analyzer". */
  type: token,
  /** Task types this agent runs (its handlers). */
  taskTypes: z.array(token).min(1).max(100),
  /** Languages or features, matched against a task's requiredCapabilities. */
  capabilities: z.array(token).max(100).default([]),
  resources: z
    .object({
      cpu: z.string().max(20).optional(),
      memory: z.string().max(20).optional(),
      disk: z.string().max(20).optional(),
    })
    .default({}),
  /** Where the scheduler dispatches to: http(s)://host:port or memory://name in the embedded mode. */
  endpoint: z.string().regex(/^(https?|memory):\/\/[^\s]+$/, 'an http(s):// or memory:// URL'),
  /** Relative share under the weighted strategy. */
  weight: z.int().min(1).max(1000).default(1),
  /** How many tasks the agent runs at once; the scheduler never sends more. */
  concurrency: z.int().min(1).max(10_000).default(10),
  version: z.string().min(1).max(50).default('0.0.0'),
  /**
   * The version of each CACHEABLE task type the agent runs (AgentTypeDefinition.version of the
   * types declared `cacheable`: pure functions of their input), part of the result-cache key: the
   * gateway caches a task type only while every healthy agent advertising it agrees on one
   * version. Types not listed (e.g. `sleep`, whose point is the time it takes) are never served
   * from the cache.
   */
  typeVersions: z.record(token, z.string().min(1).max(50)).optional(),
  /**
   * Identifies the process behind the agent id (a fresh value every start). A registration with a
   * new instanceId means the agent restarted: the attempts its previous process was running are lost.
   */
  instanceId: z.string().min(1).max(100).optional(),
});
export type AgentRegistration = z.output<typeof AgentRegistrationSchema>;
export type AgentRegistrationInput = z.input<typeof AgentRegistrationSchema>;

/**
 * healthy: heartbeating and passing checks; draining: shutting down, takes no new work;
 * unhealthy: heartbeat overdue or checks failing; the scheduler routes only to healthy agents.
 */
export const AgentStatusSchema = z.enum(['healthy', 'draining', 'unhealthy']);
export type AgentStatus = z.output<typeof AgentStatusSchema>;

/** The scheduler's circuit breaker around dispatch calls to one agent. */
export const CircuitStateSchema = z.enum(['closed', 'open', 'half_open']);
export type CircuitState = z.output<typeof CircuitStateSchema>;

/** Published by the scheduler on the agent-circuits topic when a breaker changes state. */
export const AgentCircuitEventSchema = z.object({
  agentId: token,
  circuit: CircuitStateSchema.default('closed'),
  at: z.iso.datetime(),
});
export type AgentCircuitEvent = z.output<typeof AgentCircuitEventSchema>;

export const AgentSchema = AgentRegistrationSchema.extend({
  status: AgentStatusSchema,
  /** The scheduler's breaker for this agent, as last published (closed when none was). */
  circuit: CircuitStateSchema.default('closed'),
  /** Milliseconds since the last heartbeat, on the registry's clock; null when unknown. */
  lastHeartbeatAgeMs: z.number().nullable(),
  statusNote: z.string().optional(),
});
export type Agent = z.output<typeof AgentSchema>;

/** Published on the agent-status topic whenever an agent appears, changes status or leaves. */
export const AgentStatusEventSchema = z.object({
  agentId: token,
  status: z.union([AgentStatusSchema, z.literal('deregistered')]),
  previous: z.union([AgentStatusSchema, z.literal('deregistered'), z.literal('unknown')]),
  at: z.iso.datetime(),
  agent: AgentSchema.optional(),
});
export type AgentStatusEvent = z.output<typeof AgentStatusEventSchema>;
