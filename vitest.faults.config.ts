import { defineConfig } from 'vitest/config';

/**
 * `npm run test:reliability`: the fault-injection scenarios (test/faults). They kill and
 * restart Redis and the app and wait for BullMQ's stalled-job check, so they take minutes and
 * run apart from `npm test` (CI runs both, see .ci/run). The `cluster` project runs the e2e
 * core, approvals and reminders suites again on a three-primary Redis Cluster
 * (test/support/cluster-setup.ts).
 */
export default defineConfig({
  test: {
    pool: 'forks',
    fileParallelism: true,
    projects: [
      {
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'cluster',
          include: ['test/e2e/core-flow.test.ts', 'test/e2e/approvals.test.ts', 'test/e2e/reminders.test.ts'],
          globalSetup: ['test/support/cluster-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
