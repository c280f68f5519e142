/**
 * The memory handler's bucket store: the buckets' state in this process, bounded in bytes
 * (`maxBytes`, and `maxBuckets` if given), without a timer per key.
 *
 * Layout: one `Map` from bucket key to a slot number, and the slot's state side by side in one
 * Float64Array (failures, last failure, expiry, lock, places held and until when). No object per
 * bucket, no timer per bucket. Expired buckets are swept a few at a time whenever a bucket is
 * created, and whenever room is needed.
 *
 * The bound is an estimate of the heap the store holds, kept as it changes: the slots' array as
 * allocated (with the free list's share, `SLOT_BYTES` a slot of capacity, including the slack of
 * its doubling), plus, per bucket, `KEY_BYTES` for its Map entry and string header and two bytes
 * per UTF-16 code unit of its key (V8 keeps a string in one or two bytes a character: two bounds
 * both). The array only doubles when the doubled array fits in the budget; otherwise a bucket
 * goes to make room. test/proof/memory-attack.test.ts measures the heap against it.
 *
 * Room is made by deleting the oldest bucket (by creation) that is neither locked nor holding
 * places, found by a cursor that walks the buckets in creation order, wrapping around. Locked
 * buckets are passed over, so that a flood of new clients cannot erase a lockout while the store
 * holds anything else; those met are passed over until the next round, so the next search looks
 * further on. When the next 256 buckets are all locked or busy, the oldest locked one met goes:
 * a full store never refuses a new client (it would refuse everyone who has no failures), and a
 * store full of lockouts loses its oldest (it took `failureLimit` failures for each lockout in the
 * budget to get there). When all 256 are busy (logins in flight hold places in them), the new
 * bucket is made over the budget: places in flight are bounded by the requests in flight. The
 * search is bounded so that a store full of lockouts costs the same per request as an empty one.
 */

import type { Bucket } from '../../ground/buckets.js'

/** The fields of a slot in `BucketStore.data`, and how many there are. */
export const STRIDE = 6
/** Failures counted in the bucket. */
export const FAILURES = 0
/** When the last failure was recorded (ms). */
export const LAST_AT = 1
/** When the bucket's failures stop counting (ms; Infinity for never, 0 for a fresh slot). */
export const EXPIRES_AT = 2
/** When the bucket's lock lifts (ms; Infinity for never, 0 for no lock). */
export const LOCKED_UNTIL = 3
/** Places held by reservations in flight. */
export const HELD = 4
/** Until when the places are held (ms). */
export const HELD_UNTIL = 5

/**
 * Estimated bytes per slot of the slots' array as allocated: its six numbers (48) and the free
 * list's entry (8).
 */
export const SLOT_BYTES = 56
/**
 * Estimated bytes per bucket besides its slot and its key's characters: the Map's entry with the
 * slack of its hash table (which doubles, and keeps deleted entries until it rehashes), and the
 * key string's header and alignment.
 */
export const KEY_BYTES = 136

/** The estimated bytes of a bucket's key in the store: its Map entry and its string. */
export const keyBytes = (key: string): number => KEY_BYTES + 2 * key.length

const INITIAL_CAPACITY = 1024
/** Buckets examined for expiry each time one is created. */
const SWEEP_PER_WRITE = 2
/** Buckets examined, at most, to make room for a new one. */
const EVICTION_SCAN = 256

/** The buckets of a memory handler: keys, slots, their state, and the bounds on their size. */
export class BucketStore {
  /** The most buckets kept (`maxBuckets`; Infinity when not given). */
  readonly max: number
  /** The most bytes kept, as estimated (`maxBytes`). */
  readonly maxBytes: number
  /** Bucket key → slot number. */
  readonly index = new Map<string, number>()
  /**
   * Per slot, side by side in one array so that a bucket's state is one cache line: the fields
   * above, at `slot * STRIDE + FIELD`. Replaced by a larger one as the store grows.
   */
  data = new Float64Array(0)
  readonly #free: number[] = []
  #capacity = 0
  #next = 0
  #sweep: IterableIterator<[string, number]> | null = null
  #evict: IterableIterator<[string, number]> | null = null
  #sweepOwed = 0
  #keyBytes = 0

