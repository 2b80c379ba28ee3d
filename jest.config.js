// Two projects: unit tests sit beside the code and need nothing running; integration tests live
// under test/ and get a real Kafka broker and database from test/support/global-setup.ts.
const shared = {
  transform: {
    '^.+\\.tsx?$': ['@swc/jest'],
    // @platformatic/kafka ships ES modules only; Jest cannot require() them before Node 24.9.
    '/node_modules/@platformatic/.+\\.js$': ['@swc/jest'],
  },
  transformIgnorePatterns: ['/node_modules/(?!@platformatic/)'],
  // Sources, not builds: services by their package names first, then every package.
  moduleNameMapper: {
    // A dynamic import names the built file (`./local/index.js`, as Node resolves it); in Jest the
    // sources are the TypeScript beside it.
    '^(\\.{1,2}/.*)\\.js$': '$1',
    '^@weft/(gateway|orchestrator)$': '<rootDir>/services/$1/src',
    '^@weft/(webhooks|worker)-service$': '<rootDir>/services/$1/src',
    '^@weft/([^/]+)$': '<rootDir>/packages/$1/src',
  },
  testEnvironment: 'node',
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/packages/*/src/**/*.test.ts', '<rootDir>/services/*/src/**/*.test.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
  // A leaked handle must never hang CI: Jest says "Force exiting" and exits.
  forceExit: true,
  reporters: ['default', '<rootDir>/test/support/count-reporter.js'],
  // Integration tests wait on real brokers and processes; waits inside them are bounded anyway.
  testTimeout: 120000,
};
