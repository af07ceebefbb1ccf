import { clientIp, ipRateLimitKey } from './client-ip';

describe('clientIp', () => {
  it.each([
    ['no trusted proxies: the peer, whatever X-Forwarded-For says', '10.0.0.1', '1.2.3.4', 0, '10.0.0.1'],
    ['one proxy: the entry it appended', '10.0.0.1', '6.6.6.6, 203.0.113.7', 1, '203.0.113.7'],
    [
      'one proxy: spoofed entries on the left change nothing',
      '10.0.0.1',
      '1.1.1.1, 2.2.2.2, 203.0.113.7',
      1,
      '203.0.113.7',
    ],
    [
      'two proxies: the second entry from the right',
      '10.0.0.1',
      '6.6.6.6, 203.0.113.7, 10.0.0.2',
      2,
      '203.0.113.7',
    ],
    ['fewer entries than proxies: the left-most', '10.0.0.1', '203.0.113.7', 3, '203.0.113.7'],
    ['no X-Forwarded-For: the peer', '10.0.0.1', undefined, 1, '10.0.0.1'],
    ['an empty X-Forwarded-For: the peer', '10.0.0.1', ' , ', 1, '10.0.0.1'],
    ['an entry that is not an IP: the peer', '10.0.0.1', '1.2.3.4, unknown', 1, '10.0.0.1'],
    ['an entry with a port: its IP', '10.0.0.1', '203.0.113.7:4711', 1, '203.0.113.7'],
    ['a bracketed IPv6 entry with a port', '10.0.0.1', '[2001:db8::1]:443', 1, '2001:db8::1'],
    ['an IPv4-mapped peer: as IPv4', '::ffff:127.0.0.1', undefined, 0, '127.0.0.1'],
    ['no peer address at all', undefined, undefined, 0, 'unknown'],
  ])('%s', (_name, peer, forwardedFor, trusted, expected) => {
    expect(clientIp(peer, forwardedFor, trusted)).toBe(expected);
  });

  it('reads several X-Forwarded-For headers as one list', () => {
    expect(clientIp('10.0.0.1', ['1.1.1.1', '203.0.113.7, 10.0.0.2'], 2)).toBe('203.0.113.7');
  });
});

describe('ipRateLimitKey', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002::ffff', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::ffff:1.2.3.4', '0:0:0:0::/64'],
  ])('%s -> %s', (ip, key) => {
    expect(ipRateLimitKey(ip)).toBe(key);
  });

  it('gives every address of one /64 the same key', () => {
    expect(ipRateLimitKey('2001:db8:1:2::a')).toBe(ipRateLimitKey('2001:db8:1:2:ffff:ffff:ffff:ffff'));
    expect(ipRateLimitKey('2001:db8:1:2::a')).not.toBe(ipRateLimitKey('2001:db8:1:3::a'));
  });
});
