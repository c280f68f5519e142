import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: {
    // Examples and docs import the package by name; tests run them against the source.
    alias: {
      'node-axes/database': fileURLToPath(
        new URL('./src/handlers/database/index.ts', import.meta.url),
      ),
      'node-axes/redis': fileURLToPath(new URL('./src/handlers/redis/index.ts', import.meta.url)),
      'node-axes/express': fileURLToPath(
        new URL('./src/adapters/express/index.ts', import.meta.url),
      ),
      'node-axes/fastify': fileURLToPath(
        new URL('./src/adapters/fastify/index.ts', import.meta.url),
      ),
      'node-axes/koa': fileURLToPath(new URL('./src/adapters/koa/index.ts', import.meta.url)),
      'node-axes/hono': fileURLToPath(new URL('./src/adapters/hono/index.ts', import.meta.url)),
      'node-axes/passport': fileURLToPath(
        new URL('./src/adapters/passport/index.ts', import.meta.url),
      ),
      'node-axes/admin': fileURLToPath(new URL('./src/admin/index.ts', import.meta.url)),
      'node-axes/testing': fileURLToPath(new URL('./src/testing/index.ts', import.meta.url)),
      'node-axes': fileURLToPath(new URL('./src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // PostgreSQL and MariaDB for the whole run, from Debian's packages or AXES_TEST_*_URL; and a
    // fresh build for the tests that run the binary.
    globalSetup: ['test/support/global-servers.ts', 'test/support/global-build.ts'],
  },
})
