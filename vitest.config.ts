import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/handler-env.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: more workers than that only makes the emulators and the tests fight over them.
    maxWorkers: 2,
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
  },
})
