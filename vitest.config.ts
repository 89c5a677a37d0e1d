import { defineConfig } from 'vitest/config';

const integration = ['packages/*/src/**/*.int.test.ts'];

export default defineConfig({
  test: {
    reporters: ['default', ['json', { outputFile: '.tmp/vitest-report.json' }]],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts'],
          exclude: [...integration, '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: integration,
          globalSetup: ['test/shared-cluster.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // Files share the run's local clusters; run them one at a time on this 2-core machine.
          fileParallelism: false,
        },
      },
      {
        test: {
          // The console in Debian's Chromium (playwright-core) against a real server and the shared cluster.
          name: 'e2e',
          include: ['e2e/**/*.e2e.test.ts'],
          globalSetup: ['test/shared-cluster.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
