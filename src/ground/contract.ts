/**
 * The handler contract: where attempts live and how they are counted.
 *
 * A handler is a plain object (made by a factory such as `memoryHandler()`) that the core calls
 * with everything already resolved: the client's lockout-parameter buckets, the rule in force for
 * this request (limit, cool-off, tiers, flags) and the current time. The handler never parses a
 * request and never reads options; it counts, atomically, and reports.
 *
 * Atomicity is the point of the contract. Each method below says what it must do as one indivisible
 * step with respect to every other call on the same buckets, in this process and, for a shared
 * handler, in every process that uses the same store. The conformance suite in `node-axes/testing`
 * holds every handler to it.
 *
 * Every method may answer with a value or a promise of it (`Awaitable`): the core awaits each
 * answer, so a store that counts synchronously (an in-process map, a synchronous SQLite driver)
 * needs no `Promise.resolve` wrapping, and a synchronous throw is a store error like a rejection.
 */

import type { Awaitable } from './awaitable.js'
import type { Bucket, LockoutParameterItem, LockoutParametersFunction } from './buckets.js'
import type {
  AttemptBrowser,
  AttemptListing,
  BucketBrowser,
  LogBrowser,
} from './contract-browsing.js'
import type { LockBrowser } from './contract-locks.js'
import type { AccessLogStore } from './contract-logs.js'
import type { WrongPasswordStore } from './contract-passwords.js'
import type { SourceStore } from './contract-sources.js'
import type { ClientIdentity } from './request.js'
import type { LockoutRule } from './rule.js'

/** What a failed attempt writes: django-axes' AccessAttempt fields for one request. */
export interface AttemptRecord extends ClientIdentity {
  /** The query string, masked and capped (django-axes' `get_data`). */
  readonly getData: string
  /** The body, masked and capped (django-axes' `post_data`). */
  readonly postData: string
  /** When the attempt happened. */
  readonly attemptTime: Date
}

/** The common input of the counting methods. */
export interface CountInput {
  /** The client's buckets, deduplicated by key; never empty. */
  readonly buckets: readonly Bucket[]
  /** The rule in force for this request. */
  readonly rule: LockoutRule
  /** The attempt as it would be stored. */
  readonly attempt: AttemptRecord
  /** The current time in milliseconds since the epoch (the core's clock; handlers use this, not their own). */
  readonly now: number
}

/** The state of a client across its buckets. */
export interface CountResult {
  /**
   * The client's failures: the largest of its buckets' current failures (django-axes takes the
   * maximum over lockout-parameter items). Expired failures count as 0.
   */
  readonly failures: number
  /**
   * When the lock lifts, in milliseconds since the epoch, if a bucket is locked: the latest lift
   * time over the locked buckets; `Infinity` when a bucket is locked until reset. Null when no
   * bucket is locked (or `lockOutAtFailure` is false).
   */
  readonly lockedUntil: number | null
}

/** The result of `reserve`. */
export interface ReserveResult extends CountResult {
  /**
   * - `reserved`: no bucket is locked and every bucket had room; one place is now held in each
   *   bucket until `settle`.
   * - `locked`: a bucket is locked; nothing was reserved.
   * - `busy`: no bucket is locked, but in some bucket failures plus places already held reach the
   *   limit; nothing was reserved.
   */
  readonly outcome: 'reserved' | 'locked' | 'busy'
  /** An opaque token for `settle`, present when `outcome` is `reserved`. */
  readonly reservation: string | null
  /** True when a locked attempt was recorded as a failure (`recordLockedAttempts`). */
  readonly recorded: boolean
}

/** The input of `settle`. */
export interface SettleInput extends CountInput {
  /** The token `reserve` returned. */
  readonly reservation: string
  /**
   * - `failure`: the credentials were wrong: release the place and record a failure in every bucket.
   * - `success` / `cancel`: release the place; record nothing.
   */
  readonly outcome: 'failure' | 'success' | 'cancel'
}

/** Which attempts `resetAttempts` removes (django-axes' `reset_attempts`). */
export interface ResetFilter {
  /** Attempts from this IP. */
  readonly ipAddress?: string | null
  /** Attempts for this username. */
  readonly username?: string | null
  /** With both given: attempts matching either (OR) instead of both (AND). */
  readonly ipOrUsername?: boolean
}

