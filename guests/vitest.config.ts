import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@hvlab/source'] },
  ssr: { resolve: { conditions: ['@hvlab/source'] } },
  test: {
    include: ['harness/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
