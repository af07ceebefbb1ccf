import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isScalar, parseDocument, type YAMLMap } from 'yaml';
import { ConfigError, loadConfig } from '../src/index';
import { allKeyPaths, knownKeysAt } from '../src/config-schema';

const EXAMPLE = join(__dirname, '..', '..', '..', 'config', 'contextforge.example.yaml');

describe('config/contextforge.example.yaml', () => {
  const yamlText = readFileSync(EXAMPLE, 'utf8');

  it('validates', () => {
    const config = loadConfig({ yamlText, env: { JWT_SECRET: 's'.repeat(40) }, sourceName: EXAMPLE });
    expect(config.coordinator.port).toBe(8080);
    expect(config.agent.capabilities).toEqual(['python', 'javascript', 'typescript']);
    expect(config.registry.aclToken).toBeUndefined();
    expect(config.security.authentication.secretKey).toBe('s'.repeat(40));
  });

  it('shows every key the schema knows, each setting with a comment above it', () => {
    const document = parseDocument(yamlText);
    const paths = allKeyPaths();
    const settings = paths.filter((path) => knownKeysAt(path.split('.')) === undefined);
    const sections = paths.filter((path) => !path.includes('.'));
    const undocumented = [...settings, ...sections].filter(
      (path) => !isDocumented(document.contents, path.split('.'), yamlText),
    );
    expect(settings.length).toBeGreaterThan(50);
    expect(undocumented).toEqual([]);
  });

  it('fails without JWT_SECRET, naming the key and the variable', () => {
    expect(() => loadConfig({ yamlText, env: {} })).toThrow(ConfigError);
    expect(() => loadConfig({ yamlText, env: {} })).toThrow(
      'config: security.authentication.secret_key: environment variable JWT_SECRET is not set',
    );
  });
});

/**
 * True when the key at `path` is in the document with a comment right above it, or, for a key
 * left commented out (e.g. tls.cert_path), when a `# key:` line follows a comment line.
 */
function isDocumented(root: unknown, path: string[], text: string): boolean {
  let map: unknown = root;
  for (const [depth, key] of path.entries()) {
    if (!isMap(map)) return false;
    const items = (map as YAMLMap).items;
    const index = items.findIndex((pair) => isScalar(pair.key) && pair.key.value === key);
    const pair = items[index];
    if (!pair)
      return depth === path.length - 1 && new RegExp(`^\\s*#[^\\n]*\\n\\s*# ${key}:`, 'm').test(text);
    if (depth === path.length - 1) {
      const comment = isScalar(pair.key) ? pair.key.commentBefore : undefined;
      return Boolean(comment ?? (index === 0 ? (map as YAMLMap).commentBefore : undefined));
    }
    map = pair.value;
  }
  return false;
}
