/**
 * The memory handler: attempts kept in this process, bounded, without a timer per key.
 *
 * Layout: one `Map` from bucket key to a slot number, and the slot's state in typed-array columns
 * (failures, last failure, expiry, lock, places held). No object per bucket, no timer per bucket:
 * about 100 bytes per bucket with its key. Expired buckets are swept a few at a time on each write
 * and whenever room is needed.
 *
 * When `maxBuckets` is reached, room is made among the 256 oldest buckets (by creation): an expired
 * one first, else the oldest that is neither locked nor holding places. Locked buckets are never
 * deleted to make room, so an attacker who floods the store with new clients cannot erase a
 * lockout; those met are moved to the back, so the next search looks further on. When none of the
 * 256 can go, the new bucket is refused with an `AxesStoreError` and `onStoreError` decides (by
 * default the login is refused with 503). The search is bounded so that a store full of lockouts
 * costs the same per request as an empty one.
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
import {
  activeLockUntil,
  attemptsLeft,
  bucketLockedUntil,
  currentFailures,
  failureWindowMs,
  laterLift,
} from './rule.js'

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
const NEVER = 0xffffffff

/** Builds a ReserveResult with one fixed shape (object spread here costs microseconds in V8). */
function reserveResult(
  state: CountResult,
  outcome: ReserveResult['outcome'],
  reservation: string | null,
  recorded: boolean,
): ReserveResult {
  return {
    failures: state.failures,
    lockedUntil: state.lockedUntil,
    outcome,
    reservation,
    recorded,
  }
}
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
  // Per slot: failures, the last failure (ms), and, for housekeeping only, when the bucket expires
  // and when its lock lifts, in whole seconds from #epoch rounded up (see #seconds).
  #failures = new Uint32Array(0)
  #lastAt = new Float64Array(0)
  #expiresAt = new Uint32Array(0)
  #lockedUntil = new Uint32Array(0)
  #epoch = Number.NaN
  /** Places held by reservations, by slot: only while attempts are in flight. */
  readonly #held = new Map<number, { count: number; until: number }>()
  #sweep: IterableIterator<[string, number]> | null = null
  readonly #reservations = new Map<string, number>()
  #reservationSeq = 0
  #dropAt = 10_000

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
      this.#clearBuckets()
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
      if (failures === 0 || this.#expired(slot, options.now)) continue
      const fields = decodeBucketKey(key) ?? {}
      const lockedUntil = this.#lockLift(slot)
      out.push({
        ipAddress: fields.ip_address ?? null,
        username: fields.username ?? null,
        userAgent: fields.user_agent ?? null,
        failures,
        attemptTime: new Date(this.#lastAt[slot] ?? 0),
        lockedUntil: lockedUntil !== null && lockedUntil > options.now ? lockedUntil : null,
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
        return reserveResult(state, 'locked', null, false)
      }
      this.#writeFailures(input)
      return reserveResult(this.#state(input), 'locked', null, true)
    }
    if (rule.lockOutAtFailure) {
      for (const bucket of buckets) {
        const slot = this.#index.get(bucket.key)
        if (slot === undefined) continue
        const room = attemptsLeft(rule, this.#currentFailures(slot, input))
        if (this.#currentPending(slot, now) >= room)
          return reserveResult(state, 'busy', null, false)
      }
    }
    const until = now + rule.reservationTtlMs
    for (const slot of this.#slotsFor(buckets, now)) {
      const held = this.#held.get(slot)
      if (held === undefined || held.until <= now) this.#held.set(slot, { count: 1, until })
      else {
        held.count++
        if (held.until < until) held.until = until
      }
    }
    // The token carries its deadline, so a settle after the reservation was dropped can still tell
    // "expired" (record the failure) from "settled already" (do nothing).
    const token = `${++this.#reservationSeq}@${until}`
    this.#reservations.set(token, until)
    if (this.#reservations.size > this.#dropAt) {
      this.#dropExpiredReservations(now)
      // Amortised: scan again only once the map has doubled, so a flood of held places stays O(1).
      this.#dropAt = Math.max(10_000, this.#reservations.size * 2)
    }
    this.#sweepSome(now)
    return reserveResult(state, 'reserved', token, false)
  }

  #settle(input: SettleInput): CountResult {
    const expiry = this.#reservations.get(input.reservation)
    if (expiry === undefined) {
      // Unknown: settled already (nothing to do), or dropped after its deadline, when the place was
      // already released but a wrong password must still count.
      const deadline = Number(input.reservation.slice(input.reservation.indexOf('@') + 1))
      if (input.outcome === 'failure' && deadline <= input.now) this.#writeFailures(input)
      return this.#state(input)
    }
    this.#reservations.delete(input.reservation)
    for (const bucket of input.buckets) {
      const slot = this.#index.get(bucket.key)
      if (slot === undefined) continue
      const held = this.#held.get(slot)
      if (held !== undefined && --held.count <= 0) this.#held.delete(slot)
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
        activeLockUntil(input.rule, current, this.#lastAt[slot] ?? 0, input.now),
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
    const held = this.#held.get(slot)
    return held !== undefined && held.until > now ? held.count : 0
  }

  /** Records one failure in every bucket of the input (all slots made first: all or nothing). */
  #writeFailures(input: CountInput): void {
    const { rule, now } = input
    for (const slot of this.#slotsFor(input.buckets, now)) {
      const failures = this.#currentFailures(slot, input) + 1
      this.#failures[slot] = failures
      this.#lastAt[slot] = now
      const window = failureWindowMs(rule)
      this.#expiresAt[slot] = this.#seconds(
        window === null ? Number.POSITIVE_INFINITY : now + window,
      )
      this.#lockedUntil[slot] = this.#seconds(bucketLockedUntil(rule, failures, now))
    }
  }

  /**
   * The slots of the buckets, creating the missing ones. Room for all of them is made first, so
   * that a full store refuses the whole operation rather than half of it.
   */
  #slotsFor(buckets: readonly Bucket[], now: number): number[] {
    const slots: number[] = []
    let missing = 0
    for (const bucket of buckets) {
      const slot = this.#index.get(bucket.key)
      if (slot === undefined) missing++
      slots.push(slot ?? -1)
    }
    if (missing === 0) return slots
    while (this.#index.size + missing > this.#max) this.#makeRoom(now, buckets)
    for (let i = 0; i < slots.length; i++) {
      if (slots[i] === -1) slots[i] = this.#create((buckets[i] as Bucket).key)
    }
    return slots
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
    this.#held.delete(slot)
    // Keys arrive as concatenations (V8 cons strings, about twice the size); store a flat copy.
    this.#index.set(JSON.parse(JSON.stringify(key)) as string, slot)
    return slot
  }

  /**
   * A housekeeping time as whole seconds after #epoch, rounded up (so a bucket is never thought
   * expired or unlocked early): 0 for none, 0xFFFFFFFF for never.
   */
  #seconds(ms: number | null): number {
    if (ms === null) return 0
    if (ms === Number.POSITIVE_INFINITY) return NEVER
    const seconds = Math.ceil(ms / 1000)
    if (Number.isNaN(this.#epoch)) this.#epoch = seconds - 1
    return Math.min(NEVER - 1, Math.max(1, seconds - this.#epoch))
  }

  /** Whether `now` is past the slot's expiry (housekeeping precision). */
  #expired(slot: number, now: number): boolean {
    const at = this.#expiresAt[slot] ?? 0
    if (at === NEVER) return false
    return at === 0 || (at + this.#epoch) * 1000 <= now
  }

  /** When the slot's lock lifts (ms, at housekeeping precision), Infinity, or null. */
  #lockLift(slot: number): number | null {
    const at = this.#lockedUntil[slot] ?? 0
    if (at === 0) return null
    return at === NEVER ? Number.POSITIVE_INFINITY : (at + this.#epoch) * 1000
  }

  #isDead(slot: number, now: number): boolean {
    return this.#expired(slot, now) && this.#currentPending(slot, now) === 0
  }

  #isPrecious(slot: number, now: number): boolean {
    const lift = this.#lockLift(slot)
    return (lift !== null && lift > now) || this.#currentPending(slot, now) > 0
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
      `the memory handler is full: its ${this.#max} buckets are at maxBuckets and the ${EVICTION_SCAN} oldest are locked out or busy (raise maxBuckets)`,
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
    this.#held.delete(slot)
    this.#free.push(slot)
    return true
  }

  /** Deletes every bucket; reservations in flight stay valid (their failures still count). */
  #clearBuckets(): void {
    this.#index.clear()
    this.#free.length = 0
    this.#next = 0
    this.#sweep = null
    this.#held.clear()
  }

  #clear(): void {
    this.#index.clear()
    this.#free.length = 0
    this.#next = 0
    this.#sweep = null
    this.#reservations.clear()
    this.#held.clear()
  }

  #grow(capacity: number): void {
    const copy = <T extends Uint32Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity)
      next.set(old)
      return next
    }
    this.#failures = copy(this.#failures, (n) => new Uint32Array(n))
    this.#lastAt = copy(this.#lastAt, (n) => new Float64Array(n))
    this.#expiresAt = copy(this.#expiresAt, (n) => new Uint32Array(n))
    this.#lockedUntil = copy(this.#lockedUntil, (n) => new Uint32Array(n))
    this.#capacity = capacity
  }
}
