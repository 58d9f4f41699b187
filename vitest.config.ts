import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources under the `@handrail/source` export condition
// (`default` is the compiled dist/ for plain node); the rest are Vitest's own defaults, which this replaces.
const conditions = ['@handrail/source', 'node', 'development|production'];

export default defineConfig({
  ssr: { resolve: { conditions } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['libs/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts', 'deploy/check/**/*.test.ts'],
          environment: 'node',
          // Vitest's default is one worker less than the cores: on a two-core machine, one.
          maxWorkers: 2,
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Two files at a time: each file has its own prefix (and its own nats-server where it
          // needs auth or kills), so they don't see each other; most of a file's time is waiting.
          maxWorkers: 2,
          globalSetup: ['test/support/global-setup.ts'],
          setupFiles: ['test/support/setup-env.ts'],
        },
      },
    ],
  },
});
