import { defineConfig } from 'tsup'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'database/index': 'src/handlers/database/index.ts',
    'redis/index': 'src/handlers/redis/index.ts',
    'testing/index': 'src/testing/index.ts',
    'passport/index': 'src/adapters/passport/index.ts',
    'hono/index': 'src/adapters/hono/index.ts',
    'koa/index': 'src/adapters/koa/index.ts',
    'fastify/index': 'src/adapters/fastify/index.ts',
    'express/index': 'src/adapters/express/index.ts',
    'admin/index': 'src/admin/index.ts',
    cli: 'src/cli/bin.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  splitting: true,
  treeshake: true,
  // Drivers, Redis clients, frameworks, vitest and tsx (loads a TypeScript CLI configuration) are
  // the application's (or optional peers); never bundle them.
  external: [
    'vitest',
    'better-sqlite3',
    'pg',
    'mysql2',
    'kysely',
    'ioredis',
    'redis',
    'tsx',
    'express',
    'fastify',
    'fastify-plugin',
    'koa',
    'hono',
    'passport',
  ],
})
