/**
 * The memory handler: attempts kept in this process, bounded, without a timer per key.
 *
 * Layout: one `Map` from bucket key to a slot number, and the slot's state in typed-array columns
 * (failures, last failure, expiry, lock, places held). No object per bucket, no timer per bucket:
 * about 100 bytes per bucket with its key. Expired buckets are swept a few at a time on each write
 * and whenever room is needed.
 *
 * When `maxBuckets` is reached, room is made by deleting, oldest first, buckets that are expired,
 * then buckets that are neither locked nor holding places; locked buckets are never deleted to make
 * room, so an attacker who floods the store with new clients cannot erase a lockout. When every
 * bucket is locked or busy, new buckets are refused with an `AxesStoreError`, and `onStoreError`
 * decides (by default the login is refused with 503).
 */

import { decodeBucketKey } from '../core/buckets.js'
import { AxesStoreError } from '../core/errors.js'
import type {
  AttemptSnapshot,
  AxesHandler,
  Bucket,
  CountInput,
  CountResult,
  ReserveResult,
  ResetFilter,
  SettleInput,
} from './contract.js'
import { bucketLockedUntil, bucketWindowMs, currentFailures, laterLift } from './rule.js'

/** Options of `memoryHandler`. */
export interface MemoryHandlerOptions {
  /**
   * The most buckets kept (a client has one bucket per lockout-parameter item). About 100 bytes
   * each: the default caps the store near 100 MB.
   * @default 1_000_000
   */
  maxBuckets?: number
}

/** The memory handler, with its introspection. */
export interface MemoryHandler extends AxesHandler {
  /** How many buckets hold state now. */
  readonly size: number
}

const INITIAL_CAPACITY = 1024
const SWEEP_PER_WRITE = 2
const EVICTION_SCAN = 256

/**
 * Creates a memory handler: fast, exact under concurrency within one process, and lost when the
 * process ends. Not shared: with several processes use the database or Redis handler (check
 * axes.W010).
 *
 * @example
 * ```ts
 * import { createAxes, memoryHandler } from 'node-axes'
 *
 * const axes = createAxes({ handler: memoryHandler({ maxBuckets: 100_000 }) })
 * ```
 */
export function memoryHandler(options: MemoryHandlerOptions = {}): MemoryHandler {
  const maxBuckets = options.maxBuckets ?? 1_000_000
  if (!Number.isInteger(maxBuckets) || maxBuckets < 1) {
    throw new TypeError(`[node-axes] memoryHandler: maxBuckets must be a whole number ≥ 1`)
  }
  return new MemoryStore(maxBuckets)
}

class MemoryStore implements MemoryHandler {
  readonly name = 'memory'
  readonly shared = false
  readonly kind = 'memory' as const

  readonly #max: number
  readonly #index = new Map<string, number>()
  readonly #free: number[] = []
  #capacity = 0
  #next = 0
  #failures = new Uint32Array(0)
  #lastAt = new Float64Array(0)
  #expiresAt = new Float64Array(0)
  #lockedUntil = new Float64Array(0)
  #pending = new Uint32Array(0)
  #pendingUntil = new Float64Array(0)
  #sweep: IterableIterator<[string, number]> | null = null
  readonly #reservations = new Map<string, number>()
  #reservationSeq = 0

  constructor(max: number) {
    this.#max = max
    this.#grow(Math.min(INITIAL_CAPACITY, max))
  }

  get size(): number {
    return this.#index.size
  }

  // ----- the contract -----

