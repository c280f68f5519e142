/**
 * The database handler's logic on django-axes' tables, for any `SqlDriver`: the counting
 * (counting.ts, failures.ts, bucket-states.ts), the logs (logs.ts) and the admin pages' queries
 * (admin-queries.ts) and the locks in force (locks.ts), composed on one context (context.ts) that holds the driver, the dialect's
 * object and the settings the core attached.
 *
 * Counting is django-axes': one `axes_accessattempt` row per (username, IP, user agent), and a
 * bucket's failures are the sum of `failures_since_start` over the rows that match its fields and
 * whose `attempt_time` is within the failure window (django-axes counts a row at exactly the
 * window's edge too; node-axes, as all its handlers, from that instant on no longer); the largest
 * bucket decides.
 */

import type { AxesHandler, HandlerSettings } from '../../ground/contract.js'
import { adminQueriesOf } from './admin-queries.js'
import { sqlContext } from './context.js'
import { countingOf } from './counting.js'
import type { SqlDriver } from './drivers/driver.js'
import { locksOf } from './locks.js'
import { logsOf } from './logs.js'
import { sourcesOf } from './sources.js'
import { wrongPasswordsOf } from './wrong-passwords.js'

/**
 * Builds the handler on a connected (and, where asked, migrated) driver; `retentionMs` is how long
 * a row outlives its last failure when failures never expire.
 */
export function sqlHandler(driver: SqlDriver, retentionMs = 30 * 24 * 3_600_000): AxesHandler {
  const ctx = sqlContext(driver, retentionMs)
  const counting = countingOf(ctx)
  const { resetSourcesOf, ...sources } = sourcesOf(ctx)
  return {
    name: 'database',
    shared: true,
    kind: 'database',
    attach(next: HandlerSettings) {
      ctx.settings = next
    },
    ...counting,
    // A reset of attempts by IP (or of everything) forgets that IP's sources too (spray detection).
    async resetAttempts(filter) {
      const removed = await counting.resetAttempts(filter)
      await resetSourcesOf(filter)
      return removed
    },
    ...logsOf(ctx),
    ...adminQueriesOf(ctx),
    ...locksOf(ctx),
    ...sources,
    ...wrongPasswordsOf(ctx),
    close: () => driver.close(),
  }
}
