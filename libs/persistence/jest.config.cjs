// The shared Jest setup plus a globalSetup that generates the Prisma client first (a no-op when it
// is current), so `nx test persistence` works on a fresh checkout.
const base = require('../../jest.config.base.cjs');

module.exports = {
  ...base,
  rootDir: __dirname,
  globalSetup: '<rootDir>/test/global-setup.cjs',
};
