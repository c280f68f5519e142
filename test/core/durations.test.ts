import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  formatCooloffIso8601,
  formatDjangoDuration,
  formatDurationHuman,
  MAX_DURATION_MS,
  parseDuration,
} from '../../src/core/durations.js'

/** What a malformed argument throws: an AxesError with code AXES_INVALID_ARGUMENT. */
const INVALID_ARGUMENT = expect.objectContaining({
  name: 'AxesError',
  code: 'AXES_INVALID_ARGUMENT',
})

const SECOND = 1_000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const WEEK = 7 * DAY

/** The reason of a rejected input; fails the test if the input was accepted. */
function reasonOf(input: unknown): string {
  const result = parseDuration(input)
  if (result.ok) throw new Error(`expected ${String(input)} to be rejected, got ${result.ms} ms`)
  return result.reason
}

describe('parseDuration: numbers are hours, as django-axes reads AXES_COOLOFF_TIME', () => {
  // Expected values from Python: timedelta(hours=n) for an int, timedelta(minutes=n * 60) for a
  // float, then total_seconds() * 1000.
  it.each([
    [2, 7_200_000],
    [2.0, 7_200_000],
    [0.25, 900_000],
    [1.7, 6_120_000],
    [0.1, 360_000],
    [1 / 3, 1_200_000],
    [1, HOUR],
    [24, DAY],
  ])('%d hours → %d ms', (hours, ms) => {
    expect(parseDuration(hours)).toEqual({ ok: true, ms })
  })

  it('reads 2.0 as 120 minutes and 1.7 as 6120 seconds', () => {
    expect(parseDuration(2.0)).toEqual({ ok: true, ms: 120 * MINUTE })
    expect(parseDuration(1.7)).toEqual({ ok: true, ms: 6_120 * SECOND })
  })

  it('rounds to the nearest whole millisecond', () => {
    // 1e-6 h = 3.6 ms; 1.4e-7 h = 0.504 ms
    expect(parseDuration(1e-6)).toEqual({ ok: true, ms: 4 })
    expect(parseDuration(1.4e-7)).toEqual({ ok: true, ms: 1 })
  })

  it('accepts exactly 100 years (876600 hours) and nothing above', () => {
    expect(parseDuration(876_600)).toEqual({ ok: true, ms: MAX_DURATION_MS })
    expect(MAX_DURATION_MS).toBe(36_525 * DAY)
    const reason = reasonOf(876_601)
    expect(reason).toContain('876601')
    expect(reason).toContain('100 years')
    expect(reason).toContain('hours')
  })
})

describe('parseDuration: unit strings', () => {
  it.each([
    ['500ms', 500],
    ['1ms', 1],
    ['30s', 30 * SECOND],
    ['15m', 15 * MINUTE],
    ['2h', 2 * HOUR],
    ['1d', DAY],
    ['1w', WEEK],
    ['1.5h', 90 * MINUTE],
    ['0.25h', 15 * MINUTE],
    ['.5h', 30 * MINUTE],
    ['1.7h', 6_120 * SECOND],
    ['1.5s', 1_500],
    ['1h30m', 90 * MINUTE],
    ['1h 30m', 90 * MINUTE],
    ['1 h 30 m', 90 * MINUTE],
    ['  15m  ', 15 * MINUTE],
    ['1w2d3h4m5s6ms', WEEK + 2 * DAY + 3 * HOUR + 4 * MINUTE + 5 * SECOND + 6],
    ['1m 500ms', MINUTE + 500],
    ['0h 30m', 30 * MINUTE],
    ['100000ms', 100 * SECOND],
  ])('%j → %d ms', (text, ms) => {
    expect(parseDuration(text)).toEqual({ ok: true, ms })
  })

  it('reads decimals exactly and rounds halves up', () => {
    expect(parseDuration('0.0005s')).toEqual({ ok: true, ms: 1 })
    // 1.0005 is 1.000499999… as a double; read as a decimal it is exactly 1000.5 ms.
    expect(parseDuration('1.0005s')).toEqual({ ok: true, ms: 1_001 })
    expect(parseDuration('0.4ms')).toEqual({ ok: false, reason: expect.any(String) })
    expect(parseDuration('1.4ms')).toEqual({ ok: true, ms: 1 })
    expect(parseDuration('1.5ms')).toEqual({ ok: true, ms: 2 })
  })

  it('accepts 100 years and rejects anything above', () => {
    expect(parseDuration('36525d')).toEqual({ ok: true, ms: MAX_DURATION_MS })
    expect(reasonOf('36525d 1ms')).toContain('100 years')
    expect(reasonOf('999999999999999999999999w')).toContain('100 years')
  })
})

