/**
 * The composition root's one job: options -> handler. `handler: 'database'` (the default),
 * `'memory'`, `'dummy'`, `'test'` or a handler object. The default handler's module is loaded on
 * first use, so that an application on the memory handler never loads SQLite or Kysely (nor does
 * its bundler pack them: see load-database.ts).
 */

import type { ResolvedOptions } from '../core/options.js'
import type { AxesHandler } from '../ground/contract.js'
import { dummyHandler } from '../handlers/dummy.js'
import { withLockCache } from '../handlers/lock-cache/index.js'
import { memoryHandler } from '../handlers/memory/index.js'
import { testHandler } from '../handlers/test.js'
import { lazyHandler } from './lazy-handler.js'
import { loadDatabaseEntry } from './load-database.js'

/**
 * The handler that `options.handler` names. A shared store of node-axes' own (the database
 * handler, the Redis handler) is wrapped with the lock cache (`withLockCache`), so that a flood
 * of a locked client is answered from this process's memory; any other handler object is
 * returned as it is.
 */
export function handlerFor(options: Readonly<ResolvedOptions>): AxesHandler {
  const handler = options.handler
  if (handler === 'database') return withLockCache(databaseHandlerFor(options.databaseUrl))
  if (handler === 'memory') return memoryHandler()
  if (handler === 'dummy') return dummyHandler()
  if (handler === 'test') return testHandler()
  return cachesLocks(handler) ? withLockCache(handler) : handler
}

/** Whether a handler is one of node-axes' shared stores: SQL (`database`) or Redis (`cache`). */
function cachesLocks(handler: AxesHandler): boolean {
  return handler.shared && (handler.kind === 'database' || handler.kind === 'cache')
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
    supports: { logs: true, list: true, browse: true, browseLogs: true },
    also: ['migrate', 'probe'],
  } as const
  return lazyHandler(identity, async () => {
    const { databaseHandler } = await loadDatabaseEntry()
    return databaseHandler({ url })
  })
}