  getFailures(input: CountInput): Promise<CountResult> {
    return Promise.resolve(this.#state(input))
  }

  reserve(input: CountInput): Promise<ReserveResult> {
    try {
      return Promise.resolve(this.#reserve(input))
    } catch (error) {
      return Promise.reject(error)
    }
  }

  settle(input: SettleInput): Promise<CountResult> {
    try {
      return Promise.resolve(this.#settle(input))
    } catch (error) {
      return Promise.reject(error)
    }
  }

  recordFailure(input: CountInput): Promise<CountResult> {
    try {
      this.#writeFailures(input)
      this.#sweepSome(input.now)
      return Promise.resolve(this.#state(input))
    } catch (error) {
      return Promise.reject(error)
    }
  }

  loggedIn(): Promise<void> {
    return Promise.resolve()
  }

  loggedOut(): Promise<void> {
    return Promise.resolve()
  }

  resetBuckets(buckets: readonly Bucket[]): Promise<number> {
    let removed = 0
    for (const bucket of buckets) if (this.#delete(bucket.key)) removed++
    return Promise.resolve(removed)
  }

  resetAttempts(filter: ResetFilter): Promise<number> {
    const ip = filter.ipAddress ?? null
    const username = filter.username ?? null
    if (ip === null && username === null) {
      const count = this.#index.size
      this.#clear()
      return Promise.resolve(count)
    }
    let removed = 0
    for (const key of [...this.#index.keys()]) {
      const fields = decodeBucketKey(key)
      if (!fields) continue
      const hasIp = 'ip_address' in fields
      const hasUser = 'username' in fields
      const ipMatch = ip !== null && hasIp && fields.ip_address === ip
      const userMatch = username !== null && hasUser && fields.username === username
      let match: boolean
      if (ip !== null && username !== null && !filter.ipOrUsername) {
        // AND: every one of the two fields the bucket holds must match, and it holds one at least.
        match =
          (hasIp || hasUser) &&
          (!hasIp || fields.ip_address === ip) &&
          (!hasUser || fields.username === username)
      } else match = ipMatch || userMatch
      if (match && this.#delete(key)) removed++
    }
    return Promise.resolve(removed)
  }

  resetLogs(): Promise<number> {
    return Promise.resolve(0)
  }

  resetFailureLogs(): Promise<number> {
    return Promise.resolve(0)
  }

  listAttempts(options: { limit?: number; now: number }): Promise<AttemptSnapshot[]> {
    const out: AttemptSnapshot[] = []
    for (const [key, slot] of this.#index) {
      const failures = this.#failures[slot] ?? 0
      const expiresAt = this.#expiresAt[slot] ?? 0
      if (failures === 0 || expiresAt <= options.now) continue
      const fields = decodeBucketKey(key) ?? {}
      const lockedUntil = this.#lockedUntil[slot] ?? 0
      out.push({
        ipAddress: fields.ip_address ?? null,
        username: fields.username ?? null,
        userAgent: fields.user_agent ?? null,
        failures,
        attemptTime: new Date(this.#lastAt[slot] ?? 0),
        lockedUntil: lockedUntil > options.now ? lockedUntil : null,
      })
    }
    out.sort((a, b) => b.attemptTime.getTime() - a.attemptTime.getTime())
    return Promise.resolve(options.limit === undefined ? out : out.slice(0, options.limit))
  }

  close(): Promise<void> {
    this.#clear()
    return Promise.resolve()
  }

  // ----- internals -----

  #reserve(input: CountInput): ReserveResult {
    const { buckets, rule, now } = input
    const state = this.#state(input)
    if (state.lockedUntil !== null) {
      if (!rule.recordLockedAttempts) {
        return { ...state, outcome: 'locked', reservation: null, recorded: false }
      }
      this.#writeFailures(input)
      return { ...this.#state(input), outcome: 'locked', reservation: null, recorded: true }
    }
    if (rule.lockOutAtFailure) {
      for (const bucket of buckets) {
        const slot = this.#index.get(bucket.key)
        if (slot === undefined) continue
        const failures = this.#currentFailures(slot, input)
        if (failures + this.#currentPending(slot, now) >= rule.failureLimit) {
          return { ...state, outcome: 'busy', reservation: null, recorded: false }
        }
      }
    }
    const until = now + rule.reservationTtlMs
    for (const slot of this.#slotsFor(buckets, now)) {
      this.#pending[slot] = this.#currentPending(slot, now) + 1
      if ((this.#pendingUntil[slot] ?? 0) < until) this.#pendingUntil[slot] = until
    }
    const token = String(++this.#reservationSeq)
    this.#reservations.set(token, until)
    if (this.#reservations.size > 10_000) this.#dropExpiredReservations(now)
    this.#sweepSome(now)
    return { ...state, outcome: 'reserved', reservation: token, recorded: false }
  }

  #settle(input: SettleInput): CountResult {
    const expiry = this.#reservations.get(input.reservation)
    if (expiry === undefined) return this.#state(input)
    this.#reservations.delete(input.reservation)
    for (const bucket of input.buckets) {
      const slot = this.#index.get(bucket.key)
      if (slot === undefined) continue
      const pending = this.#currentPending(slot, input.now)
      this.#pending[slot] = pending > 0 ? pending - 1 : 0
    }
    if (input.outcome === 'failure') this.#writeFailures(input)
    return this.#state(input)
  }

  /** The client's state over its buckets. */
  #state(input: CountInput): CountResult {
    let failures = 0
    let lockedUntil: number | null = null
    for (const bucket of input.buckets) {
      const slot = this.#index.get(bucket.key)
      if (slot === undefined) continue
      const current = this.#currentFailures(slot, input)
      if (current > failures) failures = current
      lockedUntil = laterLift(
        lockedUntil,
        bucketLockedUntil(input.rule, current, this.#lastAt[slot] ?? 0),
      )
    }
    return { failures, lockedUntil }
  }

  #currentFailures(slot: number, input: CountInput): number {
    return currentFailures(
      input.rule,
      this.#failures[slot] ?? 0,
      this.#lastAt[slot] ?? 0,
      input.now,
    )
  }

  #currentPending(slot: number, now: number): number {
    return (this.#pendingUntil[slot] ?? 0) > now ? (this.#pending[slot] ?? 0) : 0
  }

  /** Records one failure in every bucket of the input (all slots made first: all or nothing). */
  #writeFailures(input: CountInput): void {
    const { rule, now } = input
    for (const slot of this.#slotsFor(input.buckets, now)) {
      const failures = this.#currentFailures(slot, input) + 1
      this.#failures[slot] = failures
      this.#lastAt[slot] = now
      const window = bucketWindowMs(rule, failures)
      this.#expiresAt[slot] = window === null ? Number.POSITIVE_INFINITY : now + window
      this.#lockedUntil[slot] = bucketLockedUntil(rule, failures, now) ?? 0
    }
  }

  /**
   * The slots of the buckets, creating the missing ones. Room for all of them is made first, so
   * that a full store refuses the whole operation rather than half of it.
   */
  #slotsFor(buckets: readonly Bucket[], now: number): number[] {
    let missing = 0
    for (const bucket of buckets) if (!this.#index.has(bucket.key)) missing++
    while (missing > 0 && this.#index.size + missing > this.#max) this.#makeRoom(now, buckets)
    return buckets.map((bucket) => this.#index.get(bucket.key) ?? this.#create(bucket.key))
  }

  #create(key: string): number {
    let slot = this.#free.pop()
    if (slot === undefined) {
      if (this.#next >= this.#capacity) this.#grow(Math.min(this.#capacity * 2, this.#max))
      slot = this.#next++
    }
    this.#failures[slot] = 0
    this.#lastAt[slot] = 0
    this.#expiresAt[slot] = 0
    this.#lockedUntil[slot] = 0
    this.#pending[slot] = 0
    this.#pendingUntil[slot] = 0
    this.#index.set(key, slot)
    return slot
  }

  #isDead(slot: number, now: number): boolean {
    return (this.#expiresAt[slot] ?? 0) <= now && this.#currentPending(slot, now) === 0
  }

  #isPrecious(slot: number, now: number): boolean {
    return (this.#lockedUntil[slot] ?? 0) > now || this.#currentPending(slot, now) > 0
  }

  #makeRoom(now: number, keep: readonly Bucket[]): void {
    // First choice: an expired bucket; second: the oldest bucket neither locked nor busy. Locked and
    // busy buckets met on the way move to the back, so the next scan starts past them.
    let candidate: string | null = null
    let scanned = 0
    for (const [key, slot] of this.#index) {
      if (keep.some((bucket) => bucket.key === key)) continue
      if (this.#isDead(slot, now)) {
        this.#delete(key)
        return
      }
      if (candidate === null && !this.#isPrecious(slot, now)) candidate = key
      if (++scanned >= EVICTION_SCAN) break
    }
    if (candidate !== null) {
      this.#delete(candidate)
      return
    }
    let moved = 0
    for (const [key, slot] of this.#index) {
      if (moved++ >= EVICTION_SCAN) break
      this.#index.delete(key)
      this.#index.set(key, slot)
    }
    throw new AxesStoreError(
      `the memory handler is full: all ${this.#max} buckets near the front are locked out or busy (raise maxBuckets)`,
    )
  }

  #sweepSome(now: number): void {
    for (let i = 0; i < SWEEP_PER_WRITE; i++) {
      this.#sweep ??= this.#index.entries()
      const step = this.#sweep.next()
      if (step.done) {
        this.#sweep = null
        return
      }
      const [key, slot] = step.value
      if (this.#isDead(slot, now)) this.#delete(key)
    }
  }

  #dropExpiredReservations(now: number): void {
    for (const [token, until] of this.#reservations) {
      if (until <= now) this.#reservations.delete(token)
    }
  }

  #delete(key: string): boolean {
    const slot = this.#index.get(key)
    if (slot === undefined) return false
    this.#index.delete(key)
    this.#free.push(slot)
    return true
  }

  #clear(): void {
    this.#index.clear()
    this.#free.length = 0
    this.#next = 0
    this.#sweep = null
    this.#reservations.clear()
  }

  #grow(capacity: number): void {
    const copy = <T extends Uint32Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity)
      next.set(old)
      return next
    }
    this.#failures = copy(this.#failures, (n) => new Uint32Array(n))
    this.#lastAt = copy(this.#lastAt, (n) => new Float64Array(n))
    this.#expiresAt = copy(this.#expiresAt, (n) => new Float64Array(n))
    this.#lockedUntil = copy(this.#lockedUntil, (n) => new Float64Array(n))
    this.#pending = copy(this.#pending, (n) => new Uint32Array(n))
    this.#pendingUntil = copy(this.#pendingUntil, (n) => new Float64Array(n))
    this.#capacity = capacity
  }
}