describe('parseDuration: ISO 8601 durations', () => {
  it.each([
    ['PT15M', 15 * MINUTE],
    ['PT1H', HOUR],
    ['PT30S', 30 * SECOND],
    ['PT0.5S', 500],
    ['PT0,5S', 500],
    ['P1D', DAY],
    ['P1DT2H', DAY + 2 * HOUR],
    ['P2W', 2 * WEEK],
    ['P1W1D', WEEK + DAY],
    ['P1DT2H3M4S', DAY + 2 * HOUR + 3 * MINUTE + 4 * SECOND],
    ['PT1.5H', 90 * MINUTE],
    ['PT90M', 90 * MINUTE],
    ['pt15m', 15 * MINUTE],
    [' PT15M ', 15 * MINUTE],
    ['P36525D', MAX_DURATION_MS],
  ])('%j → %d ms', (text, ms) => {
    expect(parseDuration(text)).toEqual({ ok: true, ms })
  })

  // Django's duration_iso_string, as DjangoJSONEncoder writes a timedelta.
  it.each([
    ['P0DT01H00M00S', HOUR],
    ['P0DT00H00M01S', SECOND],
    ['P0DT00H15M00S', 15 * MINUTE],
    ['P1DT00H00M00.500000S', DAY + 500],
    ['P2DT00H00M05.500000S', 2 * DAY + 5 * SECOND + 500],
    ['P0DT00H00M00.001000S', 1],
    ['P0DT23H59M59.999000S', DAY - 1],
    ['P36525DT00H00M00S', MAX_DURATION_MS],
  ])('Django form %j → %d ms', (text, ms) => {
    expect(parseDuration(text)).toEqual({ ok: true, ms })
  })

  it('rejects a negative Django duration', () => {
    const reason = reasonOf('-P1DT00H00M00S')
    expect(reason).toContain('"-P1DT00H00M00S"')
    expect(reason).toContain('negative')
  })

  it.each(['P1Y', 'P1M', 'P1Y2M3D', 'P2MT1H'])('rejects years and months: %j', (text) => {
    const reason = reasonOf(text)
    expect(reason).toContain(JSON.stringify(text))
    expect(reason).toContain('years and months')
    expect(reason).toContain('days or weeks')
  })

  it.each(['P', 'PT', 'P1DT'])('rejects %j, which has no part after P or T', (text) => {
    const reason = reasonOf(text)
    expect(reason).toContain(JSON.stringify(text))
    expect(reason).toContain('at least one part')
  })

  it.each(['PT1H2D', 'P1H', 'PT-1M', 'PT1M 30S', 'P1.5', 'PTM', 'P1DT2X'])(
    'rejects the malformed %j',
    (text) => {
      const reason = reasonOf(text)
      expect(reason).toContain(JSON.stringify(text))
      expect(reason).toContain('not a valid ISO 8601 duration')
      expect(reason).toContain("'PT15M'")
    },
  )

  it('rejects a zero ISO duration, pointing at null', () => {
    const reason = reasonOf('P0DT00H00M00S')
    expect(reason).toContain('"P0DT00H00M00S"')
    expect(reason).toContain('null, not 0')
  })
})

