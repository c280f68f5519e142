/**
 * Loads `node-axes/database`. In the source this is a plain dynamic import. The build
 * (tsup.config.ts, plugin `databaseEntryOutOfBundles`) replaces this module with one that imports
 * the built entry through a specifier held in a variable, which an application's bundler does not
 * follow: `import { createAxes } from 'node-axes'` then bundles without the database handler,
 * Kysely or a SQLite driver, and Node loads them from the package when the default handler is
 * first used.
 */

/** Imports the database handler's entry point. */
export function loadDatabaseEntry(): Promise<typeof import('../handlers/database/index.js')> {
  return import('../handlers/database/index.js')
}
