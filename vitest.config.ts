import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` needs nothing but Node; `integration` talks to real Kafka and Cassandra,
 * which its global setup finds or starts first. `npm test` runs both; `npx vitest run --project
 * unit` is the quick loop.
 */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/integration/**', '**/node_modules/**'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/setup/services.global.ts'],
          // One file at a time: a fault test stops the Cassandra that the others use.
          fileParallelism: false,
          // Services on 2 cores answer slower than a laptop; the suites wait on real round trips.
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
