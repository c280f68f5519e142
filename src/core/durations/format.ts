/**
 * Formatting durations the way django-axes and Django do (so JSON bodies and headers match a
 * Django deployment byte for byte), and for people.
 */

import { invalidArgument } from '../../ground/errors.js'
import { describe, MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND } from './parse.js'

/**
 * django-axes' `get_cool_off_iso8601`: total seconds as a float, split with Python's float
 * `divmod` into days, hours, minutes and seconds, each printed with `:.0f` (round half to even),
 * zero parts left out, `T` only when a time part remains.
 *
 * The quirks are kept on purpose: 0 → `'P'`, 500 → `'PT0S'`, 1500 → `'PT2S'`, 59500 →
 * `'PT60S'`, 3600500 → `'PT1H0S'`.
 *
 * @example 3600000 → 'PT1H', 300000 → 'PT5M', 15 days → 'P15D'
 * @param ms - a finite, non-negative number of milliseconds, at most `Number.MAX_SAFE_INTEGER`; a
 *   fractional value is rounded to microseconds as a Python `timedelta` would be.
 * @throws RangeError when `ms` is negative, not finite or above `Number.MAX_SAFE_INTEGER`.
 */
export function formatCooloffIso8601(ms: number): string {
  assertFormattable(ms, 'formatCooloffIso8601')
  // timedelta.total_seconds() is microseconds / 10**6, correctly rounded. For whole ms that equals
  // ms / 1000 (also correctly rounded), which avoids overflowing 2**53 microseconds.
  const totalSeconds = Number.isInteger(ms) ? ms / 1000 : toMicroseconds(ms) / 1e6
  const [totalMinutes, seconds] = pyDivmod(totalSeconds, 60)
  const [totalHours, minutes] = pyDivmod(totalMinutes, 60)
  const [days, hours] = pyDivmod(totalHours, 24)

  const datePart = days ? `${pyFormat0f(days)}D` : ''
  let timePart = ''
  for (const [value, designator] of [
    [hours, 'H'],
    [minutes, 'M'],
    [seconds, 'S'],
  ] as const) {
    if (value) timePart += `${pyFormat0f(value)}${designator}`
  }
  return timePart ? `P${datePart}T${timePart}` : `P${datePart}`
}

/**
 * Django's `duration_iso_string`, the form `DjangoJSONEncoder` writes for a `timedelta` (the
 * `cooloff_timedelta` field of django-axes' JSON lockout body): `P{days}DT{hh}H{mm}M{ss}S`, with
 * `.ffffff` microseconds before the `S` only when they are non-zero.
 *
 * @example 3600000 → 'P0DT01H00M00S', 1500 → 'P0DT00H00M01.500000S'
 * @param ms - a finite, non-negative number of milliseconds, at most `Number.MAX_SAFE_INTEGER`; a
 *   fractional value is rounded to microseconds (half to even) as a Python `timedelta` would be.
 * @throws RangeError when `ms` is negative, not finite or above `Number.MAX_SAFE_INTEGER`.
 */
export function formatDjangoDuration(ms: number): string {
  assertFormattable(ms, 'formatDjangoDuration')
  let whole = Math.floor(ms)
  let micros = roundHalfEven((ms - whole) * 1000)
  if (micros === 1000) {
    whole += 1
    micros = 0
  }
  const days = Math.floor(whole / MS_PER_DAY)
  const inDay = whole - days * MS_PER_DAY
  const hours = Math.floor(inDay / MS_PER_HOUR)
  const minutes = Math.floor((inDay % MS_PER_HOUR) / MS_PER_MINUTE)
  const seconds = Math.floor((inDay % MS_PER_MINUTE) / MS_PER_SECOND)
  const microseconds = (inDay % MS_PER_SECOND) * 1000 + micros
  const fraction = microseconds ? `.${pad(microseconds, 6)}` : ''
  return `P${days}DT${pad(hours, 2)}H${pad(minutes, 2)}M${pad(seconds, 2)}${fraction}S`
}

/**
 * A human form for messages and logs: days, hours, minutes, seconds and milliseconds, each
 * singular or plural, zero parts left out, separated by spaces. Fractions of a millisecond are
 * rounded to nearest; 0 is `'0 seconds'`.
 *
 * @example 900000 → '15 minutes', 5400000 → '1 hour 30 minutes', 86401500 → '1 day 1 second 500 milliseconds'
 * @param ms - a finite, non-negative number of milliseconds, at most `Number.MAX_SAFE_INTEGER`.
 * @throws RangeError when `ms` is negative, not finite or above `Number.MAX_SAFE_INTEGER`.
 */
export function formatDurationHuman(ms: number): string {
  assertFormattable(ms, 'formatDurationHuman')
  let rest = Math.round(ms)
  const parts: string[] = []
  for (const [size, unit] of [
    [MS_PER_DAY, 'day'],
    [MS_PER_HOUR, 'hour'],
    [MS_PER_MINUTE, 'minute'],
    [MS_PER_SECOND, 'second'],
    [1, 'millisecond'],
  ] as const) {
    const count = Math.floor(rest / size)
    rest -= count * size
    if (count) parts.push(`${count} ${unit}${count === 1 ? '' : 's'}`)
  }
  return parts.length > 0 ? parts.join(' ') : '0 seconds'
}

// ---------------------------------------------------------------------------------------------
// Formatting helpers

function assertFormattable(ms: number, fn: string): void {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > Number.MAX_SAFE_INTEGER) {
    throw invalidArgument(
      `${fn}: expected a finite, non-negative number of milliseconds, got ${describe(ms)}`,
    )
  }
}

/** Milliseconds to whole microseconds, halves to even, as `timedelta(milliseconds=x)` rounds. */
function toMicroseconds(ms: number): number {
  return roundHalfEven(ms * 1000)
}

/** Python's float `divmod` (CPython's `_float_div_mod`), for a positive divisor. */
function pyDivmod(x: number, y: number): [number, number] {
  let mod = x % y
  let div = (x - mod) / y
  if (mod) {
    if (y < 0 !== mod < 0) {
      mod += y
      div -= 1
    }
  } else {
    mod = 0
  }
  let floorDiv: number
  if (div) {
    floorDiv = Math.floor(div)
    if (div - floorDiv > 0.5) floorDiv += 1
  } else {
    floorDiv = 0
  }
  return [floorDiv, mod]
}

/** Python's `f"{x:.0f}"` for a non-negative float: the exact binary value, halves to even. */
function pyFormat0f(x: number): string {
  return roundHalfEven(x).toFixed(0)
}

/** Rounds a non-negative number to an integer, exact halves to the even neighbour. */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x)
  const diff = x - floor
  if (diff > 0.5) return floor + 1
  if (diff < 0.5) return floor
  return floor % 2 === 0 ? floor : floor + 1
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0')
}