describe('parseDuration: objects', () => {
  it.each([
    [{ minutes: 15 }, 15 * MINUTE],
    [{ hours: 1, minutes: 30 }, 90 * MINUTE],
    [{ weeks: 1 }, WEEK],
    [{ days: 2, seconds: 5, milliseconds: 500 }, 2 * DAY + 5 * SECOND + 500],
    [{ hours: 0.25 }, 15 * MINUTE],
    [{ milliseconds: 1.5 }, 2],
    [{ hours: 0, minutes: 1 }, MINUTE],
    [{ hours: undefined, minutes: 1 }, MINUTE],
    [{ days: 36_525 }, MAX_DURATION_MS],
  ])('%j → %d ms', (input, ms) => {
    expect(parseDuration(input)).toEqual({ ok: true, ms })
  })

  it('accepts an object without a prototype', () => {
    const input = Object.assign(Object.create(null) as object, { seconds: 30 })
    expect(parseDuration(input)).toEqual({ ok: true, ms: 30 * SECOND })
  })

  it.each([
    [{ minute: 1 }, 'unknown key "minute"'],
    [{ ms: 500 }, 'unknown key "ms"'],
    [{ months: 1 }, 'unknown key "months"'],
  ])('rejects unknown keys: %j', (input, message) => {
    const reason = reasonOf(input)
    expect(reason).toContain(message)
    expect(reason).toContain('weeks, days, hours, minutes, seconds, milliseconds')
  })

  it.each([
    [{ hours: -1 }, '{ hours: -1 }', 'got -1'],
    [{ hours: Number.NaN }, '{ hours: NaN }', 'got NaN'],
    [{ minutes: Number.POSITIVE_INFINITY }, '{ minutes: Infinity }', 'got Infinity'],
    [{ hours: '1' }, '{ hours: "1" }', 'got "1"'],
    [{ hours: null }, '{ hours: null }', 'got null'],
    [{ hours: true }, '{ hours: true }', 'got true'],
  ])('rejects the bad value in %j', (input, shown, got) => {
    const reason = reasonOf(input)
    expect(reason).toContain(`invalid duration ${shown}`)
    expect(reason).toContain('finite, non-negative number')
    expect(reason).toContain(got)
  })

  it('rejects an empty object and all-zero fields, pointing at null', () => {
    expect(reasonOf({})).toContain('invalid duration {}')
    expect(reasonOf({})).toContain('null, not 0')
    expect(reasonOf({ hours: 0, minutes: 0 })).toContain('null, not 0')
  })

  it('rejects more than 100 years', () => {
    const reason = reasonOf({ days: 36_525, milliseconds: 1 })
    expect(reason).toContain('{ days: 36525, milliseconds: 1 }')
    expect(reason).toContain('100 years')
    expect(reasonOf({ weeks: Number.MAX_VALUE })).toContain('100 years')
  })

  it('rejects a total that rounds to 0 ms', () => {
    expect(reasonOf({ milliseconds: 0.4 })).toContain('rounds to 0 milliseconds')
  })

  it('rejects arrays, class instances and objects that cannot be read', () => {
    expect(reasonOf([])).toContain('invalid duration an array')
    expect(reasonOf(new Date(0))).toContain('invalid duration a Date')
    expect(reasonOf(new Map())).toContain('only plain objects')
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('boom')
        },
      },
    )
    expect(reasonOf(hostile)).toContain('could not be read')
  })
})

