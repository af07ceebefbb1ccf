export { defineAgentType } from './define-agent-type';
export type { AgentTypeDefinition, TaskContext } from './define-agent-type';
export { AgentRuntime, PROGRESS_INTERVAL_MS } from './agent-runtime';
export type { AgentRuntimeOptions } from './agent-runtime';
/** zod, so that an agent type can declare its input schema importing only the SDK and the contracts. */
export { z } from 'zod';
