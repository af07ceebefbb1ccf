// Jest globalSetup: make sure the generated Prisma client exists and matches the schema.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = async function globalSetup() {
  const root = path.resolve(__dirname, '../../..');
  execFileSync(process.execPath, [path.join(root, 'tools/scripts/prisma-generate.mjs')], {
    cwd: root,
    stdio: 'inherit',
  });
};