describe('parseDuration: rejections name the input and what is accepted', () => {
  it.each([
    [Number.NaN, 'invalid duration NaN', 'NaN is not a duration'],
    [Number.POSITIVE_INFINITY, 'invalid duration Infinity', 'infinite'],
    [Number.NEGATIVE_INFINITY, 'invalid duration -Infinity', 'infinite'],
    [-1, 'invalid duration -1', 'negative'],
    [-0.25, 'invalid duration -0.25', 'negative'],
  ])('%s', (input, shown, why) => {
    const reason = reasonOf(input)
    expect(reason).toContain(shown)
    expect(reason).toContain(why)
    expect(reason).toContain('number of hours')
    expect(reason).toContain("'15m'")
  })

  it.each([
    [0, 'invalid duration 0'],
    [-0, 'invalid duration -0'],
    ['0s', 'invalid duration "0s"'],
    ['0h 0m', 'invalid duration "0h 0m"'],
    ['PT0S', 'invalid duration "PT0S"'],
  ])('zero (%j) says a permanent lockout is null, not 0', (input, shown) => {
    const reason = reasonOf(input)
    expect(reason).toContain(shown)
    expect(reason).toContain('permanent lockout')
    expect(reason).toContain('null, not 0')
  })

  it('rejects a number that rounds to 0 ms', () => {
    const reason = reasonOf(1e-9)
    expect(reason).toContain('invalid duration 1e-9')
    expect(reason).toContain('rounds to 0 milliseconds')
    expect(reason).toContain("'1ms'")
  })

  it.each([true, false])('rejects the boolean %s, which Python would read as hours', (input) => {
    const reason = reasonOf(input)
    expect(reason).toContain(`invalid duration ${input}`)
    expect(reason).toContain('booleans are not durations')
    expect(reason).toContain("'1h'")
  })

  it.each(['', '   '])('rejects the empty string %j', (input) => {
    const reason = reasonOf(input)
    expect(reason).toContain(`invalid duration ${JSON.stringify(input)}`)
    expect(reason).toContain('empty string')
    expect(reason).toContain("'PT15M'")
  })

  it.each([
    ['15 min', 'unknown unit "min"'],
    ['2H', 'unknown unit "H"'],
    ['1y', 'unknown unit "y"'],
    ['3 hours', 'unknown unit "hours"'],
    ['10us', 'unknown unit "us"'],
  ])('rejects the unknown unit in %j', (input, message) => {
    const reason = reasonOf(input)
    expect(reason).toContain(`invalid duration ${JSON.stringify(input)}`)
    expect(reason).toContain(message)
    expect(reason).toContain('w, d, h, m, s, ms')
  })

  it('rejects a bare number in a string, suggesting a unit', () => {
    const reason = reasonOf('15')
    expect(reason).toContain('invalid duration "15"')
    expect(reason).toContain("'15h'")
    expect(reason).toContain("'15m'")
    expect(reasonOf('1h30')).toContain('"30" has no unit')
    expect(reasonOf('1 5h')).toContain('"1" has no unit')
  })

  it.each([
    ['30m1h', 'unit "h" is repeated or out of order'],
    ['1h 1h', 'unit "h" is repeated or out of order'],
    ['1ms 1s', 'unit "s" is repeated or out of order'],
  ])('rejects units repeated or out of order: %j', (input, message) => {
    const reason = reasonOf(input)
    expect(reason).toContain(`invalid duration ${JSON.stringify(input)}`)
    expect(reason).toContain(message)
    expect(reason).toContain('largest first')
  })

  it.each([
    ['-5m', 'negative'],
    ['+5m', "leading '+'"],
    ['1,5h', 'unexpected "," at position 1'],
    ['1e3ms', 'unknown unit "e"'],
    ['h', 'unexpected "h" at position 0'],
    ['1h, 30m', 'unexpected ","'],
  ])('rejects the malformed %j', (input, message) => {
    const reason = reasonOf(input)
    expect(reason).toContain(`invalid duration ${JSON.stringify(input)}`)
    expect(reason).toContain(message)
  })

  it('rejects strings over 64 characters, showing the start and the length', () => {
    const long = `${'1'.repeat(63)}s`
    expect(long).toHaveLength(64)
    expect(parseDuration(long).ok).toBe(false) // read, but far above 100 years
    expect(reasonOf(long)).toContain('100 years')
    const longer = `${' '.repeat(62)}15m`
    const reason = reasonOf(longer)
    expect(reason).toContain('(65 characters)')
    expect(reason).toContain('longer than 64 characters')
  })

  it.each([
    [null, 'invalid duration null', 'permanent lockout'],
    [undefined, 'invalid duration undefined', 'expected a duration'],
    [10n, 'invalid duration 10n', 'bigint'],
    [() => 1, 'invalid duration a function', 'expected a duration'],
    [Symbol('x'), 'invalid duration Symbol(x)', 'expected a duration'],
  ])('rejects %s', (input, shown, why) => {
    const reason = reasonOf(input)
    expect(reason).toContain(shown)
    expect(reason).toContain(why)
  })
})

