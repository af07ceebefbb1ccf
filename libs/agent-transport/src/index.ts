export { MemoryAgentNetwork } from './memory-agent-network';
