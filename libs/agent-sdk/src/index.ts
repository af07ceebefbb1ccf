export { defineAgentType } from './define-agent-type';
export type { AgentTypeDefinition, TaskContext } from './define-agent-type';
export { AgentRuntime } from './agent-runtime';
export type { AgentRuntimeOptions } from './agent-runtime';