  constructor(max: number, maxBytes: number) {
    this.max = max
    this.maxBytes = maxBytes
    // Stryker disable next-line MethodExpression: a smaller first array only doubles sooner
    this.#grow(Math.max(1, Math.min(INITIAL_CAPACITY, max, Math.floor(maxBytes / 4 / SLOT_BYTES))))
  }

  /** The store's estimated bytes: the slots' array as allocated, and every bucket's key. */
  get bytes(): number {
    return this.#capacity * SLOT_BYTES + this.#keyBytes
  }

  /** The slot of each bucket, or -1 where it has none. */
  lookup(buckets: readonly Bucket[]): number[] {
    const slots: number[] = []
    for (const bucket of buckets) slots.push(this.index.get(bucket.key) ?? -1)
    return slots
  }

  /**
   * The slots looked up for the buckets, with the missing ones (-1) created. Room is made for each
   * one first (never at the expense of the buckets of this operation).
   */
  ensure(buckets: readonly Bucket[], looked: readonly number[], now: number): number[] {
    let missing = 0
    // Stryker disable next-line ConditionalExpression,EqualityOperator: only the sweep's pace and the fast path below depend on the count
    for (const slot of looked) if (slot < 0) missing++
    // Stryker disable next-line ConditionalExpression: the fast path; the loop below creates nothing either
    if (missing === 0) return looked as number[]
    // The store grows only here: owe a sweep of a few expired buckets for each one created, paid
    // once the operation has written its buckets (a fresh, unwritten slot would look expired).
    this.#sweepOwed += missing * SWEEP_PER_WRITE
    // Stryker disable next-line MethodExpression: the copy only spares the caller's array, which no caller reads again
    const slots = looked.slice()
    // Stryker disable next-line EqualityOperator: the index past the end is no -1, and is skipped
    for (let i = 0; i < slots.length; i++) {
      if (slots[i] !== -1) continue
      const key = (buckets[i] as Bucket).key
      const cost = keyBytes(key)
      while (
        // Stryker disable next-line ConditionalExpression,EqualityOperator: an empty store has nothing to give, and #makeRoom says so
        this.index.size > 0 &&
        (this.index.size + 1 > this.max || this.bytes + cost > this.maxBytes) &&
        this.#makeRoom(now, buckets)
      ) {}
      slots[i] = this.#create(key, cost, now, buckets)
    }
    return slots
  }

  /** Places held in the slot by reservations still in flight at `now`. */
  currentPending(slot: number, now: number): number {
    const held = this.data[slot * STRIDE + HELD] ?? 0
    // Stryker disable next-line ConditionalExpression: the fast path; the test below answers 0 too
    if (held === 0) return 0
    return (this.data[slot * STRIDE + HELD_UNTIL] ?? 0) > now ? held : 0
  }

  /** Whether `now` is past the slot's expiry. */
  expired(slot: number, now: number): boolean {
    return (this.data[slot * STRIDE + EXPIRES_AT] ?? 0) <= now
  }

  /** When the slot's lock lifts (ms), Infinity, or null. */
  lockLift(slot: number): number | null {
    const at = this.data[slot * STRIDE + LOCKED_UNTIL] ?? 0
    // Stryker disable next-line ConditionalExpression: every caller compares the lift with now, and 0 is never after it
    return at === 0 ? null : at
  }

  /** Whether the slot is expired and holds no place: it can go. */
  isDead(slot: number, now: number): boolean {
    return this.expired(slot, now) && this.currentPending(slot, now) === 0
  }

