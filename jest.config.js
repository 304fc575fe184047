// Two projects: unit tests beside the code, end-to-end tests under test/ against real Kafka and Postgres.
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };
// The @eventlog/* aliases of tsconfig.json's paths, for jest's resolver.
const moduleNameMapper = {
  '^@eventlog/testing$': '<rootDir>/test/support',
  '^@eventlog/([a-z-]+)$': '<rootDir>/libs/$1/src',
};
// The packed client (npm run build) has the same package name as libs/client, and the partitioning
// bench's worktree of an older commit (.bench/) has every package again: neither is a module of the tests.
const modulePathIgnorePatterns = ['<rootDir>/dist/packages/', '<rootDir>/.bench/'];

module.exports = {
  // End-to-end tests wait on real brokers and processes; unit tests finish long before this.
  testTimeout: 120000,
  // The seed of the run in every summary, so a failure can be replayed (--seed); fast-check prints its own.
  showSeed: true,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      modulePathIgnorePatterns,
      testMatch: ['<rootDir>/apps/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts'],
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      modulePathIgnorePatterns,
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      // Stops a broker and restarts Postgres, both its own (scripts/faults-infra.sh, started and
      // stopped by its global setup and teardown): run alone, after the rest (npm run test:faults).
      displayName: 'faults',
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      modulePathIgnorePatterns,
      testMatch: ['<rootDir>/test/faults/*.faults-spec.ts'],
      globalSetup: '<rootDir>/test/faults/global-setup.ts',
      globalTeardown: '<rootDir>/test/faults/global-teardown.ts',
    },
  ],
};
