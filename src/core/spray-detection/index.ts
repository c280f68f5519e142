/**
 * `node-axes/spray-detection`: a source (an IP, or an IPv6 prefix) that fails across more than a
 * number of distinct usernames within a window is locked as a source, with its own cool-off,
 * whatever the lockout parameters (password spraying and credential stuffing try many usernames
 * from one place; a forgetful user does not). A locked source's attempts are refused before they
 * are counted, so one source cannot grow the store without bound. The handler keeps the sources
 * (the contract's `SourceStore`: ground/contract-sources.ts).
 */

import type { AxesHandler } from '../../ground/contract.js'
import type { SourceStore } from '../../ground/contract-sources.js'
import { SOURCE_METHODS, sourcesOfReset } from '../../ground/contract-sources.js'
import { sha256Hex128 } from '../../ground/digest.js'
import { AxesConfigError } from '../../ground/errors.js'
import { maskIp, parseIp } from '../../ground/ip.js'
import { decide } from '../decisions.js'
import type { LoginDefence } from '../defence.js'
import { type DurationInput, parseDuration } from '../durations.js'
import { logRecord } from '../options/logger.js'
import type { Counted } from '../preparation.js'
import { SourceBook } from './sources.js'

export { SourceBook } from './sources.js'

/** Options of `sprayDetection`. */
export interface SprayDetectionOptions {
  /**
   * The source is locked when it has failed on more than this many distinct usernames within the
   * window.
   */
  usernames: number
  /** How long a username counts for the source after its last failure on it. @default '1h' */
  window?: DurationInput
  /** How long a locked source stays locked. @default '1h' */
  cooloff?: DurationInput
  /** IPv6 sources are grouped by this prefix length (a host's /64 is one source). @default 64 */
  ipv6Prefix?: number
  /**
   * Under a handler that is not shared (memory), the sources are kept in this process: at most
   * this many, the least recently touched unlocked one dropped first.
   * @default 100_000
   */
  maxSources?: number
}

/** Spray detection, as the `sprayDetection` option takes it. */
export interface SprayDetection extends LoginDefence {
  /** The settings after defaults. */
  readonly settings: {
    readonly usernames: number
    readonly windowMs: number
    readonly cooloffMs: number
    readonly ipv6Prefix: number
    readonly maxSources: number
  }
  /**
   * The sources kept for `handler`: the handler itself when it keeps them (database, Redis),
   * else the ones this spray detection keeps in the process for it (memory). What the lock
   * listing (`lockedOut`, `unlock`, `resetAndReport`) reads and resets.
   */
  sourcesOf(handler: AxesHandler): SourceStore
}

const HOUR = 3_600_000
const KEYS = new Set(['usernames', 'window', 'cooloff', 'ipv6Prefix', 'maxSources'])

/** A source as spray detection counts it: the IP, an IPv6 address grouped to its prefix. */
export function sourceOf(rawIp: string | null, ipv6Prefix: number): string | null {
  const ip = rawIp === null ? null : parseIp(rawIp)
  if (ip === null) return null
  if (ip.version === 4) return ip.text
  return `${maskIp(ip, ipv6Prefix).text}/${ipv6Prefix}`
}

/** A username's hash as sources keep it: SHA-256 (Web Crypto), the first 16 bytes in hex. */
export function usernameHash(username: string): Promise<string> {
  return sha256Hex128(username)
}

function durationMs(key: string, value: DurationInput | undefined, problems: string[]): number {
  if (value === undefined) return HOUR
  const parsed = parseDuration(value)
  if (parsed.ok && parsed.ms !== null && parsed.ms > 0) return parsed.ms
  problems.push(`${key} expects a positive duration such as '1h'`)
  return HOUR
}

