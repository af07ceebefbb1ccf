export { Gateway, createGatewayApp } from './gateway';
export type { GatewayOptions } from './gateway';
export type { ErrorBody } from './errors';