describe('formatCooloffIso8601 (django-axes get_cool_off_iso8601)', () => {
  // Every row of django-axes' tests/test_helpers.py::TimestampTestCase.
  it.each([
    ['1 d 25 h 42 m 8 s', DAY + 25 * HOUR + 42 * MINUTE + 8 * SECOND, 'P2DT1H42M8S'],
    ['7 d 342 s', 7 * DAY + 342 * SECOND, 'P7DT5M42S'],
    ['2 h 42 m', 2 * HOUR + 42 * MINUTE, 'PT2H42M'],
    ['20 h 42 s', 20 * HOUR + 42 * SECOND, 'PT20H42S'],
    ['300 s', 300 * SECOND, 'PT5M'],
    ['9005 s', 9_005 * SECOND, 'PT2H30M5S'],
    ['9005 min', 9_005 * MINUTE, 'P6DT6H5M'],
    ['15 d', 15 * DAY, 'P15D'],
  ])('%s → %s', (_label, ms, expected) => {
    expect(formatCooloffIso8601(ms)).toBe(expected)
  })

  // Expected values from python3, running django-axes' function on timedelta(milliseconds=ms).
  it.each([
    [3_600_000, 'PT1H'],
    [300_000, 'PT5M'],
    [900_000, 'PT15M'],
    [5_400_000, 'PT1H30M'],
    [1_000, 'PT1S'],
    [86_400_000, 'P1D'],
    [123_456_789, 'P1DT10H17M37S'],
    [MAX_DURATION_MS, 'P36525D'],
  ])('%d ms → %s', (ms, expected) => {
    expect(formatCooloffIso8601(ms)).toBe(expected)
  })

  // Python's `:.0f` rounds halves to even and a non-zero fraction keeps its part.
  it.each([
    [0, 'P'],
    [1, 'PT0S'],
    [499, 'PT0S'],
    [500, 'PT0S'],
    [501, 'PT1S'],
    [999, 'PT1S'],
    [1_499, 'PT1S'],
    [1_500, 'PT2S'],
    [2_500, 'PT2S'],
    [3_500, 'PT4S'],
    [59_499, 'PT59S'],
    [59_500, 'PT60S'],
    [59_501, 'PT60S'],
    [119_500, 'PT1M60S'],
    [3_599_500, 'PT59M60S'],
    [3_600_001, 'PT1H0S'],
    [3_600_500, 'PT1H0S'],
    [86_399_500, 'PT23H59M60S'],
    [86_400_001, 'P1DT0S'],
  ])('sub-second quirk: %d ms → %s', (ms, expected) => {
    expect(formatCooloffIso8601(ms)).toBe(expected)
  })

  it('rounds fractional milliseconds to microseconds, as timedelta does', () => {
    expect(formatCooloffIso8601(0.0005)).toBe('P')
    expect(formatCooloffIso8601(1.5)).toBe('PT0S')
    expect(formatCooloffIso8601(1_500.25)).toBe('PT2S')
  })

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])(
    'throws AXES_INVALID_ARGUMENT for %s',
    (ms) => {
      expect(() => formatCooloffIso8601(ms)).toThrow(INVALID_ARGUMENT)
    },
  )
})

