/**
 * The handler contract's part for spray detection: a source (an IP, or an IPv6 prefix) that fails
 * across more than a number of distinct usernames within a window is locked as a source, for its
 * own cool-off, whatever the lockout parameters. A handler keeps, per source, the usernames (as
 * hashes) it failed on within the window, never more than the limit plus one, and the source's
 * lock. The conformance suite in `node-axes/testing` holds every handler to it.
 */

import type { Awaitable } from './awaitable.js'

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
}

/** The methods of `SourceStore`, for the check that a handler has them. */
export const SOURCE_METHODS = [
  'sourceLockedUntil',
  'noteSourceFailure',
  'resetSources',
] as const satisfies readonly (keyof SourceStore)[]
