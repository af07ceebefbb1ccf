import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { API_KEY_PATTERN, API_KEY_PREFIX } from '@contextforge/contracts';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

export interface GeneratedApiKey {
  /** The whole key, `cfk_<id>_<secret>`: give it to the caller once, never store it. */
  key: string;
  id: string;
  /** Hex SHA-256 of `key`: the only thing stored. */
  hash: string;
}

/** A fresh key: 60 random bits of public id, 256 random bits of secret. */
export function generateApiKey(): GeneratedApiKey {
  const id = Array.from(randomBytes(12), (byte) => BASE32[byte % 32]).join('');
  const key = `${API_KEY_PREFIX}${id}_${randomBytes(32).toString('base64url')}`;
  return { key, id, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The public id of a well-formed key, or undefined for anything else. */
export function apiKeyId(key: string): string | undefined {
  return API_KEY_PATTERN.exec(key)?.[1];
}

/** Whether `key` hashes to `storedHash`, compared in constant time. */
export function apiKeyMatches(key: string, storedHash: string): boolean {
  const actual = Buffer.from(hashApiKey(key), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
