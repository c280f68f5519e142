/**
 * The memory handler itself: its options, its factory, and the class that answers the handler
 * contract by putting together the bucket store (store.ts), the counting (counting.ts), the
 * reservations (reservations.ts) and the listings (listings.ts).
 */

import type { Promising } from '../../ground/awaitable.js'
import type { Bucket } from '../../ground/buckets.js'
import type {
  CountInput,
  CountingStore,
  CountResult,
  HandlerCapabilities,
  ReserveResult,
  ResetFilter,
  SettleInput,
} from '../../ground/contract.js'
import type {
  AttemptDetail,
  AttemptListing,
  AttemptSnapshot,
  BucketBrowser,
} from '../../ground/contract-browsing.js'
import { AxesConfigError } from '../../ground/errors.js'
import { snapshotOf } from '../entries.js'
import { recordFailure, stateOf } from './counting.js'
import { deleteExpired, deleteKeys, detailOf, detailsOf, resetMatching } from './listings.js'
import { ReservationRing, reserve, settle } from './reservations.js'
import { BucketStore } from './store.js'

/** The default `maxBytes`: 128 MiB. */
export const DEFAULT_MAX_BYTES = 128 * 1024 * 1024

/** Options of `memoryHandler`. */
export interface MemoryHandlerOptions {
  /**
   * The most bytes of heap the store may take, as it estimates them: the slots' array as
   * allocated, and for each bucket its key's characters at two bytes each plus a fixed share for
   * its entry (about 220 bytes for an IP bucket, 350 for a username+IP bucket with a username of
   * 60 multi-byte characters). When a new bucket would pass it, older buckets go (unlocked ones
   * first); a new client is never refused. At least 4,096.
   * @default 134_217_728 (128 MiB)
   */
  maxBytes?: number
  /**
   * The most buckets kept (a client has one bucket per lockout-parameter item), on top of
   * `maxBytes`. No limit but `maxBytes` when not given.
   */
  maxBuckets?: number
}

/** The memory handler, with its introspection. */
export interface MemoryHandler
  extends Promising<CountingStore>,
    Promising<AttemptListing>,
    Promising<BucketBrowser> {
  /**
   * No access logs; listing, and its buckets for the admin pages and the lock listing
   * (`buckets`: they page, sort, search, count and find the locks over the snapshot).
   */
  readonly supports: HandlerCapabilities
  /** How many buckets hold state now. */
  readonly size: number
  /** The store's estimated bytes now (what `maxBytes` bounds). */
  readonly bytes: number
  /** The bound on `bytes` (`maxBytes`). */
  readonly maxBytes: number
}

/**
 * Creates a memory handler: fast, exact under concurrency within one process, and lost when the
 * process ends. Not shared: with several processes use the database or Redis handler (check
 * axes.W010).
 *
 * @example
 * ```ts
 * import { createAxes, memoryHandler } from 'node-axes'
 *
 * const axes = createAxes({ handler: memoryHandler({ maxBytes: 32 * 1024 * 1024 }) })
 * ```
 */
export function memoryHandler(options: MemoryHandlerOptions = {}): MemoryHandler {
  const { maxBuckets = Number.POSITIVE_INFINITY, maxBytes = DEFAULT_MAX_BYTES } = options
  const problems = (
    [
      ['maxBuckets', options.maxBuckets ?? 1, 1],
      ['maxBytes', maxBytes, 4096],
    ] as const
  )
    .filter(([, value, min]) => !(Number.isInteger(value) && value >= min))
    .map(([key, value, min]) => ({ key, message: `expects a whole number ≥ ${min}, got ${value}` }))
  if (problems.length > 0) throw new AxesConfigError(problems, 'memoryHandler options')
  return new InMemoryHandler(maxBuckets, maxBytes)
}

class InMemoryHandler implements MemoryHandler {
  readonly name = 'memory'
  readonly shared = false
  readonly kind = 'memory' as const
  /** No access logs; listing; its buckets, for the admin pages and the lock listing. */
  readonly supports = {
    logs: false,
    list: true,
    browse: false,
    browseLogs: false,
    locks: false,
    buckets: true,
  } as const

  readonly #store: BucketStore
  readonly #ring = new ReservationRing()

  constructor(max: number, maxBytes: number) {
    this.#store = new BucketStore(max, maxBytes)
  }

  get size(): number {
    return this.#store.index.size
  }

  get bytes(): number {
    return this.#store.bytes
  }

  get maxBytes(): number {
    return this.#store.maxBytes
  }

  // ----- the contract -----

  // Every method answers with a promise (async: a throw is a rejection), as the contract's
  // handlers that talk to a server do, though the answer is there at once.

  async getFailures(input: CountInput): Promise<CountResult> {
    return stateOf(this.#store, this.#store.lookup(input.buckets), input)
  }

  async reserve(input: CountInput): Promise<ReserveResult> {
    const result = reserve(this.#store, this.#ring, input)
    this.#store.paySweep(input.now)
    return result
  }

  async settle(input: SettleInput): Promise<CountResult> {
    const result = settle(this.#store, this.#ring, input)
    this.#store.paySweep(input.now)
    return result
  }

  async recordFailure(input: CountInput): Promise<CountResult> {
    const state = recordFailure(this.#store, input)
    this.#store.paySweep(input.now)
    return state
  }

  async resetBuckets(buckets: readonly Bucket[]): Promise<number> {
    return deleteKeys(
      this.#store,
      buckets.map((bucket) => bucket.key),
    )
  }

  async resetAttempts(filter: ResetFilter): Promise<number> {
    // Reservations in flight stay valid when every bucket goes (their failures still count).
    return resetMatching(this.#store, filter)
  }

  async listAttempts(options: { limit?: number; now: number }): Promise<AttemptSnapshot[]> {
    const out: AttemptSnapshot[] = detailsOf(this.#store, options.now).map(snapshotOf)
    out.sort((a, b) => b.attemptTime.getTime() - a.attemptTime.getTime())
    // Stryker disable next-line ConditionalExpression: as false, slice(0, undefined) is the whole list too
    return options.limit === undefined ? out : out.slice(0, options.limit)
  }

  // ----- the admin pages' browsing: one entry per bucket (a bucket keeps no path nor request data);
  // the pages page, sort, search and count over the snapshot (node-axes/admin), so that
  // application bundles do not carry that.

  async snapshotBuckets(now: number): Promise<AttemptDetail[]> {
    return detailsOf(this.#store, now)
  }

  async getAttempt(id: string, options: { now: number }): Promise<AttemptDetail | null> {
    const slot = this.#store.index.get(id)
    // Stryker disable next-line ConditionalExpression: as false, an unknown slot reads no failures, and detailOf answers null too
    return slot === undefined ? null : detailOf(this.#store, id, slot, options.now)
  }

  async deleteAttempts(ids: readonly string[]): Promise<number> {
    return deleteKeys(this.#store, ids)
  }

  async cleanExpiredAttempts(options: { now: number }): Promise<number> {
    return deleteExpired(this.#store, options.now)
  }

  async close(): Promise<void> {
    this.#store.clear()
    this.#ring.clear()
  }
}
