/** @type {import('jest').Config} */
const swc = {
  swcrc: false,
  jsc: {
    target: 'es2022',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
};

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/libs', '<rootDir>/apps', '<rootDir>/tests'],
  testMatch: ['**/*.spec.ts', '**/*.e2e.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', swc],
    // ESM in a package Mercurius requires (Node 20 requires ES modules; jest does not).
    '/node_modules/content-disposition/.+\\.js$': [
      '@swc/jest',
      { swcrc: false, jsc: { target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  moduleNameMapper: {
    '^@partnerships/audit/(.*)$': '<rootDir>/libs/audit/src/$1',
    '^@partnerships/domain/(.*)$': '<rootDir>/libs/domain/src/$1',
    '^@partnerships/event-store/(.*)$': '<rootDir>/libs/event-store/src/$1',
    '^@partnerships/projections/(.*)$': '<rootDir>/libs/projections/src/$1',
  },
  globalSetup: '<rootDir>/tests/support/global-setup.js',
  testTimeout: 30000,
};
