/**
 * Sources kept in the process, for spray detection under a handler that is not shared (memory,
 * test) and keeps no sources itself (the contract: ground/contract-sources.ts): per source, the
 * usernames (hashes) it failed on with the time of each, and its lock. A source holds at most
 * `usernames + 1` usernames; the book holds at most `maxSources` sources, dropping the least
 * recently touched unlocked one first.
 */

import {
  type SourceFailureInput,
  type SourceLock,
  type SourceState,
  type SourceStore,
  sortSourceLocks,
} from '../../ground/contract-sources.js'

interface Source {
  /** Username hash → time of the source's last failure on it. */
  readonly usernames: Map<string, number>
  /** When the lock lifts, or 0 when not locked. */
  lockedUntil: number
  /** When it was locked, and the distinct usernames it had failed on then. */
  lockedAt: number
  seen: number
}

/** Sources kept in the process (synchronous; the contract allows values for promises). */
export class SourceBook implements SourceStore {
  readonly #sources = new Map<string, Source>()
  readonly #max: number

  /** A book of at most `maxSources` sources. */
  constructor(maxSources = 100_000) {
    this.#max = maxSources
  }

  /** How many sources hold state. */
  get size(): number {
    return this.#sources.size
  }

  sourceLockedUntil(source: string, now: number): number | null {
    const state = this.#sources.get(source)
    return state !== undefined && state.lockedUntil > now ? state.lockedUntil : null
  }

  noteSourceFailure(input: SourceFailureInput): SourceState {
    const { source, username, now } = input
    let state = this.#sources.get(source)
    if (state !== undefined && state.lockedUntil > now) {
      return { usernames: 0, lockedUntil: state.lockedUntil, lockedNow: false }
    }
    if (state === undefined) {
      state = { usernames: new Map(), lockedUntil: 0, lockedAt: 0, seen: 0 }
      this.#makeRoom()
    } else {
      this.#sources.delete(source)
    }
    // Most recently touched last, so that the first entries are the ones to drop.
    this.#sources.set(source, state)
    state.lockedUntil = 0
    const since = now - input.windowMs
    for (const [name, at] of state.usernames) if (at <= since) state.usernames.delete(name)
    state.usernames.delete(username)
    state.usernames.set(username, now)
    if (state.usernames.size > input.usernames) {
      state.seen = state.usernames.size
      state.lockedAt = now
      state.usernames.clear()
      state.lockedUntil = now + input.cooloffMs
      return { usernames: 0, lockedUntil: state.lockedUntil, lockedNow: true }
    }
    return { usernames: state.usernames.size, lockedUntil: null, lockedNow: false }
  }

  resetSources(source: string | null): number {
    if (source !== null) return this.#sources.delete(source) ? 1 : 0
    const count = this.#sources.size
    this.#sources.clear()
    return count
  }

  listSourceLocks(now: number): SourceLock[] {
    const locks: SourceLock[] = []
    for (const [source, state] of this.#sources) {
      if (state.lockedUntil > now) {
        locks.push({
          source,
          usernames: state.seen,
          since: state.lockedAt,
          until: state.lockedUntil,
        })
      }
    }
    return sortSourceLocks(locks)
  }

  /** Drops the least recently touched unlocked source (else the oldest) when the book is full. */
  #makeRoom(): void {
    if (this.#sources.size < this.#max) return
    let victim: string | undefined
    for (const [key, state] of this.#sources) {
      victim ??= key
      if (state.lockedUntil === 0) {
        victim = key
        break
      }
    }
    if (victim !== undefined) this.#sources.delete(victim)
  }
}
