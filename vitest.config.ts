import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: {
    // tests reach the core's internals through its sources, never through the published entry
    alias: [{ find: /^~core\/(.*)$/, replacement: fileURLToPath(new URL('./packages/core/src/$1', import.meta.url)) }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // real sockets and real timers: give slow machines room, never rely on tight timing
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
})
