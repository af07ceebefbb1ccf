import { AppError } from '@contextforge/contracts';
import { encodedSize, encodeMessage } from './message-codec';

describe('encodedSize', () => {
  it('counts UTF-8 bytes of key, value and headers plus the framing of a one-record batch', () => {
    const bare = encodedSize('', '', {});
    expect(bare).toBe(61 + 36);
    // "ż" is two bytes in UTF-8, "✓" three.
    expect(encodedSize('ż', '"✓"', {}) - bare).toBe(2 + 5);
    expect(encodedSize('k', '1', { traceparent: 'abc' }) - encodedSize('k', '1', {})).toBe(10 + 11 + 3);
  });
});

describe('encodeMessage', () => {
  it('returns the JSON text, headers and size of a message within the limit', () => {
    const encoded = encodeMessage('t', { key: 'k', value: { a: 1 }, headers: { h: 'v' } }, 1_024);
    expect(encoded).toEqual({
      key: 'k',
      json: '{"a":1}',
      headers: { h: 'v' },
      bytes: encodedSize('k', '{"a":1}', { h: 'v' }),
    });
  });

  it('accepts a message of exactly the limit and rejects one byte more with MESSAGE_TOO_LARGE', () => {
    const limit = encodedSize('k', '"xxxx"', {});
    expect(encodeMessage('t', { key: 'k', value: 'xxxx' }, limit).bytes).toBe(limit);
    let failure: unknown;
    try {
      encodeMessage('t', { key: 'k', value: 'xxxxx' }, limit);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({
      code: 'MESSAGE_TOO_LARGE',
      retryable: false,
      details: { topic: 't', key: 'k', bytes: limit + 1, maxBytes: limit },
    });
  });
});
