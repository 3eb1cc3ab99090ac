// The image tests: build the container image with local base images and run it under Docker.
// Not part of `npm test` (they need Docker and debootstrapped base images): run them with
//   scripts/image/prepare.sh && vitest run --config test/image/vitest.config.ts
// The files are named *.image.ts so that the default config (test/**/*.test.ts) never picks them up.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/image/**/*.image.ts'],
    globalSetup: ['test/image/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // One Docker engine on vfs storage and two cores: one file at a time.
    fileParallelism: false,
  },
});
