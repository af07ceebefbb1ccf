import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_GATEWAY, resolveSettings } from './settings';

const withCredentials = (content: string): string => {
  const dir = mkdtempSync(join(tmpdir(), 'cf-cli-'));
  mkdirSync(join(dir, '.contextforge'));
  writeFileSync(join(dir, '.contextforge', 'credentials.json'), content);
  return dir;
};

describe('resolveSettings', () => {
  const file = JSON.stringify({ gatewayUrl: 'http://file:1', clientToken: 'file-token', adminToken: 'x' });

  it('prefers flags, then the environment, then the credentials file, then the default', async () => {
    const cwd = withCredentials(file);
    const env = { CONTEXTFORGE_GATEWAY: 'http://env:2', CF_TOKEN: 'cf', CONTEXTFORGE_TOKEN: 'cft' };
    expect(await resolveSettings({ gateway: 'http://flag:3', token: 'flag' }, env, cwd)).toEqual({
      gatewayUrl: 'http://flag:3',
      token: 'flag',
      tokenSource: '--token',
    });
    expect(await resolveSettings({}, env, cwd)).toMatchObject({ gatewayUrl: 'http://env:2', token: 'cf' });
    expect(await resolveSettings({}, { CONTEXTFORGE_TOKEN: 'cft' }, cwd)).toMatchObject({
      gatewayUrl: 'http://file:1',
      token: 'cft',
      tokenSource: 'CONTEXTFORGE_TOKEN',
    });
    expect(await resolveSettings({}, {}, cwd)).toMatchObject({
      token: 'file-token',
      tokenSource: join('.contextforge', 'credentials.json'),
    });
    expect(await resolveSettings({}, {}, mkdtempSync(join(tmpdir(), 'cf-cli-')))).toEqual({
      gatewayUrl: DEFAULT_GATEWAY,
      token: undefined,
      tokenSource: undefined,
    });
  });

  it('refuses a malformed credentials file and a gateway that is not an http(s) URL', async () => {
    await expect(resolveSettings({}, {}, withCredentials('{nope'))).rejects.toThrow(/not valid JSON/);
    await expect(resolveSettings({ gateway: 'ftp://x' }, {}, withCredentials(file))).rejects.toThrow(
      /http:\/\/ or https:\/\//,
    );
  });
});
