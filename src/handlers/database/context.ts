/**
 * What the database handler's modules (counting, logs, admin queries) share: the driver, the
 * dialect's object, the quoted table names, the settings the core attached, and the two SQL
 * fragments every module writes (a bucket's condition, and deleting attempt rows).
 */

import type { Bucket } from '../../ground/buckets.js'
import type { HandlerSettings } from '../../ground/contract.js'
import { failureWindowMs, type LockoutRule } from '../../ground/rule.js'
import type { SqlDialectSpec } from './dialects/dialect.js'
import { DIALECTS } from './dialects/index.js'
import type { SqlDriver } from './drivers/driver.js'
import type { SqlSession } from './sql.js'

/** The handler's shared state and helpers, built once per connected driver. */
export interface SqlContext {
  readonly driver: SqlDriver
  readonly dialect: SqlDialectSpec
  /** An identifier, quoted for the dialect. */
  readonly q: (name: string) => string
  /** A date-time parameter (ms) for the dialect. */
  readonly dt: (ms: number) => unknown
  /** django-axes' tables and node-axes' reservations, quoted. */
  readonly tables: {
    readonly attempt: string
    readonly expiration: string
    readonly log: string
    readonly failureLog: string
    readonly reservation: string
  }
  /** The settings the core attached (read at each call: `attach` replaces them). */
  settings: HandlerSettings
  /** How long a row outlives its last failure when the rule never expires failures. */
  readonly retentionMs: number
  /** How long a row is kept after its last failure under a rule: its window, or the retention. */
  keepMs(rule: LockoutRule): number
  /** `column = ?` or `column IS NULL` for each field of a bucket (or a row's identity). */
  where(fields: Bucket['fields']): [string, unknown[]]
  /** Deletes attempt rows (and their expiration rows first: Django cascades in Python). */
  deleteAttempts(s: SqlSession, cond: string, params: unknown[]): Promise<number>
}

/** The context of a handler on a connected driver, with django-axes' default settings. */
export function sqlContext(driver: SqlDriver, retentionMs = 30 * 24 * 3_600_000): SqlContext {
  const dialect = DIALECTS[driver.dialect]
  const q = dialect.quote
  const tables = {
    attempt: q('axes_accessattempt'),
    expiration: q('axes_accessattemptexpiration'),
    log: q('axes_accesslog'),
    failureLog: q('axes_accessfailurelog'),
    reservation: q('axes_reservation'),
  }
  return {
    driver,
    dialect,
    q,
    dt: dialect.datetimeParam,
    tables,
    retentionMs,
    keepMs: (rule) => failureWindowMs(rule) ?? retentionMs,
    settings: {
      disableAccessLog: false,
      enableAccessFailureLog: false,
      accessFailureLogPerUserLimit: 1000,
      useAttemptExpiration: false,
    },
    where(fields) {
      const parts: string[] = []
      const params: unknown[] = []
      for (const [name, value] of Object.entries(fields)) {
        if (value === null || value === undefined) parts.push(`${q(name)} IS NULL`)
        else {
          parts.push(`${q(name)} = ?`)
          params.push(value)
        }
      }
      return [parts.join(' AND ') || '1 = 1', params]
    },
    async deleteAttempts(s, cond, params) {
      await s.run(
        `DELETE FROM ${tables.expiration} WHERE ${q('access_attempt_id')} IN (SELECT ${q('id')} FROM (SELECT ${q('id')} FROM ${tables.attempt} WHERE ${cond}) AS gone)`,
        params,
      )
      return s.run(`DELETE FROM ${tables.attempt} WHERE ${cond}`, params)
    },
  }
}
