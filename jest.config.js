// Every compile through a shape hint (src/plan/hint.ts) is checked against the full walk of
// the plan in the tests; the workers inherit this.
process.env.TERRAPIN_VERIFY_SHAPES = '1'

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false, tsconfig: { isolatedModules: true } }],
    // cookie 2 (light-my-request's, behind Fastify's inject) and content-disposition 2
    // (@fastify/static's, behind @fastify/swagger-ui) are ES modules only, which Jest's module
    // system cannot require on Node 20: compiled to CommonJS like the sources
    '/node_modules/(cookie|content-disposition)/.+\\.js$': [
      'ts-jest',
      { diagnostics: false, tsconfig: { isolatedModules: true, allowJs: true } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(cookie|content-disposition)/)'],
  moduleNameMapper: {
    '^terrapin$': '<rootDir>/src/index.ts',
    '^terrapin/fastify$': '<rootDir>/src/integrations/fastify.ts',
  },
  roots: ['<rootDir>/src', '<rootDir>/laws', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // every fast-check property draws from the run's seed (FC_SEED under CI)
  setupFiles: ['<rootDir>/test/support/seed.ts'],
  testTimeout: 60000,
  // The suites wait on the databases more than they compute: two workers on a 2-core machine
  // (Jest would take one, cores - 1) halve the wall time.
  maxWorkers: 2,
}
