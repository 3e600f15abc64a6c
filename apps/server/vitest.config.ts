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
    // A worker keeps the modules it loaded from one test file to the next instead of importing the
    // whole server again for each (on 12 e2e files: import time 391 s -> 79 s, wall 660 s -> 406 s,
    // on a machine at load 30-48). Test files share no state through modules: each starts its own
    // servers on its own databases, and none mocks modules.
    isolate: false,
    // expect.poll waits for what a page or server will show (a rendered timeline, a delivered page):
    // vitest's default of 1 s was too short for a browser on a loaded 2-core machine (a page rendered
    // after 1 s failed a browser test in CI). A poll still fails when the value never comes.
    expect: { poll: { timeout: 15_000 } },
    // KLAXON_TEST_CHECK_RESPONSES: servers the tests start as processes check every answer against its response schema too.
    env: { KLAXON_LOG_LEVEL: 'silent', KLAXON_TEST_CHECK_RESPONSES: '1' },
  },
});
