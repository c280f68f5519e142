/**
 * The memory handler: attempts kept in this process, bounded, without a timer per key.
 *
 * Layout: one `Map` from bucket key to a slot number, and the slot's state side by side in one
 * Float64Array (failures, last failure, expiry, lock, places held and until when). No object per
 * bucket, no timer per bucket: about 120 bytes per bucket with its key. Expired buckets are swept a
 * few at a time whenever a bucket is created, and whenever room is needed.
 *
 * When `maxBuckets` is reached, room is made by deleting the oldest bucket (by creation) that is
 * neither locked nor holding places, found by a cursor that walks the buckets in creation order,
 * wrapping around. Locked buckets are never deleted to make room, so an attacker who floods the
 * store with new clients cannot erase a lockout; those met are passed over until the next round,
 * so the next search looks further on. When the next 256 buckets are all locked or busy, the new
 * bucket is refused with an `AxesStoreError` and `onStoreError` decides (by default the login is
 * refused with 503). The search is bounded so that a store full of lockouts costs the same per
 * request as an empty one.
 */

import type { Bucket } from '../../ground/buckets.js'
import { decodeBucketKey } from '../../ground/buckets.js'
import type {
  AttemptDetail,
  AttemptQuery,
  AttemptSnapshot,
  AttemptStats,
  AttemptStatsQuery,
  AxesHandler,
  CountInput,
  CountResult,
  QueryPage,
  ReserveResult,
  ResetFilter,
  SettleInput,
} from '../../ground/contract.js'
import { AxesStoreError } from '../../ground/errors.js'
import {
  activeLockUntil,
  attemptsLeft,
  bucketLockedUntil,
  currentFailures,
  failureWindowMs,
  laterLift,
} from '../../ground/rule.js'
import { bucketTally, matchesReset, pageOfAttempts, snapshotOf } from '../query.js'

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
// The fields of a slot in #data.
const STRIDE = 6
const FAILURES = 0
const LAST_AT = 1
const EXPIRES_AT = 2
const LOCKED_UNTIL = 3
const HELD = 4
const HELD_UNTIL = 5
const RING_INITIAL = 1024

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
/** Buckets examined for expiry each time one is created. */
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
  // Per slot, side by side in one array so that a bucket's state is one cache line: failures,
  // last failure, expiry, lock lift, places held by reservations in flight, and until when (ms;
  // Infinity for never, 0 for none).
  #data = new Float64Array(0)
  #sweep: IterableIterator<[string, number]> | null = null
  #evict: IterableIterator<[string, number]> | null = null
  #sweepOwed = 0
  // Reservations in flight: a ring indexed by sequence number, holding each one's number and
  // deadline (0 once settled). Tokens are `seq@deadline`. The ring doubles when it would overwrite
  // a reservation still in flight, so none is ever forgotten; no Map churns on the hot path.
  #ringSeq = new Float64Array(RING_INITIAL)
  #ringUntil = new Float64Array(RING_INITIAL)
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
    return Promise.resolve(this.#stateOf(this.#lookup(input.buckets), input))
  }

  reserve(input: CountInput): Promise<ReserveResult> {
    try {
      const result = this.#reserve(input)
      this.#paySweep(input.now)
      return Promise.resolve(result)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  settle(input: SettleInput): Promise<CountResult> {
    try {
      const result = this.#settle(input)
      this.#paySweep(input.now)
      return Promise.resolve(result)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  recordFailure(input: CountInput): Promise<CountResult> {
    try {
      const slots = this.#ensure(input.buckets, this.#lookup(input.buckets), input.now)
      this.#writeFailures(slots, input)
      const state = this.#stateOf(slots, input)
      this.#paySweep(input.now)
      return Promise.resolve(state)
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
      if (fields && matchesReset(fields, filter) && this.#delete(key)) removed++
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
    const out: AttemptSnapshot[] = this.#details(options.now).map(snapshotOf)
    out.sort((a, b) => b.attemptTime.getTime() - a.attemptTime.getTime())
    return Promise.resolve(options.limit === undefined ? out : out.slice(0, options.limit))
  }

  // ----- the admin pages' queries: one entry per bucket (a bucket keeps no path nor request data)

  queryAttempts(query: AttemptQuery): Promise<QueryPage<AttemptDetail>> {
    return Promise.resolve(
      pageOfAttempts(this.#details(query.now, query.lockedOut === true), query),
    )
  }

  getAttempt(id: string, options: { now: number }): Promise<AttemptDetail | null> {
    const slot = this.#index.get(id)
    return Promise.resolve(slot === undefined ? null : this.#detail(id, slot, options.now))
  }

  deleteAttempts(ids: readonly string[]): Promise<number> {
    let removed = 0
    for (const id of ids) if (this.#delete(id)) removed++
    return Promise.resolve(removed)
  }

  cleanExpiredAttempts(options: { now: number }): Promise<number> {
    let removed = 0
    for (const [key, slot] of [...this.#index]) {
      if (this.#isDead(slot, options.now) && this.#delete(key)) removed++
    }
    return Promise.resolve(removed)
  }

  attemptStats(query: AttemptStatsQuery): Promise<AttemptStats> {
    // Read straight from the slots (no entry objects: a store under attack holds many buckets).
    const { now } = query
    const tally = bucketTally(query)
    for (const [key, slot] of this.#index) {
      const base = slot * STRIDE
      const failures = this.#data[base + FAILURES] ?? 0
      if (failures === 0 || this.#expired(slot, now)) continue
      tally.add(key, failures, this.#data[base + LAST_AT] ?? 0, (this.#lockLift(slot) ?? 0) > now)
    }
    return Promise.resolve(tally.result())
  }

  /** Every bucket with failures that still count (only the locked ones with `lockedOnly`). */
  #details(now: number, lockedOnly = false): AttemptDetail[] {
    const out: AttemptDetail[] = []
    for (const [key, slot] of this.#index) {
      if (lockedOnly && !((this.#lockLift(slot) ?? 0) > now)) continue
      const detail = this.#detail(key, slot, now)
      if (detail !== null) out.push(detail)
    }
    return out
  }

  /** A bucket as an admin entry (null once expired). */
  #detail(key: string, slot: number, now: number): AttemptDetail | null {
    const base = slot * STRIDE
    const failures = this.#data[base + FAILURES] ?? 0
    if (failures === 0 || this.#expired(slot, now)) return null
    const fields = decodeBucketKey(key) ?? {}
    const lockedUntil = this.#lockLift(slot)
    const expiresAt = this.#data[base + EXPIRES_AT] ?? 0
    return {
      id: key,
      ipAddress: fields.ip_address ?? null,
      username: fields.username ?? null,
      userAgent: fields.user_agent ?? null,
      failures,
      attemptTime: new Date(this.#data[base + LAST_AT] ?? 0),
      lockedUntil: lockedUntil !== null && lockedUntil > now ? lockedUntil : null,
      pathInfo: null,
      httpAccept: null,
      getData: null,
      postData: null,
      expiresAt: Number.isFinite(expiresAt) ? new Date(expiresAt) : null,
    }
  }

  close(): Promise<void> {
    this.#clear()
    return Promise.resolve()
  }

  // ----- internals -----

  #reserve(input: CountInput): ReserveResult {
    const { buckets, rule, now } = input
    let slots = this.#lookup(buckets)
    const state = this.#stateOf(slots, input)
    if (state.lockedUntil !== null) {
      if (!rule.recordLockedAttempts) return reserveResult(state, 'locked', null, false)
      slots = this.#ensure(buckets, slots, now)
      this.#writeFailures(slots, input)
      return reserveResult(this.#stateOf(slots, input), 'locked', null, true)
    }
    if (rule.lockOutAtFailure) {
      for (const slot of slots) {
        if (slot < 0) continue
        const room = attemptsLeft(rule, this.#currentFailures(slot, input))
        if (this.#currentPending(slot, now) >= room) {
          return reserveResult(state, 'busy', null, false)
        }
      }
    }
    const until = now + rule.reservationTtlMs
    for (const slot of this.#ensure(buckets, slots, now)) {
      const held = this.#currentPending(slot, now)
      const base = slot * STRIDE
      this.#data[base + HELD] = held + 1
      if ((this.#data[base + HELD_UNTIL] ?? 0) < until) this.#data[base + HELD_UNTIL] = until
    }
    // The token carries its deadline, so a settle after the reservation was forgotten can still
    // tell "expired" (record the failure) from "settled already" (do nothing).
    const seq = ++this.#reservationSeq
    if ((this.#ringUntil[seq & (this.#ringSeq.length - 1)] ?? 0) > now) this.#growRing(now)
    const at = seq & (this.#ringSeq.length - 1)
    this.#ringSeq[at] = seq
    this.#ringUntil[at] = until
    const token = `${seq}@${until}`
    return reserveResult(state, 'reserved', token, false)
  }

  #settle(input: SettleInput): CountResult {
    const token = input.reservation
    const sep = token.indexOf('@')
    const seq = Number(token.slice(0, sep))
    const at = seq & (this.#ringSeq.length - 1)
    if (sep < 0 || this.#ringSeq[at] !== seq || (this.#ringUntil[at] ?? 0) === 0) {
      // Unknown: settled already (nothing to do), or forgotten after its deadline (a reset of
      // everything, or a ring reused long after), when the place was already released but a wrong
      // password must still count.
      const deadline = Number(token.slice(sep + 1))
      if (input.outcome !== 'failure' || deadline > input.now) {
        return this.#stateOf(this.#lookup(input.buckets), input)
      }
      const slots = this.#ensure(input.buckets, this.#lookup(input.buckets), input.now)
      this.#writeFailures(slots, input)
      return this.#stateOf(slots, input)
    }
    this.#ringUntil[at] = 0
    let slots = this.#lookup(input.buckets)
    for (const slot of slots) {
      if (slot < 0) continue
      const held = this.#data[slot * STRIDE + HELD] ?? 0
      if (held > 0) this.#data[slot * STRIDE + HELD] = held - 1
    }
    if (input.outcome === 'failure') {
      slots = this.#ensure(input.buckets, slots, input.now)
      this.#writeFailures(slots, input)
    }
    return this.#stateOf(slots, input)
  }

  /** The slot of each bucket, or -1 where it has none. */
  #lookup(buckets: readonly Bucket[]): number[] {
    const slots: number[] = []
    for (const bucket of buckets) slots.push(this.#index.get(bucket.key) ?? -1)
    return slots
  }

  /** The client's state over its buckets' slots (-1: no state). */
  #stateOf(slots: readonly number[], input: CountInput): CountResult {
    let failures = 0
    let lockedUntil: number | null = null
    for (const slot of slots) {
      if (slot < 0) continue
      const current = this.#currentFailures(slot, input)
      if (current > failures) failures = current
      lockedUntil = laterLift(
        lockedUntil,
        activeLockUntil(input.rule, current, this.#data[slot * STRIDE + LAST_AT] ?? 0, input.now),
      )
    }
    return { failures, lockedUntil }
  }

  #currentFailures(slot: number, input: CountInput): number {
    return currentFailures(
      input.rule,
      this.#data[slot * STRIDE + FAILURES] ?? 0,
      this.#data[slot * STRIDE + LAST_AT] ?? 0,
      input.now,
    )
  }

  #currentPending(slot: number, now: number): number {
    const held = this.#data[slot * STRIDE + HELD] ?? 0
    if (held === 0) return 0
    return (this.#data[slot * STRIDE + HELD_UNTIL] ?? 0) > now ? held : 0
  }

  /** Records one failure in each slot (made beforehand by #ensure: all or nothing). */
  #writeFailures(slots: readonly number[], input: CountInput): void {
    const { rule, now } = input
    const window = failureWindowMs(rule)
    const expiresAt = window === null ? Number.POSITIVE_INFINITY : now + window
    for (const slot of slots) {
      const failures = this.#currentFailures(slot, input) + 1
      const base = slot * STRIDE
      this.#data[base + FAILURES] = failures
      this.#data[base + LAST_AT] = now
      this.#data[base + EXPIRES_AT] = expiresAt
      this.#data[base + LOCKED_UNTIL] = bucketLockedUntil(rule, failures, now) ?? 0
    }
  }

  /**
   * The slots looked up for the buckets, with the missing ones (-1) created. Room for all of them
   * is made first, so that a full store refuses the whole operation rather than half of it.
   */
  #ensure(buckets: readonly Bucket[], looked: readonly number[], now: number): number[] {
    let missing = 0
    for (const slot of looked) if (slot < 0) missing++
    if (missing === 0) return looked as number[]
    // The store grows only here: owe a sweep of a few expired buckets for each one created, paid
    // once the operation has written its buckets (a fresh, unwritten slot would look expired).
    this.#sweepOwed += missing * SWEEP_PER_WRITE
    const slots = looked.slice()
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
    this.#data.fill(0, slot * STRIDE, slot * STRIDE + STRIDE)
    // Keys arrive as concatenations (V8 cons strings, about twice the size); store a flat copy.
    this.#index.set(JSON.parse(JSON.stringify(key)) as string, slot)
    return slot
  }

  /** Whether `now` is past the slot's expiry. */
  #expired(slot: number, now: number): boolean {
    return (this.#data[slot * STRIDE + EXPIRES_AT] ?? 0) <= now
  }

  /** When the slot's lock lifts (ms), Infinity, or null. */
  #lockLift(slot: number): number | null {
    const at = this.#data[slot * STRIDE + LOCKED_UNTIL] ?? 0
    return at === 0 ? null : at
  }

  #isDead(slot: number, now: number): boolean {
    return this.#expired(slot, now) && this.#currentPending(slot, now) === 0
  }

  #isPrecious(slot: number, now: number): boolean {
    const lift = this.#lockLift(slot)
    return (lift !== null && lift > now) || this.#currentPending(slot, now) > 0
  }

  #makeRoom(now: number, keep: readonly Bucket[]): void {
    // The oldest bucket that is neither locked nor busy goes, found by a cursor that walks the
    // buckets in creation order and wraps around: each scan starts where the last one stopped, so
    // locked and busy buckets met on the way are passed over until the next round, and a store
    // kept full costs a step or two a new bucket (restarting from the first bucket each time would
    // walk over every deleted entry the Map still holds at its front: hundreds of microseconds).
    for (let scanned = 0; scanned < EVICTION_SCAN; scanned++) {
      this.#evict ??= this.#index.entries()
      const step = this.#evict.next()
      if (step.done) {
        this.#evict = null
        if (this.#index.size === 0) return
        continue
      }
      const [key, slot] = step.value
      if (keep.some((bucket) => bucket.key === key)) continue
      if (!this.#isPrecious(slot, now)) {
        this.#delete(key)
        return
      }
    }
    throw new AxesStoreError(
      `the memory handler is full: its ${this.#max} buckets are at maxBuckets and the ${EVICTION_SCAN} oldest are locked out or busy (raise maxBuckets)`,
    )
  }

  #paySweep(now: number): void {
    if (this.#sweepOwed === 0) return
    const count = this.#sweepOwed
    this.#sweepOwed = 0
    this.#sweepSome(now, count)
  }

  #sweepSome(now: number, count: number): void {
    for (let i = 0; i < count; i++) {
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

  /** Doubles the reservation ring, keeping every reservation still in flight. */
  #growRing(now: number): void {
    const oldSeq = this.#ringSeq
    const oldUntil = this.#ringUntil
    const size = oldSeq.length * 2
    this.#ringSeq = new Float64Array(size)
    this.#ringUntil = new Float64Array(size)
    for (let i = 0; i < oldSeq.length; i++) {
      const until = oldUntil[i] ?? 0
      if (until <= now) continue
      const seq = oldSeq[i] ?? 0
      this.#ringSeq[seq & (size - 1)] = seq
      this.#ringUntil[seq & (size - 1)] = until
    }
  }

  #delete(key: string): boolean {
    const slot = this.#index.get(key)
    if (slot === undefined) return false
    this.#index.delete(key)
    this.#free.push(slot)
    return true
  }

  /** Deletes every bucket; reservations in flight stay valid (their failures still count). */
  #clearBuckets(): void {
    this.#index.clear()
    this.#free.length = 0
    this.#next = 0
    this.#sweep = null
    this.#evict = null
  }

  #clear(): void {
    this.#index.clear()
    this.#free.length = 0
    this.#next = 0
    this.#sweep = null
    this.#evict = null
    this.#ringSeq = new Float64Array(RING_INITIAL)
    this.#ringUntil = new Float64Array(RING_INITIAL)
  }

  #grow(capacity: number): void {
    const next = new Float64Array(capacity * STRIDE)
    next.set(this.#data)
    this.#data = next
    this.#capacity = capacity
  }
}
