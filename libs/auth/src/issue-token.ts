import { AppError, type Role } from '@contextforge/contracts';
import { SignJWT } from 'jose';
import { MIN_HMAC_SECRET_LENGTH, type HmacJwtAlgorithm } from './jwt-verifier';

export interface IssueTokenOptions {
  /** UTF-8 HMAC secret, at least 32 characters (the verifier's `secretKey`). */
  secretKey: string;
  /** Default HS256. Only HMAC: the platform never holds an identity provider's private key. */
  algorithm?: HmacJwtAlgorithm;
  issuer: string;
  audience: string;
  subject: string;
  roles: readonly Exclude<Role, 'agent'>[];
  expiresInMs: number;
  /** ms since the epoch; `iat` and `exp` are counted from it. */
  now?: () => number;
}

/**
 * Signs a client token the verifier accepts (used for development credentials and tests): `sub`,
 * `roles`, `iss`, `aud`, `iat` and `exp` (whole seconds, rounded down so a token never outlives
 * `expiresInMs`).
 */
export async function issueToken(options: IssueTokenOptions): Promise<string> {
  const algorithm = options.algorithm ?? 'HS256';
  if (options.secretKey.length < MIN_HMAC_SECRET_LENGTH) {
    throw new AppError(
      'CONFIG_INVALID',
      `the token secret must be at least ${MIN_HMAC_SECRET_LENGTH} characters`,
    );
  }
  if (!Number.isFinite(options.expiresInMs) || options.expiresInMs <= 0) {
    throw new AppError('CONFIG_INVALID', 'a token lifetime must be a positive number of ms');
  }
  const now = (options.now ?? Date.now)();
  return new SignJWT({ roles: [...options.roles] })
    .setProtectedHeader({ alg: algorithm, typ: 'JWT' })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setSubject(options.subject)
    .setIssuedAt(Math.floor(now / 1000))
    .setExpirationTime(Math.floor((now + options.expiresInMs) / 1000))
    .sign(new TextEncoder().encode(options.secretKey));
}
