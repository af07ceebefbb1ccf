/**
 * Authentication for every gateway protocol: client JWTs and `cfk_` API keys, both turned into a
 * `Principal` (see `Authenticator` in @contextforge/contracts and docs/adr/0007).
 *
 * Choices, and why:
 * - The JWT algorithm is pinned by configuration; a token naming `none` or any other algorithm is
 *   refused before a key is touched. This also defeats the RS/HS confusion attack (an HS256 token
 *   "signed" with the public RSA key).
 * - `exp` is required; `iss` and `aud` must match; clock leeway is capped at 60 s, so a stolen
 *   token cannot be stretched by configuration.
 * - API keys carry 256 random bits, so a fast SHA-256 of the key is the right stored form (a slow
 *   password hash protects guessable secrets and would cost milliseconds per request); hashes are
 *   compared in constant time, and an unknown id answers like a wrong secret.
 * - Every refusal is UNAUTHENTICATED with `details.reason` and a message that never repeats the
 *   credential; only an unreachable key store or JWKS is SERVICE_UNAVAILABLE.
 */
export { apiKeyId, apiKeyMatches, generateApiKey, hashApiKey } from './api-keys';
export type { GeneratedApiKey } from './api-keys';
export type { AuthFailureReason } from './auth-failure';
export {
  AGENT_KEY_PRINCIPAL_PREFIX,
  createApiKeyVerifier,
  DEFAULT_API_KEY_CACHE_TTL_MS,
} from './api-key-verifier';
export type { ApiKeyVerifier, ApiKeyVerifierOptions } from './api-key-verifier';
export { createAuthenticator } from './create-authenticator';
export type { AuthenticatorOptions, CachingAuthenticator } from './create-authenticator';
export { createDevCredentials, DEV_CREDENTIALS_CREATOR } from './dev-credentials';
export type { DevCredentials, DevCredentialsFile, DevCredentialsOptions } from './dev-credentials';
export { issueToken } from './issue-token';
export type { IssueTokenOptions } from './issue-token';
export {
  createJwtVerifier,
  JWT_ALGORITHMS,
  MAX_CLOCK_TOLERANCE_MS,
  MAX_SUBJECT_LENGTH,
  MIN_HMAC_SECRET_LENGTH,
} from './jwt-verifier';
export type {
  HmacJwtAlgorithm,
  JwtAlgorithm,
  JwtVerifier,
  JwtVerifierDependencies,
  JwtVerifierOptions,
} from './jwt-verifier';
