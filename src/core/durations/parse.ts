/**
 * Parsing durations: every form node-axes options accept (hours as a number, unit strings,
 * ISO 8601, objects), with the reason when a value is refused.
 */

/** A duration as node-axes options accept it. */
export type DurationInput = number | string | DurationObject

/**
 * A duration as an object; every field optional, non-negative, summed.
 *
 * @example `{ hours: 1, minutes: 30 }` is 90 minutes.
 */
export interface DurationObject {
  /** Weeks of 7 days. */
  weeks?: number
  /** Days of 24 hours. */
  days?: number
  /** Hours. */
  hours?: number
  /** Minutes. */
  minutes?: number
  /** Seconds. */
  seconds?: number
  /** Milliseconds. */
  milliseconds?: number
}

/**
 * The outcome of {@link parseDuration}: whole milliseconds, or a reason that names the rejected
 * input and what would have been accepted.
 */
export type DurationParseResult = { ok: true; ms: number } | { ok: false; reason: string }

/** The longest duration {@link parseDuration} accepts: 100 years of 365.25 days, in milliseconds. */
export const MAX_DURATION_MS = 36_525 * 86_400_000

/** The longest string {@link parseDuration} reads. */
const MAX_STRING_LENGTH = 64

/** Milliseconds in a second (these four are shared with ./format.ts). */
export const MS_PER_SECOND = 1_000
/** Milliseconds in a minute. */
export const MS_PER_MINUTE = 60_000
/** Milliseconds in an hour. */
export const MS_PER_HOUR = 3_600_000
/** Milliseconds in a day. */
export const MS_PER_DAY = 86_400_000

const ACCEPTED =
  "accepted: a positive number of hours (2 = 2 hours, 0.25 = 15 minutes), a unit string ('500ms', '30s', '15m', '2h', '1d', '1w', '1.5h', '1h 30m'), an ISO 8601 duration ('PT15M', 'P1DT2H', 'P2W') or an object such as { minutes: 15 }"

const ZERO_HINT =
  'a duration of zero is not accepted; for a permanent lockout (locked until reset) use null, not 0'

/** Unit-string units, largest first: a compound string must list them in this order. */
const UNIT_MS: ReadonlyMap<string, bigint> = new Map([
  ['w', 604_800_000n],
  ['d', 86_400_000n],
  ['h', 3_600_000n],
  ['m', 60_000n],
  ['s', 1_000n],
  ['ms', 1n],
])
const UNIT_ORDER = [...UNIT_MS.keys()]

const OBJECT_FIELD_MS: Readonly<Record<keyof DurationObject, number>> = {
  weeks: 604_800_000,
  days: MS_PER_DAY,
  hours: MS_PER_HOUR,
  minutes: MS_PER_MINUTE,
  seconds: MS_PER_SECOND,
  milliseconds: 1,
}
const OBJECT_FIELDS = Object.keys(OBJECT_FIELD_MS) as (keyof DurationObject)[]

/** ISO 8601 designators: date part (weeks, days), then time part after `T`. */
const ISO_NUMBER = String.raw`(\d+(?:[.,]\d+)?)`
const ISO_PATTERN = new RegExp(
  `^P(?:${ISO_NUMBER}W)?(?:${ISO_NUMBER}D)?(?:T(?:${ISO_NUMBER}H)?(?:${ISO_NUMBER}M)?(?:${ISO_NUMBER}S)?)?$`,
)
const ISO_UNIT_MS = [604_800_000n, 86_400_000n, 3_600_000n, 60_000n, 1_000n] as const

/** One `number + unit` token of a unit string, with optional blanks around it. */
const UNIT_TOKEN = /\s*(\d+(?:\.\d+)?|\.\d+)\s*([A-Za-z]*)\s*/y

/**
 * Parses a duration. A number is HOURS (django-axes' rule: 2 → 2 h, 0.25 → 15 min, 1.7 → 6120 s).
 * A string is a unit string ('500ms', '30s', '15m', '2h', '1d', '1w', decimals like '1.5h',
 * compounds like '1h30m', optional spaces '1h 30m'), or an ISO 8601 duration ('PT15M', 'P1DT2H',
 * 'P2W') including Django's own form ('P0DT01H00M00S', 'P1DT00H00M00.500000S'; a leading '-' is
 * rejected). An object sums its {@link DurationObject} fields.
 *
 * The result is whole milliseconds, rounded to nearest (halves up); strings are read as exact
 * decimals. Rejected, with a reason naming the input: NaN, Infinity, negatives, zero (a permanent
 * lockout is `null`, not 0), anything that rounds to 0 ms, booleans (django-axes would read `True`
 * as 1 hour), empty strings, unknown units, bare numbers in strings ('15' has no unit), strings
 * over 64 characters, years and months, objects with unknown keys or with non-finite or negative
 * values, and durations above 100 years ({@link MAX_DURATION_MS}).
 *
 * @param input - the value to read; typed `unknown` because it usually comes from user options.
 * @returns `{ ok: true, ms }` or `{ ok: false, reason }`. It never throws.
 */
