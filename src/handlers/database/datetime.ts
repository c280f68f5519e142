/**
 * Datetimes as Django writes them, and reading them back as milliseconds since the epoch.
 *
 * - SQLite: text `YYYY-MM-DD HH:MM:SS[.ffffff]` in UTC (Python's `str(datetime)`: the fraction only
 *   when it is not zero).
 * - PostgreSQL: `timestamp with time zone`, sent as a JavaScript Date.
 * - MySQL/MariaDB: `datetime(6)` holding UTC, sent as text in the SQLite form (whatever the
 *   connection's time zone), read back with arithmetic that does not depend on it.
 */

import type { SqlDialect } from './driver.js'

/** Python's `str()` of a naive UTC datetime with millisecond precision. */
export function djangoDatetimeText(ms: number): string {
  const date = new Date(ms)
  const pad = (n: number, width = 2) => String(n).padStart(width, '0')
  const base = `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
  const millis = date.getUTCMilliseconds()
  return millis === 0 ? base : `${base}.${pad(millis, 3)}000`
}

/** A datetime parameter for the dialect. */
export function datetimeParam(dialect: SqlDialect, ms: number): unknown {
  return dialect === 'postgres' ? new Date(ms) : djangoDatetimeText(ms)
}

/**
 * An SQL expression giving a datetime column (or aggregate) as milliseconds since the epoch, or
 * null.
 */
export function datetimeMsSql(dialect: SqlDialect, expression: string): string {
  if (dialect === 'postgres') return `(EXTRACT(EPOCH FROM ${expression}) * 1000)`
  if (dialect === 'mysql') {
    return `(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', ${expression}) / 1000)`
  }
  // SQLite's text, as milliseconds in SQL (julianday exists in every SQLite version): a number is
  // cheaper to hand over than a string to parse.
  return `CAST(ROUND((julianday(${expression}) - 2440587.5) * 86400000.0) AS INTEGER)`
}

/** A value from `datetimeMsSql` (or SQLite text) as milliseconds, or null. */
export function datetimeMs(value: unknown): number | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'number') return value
  if (typeof value === 'bigint') return Number(value)
  if (value instanceof Date) return value.getTime()
  if (typeof value === 'string') {
    if (/^-?\d+(\.\d+)?$/.test(value)) return Math.round(Number(value))
    const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?/.exec(value)
    if (!m) return null
    const fraction = Number((m[7] ?? '0').padEnd(6, '0').slice(0, 3))
    return Date.UTC(
      Number(m[1]),
      Number(m[2]) - 1,
      Number(m[3]),
      Number(m[4]),
      Number(m[5]),
      Number(m[6]),
      fraction,
    )
  }
  return null
}