describe('formatDjangoDuration (Django duration_iso_string)', () => {
  // Expected values from python3: duration_iso_string(timedelta(...)).
  it.each([
    ['timedelta(hours=1)', HOUR, 'P0DT01H00M00S'],
    [
      'timedelta(days=2, seconds=5, microseconds=500000)',
      2 * DAY + 5 * SECOND + 500,
      'P2DT00H00M05.500000S',
    ],
    ['timedelta(seconds=1)', SECOND, 'P0DT00H00M01S'],
    ['timedelta(milliseconds=1500)', 1_500, 'P0DT00H00M01.500000S'],
    ['timedelta(0)', 0, 'P0DT00H00M00S'],
    ['timedelta(milliseconds=1)', 1, 'P0DT00H00M00.001000S'],
    ['timedelta(minutes=15)', 15 * MINUTE, 'P0DT00H15M00S'],
    ['timedelta(days=1, milliseconds=500)', DAY + 500, 'P1DT00H00M00.500000S'],
    [
      'timedelta(hours=23, minutes=59, seconds=59, milliseconds=999)',
      DAY - 1,
      'P0DT23H59M59.999000S',
    ],
    ['timedelta(milliseconds=123456789)', 123_456_789, 'P1DT10H17M36.789000S'],
    ['timedelta(days=36525)', MAX_DURATION_MS, 'P36525DT00H00M00S'],
  ])('%s → %s', (_label, ms, expected) => {
    expect(formatDjangoDuration(ms)).toBe(expected)
  })

  it('rounds fractional milliseconds to microseconds, halves to even', () => {
    expect(formatDjangoDuration(1.5)).toBe('P0DT00H00M00.001500S')
    expect(formatDjangoDuration(0.0005)).toBe('P0DT00H00M00S')
    expect(formatDjangoDuration(0.0015)).toBe('P0DT00H00M00.000002S')
    expect(formatDjangoDuration(0.0025)).toBe('P0DT00H00M00.000002S')
    expect(formatDjangoDuration(999.9996)).toBe('P0DT00H00M01S')
    expect(formatDjangoDuration(1_500.25)).toBe('P0DT00H00M01.500250S')
  })

  it.each([-1, Number.NaN, Number.NEGATIVE_INFINITY])(
    'throws AXES_INVALID_ARGUMENT for %s',
    (ms) => {
      expect(() => formatDjangoDuration(ms)).toThrow(INVALID_ARGUMENT)
    },
  )
})

describe('formatDurationHuman', () => {
  it.each([
    [900_000, '15 minutes'],
    [5_400_000, '1 hour 30 minutes'],
    [HOUR, '1 hour'],
    [2 * HOUR, '2 hours'],
    [DAY, '1 day'],
    [15 * DAY, '15 days'],
    [SECOND, '1 second'],
    [30 * SECOND, '30 seconds'],
    [1, '1 millisecond'],
    [500, '500 milliseconds'],
    [DAY + SECOND + 500, '1 day 1 second 500 milliseconds'],
    [2 * DAY + 3 * HOUR + 4 * MINUTE + 5 * SECOND, '2 days 3 hours 4 minutes 5 seconds'],
    [0, '0 seconds'],
    [0.4, '0 seconds'],
    [1_500.6, '1 second 501 milliseconds'],
    [MAX_DURATION_MS, '36525 days'],
  ])('%d ms → %j', (ms, expected) => {
    expect(formatDurationHuman(ms)).toBe(expected)
  })

  it('throws AXES_INVALID_ARGUMENT for negative or non-finite input', () => {
    expect(() => formatDurationHuman(-1)).toThrow(INVALID_ARGUMENT)
    expect(() => formatDurationHuman(Number.NaN)).toThrow(/formatDurationHuman.*NaN/)
  })
})

describe('properties', () => {
  it('parseDuration(formatDjangoDuration(ms)) round-trips whole-second durations', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_DURATION_MS / SECOND }), (seconds) => {
        const ms = seconds * SECOND
        expect(parseDuration(formatDjangoDuration(ms))).toEqual({ ok: true, ms })
      }),
      { numRuns: 1_000 },
    )
  })

  it('parseDuration(formatDjangoDuration(ms)) round-trips whole-millisecond durations', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_DURATION_MS }), (ms) => {
        expect(parseDuration(formatDjangoDuration(ms))).toEqual({ ok: true, ms })
      }),
      { numRuns: 1_000 },
    )
  })
})
