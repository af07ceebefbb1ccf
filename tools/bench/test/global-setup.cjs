// Jest globalSetup: generate the Prisma client (a no-op when current) and bundle the apps the
// scenarios start as processes: the five cluster services and the embedded all-in-one.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const APPS = ['gateway', 'registry', 'scheduler', 'result-store', 'agent', 'embedded'];

module.exports = async function globalSetup() {
  const root = path.resolve(__dirname, '../../..');
  const run = (script, args = []) =>
    execFileSync(process.execPath, [path.join(root, script), ...args], { cwd: root, stdio: 'inherit' });
  run('tools/scripts/prisma-generate.mjs');
  run('tools/scripts/build-apps.mjs', APPS);
};
