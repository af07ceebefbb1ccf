export { MemoryAgentNetwork } from './memory-agent-network';
export { HttpAgentTransport } from './http-agent-transport';
export type { HttpAgentTransportOptions } from './http-agent-transport';
export { serveAgentEndpoint } from './agent-http-server';
export type { AgentHttpServerOptions } from './agent-http-server';
export { SchemeRoutingTransport } from './scheme-routing-transport';
