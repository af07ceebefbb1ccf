/**
 * The stream envelope is a contract shared with clients: it lives in @contextforge/contracts
 * (api/stream-api.ts, where its semantics are documented); the gateway's stream code imports it
 * from here.
 */
export { STREAM_CLOSE_CODES, STREAM_MESSAGE_TYPES, StreamMessageSchema } from '@contextforge/contracts';
export type { StreamMessage, StreamMessageType } from '@contextforge/contracts';
