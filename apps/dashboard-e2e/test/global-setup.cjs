// Jest globalSetup: generate the Prisma client (a no-op when current) and bundle the embedded app
// into dist/apps/embedded, which the test starts as a separate process.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = async function globalSetup() {
  const root = path.resolve(__dirname, '../../..');
  for (const args of [['tools/scripts/prisma-generate.mjs'], ['tools/scripts/build-app.mjs', 'embedded']]) {
    execFileSync(process.execPath, [path.join(root, args[0]), ...args.slice(1)], {
      cwd: root,
      stdio: 'inherit',
    });
  }
};
