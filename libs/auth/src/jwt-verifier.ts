import { readFile } from 'node:fs/promises';
import {
  AppError,
  JWT_ALGORITHMS,
  type JwtAlgorithm,
  type Principal,
  type Role,
} from '@contextforge/contracts';
import {
  createRemoteJWKSet,
  importSPKI,
  jwtVerify,
  type CryptoKey,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { AGENT_KEY_PRINCIPAL_PREFIX } from './api-key-verifier';
import { unauthenticated } from './auth-failure';

export { JWT_ALGORITHMS };
export type { JwtAlgorithm };
export type HmacJwtAlgorithm = Extract<JwtAlgorithm, `HS${string}`>;

/** The most clock skew a verifier accepts on `exp`/`nbf`; more would stretch every token's life. */
export const MAX_CLOCK_TOLERANCE_MS = 60_000;
export const MIN_HMAC_SECRET_LENGTH = 32;
/** Longest `sub` accepted: it becomes the `clientId` of the caller's tasks (same limit there). */
export const MAX_SUBJECT_LENGTH = 200;

/**
 * How client JWTs are verified; the shape of `security.authentication` in the config, so that
 * object can be passed as it is.
 *
 * Exactly one key source is used: `secretKey` for HS algorithms; `publicKeyPath` (PEM SPKI, read
 * once at creation) or `jwksUrl` for RS/PS/ES/EdDSA. Setting both of the latter is refused as
 * ambiguous.
 */
export interface JwtVerifierOptions {
  /** The only algorithm accepted; a token naming any other (or `none`) is refused before any key is used. */
  readonly algorithm: JwtAlgorithm;
  /** HMAC secret (UTF-8, at least 32 characters) for HS algorithms. */
  readonly secretKey?: string;
  readonly publicKeyPath?: string;
  readonly jwksUrl?: string;
  /** Required `iss`. */
  readonly issuer: string;
  /** Required in `aud`. */
  readonly audience: string;
  /** Allowed clock skew on `exp` and `nbf`, in ms, at most 60 s. */
  readonly clockTolerance: number;
}

/**
 * Verifies one compact JWS and turns it into a client Principal: `id` = `sub` (required, 1-200
 * characters), roles = 'client' plus 'admin' when the `roles` claim (an array of strings) holds it.
 * Other role names in the claim are ignored (identity providers add their own); 'agent' cannot be
 * granted by a token. A `sub` starting with `agent-key:` is refused, so a client can never share an
 * id (and so task ownership) with an API key principal.
 */
export interface JwtVerifier {
  verify(token: string): Promise<Principal>;
}

export interface JwtVerifierDependencies {
  /** ms since the epoch; the time `exp`/`nbf` are checked against. */
  now?: () => number;
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const MAX_TOKEN_LENGTH = 16 * 1024;
const TOKEN_ROLES: readonly Role[] = ['client', 'admin'];

/** Reads and checks the key material now, so a bad configuration fails at start-up. */
export async function createJwtVerifier(
  options: JwtVerifierOptions,
  dependencies: JwtVerifierDependencies = {},
): Promise<JwtVerifier> {
  const now = dependencies.now ?? Date.now;
  const { algorithm, issuer, audience } = checkOptions(options);
  const key = await resolveKey(options);
  const verifyOptions = {
    algorithms: [algorithm],
    issuer,
    audience,
    clockTolerance: options.clockTolerance / 1000,
    requiredClaims: ['exp'],
  };

  return {
    async verify(token) {
      if (token.length > MAX_TOKEN_LENGTH) {
        throw unauthenticated(
          'malformed_token',
          `the bearer token is longer than ${MAX_TOKEN_LENGTH} characters`,
        );
      }
      if (!COMPACT_JWS.test(token)) {
        throw unauthenticated(
          'malformed_token',
          'the bearer token is not a JWT (expected three base64url segments separated by dots)',
        );
      }
      let payload: JWTPayload;
      try {
        // jose's overloads split on the key's type; the union needs one of them chosen.
        ({ payload } =
          typeof key === 'function'
            ? await jwtVerify(token, key, { ...verifyOptions, currentDate: new Date(now()) })
            : await jwtVerify(token, key, { ...verifyOptions, currentDate: new Date(now()) }));
      } catch (error) {
        throw translateJoseError(error, algorithm);
      }
      return principalFromClaims(payload);
    },
  };
}

function checkOptions(options: JwtVerifierOptions): JwtVerifierOptions {
  if (!JWT_ALGORITHMS.includes(options.algorithm)) {
    throw configInvalid(`algorithm must be one of ${JWT_ALGORITHMS.join(', ')}`);
  }
  if (!options.issuer) throw configInvalid('issuer must not be empty');
  if (!options.audience) throw configInvalid('audience must not be empty');
  const tolerance = options.clockTolerance;
  if (!Number.isFinite(tolerance) || tolerance < 0 || tolerance > MAX_CLOCK_TOLERANCE_MS) {
    throw configInvalid(`clockTolerance must be between 0 and ${MAX_CLOCK_TOLERANCE_MS} ms`);
  }
  return options;
}

async function resolveKey(options: JwtVerifierOptions): Promise<Uint8Array | CryptoKey | JWTVerifyGetKey> {
  const { algorithm } = options;
  if (algorithm.startsWith('HS')) {
    if (options.secretKey === undefined || options.secretKey.length < MIN_HMAC_SECRET_LENGTH) {
      throw configInvalid(`${algorithm} needs a secretKey of at least ${MIN_HMAC_SECRET_LENGTH} characters`);
    }
    return new TextEncoder().encode(options.secretKey);
  }
  if (options.publicKeyPath !== undefined && options.jwksUrl !== undefined) {
    throw configInvalid('set publicKeyPath or jwksUrl, not both');
  }
  if (options.publicKeyPath !== undefined) return readPublicKey(options.publicKeyPath, algorithm);
  if (options.jwksUrl !== undefined) return remoteKeySet(options.jwksUrl);
  throw configInvalid(`${algorithm} needs a publicKeyPath (PEM SPKI) or a jwksUrl`);
}

async function readPublicKey(path: string, algorithm: JwtAlgorithm): Promise<CryptoKey> {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (error) {
    throw configInvalid(`cannot read the JWT public key file ${path}: ${(error as Error).message}`, error);
  }
  try {
    return await importSPKI(pem, algorithm);
  } catch (error) {
    throw configInvalid(`${path} is not a PEM (SPKI) public key usable with ${algorithm}`, error);
  }
}

/**
 * A key set fetched on first use, cached for 10 minutes and re-fetched (at most every 30 s) when a
 * token names an unknown `kid`, so keys rotate without a restart. When no current key set can be
 * fetched the identity provider is out, which is SERVICE_UNAVAILABLE rather than the caller's fault.
 * When the set holds several keys for the algorithm, tokens must name theirs with `kid`.
 */
function remoteKeySet(jwksUrl: string): JWTVerifyGetKey {
  let url: URL;
  try {
    url = new URL(jwksUrl);
  } catch (error) {
    throw configInvalid('jwksUrl is not a URL', error);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw configInvalid('jwksUrl must be http(s)');
  const keySet = createRemoteJWKSet(url);
  return async (header, token) => {
    try {
      return await keySet(header, token);
    } catch (error) {
      const code = joseErrorCode(error);
      if (code === 'ERR_JWKS_NO_MATCHING_KEY' || code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS' || keySet.fresh) {
        throw error;
      }
      throw new AppError('SERVICE_UNAVAILABLE', 'the JWT key set (JWKS) cannot be fetched', { cause: error });
    }
  };
}

function principalFromClaims(payload: JWTPayload): Principal {
  const { sub } = payload;
  if (typeof sub !== 'string' || sub.length === 0) {
    throw unauthenticated('missing_claim', 'the bearer token has no subject (sub)');
  }
  if (sub.length > MAX_SUBJECT_LENGTH) {
    throw unauthenticated(
      'invalid_claim',
      `the bearer token's subject (sub) is longer than ${MAX_SUBJECT_LENGTH}`,
    );
  }
  if (sub.startsWith(AGENT_KEY_PRINCIPAL_PREFIX)) {
    throw unauthenticated(
      'invalid_claim',
      `the bearer token's subject (sub) must not start with ${AGENT_KEY_PRINCIPAL_PREFIX}`,
    );
  }
  const claimed = payload['roles'];
  if (claimed !== undefined && !Array.isArray(claimed)) {
    throw unauthenticated('invalid_claim', "the bearer token's roles claim is not an array");
  }
  const roles = TOKEN_ROLES.filter((role) => role === 'client' || (claimed ?? []).includes(role));
  return { kind: 'client', id: sub, roles };
}

function translateJoseError(error: unknown, algorithm: JwtAlgorithm): AppError {
  if (error instanceof AppError) return error;
  const claim = (error as { claim?: unknown }).claim;
  switch (joseErrorCode(error)) {
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return unauthenticated(
        'algorithm_not_allowed',
        `the bearer token is not signed with ${algorithm}`,
        error,
      );
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return unauthenticated('bad_signature', 'the bearer token signature is not valid', error);
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return unauthenticated('unknown_signing_key', 'the bearer token is not signed by a trusted key', error);
    case 'ERR_JWT_EXPIRED':
      return unauthenticated('expired', 'the bearer token has expired', error);
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return claimFailure(claim, (error as { reason?: unknown }).reason, error);
    default:
      // Whatever else jose refuses (bad header JSON, unsupported `crit`, a non-object payload...)
      // is a malformed token; nothing in here is a server fault.
      return unauthenticated('malformed_token', 'the bearer token is malformed', error);
  }
}

function claimFailure(claim: unknown, reason: unknown, cause: unknown): AppError {
  if (reason === 'missing') {
    return unauthenticated(
      'missing_claim',
      `the bearer token has no ${String(claim)} claim (required)`,
      cause,
    );
  }
  switch (claim) {
    case 'iss':
      return unauthenticated('wrong_issuer', 'the bearer token is not from the trusted issuer (iss)', cause);
    case 'aud':
      return unauthenticated('wrong_audience', 'the bearer token is not meant for this service (aud)', cause);
    case 'nbf':
      return unauthenticated('not_yet_valid', 'the bearer token is not valid yet (nbf)', cause);
    default:
      return unauthenticated(
        'invalid_claim',
        `the bearer token's ${String(claim)} claim is not valid`,
        cause,
      );
  }
}

function joseErrorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

function configInvalid(message: string, cause?: unknown): AppError {
  return new AppError('CONFIG_INVALID', `security.authentication: ${message}`, { cause });
}
