import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError, type StoredApiKey } from '@contextforge/contracts';
import { exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import {
  generateApiKey,
  type AuthFailureReason,
  type GeneratedApiKey,
  type JwtVerifierOptions,
} from '../../src';
import type { FakeApiKeyStore } from '@contextforge/testing';

/** A fixed clock: every token time in the tests is relative to it. */
export const NOW_MS = Date.UTC(2030, 0, 1, 12, 0, 0);
export const NOW_S = NOW_MS / 1000;
export const clock = (): number => NOW_MS;
export const ISSUER = 'https://issuer.test';
export const AUDIENCE = 'contextforge-api';
export const HS_SECRET = 'an-hmac-secret-of-at-least-32-characters';
export const LEEWAY_MS = 30_000;

export function jwtOptions(overrides: Partial<JwtVerifierOptions> = {}): JwtVerifierOptions {
  return {
    algorithm: 'HS256',
    secretKey: HS_SECRET,
    issuer: ISSUER,
    audience: AUDIENCE,
    clockTolerance: LEEWAY_MS,
    ...overrides,
  };
}

/** Claims that pass; `undefined` in `overrides` removes a claim. */
export function claims(overrides: Record<string, unknown> = {}): JWTPayload {
  const all: Record<string, unknown> = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'client-1',
    iat: NOW_S - 60,
    exp: NOW_S + 3600,
    ...overrides,
  };
  return Object.fromEntries(Object.entries(all).filter(([, value]) => value !== undefined));
}

export async function sign(
  key: CryptoKey | Uint8Array,
  alg: string,
  payload: JWTPayload = claims(),
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ ...header, alg }).sign(key);
}

export const hsKey = (secret = HS_SECRET): Uint8Array => new TextEncoder().encode(secret);

export function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** An unsecured JWT (`alg: none`, empty signature). */
export function unsignedToken(payload: JWTPayload = claims()): string {
  return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(payload)}.`;
}

export interface KeyPairFiles {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicKeyPem: string;
  publicKeyPath: string;
}

/** A fresh key pair for `alg` with its public key written as PEM (SPKI) into a temporary directory. */
export async function keyPairFiles(alg: string, directory: string): Promise<KeyPairFiles> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicKeyPem = await exportSPKI(publicKey);
  const publicKeyPath = join(directory, `${alg}-${randomUUID()}.pub.pem`);
  await writeFile(publicKeyPath, publicKeyPem);
  return { privateKey, publicKey, publicKeyPem, publicKeyPath };
}

export async function temporaryDirectory(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'contextforge-auth-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Stores a fresh key and returns it. */
export async function storedKey(
  store: FakeApiKeyStore,
  fields: Partial<Omit<StoredApiKey, 'id' | 'hash'>> = {},
): Promise<GeneratedApiKey> {
  const key = generateApiKey();
  await store.create({
    id: key.id,
    hash: key.hash,
    name: 'test key',
    role: 'agent',
    createdBy: 'admin-1',
    createdAt: new Date(NOW_MS).toISOString(),
    ...fields,
  });
  return key;
}

/** The rejection of `promise`, which must be an AppError. */
export async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
  if (!(outcome.error instanceof AppError)) throw outcome.error;
  return outcome.error;
}

/** Expects UNAUTHENTICATED for `reason`, with a message that does not repeat `credential`. */
export async function expectUnauthenticated(
  promise: Promise<unknown>,
  reason: AuthFailureReason,
  credential?: string,
): Promise<AppError> {
  const error = await rejection(promise);
  expect({ code: error.code, reason: error.details?.['reason'] }).toEqual({
    code: 'UNAUTHENTICATED',
    reason,
  });
  expect(error.httpStatus).toBe(401);
  if (credential !== undefined) expect(JSON.stringify(error.toJSON())).not.toContain(credential);
  return error;
}
