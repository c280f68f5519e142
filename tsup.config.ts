import type { Plugin } from 'esbuild'
import { defineConfig } from 'tsup'
import { tsupEntries } from './scripts/entry-points.js'

/**
 * The default handler's module stays out of application bundles: src/compose/load-database.ts
 * imports src/handlers/database/ with a literal specifier (what tsx and vitest need); in the build
 * it becomes an import of the built entry (`./database/index.js`, or `.cjs`) through a variable,
 * which bundlers do not follow. The chunks that hold it are written to dist/ itself, beside the
 * database/ folder.
 */
const databaseEntryOutOfBundles: Plugin = {
  name: 'database-entry-out-of-bundles',
  setup(build) {
    // tsup builds both formats as ES modules (then turns one into CommonJS): the file extension
    // tells which.
    const cjs = build.initialOptions.outExtension?.['.js'] === '.cjs'
    const entry = cjs ? './database/index.cjs' : './database/index.js'
    build.onLoad({ filter: /[\\/]src[\\/]compose[\\/]load-database\.ts$/ }, () => ({
      loader: 'ts',
      contents: [
        `const DATABASE_ENTRY: string = ${JSON.stringify(entry)}`,
        'export function loadDatabaseEntry(): Promise<any> {',
        '  return import(DATABASE_ENTRY)',
        '}',
      ].join('\n'),
    }))
  },
}

export default defineConfig({
  // entry-points.json declares them: dist/<subpath>/index for each subpath, and the command line.
  entry: tsupEntries(),
  format: ['esm', 'cjs'],
  esbuildPlugins: [databaseEntryOutOfBundles],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node22',
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
    '@opentelemetry/api',
  ],
})
