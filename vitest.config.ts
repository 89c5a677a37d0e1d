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
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // Files share the run's local clusters; run them one at a time on this 2-core machine.
          fileParallelism: false,
        },
      },
    ],
  },
});
