import { defineConfig } from 'tsup'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'database/index': 'src/handlers/database/index.ts',
    'testing/index': 'src/testing/index.ts',
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
  // Drivers and vitest are the application's (or optional peers); never bundle them.
  external: ['vitest', 'better-sqlite3', 'pg', 'mysql2', 'kysely'],
})
