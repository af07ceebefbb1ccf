// The bench's smoke run (`nx test bench`): every scenario at tiny sizes, against the bundled apps
// (dist/apps, built by the globalSetup) and the local PostgreSQL, Redis and Kafka mock. It checks
// that the harness works, never how fast anything is. It depends on system-tests' test target so
// that the two cluster-starting suites neither share the two cores nor rebuild dist/apps at once.
const base = require('../../jest.config.base.cjs');

module.exports = {
  ...base,
  rootDir: __dirname,
  globalSetup: '<rootDir>/test/global-setup.cjs',
  maxWorkers: 1,
  testTimeout: 600_000,
};
