#!/usr/bin/env node
// The `contextforge` command (package.json "bin"). It runs the CLI's TypeScript source through tsx,
// so it works right after `npm ci` and is never older than the source. Where tsx is not installed
// (a production install without devDependencies) it runs the bundle from
// `node tools/scripts/build-app.mjs cli` (dist/apps/cli/main.js) instead.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
let register;
try {
  register = require('tsx/cjs/api').register;
} catch {
  register = undefined;
}
if (register) {
  // tsx reads the path aliases (@contextforge/*) from this tsconfig.
  process.env.TSX_TSCONFIG_PATH = join(root, 'apps', 'cli', 'tsconfig.json');
  register();
  require(join(root, 'apps', 'cli', 'src', 'main.ts'));
} else {
  const bundle = join(root, 'dist', 'apps', 'cli', 'main.js');
  if (!existsSync(bundle)) {
    process.stderr.write(
      'contextforge: tsx is not installed; build the CLI with `node tools/scripts/build-app.mjs cli`\n',
    );
    process.exit(1);
  }
  require(bundle);
}
