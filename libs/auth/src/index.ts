export { apiKeyId, apiKeyMatches, generateApiKey, hashApiKey } from './api-keys';
export type { GeneratedApiKey } from './api-keys';
