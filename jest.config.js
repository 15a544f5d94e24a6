// Every compile through a shape hint (src/plan/hint.ts) is checked against the full walk of
// the plan in the tests; the workers inherit this.
process.env.TERRAPIN_VERIFY_SHAPES = '1'

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false, tsconfig: { isolatedModules: true } }] },
  moduleNameMapper: { '^terrapin$': '<rootDir>/src/index.ts' },
  roots: ['<rootDir>/src', '<rootDir>/laws', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testTimeout: 60000,
  // The suites wait on the databases more than they compute: two workers on a 2-core machine
  // (Jest would take one, cores - 1) halve the wall time.
  maxWorkers: 2,
}
