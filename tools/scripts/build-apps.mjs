// Bundles every service app (the cluster-mode processes) into dist/apps/<name>/main.js.
// Usage: node tools/scripts/build-apps.mjs [app...]   (default: all five)
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const apps =
  process.argv.length > 2
    ? process.argv.slice(2)
    : ['gateway', 'registry', 'scheduler', 'result-store', 'agent'];
for (const app of apps) {
  execFileSync(process.execPath, [join(here, 'build-app.mjs'), app], { stdio: 'inherit' });
}
