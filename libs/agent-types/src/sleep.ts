import { defineAgentType } from '@contextforge/agent-sdk';
import { z } from 'zod';

const SleepInput = z.object({ ms: z.int().min(0).max(3_600_000) });

/** Waits `input.ms` milliseconds, stopping at once when the attempt is aborted. */
export const sleepAgentType = defineAgentType<z.output<typeof SleepInput>, { sleptMs: number }>({
  name: 'sleep',
  version: '1.0.0',
  input: SleepInput,
  handler: ({ ms }, { signal }) =>
    new Promise((resolve, reject) => {
      signal.throwIfAborted();
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve({ sleptMs: ms });
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    }),
});
