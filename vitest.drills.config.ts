import { defineConfig } from 'vitest/config';

// `npm run drills`: the long reliability drills (repeated kill -9 cycles, a soak, tokens expiring
// every minute). Same database set-up as the suite; one file at a time, each bounded in time.
export default defineConfig({
  test: {
    include: ['test/drills/long/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 900_000,
    hookTimeout: 180_000,
    reporters: ['default'],
  },
});
