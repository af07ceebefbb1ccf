// Jest globalSetup: generate the Prisma client (a no-op when current) and bundle the five service
// apps into dist/apps, which the system tests start as separate processes.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = async function globalSetup() {
  const root = path.resolve(__dirname, '../../..');
  for (const script of ['tools/scripts/prisma-generate.mjs', 'tools/scripts/build-apps.mjs']) {
    execFileSync(process.execPath, [path.join(root, script)], { cwd: root, stdio: 'inherit' });
  }
};
