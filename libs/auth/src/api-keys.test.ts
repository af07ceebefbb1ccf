import { API_KEY_PATTERN } from '@contextforge/contracts';
import { apiKeyId, apiKeyMatches, generateApiKey, hashApiKey } from './api-keys';

describe('API keys', () => {
  it('generates recognisable, distinct keys whose id and hash match the key', () => {
    const keys = Array.from({ length: 50 }, () => generateApiKey());
    for (const { key, id, hash } of keys) {
      expect(key).toMatch(API_KEY_PATTERN);
      expect(key.startsWith(`cfk_${id}_`)).toBe(true);
      expect(apiKeyId(key)).toBe(id);
      expect(hash).toBe(hashApiKey(key));
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(new Set(keys.map((key) => key.key)).size).toBe(50);
    expect(new Set(keys.map((key) => key.id)).size).toBe(50);
  });

  it('finds no id in anything but a well-formed key', () => {
    const { key } = generateApiKey();
    for (const candidate of ['', 'cfk_', key.slice(0, -1), `${key}x`, ` ${key}`, key.toUpperCase()]) {
      expect(apiKeyId(candidate)).toBeUndefined();
    }
  });

  it('matches only the key that was hashed, and never throws on a damaged hash', () => {
    const { key, hash } = generateApiKey();
    expect(apiKeyMatches(key, hash)).toBe(true);
    expect(apiKeyMatches(generateApiKey().key, hash)).toBe(false);
    expect(apiKeyMatches(key, hash.slice(0, 62))).toBe(false);
    expect(apiKeyMatches(key, 'zz')).toBe(false);
    expect(apiKeyMatches(key, '')).toBe(false);
  });
});
