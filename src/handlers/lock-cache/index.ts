/**
 * The lock cache: floods of a locked client answered from the process's own memory.
 *
 * `withLockCache(handler)` wraps a shared handler: the database and Redis handlers are made
 * through it unless their `lockCache` option is `false`, and a custom shared handler can be. When the store answers that a
 * client is locked, the answer is kept; for the next `maxStaleMs` (one second) the client's
 * `getFailures`, `reserve` and `recordFailure` are answered from memory, without a store operation.
 * After that, the first of its attempts goes to the store again (its `reserve` records the refused
 * attempt there, with `resetCoolOffOnFailureDuringLockout`), and the store's answer replaces the
 * kept one; attempts that arrive while that call is under way wait for it. So a flood of one locked
 * client costs the store at most one operation a second, and:
 *
 * - nothing the store would refuse is let through: only locks are kept, and an attempt the cache
 *   does not refuse goes to the store as before;
 * - nothing the store would let through is refused for more than `maxStaleMs`: a kept lock is used
 *   only while the store's own lift time is ahead and the store was asked less than `maxStaleMs`
 *   ago, under the same rule; a reset made anywhere (admin, command line, another process) is thus
 *   honoured within `maxStaleMs`, and a reset through this handler at once.
 *
 * What it changes: a refused attempt answered from memory is not stored (`recorded: false`), so
 * during a flood a client's failures rise by one a second at most and its cool-off restarts from the
 * last stored refusal (at most `maxStaleMs` before the last one). With lockout tiers, refused
 * attempts that would take the client to a higher tier are all written, as before: the cache
 * answers only once the top tier is reached. With the access failure log
 * (`enableAccessFailureLog`), every refused attempt is written as before (the log has a line for
 * each); only checks (`getFailures`) are answered from memory. The keys are a client's set of
 * buckets; the memory is bounded in bytes (`maxBytes`), the oldest answers going first.
 *
 * @module
 */

import type { Awaitable } from '../../ground/awaitable.js'
import type {
  AxesHandler,
  CountInput,
  CountResult,
  HandlerSettings,
  ReserveResult,
  SettleInput,
} from '../../ground/contract.js'
import { AxesError } from '../../ground/errors.js'
import type { LockoutRule } from '../../ground/rule.js'
import { LockCache, type LockEntry, lockKeyOf, sameLockRule } from './cache.js'

export { LockCache } from './cache.js'

/** Options of `withLockCache`. */
export interface LockCacheOptions {
  /**
   * How long a lock the store reported is answered from memory before the store is asked again:
   * the longest a reset made elsewhere can go unseen.
   * @default 1000 (ms)
   */
  maxStaleMs?: number
  /**
   * The memory the kept locks may take, in bytes (each costs its key's characters twice plus 160).
   * @default 1_048_576
   */
  maxBytes?: number
  /** A monotonic clock in milliseconds, for tests. @default performance.now */
  clock?: () => number
}

const CACHED = Symbol.for('node-axes.lockCache')
const UNCACHED = Symbol.for('node-axes.lockCache.handler')

/** The cache of a handler made by `withLockCache`, or undefined for any other handler. */
export function lockCacheOf(handler: AxesHandler): LockCache | undefined {
  return (handler as unknown as Record<symbol, LockCache | undefined>)[CACHED]
}

/**
 * The handler a `withLockCache` handler wraps (the store asked every time), or the handler itself
 * when it has no lock cache.
 */
export function uncachedHandler(handler: AxesHandler): AxesHandler {
  return (handler as unknown as Record<symbol, AxesHandler | undefined>)[UNCACHED] ?? handler
}

/**
 * Wraps a shared handler with the lock cache (see the module's description). The wrapper is the
 * handler in every other respect: its name, capabilities and methods (`migrate`, `probe`, the
 * admin queries) are the handler's. A handler wrapped already is returned as it is. The database
 * and Redis handlers come wrapped (their `lockCache` option); this is for a handler of your own.
 *
 * @example
 * ```ts
 * import { createAxes, withLockCache } from 'node-axes'
 *
 * const axes = createAxes({ handler: withLockCache(myHandler()) })
 * ```
 */
