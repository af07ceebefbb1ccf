// End-to-end test of the operations dashboard: the embedded app runs as its own process (node
// dist/apps/embedded/main.js, bundled by the globalSetup) and Debian's Chromium drives the page
// through playwright-core.
const base = require('../../jest.config.base.cjs');

module.exports = {
  ...base,
  rootDir: __dirname,
  globalSetup: '<rootDir>/test/global-setup.cjs',
  maxWorkers: 1,
  testTimeout: 120_000,
};
