import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The end-to-end suites mostly wait on servers, child processes and the database: three files at
    // a time keep two cores busy (vitest's default on a 2-core machine is one).
    maxWorkers: 3,
    // KLAXON_TEST_CHECK_RESPONSES: servers the tests start as processes check every answer against its response schema too.
    env: { KLAXON_LOG_LEVEL: 'silent', KLAXON_TEST_CHECK_RESPONSES: '1' },
  },
});
