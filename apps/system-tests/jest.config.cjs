// System tests: the apps run as separate OS processes (node dist/apps/<app>/main.js), so the
// globalSetup bundles them first. One test file at a time: each starts a whole cluster and the
// machine has 2 cores.
const base = require('../../jest.config.base.cjs');

module.exports = {
  ...base,
  rootDir: __dirname,
  globalSetup: '<rootDir>/test/global-setup.cjs',
  maxWorkers: 1,
  testTimeout: 240_000,
};
