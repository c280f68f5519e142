/**
 * The database handler's locks in force: its rows within the failure window grouped into the
 * buckets of the lockout parameters (the same buckets the core counts), each bucket's failures
 * summed over its rows from every user agent, and the buckets whose sum locks them now.
 */

import { bucketsFor } from '../../ground/buckets.js'
import type { AxesHandler } from '../../ground/contract.js'
import {
  type ActiveLock,
  type LockQuery,
  type LockSource,
  lockKindOf,
  sortLocks,
} from '../../ground/contract-locks.js'
import { AxesError } from '../../ground/errors.js'
import { activeLockUntil, failureWindowMs } from '../../ground/rule.js'
import type { SqlContext } from './context.js'
import { datetimeMs } from './datetime.js'

/** The most rows a listing reads (the latest first): a store under attack holds many. */
export const LOCK_SCAN_ROWS = 20_000

const text = (value: unknown): string | null =>
  value === null || value === undefined ? null : String(value)

/** The lock-listing method on a handler's context. */
export function locksOf(ctx: SqlContext): Required<Pick<AxesHandler, 'listLocks'>> {
  const { q, dt, dialect, driver } = ctx
  const T_ATTEMPT = ctx.tables.attempt
  return {
    async listLocks({ now, rule, parameters }: LockQuery): Promise<ActiveLock[]> {
      if (rule === null || parameters === null) {
        throw new AxesError(
          'AXES_NOT_SUPPORTED',
          'the database handler lists locks only when the lockout rule and parameters do not depend on the request',
        )
      }
      if (!rule.lockOutAtFailure) return []
      const window = failureWindowMs(rule)
      const rows = await driver.session.all(
        `SELECT ${dialect.ipText(q('ip_address'))} AS ip, ${q('username')} AS username, ${q('user_agent')} AS ua, ${q('path_info')} AS path, ${q('failures_since_start')} AS failures, ${dialect.datetimeMsSql(q('attempt_time'))} AS at FROM ${T_ATTEMPT}${window === null ? '' : ` WHERE ${q('attempt_time')} > ?`} ORDER BY ${q('attempt_time')} DESC LIMIT ?`,
        window === null ? [LOCK_SCAN_ROWS] : [dt(now - window), LOCK_SCAN_ROWS],
      )
      const groups = new Map<
        string,
        { fields: ActiveLock['fields']; failures: number; last: number; sources: LockSource[] }
      >()
      for (const row of rows) {
        const source: LockSource = {
          ipAddress: text(row.ip),
          username: text(row.username),
          userAgent: text(row.ua),
          pathInfo: text(row.path),
          failures: Number(row.failures ?? 0),
          attemptTime: new Date(datetimeMs(row.at) ?? 0),
        }
        const client = { ...source, userAgent: source.userAgent ?? '' }
        for (const bucket of bucketsFor(parameters, client)) {
          let group = groups.get(bucket.key)
          if (group === undefined) {
            group = { fields: bucket.fields, failures: 0, last: 0, sources: [] }
            groups.set(bucket.key, group)
          }
          group.failures += source.failures
          group.last = Math.max(group.last, source.attemptTime.getTime())
          group.sources.push(source)
        }
      }
      const locks: ActiveLock[] = []
      for (const [id, group] of groups) {
        const until = activeLockUntil(rule, group.failures, group.last, now)
        if (until === null) continue
        locks.push({
          id,
          kind: lockKindOf(group.fields),
          fields: group.fields,
          since: new Date(group.last),
          until,
          failures: group.failures,
          sources: group.sources,
        })
      }
      return sortLocks(locks)
    },
  }
}
