/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // e2e tests spawn terraform and emulator processes; keep workers bounded on 2 cores.
  maxWorkers: 2,
  testTimeout: 60000,
};