export function parseDuration(input: unknown): DurationParseResult {
  switch (typeof input) {
    case 'number':
      return parseHours(input)
    case 'string':
      return parseString(input)
    case 'boolean':
      return fail(
        input,
        `booleans are not durations (django-axes reads True as 1 hour; node-axes refuses it). Use 1 or '1h' for one hour, or null for a permanent lockout`,
      )
    case 'bigint':
      return fail(input, `a bigint is not accepted; ${ACCEPTED}`)
    case 'object':
      if (input === null) {
        return fail(
          input,
          `null means a permanent lockout and is not a duration to parse; ${ACCEPTED}`,
        )
      }
      return parseObject(input)
    default:
      return fail(input, `expected a duration; ${ACCEPTED}`)
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing

function parseHours(hours: number): DurationParseResult {
  if (Number.isNaN(hours)) return fail(hours, `NaN is not a duration; ${ACCEPTED}`)
  if (!Number.isFinite(hours)) {
    return fail(
      hours,
      `an infinite duration is not accepted (a permanent lockout is null); ${ACCEPTED}`,
    )
  }
  if (hours < 0) return fail(hours, `negative durations are not accepted; ${ACCEPTED}`)
  if (hours === 0) return fail(hours, `${ZERO_HINT}; ${ACCEPTED}`)
  // django-axes: an int is timedelta(hours=n), a float is timedelta(minutes=n * 60).
  const ms = Number.isInteger(hours) ? hours * MS_PER_HOUR : hours * 60 * MS_PER_MINUTE
  return finish(hours, Math.round(ms), 'a number is read as hours')
}

function parseString(text: string): DurationParseResult {
  if (text.length > MAX_STRING_LENGTH) {
    return fail(text, `strings longer than ${MAX_STRING_LENGTH} characters are not accepted`)
  }
  const trimmed = text.trim()
  if (trimmed === '') return fail(text, `an empty string is not a duration; ${ACCEPTED}`)
  if (trimmed.startsWith('-')) {
    return fail(text, `negative durations are not accepted; ${ACCEPTED}`)
  }
  if (trimmed.startsWith('+')) return fail(text, `a leading '+' is not accepted; ${ACCEPTED}`)
  if (/^p/i.test(trimmed)) return parseIso(text, trimmed.toUpperCase())
  return parseUnitString(text, trimmed)
}

function parseIso(original: string, iso: string): DurationParseResult {
  const match = ISO_PATTERN.exec(iso)
  const isoHelp =
    "ISO 8601 durations accepted here are P[nW][nD][T[nH][nM][nS]] with at least one part, such as 'PT15M', 'P1DT2H', 'P2W' or Django's 'P0DT01H00M00S'"
  if (!match) {
    const datePart = iso.split('T')[0] ?? ''
    if (/\d[YM]/.test(datePart)) {
      return fail(
        original,
        `years and months have no fixed length and are not accepted; use days or weeks ('P30D', 'P4W')`,
      )
    }
    return fail(original, `not a valid ISO 8601 duration; ${isoHelp}`)
  }
  const values = match.slice(1)
  if (values.every((value) => value === undefined) || iso.endsWith('T')) {
    return fail(
      original,
      `an ISO 8601 duration needs at least one part after 'P' or 'T'; ${isoHelp}`,
    )
  }
  const total = new ExactSum()
  for (const [index, value] of values.entries()) {
    const unitMs = ISO_UNIT_MS[index]
    if (value !== undefined && unitMs !== undefined) total.add(value.replace(',', '.'), unitMs)
  }
  return finishExact(original, total)
}

function parseUnitString(original: string, text: string): DurationParseResult {
  const units = UNIT_ORDER.join(', ')
  const total = new ExactSum()
  let lastRank = -1
  let position = 0
  const unexpected = (at: number): DurationParseResult =>
    fail(
      original,
      `unexpected ${JSON.stringify(text.slice(at, at + 1))} at position ${at}; write a number then a unit (${units}), with '.' for decimals, e.g. '15m', '1.5h' or '1h 30m'`,
    )
  while (position < text.length) {
    UNIT_TOKEN.lastIndex = position
    const match = UNIT_TOKEN.exec(text)
    if (!match) return unexpected(position)
    const [, value = '', unit = ''] = match
    if (unit === '') {
      const end = UNIT_TOKEN.lastIndex
      const next = text[end]
      if (next !== undefined && !/[\d.]/.test(next)) return unexpected(end)
      const hint =
        lastRank === -1 && end === text.length
          ? ` (a string needs a unit: '${value}h' for hours, '${value}m' for minutes; only a number type is read as hours)`
          : ''
      return fail(original, `${JSON.stringify(value)} has no unit${hint}; units: ${units}`)
    }
    const unitMs = UNIT_MS.get(unit)
    const rank = UNIT_ORDER.indexOf(unit)
    if (unitMs === undefined) {
      return fail(
        original,
        `unknown unit ${JSON.stringify(unit)}; units (lowercase): ${units} (weeks, days, hours, minutes, seconds, milliseconds); ISO 8601 strings start with 'P'`,
      )
    }
    if (rank <= lastRank) {
      return fail(
        original,
        `unit ${JSON.stringify(unit)} is repeated or out of order; give each unit once, largest first (${units}), e.g. '1h 30m'`,
      )
    }
    lastRank = rank
    total.add(value, unitMs)
    position = UNIT_TOKEN.lastIndex
  }
  return finishExact(original, total)
}

function parseObject(input: object): DurationParseResult {
  try {
    return parsePlainObject(input)
  } catch {
    // A proxy or a throwing getter: report it rather than throw from a parser.
    return fail(input, `the object could not be read; ${ACCEPTED}`)
  }
}

function parsePlainObject(input: object): DurationParseResult {
  if (Array.isArray(input)) return fail(input, `an array is not a duration; ${ACCEPTED}`)
  const proto: unknown = Object.getPrototypeOf(input)
  if (proto !== Object.prototype && proto !== null) {
    return fail(input, `only plain objects are read as durations; ${ACCEPTED}`)
  }
  const record = input as Record<string, unknown>
  const fieldList = OBJECT_FIELDS.join(', ')
  let total = 0
  for (const key of Object.keys(record)) {
    const value = record[key]
    if (!Object.hasOwn(OBJECT_FIELD_MS, key)) {
      return fail(input, `unknown key ${JSON.stringify(key)}; accepted keys: ${fieldList}`)
    }
    if (value === undefined) continue
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      return fail(
        input,
        `${key} must be a finite, non-negative number, got ${describe(value)}; accepted keys: ${fieldList}`,
      )
    }
    total += value * OBJECT_FIELD_MS[key as keyof DurationObject]
  }
  if (total === 0) return fail(input, `${ZERO_HINT}; give at least one positive field`)
  return finish(input, Math.round(total), 'object fields are summed')
}

/** Checks a rounded, positive total against the 100-year limit and against rounding to 0 ms. */
function finish(input: unknown, ms: number, how?: string): DurationParseResult {
  const note = how === undefined ? '' : ` (${how})`
  if (ms > MAX_DURATION_MS) {
    return fail(
      input,
      `durations above 100 years (${MAX_DURATION_MS} ms) are not accepted${note}; for a permanent lockout use null`,
    )
  }
  if (ms === 0) {
    return fail(input, `rounds to 0 milliseconds${note}; the smallest duration is 1 ms ('1ms')`)
  }
  return { ok: true, ms }
}

function finishExact(input: string, total: ExactSum): DurationParseResult {
  if (total.isZero()) return fail(input, `${ZERO_HINT}; give a positive duration such as '15m'`)
  // Number() of a huge bigint is Infinity or a large finite value: either fails the limit check.
  return finish(input, Number(total.roundedMs()))
}

/** An exact sum of decimal strings times integer units, kept as numerator / 10**scale. */
class ExactSum {
  private numerator = 0n
  private scale = 0

  add(decimal: string, unitMs: bigint): void {
    const [whole = '', fraction = ''] = decimal.split('.')
    if (fraction.length > this.scale) {
      this.numerator *= 10n ** BigInt(fraction.length - this.scale)
      this.scale = fraction.length
    }
    const digits = BigInt(`${whole || '0'}${fraction}`)
    this.numerator += digits * unitMs * 10n ** BigInt(this.scale - fraction.length)
  }

  isZero(): boolean {
    return this.numerator === 0n
  }

  /** Rounded to the nearest millisecond, halves up. */
  roundedMs(): bigint {
    const denominator = 10n ** BigInt(this.scale)
    return (2n * this.numerator + denominator) / (2n * denominator)
  }
}

function fail(input: unknown, why: string): DurationParseResult {
  return { ok: false, reason: `invalid duration ${describe(input)}: ${why}` }
}

/** Names a rejected value briefly, whatever it is. */
export function describe(value: unknown, depth = 0): string {
  switch (typeof value) {
    case 'string':
      return value.length > MAX_STRING_LENGTH
        ? `${JSON.stringify(`${value.slice(0, 32)}…`)} (${value.length} characters)`
        : JSON.stringify(value)
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value)
    case 'bigint':
      return `${value}n`
    case 'function':
      return 'a function'
    case 'symbol':
      return value.toString()
    case 'object':
      if (value === null) return 'null'
      try {
        return describeObject(value, depth)
      } catch {
        return 'an object'
      }
    default:
      return String(value)
  }
}

/** `{ hours: NaN, minute: 1 }` for a plain object, its class for anything else. */
function describeObject(value: object, depth: number): string {
  if (Array.isArray(value)) return 'an array'
  const proto: unknown = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name
    return typeof name === 'string' && name !== '' ? `a ${name}` : 'an object'
  }
  if (depth > 0) return 'an object'
  const keys = Object.keys(value)
  if (keys.length === 0) return '{}'
  const record = value as Record<string, unknown>
  const fields = keys.slice(0, 6).map((key) => {
    const name = /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key)
    return `${name}: ${describe(record[key], depth + 1)}`
  })
  if (keys.length > 6) fields.push('…')
  return `{ ${fields.join(', ')} }`
}
