// The production tests: a real Temporal cluster (built once from source, on its own PostgreSQL, mTLS on the
// frontend) started once by test/cluster/global-setup.ts for all of test/cluster/. Run by `npm run test:production`.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
  globalSetup: '<rootDir>/test/cluster/global-setup.ts',
  globalTeardown: '<rootDir>/test/cluster/global-teardown.ts',
  testMatch: ['<rootDir>/test/cluster/**/*.test.ts'],
  testTimeout: 120_000,
  maxWorkers: 1,
};
