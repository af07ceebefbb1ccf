import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AppError, type ApiKeyStore } from '@contextforge/contracts';
import { generateApiKey } from './api-keys';
import { issueToken } from './issue-token';
import type { HmacJwtAlgorithm, JwtVerifierOptions } from './jwt-verifier';

export const DEV_CREDENTIALS_CREATOR = 'dev-credentials';

export interface DevCredentialsOptions {
  /** `config.security.authentication`: issuer, audience, tolerance and `expiration` are kept. */
  authentication: JwtVerifierOptions & { readonly expiration: number };
  apiKeys: ApiKeyStore;
  /** Written with mode 0600; its directory is created (0700) when missing. */
  credentialsFile: string;
  /** Written into the file so tools can find the gateway; left out when not given. */
  gatewayUrl?: string;
  now?: () => number;
}

/** What the file holds. */
export interface DevCredentialsFile {
  gatewayUrl?: string;
  clientToken: string;
  adminToken: string;
  agentKey: string;
  expiresAt: string;
}

export interface DevCredentials extends DevCredentialsFile {
  agentKeyId: string;
  /** The settings the tokens verify with (including the secret): pass them as `jwt` to createAuthenticator. */
  jwt: JwtVerifierOptions;
  /** True when no HS secret was configured and a random one was made for this run. */
  secretGenerated: boolean;
}

/**
 * Development credentials for the embedded mode, so `npm start` works without an identity
 * provider: a client token (`dev-client`, roles client), an admin token (`dev-admin`, roles client
 * and admin), both living `authentication.expiration`, and an agent API key stored hashed with
 * createdBy 'dev-credentials'. Keys left by earlier runs (same creator) are revoked first, so only
 * the key in the current file works.
 *
 * Tokens are signed with the configured HS secret, or, when no key is configured, with a fresh
 * random 256-bit secret (the configured HS algorithm, HS256 when an asymmetric one was configured)
 * that lives only in this process. A configured public key or JWKS is refused: the platform cannot
 * sign for an identity provider.
 */
export async function createDevCredentials(options: DevCredentialsOptions): Promise<DevCredentials> {
  const now = options.now ?? Date.now;
  const { authentication } = options;
  const { algorithm, secretKey, secretGenerated } = signingKey(authentication);
  const jwt: JwtVerifierOptions = {
    algorithm,
    secretKey,
    issuer: authentication.issuer,
    audience: authentication.audience,
    clockTolerance: authentication.clockTolerance,
  };
  const token = (subject: string, roles: ('client' | 'admin')[]): Promise<string> =>
    issueToken({
      secretKey,
      algorithm,
      issuer: jwt.issuer,
      audience: jwt.audience,
      subject,
      roles,
      expiresInMs: authentication.expiration,
      now,
    });
  const clientToken = await token('dev-client', ['client']);
  const adminToken = await token('dev-admin', ['client', 'admin']);

  const at = new Date(now()).toISOString();
  for (const earlier of await options.apiKeys.list()) {
    if (earlier.createdBy === DEV_CREDENTIALS_CREATOR && earlier.revokedAt === undefined) {
      await options.apiKeys.revoke(earlier.id, at);
    }
  }
  const agentKey = generateApiKey();
  await options.apiKeys.create({
    id: agentKey.id,
    name: 'development agent key',
    role: 'agent',
    hash: agentKey.hash,
    createdBy: DEV_CREDENTIALS_CREATOR,
    createdAt: at,
  });

  const file: DevCredentialsFile = {
    ...(options.gatewayUrl === undefined ? {} : { gatewayUrl: options.gatewayUrl }),
    clientToken,
    adminToken,
    agentKey: agentKey.key,
    // `exp` is in whole seconds, rounded down.
    expiresAt: new Date(Math.floor((now() + authentication.expiration) / 1000) * 1000).toISOString(),
  };
  await writePrivateFile(options.credentialsFile, `${JSON.stringify(file, null, 2)}\n`);
  return { ...file, agentKeyId: agentKey.id, jwt, secretGenerated };
}

function signingKey(authentication: JwtVerifierOptions): {
  algorithm: HmacJwtAlgorithm;
  secretKey: string;
  secretGenerated: boolean;
} {
  const hmac = isHmac(authentication.algorithm) ? authentication.algorithm : undefined;
  if (hmac !== undefined && authentication.secretKey !== undefined) {
    return { algorithm: hmac, secretKey: authentication.secretKey, secretGenerated: false };
  }
  if (authentication.publicKeyPath !== undefined || authentication.jwksUrl !== undefined) {
    throw new AppError(
      'CONFIG_INVALID',
      'security.dev_credentials: cannot issue tokens for a configured public key or JWKS; get tokens from the identity provider or disable dev_credentials',
    );
  }
  return {
    algorithm: hmac ?? 'HS256',
    secretKey: randomBytes(32).toString('base64url'),
    secretGenerated: true,
  };
}

function isHmac(algorithm: string): algorithm is HmacJwtAlgorithm {
  return algorithm.startsWith('HS');
}

/** Written beside the target and renamed over it, so the file is never readable with other modes or half-written. */
async function writePrivateFile(path: string, content: string): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFile(temporary, content, { mode: 0o600, flag: 'wx' });
    await chmod(temporary, 0o600);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw new AppError(
      'INTERNAL',
      `cannot write development credentials to ${path}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}
