/**
 * The handler contract's part for repeated wrong passwords (`node-axes/repeat-passwords`): the same
 * wrong password, tried again for the same client, is counted once. A handler keeps, per bucket, a
 * few keyed hashes (HMAC-SHA-256 with the application's secret, computed by the core: the handler
 * never sees a password) of the wrong passwords counted last, and forgets them a window after the
 * bucket's last new one. The conformance suite in `node-axes/testing` holds every handler to it.
 */

import type { Awaitable } from './awaitable.js'

/** One bucket's part of a wrong password: the bucket and the password's keyed hash for it. */
export interface WrongPasswordEntry {
  /** The bucket's canonical key (`Bucket.key`). */
  readonly bucket: string
  /** The keyed hash of the password for this bucket: 32 hex digits. */
  readonly hash: string
}

/** A wrong password, as `noteWrongPassword` takes it. */
export interface WrongPasswordInput {
  /** The attempt's buckets, each with its hash; never empty. */
  readonly entries: readonly WrongPasswordEntry[]
  /** At most this many hashes are kept per bucket: the oldest beyond it are dropped. */
  readonly keep: number
  /** How long a bucket's hashes are kept after the last new one was added to it (ms). */
  readonly windowMs: number
  /** The current time in ms since the epoch (the core's clock). */
  readonly now: number
}

/** What a handler that keeps wrong passwords' hashes does. */
export interface WrongPasswordStore {
  /**
   * Notes a wrong password, atomically with respect to every other call on any of the same
   * buckets (in every process that shares the store): when some bucket holds its entry's hash
   * (added less than `windowMs` before `now`, counting from the bucket's last new hash), answers
   * true and writes nothing: the password is a repeat. Otherwise adds each entry's hash to its
   * bucket (the bucket's hashes then expire `windowMs` after `now`; past `keep` the oldest are
   * dropped) and answers false. A bucket never holds more than `keep` hashes, and its hashes
   * expire with its window: storage stays bounded.
   */
  noteWrongPassword(input: WrongPasswordInput): Awaitable<boolean>

  /**
   * Forgets the hashes of one bucket (its canonical key), or of every bucket when null. Returns
   * how many buckets held hashes.
   */
  resetWrongPasswords(bucket: string | null): Awaitable<number>
}

/** The methods of `WrongPasswordStore`, for the check that a handler has them. */
export const WRONG_PASSWORD_METHODS = [
  'noteWrongPassword',
  'resetWrongPasswords',
] as const satisfies readonly (keyof WrongPasswordStore)[]
