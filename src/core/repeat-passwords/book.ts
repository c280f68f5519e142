/**
 * Wrong passwords' hashes kept in the process, for `node-axes/repeat-passwords` under a handler
 * that is not shared (memory, test) and keeps none itself (the contract:
 * ground/contract-passwords.ts): per bucket, at most `keep` hashes, oldest first, and when they
 * expire. The book holds at most `maxBuckets` buckets, dropping the least recently touched first.
 */

import type { WrongPasswordInput, WrongPasswordStore } from '../../ground/contract-passwords.js'

interface Hashes {
  /** The hashes, oldest first. */
  readonly hashes: string[]
  /** When they expire (ms since the epoch): the window after the last new one. */
  until: number
}

/** Wrong passwords' hashes kept in the process (synchronous; the contract allows values). */
export class PasswordBook implements WrongPasswordStore {
  readonly #buckets = new Map<string, Hashes>()
  readonly #max: number

  /** A book of at most `maxBuckets` buckets. */
  constructor(maxBuckets = 100_000) {
    this.#max = maxBuckets
  }

  /** How many buckets hold hashes (expired ones included until they are touched or dropped). */
  get size(): number {
    return this.#buckets.size
  }

  /** Every bucket's hashes as stored, for tests and operators. */
  entries(): [string, readonly string[]][] {
    return [...this.#buckets].map(([bucket, { hashes }]) => [bucket, [...hashes]])
  }

  noteWrongPassword(input: WrongPasswordInput): boolean {
    const { entries, now } = input
    for (const { bucket, hash } of entries) {
      const held = this.#buckets.get(bucket)
      if (held !== undefined && held.until > now && held.hashes.includes(hash)) return true
    }
    for (const { bucket, hash } of entries) {
      let held = this.#buckets.get(bucket)
      if (held === undefined) this.#makeRoom()
      else this.#buckets.delete(bucket)
      if (held === undefined || held.until <= now) held = { hashes: [], until: 0 }
      // Most recently touched last, so that the first entries are the ones to drop.
      this.#buckets.set(bucket, held)
      held.hashes.push(hash)
      if (held.hashes.length > input.keep) held.hashes.splice(0, held.hashes.length - input.keep)
      held.until = now + input.windowMs
    }
    return false
  }

  resetWrongPasswords(bucket: string | null): number {
    if (bucket !== null) return this.#buckets.delete(bucket) ? 1 : 0
    const count = this.#buckets.size
    this.#buckets.clear()
    return count
  }

  /** Drops the least recently touched bucket when the book is full. */
  #makeRoom(): void {
    if (this.#buckets.size < this.#max) return
    const oldest = this.#buckets.keys().next()
    if (!oldest.done) this.#buckets.delete(oldest.value)
  }
}