  /** Pays the sweep owed by the buckets created since the last payment. */
  paySweep(now: number): void {
    // Stryker disable next-line ConditionalExpression: the fast path; a sweep of 0 buckets does nothing
    if (this.#sweepOwed === 0) return
    const count = this.#sweepOwed
    this.#sweepOwed = 0
    this.#sweepSome(now, count)
  }

  /** Deletes a bucket; whether it was there. */
  delete(key: string): boolean {
    const slot = this.index.get(key)
    if (slot === undefined) return false
    this.index.delete(key)
    this.#keyBytes -= keyBytes(key)
    this.#free.push(slot)
    return true
  }

  /** Deletes every bucket. */
  clear(): void {
    this.index.clear()
    this.#keyBytes = 0
    this.#free.length = 0
    this.#next = 0
    this.#sweep = null
    this.#evict = null
  }

  #create(key: string, cost: number, now: number, keep: readonly Bucket[]): number {
    let slot = this.#free.pop()
    if (slot === undefined && this.#next >= this.#capacity) {
      // Double the array only if the doubled array fits; otherwise a bucket goes, freeing a slot
      // (none when every bucket is busy: then the array grows over the budget).
      const capacity = Math.min(this.#capacity * 2, this.max)
      const fits = this.bytes + cost + (capacity - this.#capacity) * SLOT_BYTES <= this.maxBytes
      if (fits || !this.#makeRoom(now, keep)) this.#grow(Math.max(capacity, this.#capacity + 1))
      slot = this.#free.pop()
    }
    if (slot === undefined) slot = this.#next++
    this.data.fill(0, slot * STRIDE, slot * STRIDE + STRIDE)
    // Keys arrive as concatenations (V8 cons strings, about twice the size); store a flat copy.
    this.index.set(JSON.parse(JSON.stringify(key)) as string, slot)
    this.#keyBytes += cost
    return slot
  }

  #isLocked(slot: number, now: number): boolean {
    const lift = this.lockLift(slot)
    // Stryker disable next-line ConditionalExpression: null > now is false, as the null test says
    return lift !== null && lift > now
  }

  /** Deletes one bucket to make room; whether one went (none when all those met are busy). */
  #makeRoom(now: number, keep: readonly Bucket[]): boolean {
    // The oldest bucket that is neither locked nor busy goes, found by a cursor that walks the
    // buckets in creation order and wraps around: each scan starts where the last one stopped, so
    // locked and busy buckets met on the way are passed over until the next round, and a store
    // kept full costs a step or two a new bucket (restarting from the first bucket each time would
    // walk over every deleted entry the Map still holds at its front: hundreds of microseconds).
    // Failing that, the first locked bucket met that holds no place goes.
    let locked: string | null = null
    for (let scanned = 0; scanned < EVICTION_SCAN; scanned++) {
      this.#evict ??= this.index.entries()
      const step = this.#evict.next()
      if (step.done) {
        this.#evict = null
        // Stryker disable next-line ConditionalExpression,BooleanLiteral: unreachable, no caller makes room in an empty store (and the scan is bounded)
        if (this.index.size === 0) return false
        continue
      }
      const [key, slot] = step.value
      if (keep.some((bucket) => bucket.key === key)) continue
      if (this.currentPending(slot, now) > 0) continue
      if (!this.#isLocked(slot, now)) return this.delete(key)
      locked ??= key
    }
    // Stryker disable next-line ConditionalExpression: delete(null) finds nothing
    return locked !== null && this.delete(locked)
  }

  #sweepSome(now: number, count: number): void {
    for (let i = 0; i < count; i++) {
      this.#sweep ??= this.index.entries()
      const step = this.#sweep.next()
      if (step.done) {
        this.#sweep = null
        return
      }
      const [key, slot] = step.value
      if (this.isDead(slot, now)) this.delete(key)
    }
  }

  #grow(capacity: number): void {
    const next = new Float64Array(capacity * STRIDE)
    next.set(this.data)
    this.data = next
    this.#capacity = capacity
  }
}
