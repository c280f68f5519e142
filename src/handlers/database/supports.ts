/**
 * What the database handler can do beyond counting, declared once: the handler itself says it
 * (./index.ts), and so does the composition root before it loads the handler
 * (src/compose/handler.ts). A module of its own that imports nothing at run time, so that the
 * core's bundle takes this object and not the handler (tsup.config.ts keeps ./index.ts out).
 */

import type { HandlerCapabilities } from '../../ground/contract.js'

/** It keeps access logs, lists its locks, and the admin pages can browse its attempts and logs. */
export const DATABASE_SUPPORTS: HandlerCapabilities = Object.freeze({
  logs: true,
  list: true,
  browse: true,
  browseLogs: true,
  locks: true,
  buckets: false,
})
