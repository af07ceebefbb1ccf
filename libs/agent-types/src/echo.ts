import { defineAgentType } from '@contextforge/agent-sdk';

/** Returns its input unchanged: for smoke tests, benchmarks and checking a deployment end to end. */
export const echoAgentType = defineAgentType<unknown, unknown>({
  name: 'echo',
  version: '1.0.0',
  cacheable: true,
  handler: async (input) => input,
});