/** Handler settings the core passes once, when the handler is attached to an instance. */
export interface HandlerSettings {
  /** django-axes' `AXES_DISABLE_ACCESS_LOG`. */
  readonly disableAccessLog: boolean
  /** django-axes' `AXES_ENABLE_ACCESS_FAILURE_LOG`. */
  readonly enableAccessFailureLog: boolean
  /** django-axes' `AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT`. */
  readonly accessFailureLogPerUserLimit: number
  /** django-axes' `AXES_USE_ATTEMPT_EXPIRATION`. */
  readonly useAttemptExpiration: boolean
  /**
   * The instance's lockout parameters (django-axes' `AXES_LOCKOUT_PARAMETERS`), for a handler
   * that can only store some shapes of bucket to refuse the others when the instance is created.
   */
  readonly lockoutParameters?: readonly LockoutParameterItem[] | LockoutParametersFunction
}

/**
 * Counting: what every handler does. Every method is asynchronous so that database and Redis
 * handlers fit; the memory handler answers at once.
 */
export interface CountingStore {
  /** A short name for logs and checks, e.g. `memory`, `database`, `redis`. */
  readonly name: string
  /**
   * Whether the state is visible to every process that uses the same store. The memory handler is
   * not shared: several processes each keep their own counts (check `axes.W010`).
   */
  readonly shared: boolean
  /** django-axes' handler family, for the checks that depend on it. */
  readonly kind: 'database' | 'cache' | 'memory' | 'dummy' | 'test' | 'custom'

  /** Called once by `createAxes` with the settings that concern storage. */
  attach?(settings: HandlerSettings): void

  /**
   * Reads the client's state without changing it.
   *
   * Atomic: the failures and the lock are read as of one instant.
   */
  getFailures(input: CountInput): Awaitable<CountResult>

  /**
   * Checks the client and reserves one attempt, before its credentials are verified.
   *
   * Atomic, across all the given buckets at once: if any bucket is locked, answer `locked` (and,
   * with `recordLockedAttempts`, record a failure in the buckets that hold state, the locked one
   * among them, creating none: attempts refused by a lock must not grow the store); otherwise, if in any bucket the
   * failures plus the places already held reach `failureLimit`, answer `busy`; otherwise hold one
   * place in every bucket and answer `reserved`. No interleaving of concurrent `reserve` and
   * `settle` calls may let more than `failureLimit` attempts hold or have used a place in a bucket
   * within one cool-off: N parallel reservations for one client with no prior failures get exactly
   * `failureLimit` `reserved` answers.
   *
   * A place not settled within `rule.reservationTtlMs` may be dropped by the handler.
   */
  reserve(input: CountInput): Awaitable<ReserveResult>

  /**
   * Settles a reservation: releases its places and, for `failure`, records one failure in every
   * bucket (restarting expired buckets at 1, setting each bucket's last-failure time to `now`).
   * Returns the state after the write.
   *
   * Atomic: the release and the failure are one step; settling the same token twice within the
   * reservation time has no effect the second time. A `failure` settled after the reservation time
   * (when the handler may have dropped the place) is still recorded; a reset does not void
   * reservations in flight. A settle after the reservation time releases nothing: the place went
   * when its time passed, and a newer reservation may hold it now.
   */
  settle(input: SettleInput): Awaitable<CountResult>

  /**
   * Records a failure without a reservation (django-axes' `user_login_failed` for applications that
   * only report failures). Returns the state after the write. When the client is locked already
   * (the attempt was refused by its lock), the failure goes only to the buckets that hold state,
   * as in `reserve`.
   *
   * Atomic per call: concurrent calls on the same buckets never lose an increment.
   */
  recordFailure(input: CountInput): Awaitable<CountResult>

  /**
   * Deletes the state of exactly these buckets (reset on success). Returns how many held state.
   * Atomic per bucket.
   */
  resetBuckets(buckets: readonly Bucket[]): Awaitable<number>

