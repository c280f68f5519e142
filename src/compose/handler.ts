/**
 * The composition root's one job: options -> handler. `handler: 'database'` (the default),
 * `'memory'`, `'dummy'`, `'test'` or a handler object. The default handler's module is loaded on
 * first use, so that an application on the memory handler never loads SQLite or Kysely (nor does
 * its bundler pack them: see load-database.ts).
 */

import type { ResolvedOptions } from '../core/options.js'
import type { AxesHandler } from '../ground/contract.js'
import { WRONG_PASSWORD_METHODS } from '../ground/contract-passwords.js'
import { SOURCE_METHODS } from '../ground/contract-sources.js'
import { DATABASE_SUPPORTS } from '../handlers/database/supports.js'
import { dummyHandler } from '../handlers/dummy.js'
import { memoryHandler } from '../handlers/memory/index.js'
import { testHandler } from '../handlers/test.js'
import { lazyHandler } from './lazy-handler.js'
import { loadDatabaseEntry } from './load-database.js'

/** The handler that `options.handler` names (a handler object is returned as it is). */
export function handlerFor(options: Readonly<ResolvedOptions>): AxesHandler {
  const handler = options.handler
  if (handler === 'database') return databaseHandlerFor(options.databaseUrl)
  if (handler === 'memory') return memoryHandler()
  if (handler === 'dummy') return dummyHandler()
  if (handler === 'test') return testHandler()
  return handler
}

/**
 * The database handler on `url` (django-axes' tables; the embedded default is a SQLite file),
 * its module loaded on the first operation.
 */
export function databaseHandlerFor(url: string): AxesHandler {
  const identity = {
    name: 'database',
    kind: 'database',
    shared: true,
    supports: DATABASE_SUPPORTS,
    // Spray detection's sources (SourceStore, table axes_source) and the repeated wrong
    // passwords' hashes (WrongPasswordStore, table axes_wrongpassword).
    also: ['migrate', 'probe', ...SOURCE_METHODS, ...WRONG_PASSWORD_METHODS],
  } as const
  return lazyHandler(identity, async () => {
    const { databaseHandler } = await loadDatabaseEntry()
    return databaseHandler({ url })
  })
}
