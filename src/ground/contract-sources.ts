/**
 * The handler contract's part for spray detection: a source (an IP, or an IPv6 prefix) that fails
 * across more than a number of distinct usernames within a window is locked as a source, for its
 * own cool-off, whatever the lockout parameters. A handler keeps, per source, the usernames (as
 * hashes) it failed on within the window, never more than the limit plus one, and the source's
 * lock. The conformance suite in `node-axes/testing` holds every handler to it.
 */

import type { Awaitable } from './awaitable.js'
import { maskIp, parseIp } from './ip.js'

/** One failure of a source, as `noteSourceFailure` takes it. */
export interface SourceFailureInput {
  /** The source: an IP in canonical text, or an IPv6 network as `<address>/<prefix>`. */
  readonly source: string
  /** The username failed on, as a fixed-length hash (hex, at most 64 characters). */
  readonly username: string
  /** The source is locked when it has failed on more than this many distinct usernames. */
  readonly usernames: number
  /** How long a username counts for the source after the source's last failure on it (ms). */
  readonly windowMs: number
  /** How long the source's lock lasts (ms). */
  readonly cooloffMs: number
  /** The current time in ms since the epoch (the core's clock). */
  readonly now: number
}

/** A source's state after a failure. */
export interface SourceState {
  /** Distinct usernames the source has failed on within the window (0 once it is locked). */
  readonly usernames: number
  /** When the source's lock lifts (ms since the epoch), or null when it is not locked. */
  readonly lockedUntil: number | null
  /** True when this very failure locked the source (the spray was detected now). */
  readonly lockedNow: boolean
}

/** What a handler that supports spray detection does. */
export interface SourceStore {
  /**
   * When the source's lock lifts (ms since the epoch), or null when it is not locked at `now`.
   * Reads only.
   */
  sourceLockedUntil(source: string, now: number): Awaitable<number | null>

  /**
   * Records that `source` failed on `username`, atomically with respect to every other call on
   * the same source (in every process that shares the store): if the source is locked, nothing is
   * written and its lock is answered (`lockedNow` false); otherwise the usernames older than the
   * window are forgotten, this one is added (or its time renewed), and when the source has then
   * failed on more than `usernames` distinct usernames it is locked until `now + cooloffMs`, its
   * usernames are forgotten (`lockedNow` true). A source never holds more than `usernames + 1`
   * usernames, and its state expires with its window or its lock: storage stays bounded.
   */
  noteSourceFailure(input: SourceFailureInput): Awaitable<SourceState>

  /**
   * Forgets the state (usernames and lock) of one source, or of every source when null. Returns
   * how many sources held state.
   */
  resetSources(source: string | null): Awaitable<number>

  /**
   * The sources locked at `now`, the latest lift first, at most `MAX_SOURCE_LOCKS` (the admin's
   * Locked out now page, `node-axes locked`). Reads only.
   */
  listSourceLocks(now: number): Awaitable<SourceLock[]>
}

/** A source locked now, as `listSourceLocks` lists it. */
export interface SourceLock {
  /** The source: an IP, or an IPv6 network as `<address>/<prefix>`. */
  readonly source: string
  /** The distinct usernames it had failed on when it was locked. */
  readonly usernames: number
  /** When it was locked (ms since the epoch). */
  readonly since: number
  /** When its lock lifts (ms since the epoch). */
  readonly until: number
}

/** The most source locks a listing returns. */
export const MAX_SOURCE_LOCKS = 500

/** The source locks latest lift first, capped at `MAX_SOURCE_LOCKS`. */
export function sortSourceLocks(locks: SourceLock[]): SourceLock[] {
  locks.sort((a, b) => b.until - a.until || (a.source < b.source ? -1 : 1))
  return locks.slice(0, MAX_SOURCE_LOCKS)
}

/**
 * The sources an IP belongs to, whatever prefix spray detection groups IPv6 by: the IP itself,
 * and for IPv6 each `<network>/<prefix>` holding it (a reset by IP forgets them all). Empty for
 * text that is not an IP (a `<network>/<prefix>` given as is is its own single source).
 */
export function sourcesOfIp(ip: string): string[] {
  const slash = ip.indexOf('/')
  const parsed = parseIp(slash < 0 ? ip : ip.slice(0, slash))
  if (parsed === null) return []
  if (slash >= 0) return [ip]
  if (parsed.version === 4) return [parsed.text]
  const sources = [parsed.text]
  for (let prefix = 1; prefix <= 128; prefix++) {
    sources.push(`${maskIp(parsed, prefix).text}/${prefix}`)
  }
  return sources
}

/**
 * The sources a reset of attempts (`resetAttempts(filter)`) forgets as well: every source (null)
 * for a reset of everything, those of the IP (`sourcesOfIp`) for a reset by IP alone or by IP or
 * username, none for a reset by username or by IP and username together.
 */
export function sourcesOfReset(filter: {
  readonly ipAddress?: string | null
  readonly username?: string | null
  readonly ipOrUsername?: boolean | undefined
}): string[] | null {
  const ip = filter.ipAddress ?? null
  if (ip === null) return filter.username ? [] : null
  return filter.username && !filter.ipOrUsername ? [] : sourcesOfIp(ip)
}

/** The methods of `SourceStore`, for the check that a handler has them. */
export const SOURCE_METHODS = [
  'sourceLockedUntil',
  'noteSourceFailure',
  'resetSources',
  'listSourceLocks',
] as const satisfies readonly (keyof SourceStore)[]