  /**
   * Deletes stored attempts (django-axes' `reset_attempts`): by IP, by username, by both (AND),
   * by either (`ipOrUsername`), or, with no filter, all of them. Returns how many were removed.
   * A handler that stores counters per bucket removes every bucket whose ip_address or username
   * field matches: for IP and username together, a bucket matches when each of those two fields it
   * holds equals the given value.
   */
  resetAttempts(filter: ResetFilter): Awaitable<number>

  /**
   * Checks that the handler can work (its driver loads, its file opens for writing, its server
   * answers), connecting and migrating as its first operation would: `axes.ready()` awaits it.
   * Fails with an `AxesError` (`AXES_HANDLER_NOT_READY`) that says what is missing and the fix.
   */
  ready?(): Awaitable<void>

  /** Releases connections, timers and files. */
  close?(): Awaitable<void>
}

/**
 * What a handler can do beyond counting. A handler declares it (`supports`); what it does not
 * declare is read once from its methods (a capability is there when all its methods are), so that
 * handlers written before capabilities keep working.
 */
export interface HandlerCapabilities {
  /** It keeps django-axes' access logs: `loggedIn`, `loggedOut`, `resetLogs`, `resetFailureLogs`. */
  readonly logs: boolean
  /** It lists stored attempts: `listAttempts` (the command line's `list-attempts`). */
  readonly list: boolean
  /**
   * The admin pages can browse its attempts: `queryAttempts`, `getAttempt`, `deleteAttempts`,
   * `cleanExpiredAttempts`, `attemptStats`.
   */
  readonly browse: boolean
  /** The admin pages can browse its access logs: `queryAccessLogs`, `queryFailureLogs`. */
  readonly browseLogs: boolean
  /** It lists the locks in force: `listLocks` (the admin's Locked out page, `node-axes locked`). */
  readonly locks: boolean
  /**
   * The admin pages can browse its buckets from a snapshot: `snapshotBuckets`, `getAttempt`,
   * `deleteAttempts`, `cleanExpiredAttempts` (the pages page, sort, search and count themselves).
   */
  readonly buckets: boolean
}

/**
 * A handler: a counting store, with the capabilities it declares in `supports` (access logs,
 * listing, the admin pages' browsing) and their methods, and, for spray detection, the source
 * store's methods (contract-sources.ts), and for repeated wrong passwords, the wrong-password
 * store's (contract-passwords.ts).
 */
export interface AxesHandler
  extends CountingStore,
    Partial<AccessLogStore>,
    Partial<AttemptListing>,
    Partial<AttemptBrowser>,
    Partial<LogBrowser>,
    Partial<LockBrowser>,
    Partial<BucketBrowser>,
    Partial<SourceStore>,
    Partial<WrongPasswordStore> {
  /** What the handler can do beyond counting; see `HandlerCapabilities`. */
  readonly supports?: Partial<HandlerCapabilities>
}

/** The methods every handler must have: the counting store's (`attach` and `close` are optional). */
export const HANDLER_METHODS = [
  'getFailures',
  'reserve',
  'settle',
  'recordFailure',
  'resetBuckets',
  'resetAttempts',
] as const satisfies readonly (keyof CountingStore)[]

/** The methods of each capability. */
export const CAPABILITY_METHODS = {
  logs: ['loggedIn', 'loggedOut', 'resetLogs', 'resetFailureLogs'],
  list: ['listAttempts'],
  browse: ['queryAttempts', 'getAttempt', 'deleteAttempts', 'cleanExpiredAttempts', 'attemptStats'],
  browseLogs: ['queryAccessLogs', 'queryFailureLogs'],
  locks: ['listLocks'],
  buckets: ['snapshotBuckets', 'getAttempt', 'deleteAttempts', 'cleanExpiredAttempts'],
} as const satisfies { [K in keyof HandlerCapabilities]: readonly (keyof AxesHandler)[] }

/** A handler's capabilities: as declared in `supports`, else read from its methods. */
export function capabilitiesOf(handler: AxesHandler): HandlerCapabilities {
  const has = (name: keyof HandlerCapabilities): boolean =>
    handler.supports?.[name] ??
    CAPABILITY_METHODS[name].every((method) => typeof handler[method] === 'function')
  return {
    logs: has('logs'),
    list: has('list'),
    browse: has('browse'),
    browseLogs: has('browseLogs'),
    locks: has('locks'),
    buckets: has('buckets'),
  }
}
