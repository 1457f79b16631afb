import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // real sockets and real timers: give slow machines room, never rely on tight timing
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
})
