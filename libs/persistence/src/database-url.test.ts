import { parseDatabaseUrl, redact } from './database-url';

describe('parseDatabaseUrl', () => {
  it.each([
    ['memory://', { kind: 'memory' }],
    ['pglite://memory', { kind: 'pglite' }],
    ['pglite:///var/lib/cf/pg', { kind: 'pglite', dataDir: '/var/lib/cf/pg' }],
    ['pglite://.contextforge/pg', { kind: 'pglite', dataDir: '.contextforge/pg' }],
    ['postgres://u:p@db:5432/cf', { kind: 'postgres', url: 'postgres://u:p@db:5432/cf' }],
    [
      'postgresql://u@db/cf?schema=tenant_a&sslmode=require',
      { kind: 'postgres', url: 'postgresql://u@db/cf?sslmode=require', schema: 'tenant_a' },
    ],
  ])('reads %s', (url, expected) => {
    expect(parseDatabaseUrl(url)).toEqual(expected);
  });

  it.each(['mysql://db/cf', 'pglite://', 'db:5432', ''])('rejects %p with CONFIG_INVALID', (url) => {
    expect(() => parseDatabaseUrl(url)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('never puts the password in its error message', () => {
    expect(() => parseDatabaseUrl('mysql://user:s3cret@db/cf')).toThrow(/user:\*\*\*@db/);
    expect(redact('postgres://user:s3cret@db/cf')).toBe('postgres://user:***@db/cf');
  });
});
