/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false, tsconfig: { isolatedModules: true } }] },
  moduleNameMapper: { '^terrapin$': '<rootDir>/src/index.ts' },
  roots: ['<rootDir>/src', '<rootDir>/laws', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testTimeout: 60000,
}