function settingsOf(options: SprayDetectionOptions): SprayDetection['settings'] {
  const problems: string[] = []
  if (typeof options !== 'object' || options === null) {
    problems.push('expects an object such as { usernames: 20 }')
  } else {
    for (const key of Object.keys(options)) {
      if (!KEYS.has(key))
        problems.push(
          `has an unknown key '${key}' (usernames, window, cooloff, ipv6Prefix, maxSources)`,
        )
    }
  }
  const {
    usernames,
    window,
    cooloff,
    ipv6Prefix = 64,
    maxSources = 100_000,
  } = options ?? ({} as SprayDetectionOptions)
  if (!Number.isSafeInteger(usernames) || usernames < 1 || usernames > 1_000_000) {
    problems.push('usernames expects a whole number from 1 to 1,000,000')
  }
  if (!Number.isSafeInteger(ipv6Prefix) || ipv6Prefix < 1 || ipv6Prefix > 128) {
    problems.push('ipv6Prefix expects a prefix length from 1 to 128')
  }
  if (!Number.isSafeInteger(maxSources) || maxSources < 1) {
    problems.push('maxSources expects a whole number of at least 1')
  }
  const windowMs = durationMs('window', window, problems)
  const cooloffMs = durationMs('cooloff', cooloff, problems)
  if (problems.length > 0) {
    throw new AxesConfigError(problems.map((message) => ({ key: 'sprayDetection', message })))
  }
  return { usernames, windowMs, cooloffMs, ipv6Prefix, maxSources }
}

/** Whether a handler keeps sources itself (the database and Redis handlers do). */
const keepsSources = (handler: unknown): boolean =>
  SOURCE_METHODS.every((name) => typeof (handler as Record<string, unknown>)[name] === 'function')

/**
 * Makes the spray detection that the `sprayDetection` option takes. Throws an `AxesConfigError`
 * for bad settings; `createAxes` throws one when the handler cannot keep sources.
 * @example
 * ```ts
 * import { createAxes } from 'node-axes'
 * import { sprayDetection } from 'node-axes/spray-detection'
 *
 * const axes = createAxes({ sprayDetection: sprayDetection({ usernames: 20, cooloff: '1h' }) })
 * ```
 */
export function sprayDetection(options: SprayDetectionOptions): SprayDetection {
  const settings = settingsOf(options)
  // The sources of each handler that is not shared and keeps none itself, kept in this process.
  const books = new WeakMap<object, SourceBook>()
  const sourcesOf = (handler: AxesHandler): SourceStore => {
    if (keepsSources(handler)) return handler as unknown as SourceStore
    let book = books.get(handler)
    if (book === undefined) {
      book = new SourceBook(settings.maxSources)
      books.set(handler, book)
    }
    return book
  }
  return {
    settings,
    sourcesOf,
    check(context) {
      const handler = context.handler
      if (!handler.shared || keepsSources(handler)) return
      throw new AxesConfigError([
        {
          key: 'sprayDetection',
          message: `needs a shared handler that keeps sources (database, redis); the '${handler.name}' handler does not`,
        },
      ])
    },

    async reset(handler, filter) {
      // A shared handler forgot its sources in resetAttempts; the memory handler's are kept here.
      if (keepsSources(handler)) return
      const book = sourcesOf(handler)
      const covered = sourcesOfReset(filter)
      if (covered === null) await book.resetSources(null)
      for (const source of covered ?? []) await book.resetSources(source)
    },

    async screen(context, _request, counted, rawIp) {
      const source = sourceOf(rawIp, settings.ipv6Prefix)
      if (source === null) return counted
      const now = counted.input.now
      const until = await sourcesOf(context.handler).sourceLockedUntil(source, now)
      if (until === null) return { ...counted, source }
      const decision = decide(
        {
          reason: 'sourceLocked',
          allowed: false,
          client: counted.client,
          rule: counted.rule,
          failures: 0,
          lockedUntil: until,
          recorded: false,
        },
        now,
      )
      decision.cooloffMs = settings.cooloffMs
      return { kind: 'final', decision }
    },

    async failed(context, request, counted: Counted) {
      const username = counted.client.username
      if (!counted.source || username === null) return
      const now = context.options.clock()
      const state = await sourcesOf(context.handler).noteSourceFailure({
        source: counted.source,
        username: await usernameHash(username),
        usernames: settings.usernames,
        windowMs: settings.windowMs,
        cooloffMs: settings.cooloffMs,
        now,
      })
      if (!state.lockedNow) return
      context.diagnostics.log('warn', () =>
        logRecord(
          `AXES: Spray detected: source ${counted.source} failed across more than ${settings.usernames} usernames; locked as a source.`,
          'sprayDetected',
          { reason: 'sourceLocked', source: counted.source },
        ),
      )
      context.events.emit('sprayDetected', {
        request,
        source: counted.source,
        usernames: settings.usernames + 1,
        lockedUntil: new Date(state.lockedUntil ?? now + settings.cooloffMs),
      })
    },
  }
}
