import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config-error';
import { loadConfigFromProcess, readConfigFile } from './load-config-from-process';

describe('loadConfigFromProcess', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cf-config-'));
    mkdirSync(join(dir, 'etc'));
    writeFileSync(join(dir, 'etc', 'a.yaml'), 'coordinator:\n  port: 1111\n');
    writeFileSync(join(dir, 'etc', 'b.yaml'), 'coordinator:\n  port: 2222\n');
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the file named by --config <path>, relative to cwd', () => {
    const config = loadConfigFromProcess({
      argv: ['--verbose', '--config', 'etc/a.yaml'],
      env: {},
      cwd: dir,
    });
    expect(config.coordinator.port).toBe(1111);
  });

  it('reads --config=<path> and prefers it over CONTEXTFORGE_CONFIG', () => {
    const config = loadConfigFromProcess({
      argv: [`--config=${join(dir, 'etc', 'a.yaml')}`],
      env: { CONTEXTFORGE_CONFIG: 'etc/b.yaml' },
      cwd: dir,
    });
    expect(config.coordinator.port).toBe(1111);
  });

  it('falls back to CONTEXTFORGE_CONFIG, then to no file', () => {
    expect(
      loadConfigFromProcess({ argv: [], env: { CONTEXTFORGE_CONFIG: 'etc/b.yaml' }, cwd: dir }).coordinator
        .port,
    ).toBe(2222);
    expect(loadConfigFromProcess({ argv: [], env: {}, cwd: dir }).coordinator.port).toBe(8080);
  });

  it('applies the env to the file it reads', () => {
    const config = loadConfigFromProcess({
      argv: ['--config', 'etc/a.yaml'],
      env: { PORT: '3333' },
      cwd: dir,
    });
    expect(config.coordinator.port).toBe(3333);
  });

  it('names the file in its errors', () => {
    writeFileSync(join(dir, 'bad.yaml'), 'coordinator: [\n');
    expect(() => loadConfigFromProcess({ argv: ['--config', 'bad.yaml'], env: {}, cwd: dir })).toThrow(
      new RegExp(`^config: ${join(dir, 'bad.yaml').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: invalid YAML`),
    );
  });

  it('fails when the file is missing or --config has no value', () => {
    expect(() => loadConfigFromProcess({ argv: ['--config', 'nope.yaml'], env: {}, cwd: dir })).toThrow(
      /^config: cannot read config file ".*nope\.yaml": ENOENT/,
    );
    expect(() => loadConfigFromProcess({ argv: ['--config'], env: {}, cwd: dir })).toThrow(ConfigError);
    expect(() => loadConfigFromProcess({ argv: ['--config', '--other'], env: {}, cwd: dir })).toThrow(
      'config: --config needs a file path, e.g. --config ./contextforge.yaml',
    );
  });
});

describe('readConfigFile', () => {
  it('throws a ConfigError for an unreadable path', () => {
    expect(() => readConfigFile(tmpdir())).toThrow(ConfigError);
  });
});
