import {
  API_KEY_PREFIX,
  type ApiKeyStore,
  type Authenticator,
  type Principal,
} from '@contextforge/contracts';
import { createApiKeyVerifier } from './api-key-verifier';
import { unauthenticated } from './auth-failure';
import { createJwtVerifier, type JwtVerifierOptions } from './jwt-verifier';

export interface AuthenticatorOptions {
  /** Client JWT settings: `config.security.authentication` fits as it is. */
  jwt: JwtVerifierOptions;
  apiKeys: ApiKeyStore;
  /** How long API key records are cached (ms, default 2 s; 0 disables the cache). */
  apiKeyCacheTtlMs?: number;
  /** ms since the epoch, for token times and the cache; tests pass a fixed clock. */
  now?: () => number;
}

/** The gateway's Authenticator, plus a way to make a revocation effective here at once. */
export interface CachingAuthenticator extends Authenticator {
  /** Drops the cached record of API key `id`; call it after revoking the key. */
  invalidate(id: string): void;
}

/**
 * Accepts exactly one credential: `Authorization: Bearer <jwt>` (a client), `Authorization: Bearer
 * cfk_...` or `X-API-Key: cfk_...` (an API key). Sending both headers is refused rather than
 * guessing which one counts. The scheme is matched case-insensitively (RFC 9110); empty values
 * count as absent. Checks the JWT key material now, so bad configuration fails at start-up.
 */
export async function createAuthenticator(options: AuthenticatorOptions): Promise<CachingAuthenticator> {
  const jwt = await createJwtVerifier(options.jwt, options.now === undefined ? {} : { now: options.now });
  const apiKeys = createApiKeyVerifier({
    store: options.apiKeys,
    ...(options.apiKeyCacheTtlMs === undefined ? {} : { cacheTtlMs: options.apiKeyCacheTtlMs }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });

  return {
    async authenticate(credentials): Promise<Principal> {
      const authorization = headerValue(credentials.authorization);
      const apiKey = headerValue(credentials.apiKey);
      if (authorization !== undefined && apiKey !== undefined) {
        throw unauthenticated(
          'ambiguous_credentials',
          'send either an Authorization or an X-API-Key header, not both',
        );
      }
      if (apiKey !== undefined) {
        if (!apiKey.startsWith(API_KEY_PREFIX)) {
          throw unauthenticated(
            'malformed_api_key',
            `the X-API-Key header does not hold an API key (${API_KEY_PREFIX}...)`,
          );
        }
        return apiKeys.verify(apiKey);
      }
      if (authorization === undefined) {
        throw unauthenticated(
          'missing_credentials',
          'no credentials: send Authorization: Bearer <token> or X-API-Key: <key>',
        );
      }
      const token = bearerToken(authorization);
      return token.startsWith(API_KEY_PREFIX) ? apiKeys.verify(token) : jwt.verify(token);
    },
    invalidate(id) {
      apiKeys.invalidate(id);
    },
  };
}

/** Trims optional whitespace (gRPC metadata arrives untrimmed); anything not a string is malformed. */
function headerValue(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw unauthenticated('malformed_token', 'the credential header is not text');
  const trimmed = value.replace(/^[ \t]+|[ \t]+$/g, '');
  return trimmed === '' ? undefined : trimmed;
}

function bearerToken(authorization: string): string {
  const match = /^(\S+)(?:[ \t]+(.*))?$/s.exec(authorization);
  if (match === null || match[1]?.toLowerCase() !== 'bearer') {
    throw unauthenticated('unsupported_scheme', 'the Authorization header must use the Bearer scheme');
  }
  const token = match[2] ?? '';
  if (token === '')
    throw unauthenticated('missing_credentials', 'the Authorization header has an empty Bearer token');
  return token;
}
