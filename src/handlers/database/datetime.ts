/**
 * Datetimes as Django writes them in text, and reading them back as milliseconds since the epoch.
 * How each dialect stores and reads a date-time is its object's `datetimeParam` and
 * `datetimeMsSql` (dialects/): SQLite and MySQL/MariaDB take the text form below (Python's
 * `str(datetime)` of a naive UTC datetime: `YYYY-MM-DD HH:MM:SS[.ffffff]`, the fraction only when
 * it is not zero), PostgreSQL a JavaScript Date.
 */

/** Python's `str()` of a naive UTC datetime with millisecond precision. */
export function djangoDatetimeText(ms: number): string {
  const date = new Date(ms)
  const pad = (n: number, width = 2) => String(n).padStart(width, '0')
  const base = `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
  const millis = date.getUTCMilliseconds()
  return millis === 0 ? base : `${base}.${pad(millis, 3)}000`
}

/** A value from a dialect's `datetimeMsSql` (or Django's text) as milliseconds, or null. */
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