export function withLockCache<H extends AxesHandler>(
  handler: H,
  options: LockCacheOptions = {},
): H {
  if (lockCacheOf(handler)) return handler
  const maxStaleMs = options.maxStaleMs ?? 1000
  const maxBytes = options.maxBytes ?? 1_048_576
  if (!(maxStaleMs >= 0 && Number.isFinite(maxStaleMs))) {
    throw new AxesError('AXES_INVALID_OPTIONS', 'withLockCache: maxStaleMs must be a number ≥ 0')
  }
  if (!(Number.isInteger(maxBytes) && maxBytes >= 0)) {
    throw new AxesError(
      'AXES_INVALID_OPTIONS',
      'withLockCache: maxBytes must be a whole number ≥ 0',
    )
  }
  const clock = options.clock ?? (() => performance.now())
  const cache = new LockCache(maxBytes)
  // Bumped by every reset through this handler: an answer asked for before it is not kept.
  let epoch = 0
  // With the access failure log, every refused attempt is written (the log wants its line).
  let logsEveryFailure = false

  /** Calls the store and keeps what it says of the client. */
  const ask = <R extends CountResult>(key: string, input: CountInput, call: () => Awaitable<R>) => {
    const startedAt = clock()
    const asked = epoch
    const keep = (result: R): R => {
      if (asked !== epoch) return result
      const until = result.lockedUntil
      cache.learn(
        key,
        input.rule,
        result.failures,
        until !== null && until > input.now ? until : null,
        startedAt,
      )
      return result
    }
    const answer = call()
    return answer instanceof Promise ? answer.then(keep) : keep(answer)
  }

  /** Answers from the kept lock while it is fresh; otherwise asks the store, one call at a time. */
  const cached = <R extends CountResult>(
    input: CountInput,
    writes: boolean,
    local: (entry: LockEntry) => R,
    method: 'getFailures' | 'reserve' | 'recordFailure',
  ): Awaitable<R> => {
    const key = lockKeyOf(input.buckets)
    const entry = cache.get(key)
    if (
      entry === undefined ||
      !(entry.lockedUntil > input.now) ||
      !sameLockRule(entry.rule, input.rule) ||
      (writes && (logsEveryFailure || climbsTier(input.rule, entry.failures)))
    ) {
      return ask(key, input, () => handler[method](input) as Awaitable<R>)
    }
    if (clock() - entry.checkedAt < maxStaleMs) return local(entry)
    const call = () => handler[method](input) as Awaitable<R>
    if (entry.refreshing !== null) {
      // Wait for the store's answer and decide again; if the store failed, ask it as if there
      // were no cache (each request its own call and its own error), not one after another.
      return entry.refreshing.then(
        () => cached(input, writes, local, method),
        () => ask(key, input, call),
      )
    }
    let refresh: Promise<R>
    try {
      refresh = Promise.resolve(ask(key, input, call))
    } catch (error) {
      return Promise.reject(error)
    }
    entry.refreshing = refresh
    const done = () => {
      entry.refreshing = null
    }
    refresh.then(done, done)
    return refresh
  }

  /** A change made through this handler: forget every kept lock, before and after it. */
  const resetting =
    <A extends unknown[], R>(fn: (...args: A) => Awaitable<R>) =>
    async (...args: A): Promise<R> => {
      epoch++
      cache.clear()
      try {
        return await fn(...args)
      } finally {
        epoch++
        cache.clear()
      }
    }

  const counting: Record<PropertyKey, unknown> = {
    [CACHED]: cache,
    [UNCACHED]: handler,
    attach: (settings: HandlerSettings) => {
      logsEveryFailure = settings.enableAccessFailureLog
      handler.attach?.(settings)
    },
    getFailures: (input: CountInput) => cached(input, false, stateOf, 'getFailures'),
    reserve: (input: CountInput) =>
      cached(input, input.rule.recordLockedAttempts, refusalOf, 'reserve'),
    recordFailure: (input: CountInput) => cached(input, true, stateOf, 'recordFailure'),
    // A settle always reaches the store (it releases a place); what it says of the lock is kept.
    settle: (input: SettleInput) =>
      ask(lockKeyOf(input.buckets), input, () => handler.settle(input)),
    resetBuckets: resetting((buckets: Parameters<AxesHandler['resetBuckets']>[0]) =>
      handler.resetBuckets(buckets),
    ),
    resetAttempts: resetting((filter: Parameters<AxesHandler['resetAttempts']>[0]) =>
      handler.resetAttempts(filter),
    ),
    close: resetting(() => handler.close?.()),
  }
  for (const name of ['deleteAttempts', 'cleanExpiredAttempts'] as const) {
    const fn = handler[name] as ((...args: unknown[]) => Awaitable<unknown>) | undefined
    if (typeof fn === 'function') counting[name] = resetting((...args) => fn.apply(handler, args))
  }
  return forwarding(handler, counting)
}

/**
 * A shared handler's `lockCache` option applied: the handler through the lock cache (on unless
 * `false`; an object sets its options).
 */
export function lockCacheFor<H extends AxesHandler>(
  handler: H,
  option: boolean | LockCacheOptions | undefined,
): H {
  if (option === false) return handler
  return withLockCache(handler, option === true || option === undefined ? {} : option)
}

/** A kept lock as a state (`getFailures`, `recordFailure`). */
function stateOf(entry: LockEntry): CountResult {
  return { failures: entry.failures, lockedUntil: entry.lockedUntil }
}

/** A kept lock as a refused reservation: nothing held, nothing stored. */
function refusalOf(entry: LockEntry): ReserveResult {
  return {
    failures: entry.failures,
    lockedUntil: entry.lockedUntil,
    outcome: 'locked',
    reservation: null,
    recorded: false,
  }
}

/**
 * Whether one more failure would take a client with `failures` to a higher lockout tier: such a
 * refused attempt is always written, so that a flood climbs the tiers as every attempt would.
 */
function climbsTier(rule: LockoutRule, failures: number): boolean {
  const top = rule.tiers[rule.tiers.length - 1]
  return top !== undefined && failures < top.failures
}

/**
 * The handler seen through `overrides`: a plain object whose prototype is the handler (so that its
 * fields read through, and `instanceof` holds), with the overrides and, bound to the handler, every
 * other method and getter it has (its private fields need `this` to be the handler itself).
 */
function forwarding<H extends AxesHandler>(handler: H, overrides: Record<PropertyKey, unknown>): H {
  const view = Object.create(handler) as Record<PropertyKey, unknown>
  for (let o: object | null = handler; o !== null && o !== Object.prototype; ) {
    for (const name of Reflect.ownKeys(o)) {
      if (name === 'constructor' || Object.hasOwn(view, name) || Object.hasOwn(overrides, name)) {
        continue
      }
      const d = Object.getOwnPropertyDescriptor(o, name)
      if (typeof d?.value === 'function') {
        view[name] = (d.value as (...args: unknown[]) => unknown).bind(handler)
      } else if (d?.get !== undefined) {
        const get = d.get
        Object.defineProperty(view, name, { get: () => get.call(handler), enumerable: false })
      }
    }
    o = Object.getPrototypeOf(o) as object | null
  }
  Object.assign(view, overrides)
  return view as H
}
