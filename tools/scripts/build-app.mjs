// Bundles one app's main.ts into dist/apps/<name>/main.js (node_modules stay external) and ships
// the SQL migrations (the result-store applies them at start) and the .proto files beside it.
// Usage: node tools/scripts/build-app.mjs <app-name>
import { build } from 'esbuild';
import { cpSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const name = process.argv[2];
const entry = join(root, 'apps', name ?? '', 'src', 'main.ts');
if (!name || !existsSync(entry)) {
  console.error(`usage: build-app.mjs <app>; no ${entry}`);
  process.exit(2);
}
await build({
  entryPoints: [entry],
  outfile: join(root, 'dist', 'apps', name, 'main.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  sourcemap: true,
  tsconfig: join(root, 'apps', name, 'tsconfig.json'),
  logLevel: 'warning',
});
cpSync(join(root, 'libs', 'persistence', 'migrations'), join(root, 'dist', 'apps', name, 'migrations'), {
  recursive: true,
});
// The gateway's gRPC service loads its .proto at start (./proto beside the bundle).
cpSync(join(root, 'libs', 'contracts', 'proto'), join(root, 'dist', 'apps', name, 'proto'), {
  recursive: true,
});
