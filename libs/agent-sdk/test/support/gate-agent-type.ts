import { deferred, withTimeout, type Deferred } from '@contextforge/testing';
import { defineAgentType, type AgentTypeDefinition, type TaskContext } from '../../src';

/** One handler call of a gate agent type: what it was given and the gate that ends it. */
export interface GateCall {
  input: unknown;
  context: TaskContext;
  /** Resolve to make the handler return that output; reject to make it throw. */
  gate: Deferred<unknown>;
}

export interface GateAgentType {
  type: AgentTypeDefinition<unknown, unknown>;
  /** Every call so far, in order. */
  readonly calls: GateCall[];
  /** Resolves with the call for (taskId, attempt) once its handler has been entered. */
  entered(taskId: string, attempt?: number): Promise<GateCall>;
}

/**
 * An agent type whose attempts run until the test opens their gate, so a test controls exactly
 * when each attempt ends. With `honourSignal` (the default) the handler rejects with the signal's
 * reason when aborted, as handlers should; without it, it ignores the signal (a misbehaving handler).
 */
export function createGateAgentType(name = 'gate', options: { honourSignal?: boolean } = {}): GateAgentType {
  const honourSignal = options.honourSignal ?? true;
  const calls: GateCall[] = [];
  const waiters = new Map<string, Deferred<GateCall>>();
  const waiter = (key: string) => {
    let entry = waiters.get(key);
    if (!entry) {
      entry = deferred<GateCall>();
      waiters.set(key, entry);
    }
    return entry;
  };
  const type = defineAgentType<unknown, unknown>({
    name,
    version: '1.0.0',
    handler: (input, context) => {
      const call: GateCall = { input, context, gate: deferred<unknown>() };
      calls.push(call);
      waiter(`${context.taskId}#${context.attempt}`).resolve(call);
      if (honourSignal) {
        context.signal.addEventListener('abort', () => call.gate.reject(context.signal.reason), {
          once: true,
        });
      }
      return call.gate.promise;
    },
  });
  return {
    type,
    calls,
    entered: (taskId, attempt = 1) =>
      withTimeout(waiter(`${taskId}#${attempt}`).promise, 5_000, `the handler of ${taskId}#${attempt}`),
  };
}
