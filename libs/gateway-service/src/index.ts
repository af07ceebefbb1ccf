export { Gateway, createGatewayApp } from './gateway';
export type { GatewayOptions } from './gateway';
