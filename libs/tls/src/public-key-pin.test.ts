import { createHash } from 'node:crypto';
import { normalizePin } from './public-key-pin';

describe('normalizePin', () => {
  const pin = createHash('sha256').update('key').digest('base64');

  it('accepts a base64 SHA-256 digest with or without the sha256/ prefix', () => {
    expect(normalizePin(pin)).toBe(pin);
    expect(normalizePin(` sha256/${pin} `)).toBe(pin);
  });

  it.each([
    ['a hex digest', createHash('sha256').update('key').digest('hex')],
    ['a SHA-1 digest', createHash('sha1').update('key').digest('base64')],
    ['text', 'pin'],
  ])('refuses %s with CONFIG_INVALID', (_name, value) => {
    expect(() => normalizePin(value)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});
