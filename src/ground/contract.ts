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
 */

import type { Bucket, LockoutParameterItem, LockoutParametersFunction } from './buckets.js'
import type { ClientIdentity } from './request.js'

/** A lockout tier: from `failures` failures on, a lock lasts `cooloffMs`. */
export interface RuleTier {
  readonly failures: number
  readonly cooloffMs: number
}

/**
 * The rule in force for one request, resolved by the core. Handlers apply it; they never read
 * options themselves.
 */
export interface LockoutRule {
  /** A bucket is locked when its failures reach this (`>=`). With tiers, the lowest tier's count. */
  readonly failureLimit: number
  /**
   * How long failures count after the bucket's most recent failure, and (without tiers) how long a
   * lock lasts; null means failures never expire and a lock lasts until reset.
   */
  readonly cooloffMs: number | null
  /**
   * Lockout tiers, ascending by `failures`; empty without tiers. A lock lasts the cool-off of the
   * highest tier reached (`lockDurationMs`); failures are remembered for the longest of
   * `cooloffMs` and the tiers' cool-offs (`failureWindowMs`).
   */
  readonly tiers: readonly RuleTier[]
  /** django-axes' `AXES_LOCK_OUT_AT_FAILURE`: when false, nothing is ever locked (failures still count). */
  readonly lockOutAtFailure: boolean
  /**
   * django-axes' `AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT`: when true, an attempt refused
   * because of a lockout is itself recorded as a failure (count + 1, cool-off restarted).
   */
  readonly recordLockedAttempts: boolean
  /** How long an unsettled reservation holds its place before the handler may drop it. */
  readonly reservationTtlMs: number
}

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

/** The input of `loggedIn`: one row of django-axes' AccessLog. */
export interface LoginRecord extends ClientIdentity {
  readonly attemptTime: Date
  /** SHA-256 hex of the session id, or `''` without a session. */
  readonly sessionHash: string
}

/** The input of `loggedOut`. */
export interface LogoutRecord {
  readonly username: string | null
  readonly sessionHash: string
  readonly logoutTime: Date
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

/** One stored attempt bucket or row, as listings show it. */
export interface AttemptSnapshot {
  readonly ipAddress: string | null
  readonly username: string | null
  readonly userAgent: string | null
  readonly failures: number
  readonly attemptTime: Date
  /** When the lock lifts; null when not locked; `Infinity` as a time means until reset. */
  readonly lockedUntil: number | null
}

/** The columns attempts can be sorted by in `queryAttempts`. */
export type AttemptSortKey =
  | 'attemptTime'
  | 'ipAddress'
  | 'username'
  | 'userAgent'
  | 'pathInfo'
  | 'failures'

/** The columns log rows can be sorted by in `queryAccessLogs` / `queryFailureLogs`. */
export type LogSortKey = 'attemptTime' | 'ipAddress' | 'username' | 'userAgent' | 'pathInfo'

/** What every paged query of the admin pages takes. */
export interface PageQuery<S extends string> {
  /**
   * Case-insensitive substring searched in the IP address, username, user agent and path (django-axes'
   * admin `search_fields`); null or empty for none.
   */
  readonly search?: string | null
  /** Only rows whose `attempt_time` is at or after this instant (ms since the epoch). */
  readonly since?: number | null
  /** Only rows whose path is exactly this. */
  readonly path?: string | null
  /** The column to sort by. @default 'attemptTime' */
  readonly sort?: S
  /** Sort descending. @default true */
  readonly descending?: boolean
  /** Rows to skip (LIMIT/OFFSET paging). */
  readonly offset: number
  /** Rows to return, at most; handlers may cap it (the admin asks for 100). */
  readonly limit: number
  /** The current time (the core's clock). */
  readonly now: number
}

/** The input of `queryAttempts`. */
export interface AttemptQuery extends PageQuery<AttemptSortKey> {
  /**
   * Only locked-out rows (true) or only rows that are not locked out (false), judged per row by
   * `rule` as django-axes' admin does (`failures_since_start >= limit`, here also within the
   * lock's duration). Ignored without a rule.
   */
  readonly lockedOut?: boolean | null
  /** The rule in force when it does not depend on the request; null otherwise. */
  readonly rule: LockoutRule | null
}

/**
 * One stored attempt with every field the admin pages show. A handler that keeps counters per
 * bucket rather than rows (memory, Redis) gives one entry per bucket, with the fields it does not
 * keep as null.
 */
export interface AttemptDetail extends AttemptSnapshot {
  /** An opaque id for `getAttempt` and `deleteAttempts` (a row id, or a bucket key). */
  readonly id: string
  /** django-axes' `path_info`; null where the handler does not keep it. */
  readonly pathInfo: string | null
  /** django-axes' `http_accept`; null where the handler does not keep it. */
  readonly httpAccept: string | null
  /** The masked query strings (django-axes' `get_data`); null where not kept. */
  readonly getData: string | null
  /** The masked bodies (django-axes' `post_data`); null where not kept. */
  readonly postData: string | null
  /**
   * When the attempt expires: django-axes' `AccessAttemptExpiration.expires_at` on the database
   * handler with `useAttemptExpiration`, the end of the failure window for a bucket; null where
   * there is none.
   */
  readonly expiresAt: Date | null
}

/** The fields django-axes' AccessLog and AccessFailureLog share (its `AccessBase`), with the row id. */
export interface AccessBaseEntry {
  readonly id: string
  readonly ipAddress: string | null
  readonly username: string | null
  readonly userAgent: string
  readonly httpAccept: string
  readonly pathInfo: string
  readonly attemptTime: Date
}

/** One row of django-axes' AccessLog. */
export interface AccessLogEntry extends AccessBaseEntry {
  readonly logoutTime: Date | null
  readonly sessionHash: string
}

/** One row of django-axes' AccessFailureLog. */
export interface AccessFailureLogEntry extends AccessBaseEntry {
  readonly lockedOut: boolean
}

/** One page of a paged query. */
export interface QueryPage<T> {
  /** The rows of the page. */
  readonly rows: T[]
  /** How many rows match the query in all (for the page count). */
  readonly total: number
  /** Distinct paths of the queried table, for the path filter (at most 50, sorted). */
  readonly paths: string[]
}

/** The input of `attemptStats`. */
export interface AttemptStatsQuery {
  readonly now: number
  /** The rule in force when it does not depend on the request; null otherwise. */
  readonly rule: LockoutRule | null
  /** The start of the time series (ms since the epoch); the series has `steps` steps of `stepMs`. */
  readonly since: number
  readonly stepMs: number
  readonly steps: number
  /** Count failures from the access failure log (one row per failure) rather than the attempts. */
  readonly fromFailureLog: boolean
  /** How many top IPs and usernames to return. */
  readonly top: number
}

/** What the overview page shows. */
export interface AttemptStats {
  /**
   * Failures per step from `since`: from the failure log, one per failed login; from attempts,
   * each attempt's failures at the time of its latest failure.
   */
  readonly series: number[]
  /** Where `series` came from. */
  readonly source: 'failureLog' | 'attempts'
  /** The IPs with the most current failures, most first. */
  readonly topIps: { value: string | null; failures: number }[]
  /** The usernames with the most current failures, most first. */
  readonly topUsernames: { value: string | null; failures: number }[]
  /** How many stored attempts (rows or buckets) are locked out now (null without a rule). */
  readonly lockedOut: number | null
  /** How many stored attempts (rows or buckets) there are. */
  readonly attempts: number
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
 * A handler. Every counting method is asynchronous so that database and Redis handlers fit; the
 * memory handler answers at once.
 */
export interface AxesHandler {
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
  getFailures(input: CountInput): Promise<CountResult>

  /**
   * Checks the client and reserves one attempt, before its credentials are verified.
   *
   * Atomic, across all the given buckets at once: if any bucket is locked, answer `locked` (and,
   * with `recordLockedAttempts`, record a failure in every bucket); otherwise, if in any bucket the
   * failures plus the places already held reach `failureLimit`, answer `busy`; otherwise hold one
   * place in every bucket and answer `reserved`. No interleaving of concurrent `reserve` and
   * `settle` calls may let more than `failureLimit` attempts hold or have used a place in a bucket
   * within one cool-off: N parallel reservations for one client with no prior failures get exactly
   * `failureLimit` `reserved` answers.
   *
   * A place not settled within `rule.reservationTtlMs` may be dropped by the handler.
   */
  reserve(input: CountInput): Promise<ReserveResult>

  /**
   * Settles a reservation: releases its places and, for `failure`, records one failure in every
   * bucket (restarting expired buckets at 1, setting each bucket's last-failure time to `now`).
   * Returns the state after the write.
   *
   * Atomic: the release and the failure are one step; settling the same token twice within the
   * reservation time has no effect the second time. A `failure` settled after the reservation time
   * (when the handler may have dropped the place) is still recorded; a reset does not void
   * reservations in flight.
   */
  settle(input: SettleInput): Promise<CountResult>

  /**
   * Records a failure without a reservation (django-axes' `user_login_failed` for applications that
   * only report failures). Returns the state after the write.
   *
   * Atomic per call: concurrent calls on the same buckets never lose an increment.
   */
  recordFailure(input: CountInput): Promise<CountResult>

  /**
   * Records a successful login (django-axes' AccessLog row), unless access logging is disabled.
   * Handlers without logs do nothing.
   */
  loggedIn(record: LoginRecord): Promise<void>

  /**
   * Records a logout: sets the logout time on the user's open access-log rows for this session.
   * Handlers without logs do nothing.
   */
  loggedOut(record: LogoutRecord): Promise<void>

  /**
   * Deletes the state of exactly these buckets (reset on success). Returns how many held state.
   * Atomic per bucket.
   */
  resetBuckets(buckets: readonly Bucket[]): Promise<number>

  /**
   * Deletes stored attempts (django-axes' `reset_attempts`): by IP, by username, by both (AND),
   * by either (`ipOrUsername`), or, with no filter, all of them. Returns how many were removed.
   * A handler that stores counters per bucket removes every bucket whose ip_address or username
   * field matches: for IP and username together, a bucket matches when each of those two fields it
   * holds equals the given value.
   */
  resetAttempts(filter: ResetFilter): Promise<number>

  /** Deletes access logs older than `ageDays` days, or all. Returns how many. */
  resetLogs(options: { ageDays?: number | null }): Promise<number>

  /** Deletes access failure logs older than `ageDays` days, or all. Returns how many. */
  resetFailureLogs(options: { ageDays?: number | null }): Promise<number>

  /**
   * Lists stored attempts, most recent first (for the CLI and the admin pages). `rule` is the rule
   * in force when it does not depend on the request (null otherwise); a handler that stores rows
   * rather than buckets uses it to say which rows are locked (`lockedUntil`), as django-axes'
   * admin does per row.
   */
  listAttempts?(options: {
    limit?: number
    now: number
    rule?: LockoutRule | null
  }): Promise<AttemptSnapshot[]>

  // ----- optional: what the admin pages (node-axes/admin) use; a handler without them gets a notice

  /**
   * One page of stored attempts, filtered, searched and sorted, with every field (the admin's
   * Access attempts page). Read-only; not atomic with writes (a page is a snapshot as of its query).
   */
  queryAttempts?(query: AttemptQuery): Promise<QueryPage<AttemptDetail>>

  /** One stored attempt by its `id`, or null (the admin's detail view). */
  getAttempt?(
    id: string,
    options: { now: number; rule: LockoutRule | null },
  ): Promise<AttemptDetail | null>

  /**
   * Deletes the attempts with these ids (the admin's "delete selected": a reset of exactly those
   * rows or buckets, with their expiration rows). Unknown ids are ignored. Returns how many went.
   */
  deleteAttempts?(ids: readonly string[]): Promise<number>

  /**
   * Deletes the attempts that no longer count at `now` (django-axes' `clean_expired_user_attempts`,
   * the admin's "clean up expired"): rows past their failure window, or with
   * `useAttemptExpiration` past their `expires_at`. Needs the rule (null: nothing is deleted).
   * Returns how many went.
   */
  cleanExpiredAttempts?(options: { now: number; rule: LockoutRule | null }): Promise<number>

  /** One page of access logs (the admin's Access logs page); the `lockedOut` filter does not apply. */
  queryAccessLogs?(query: PageQuery<LogSortKey>): Promise<QueryPage<AccessLogEntry>>

  /** One page of access failure logs; `lockedOut` filters on the row's `locked_out` flag. */
  queryFailureLogs?(
    query: PageQuery<LogSortKey> & { lockedOut?: boolean | null },
  ): Promise<QueryPage<AccessFailureLogEntry>>

  /** Figures for the admin's overview page: failures over time, top IPs and usernames, lockouts. */
  attemptStats?(query: AttemptStatsQuery): Promise<AttemptStats>

  /** Releases connections, timers and files. */
  close?(): Promise<void>
}

/** The methods every handler must have (the optional ones, `attach`, `listAttempts`, `close`, aside). */
export const HANDLER_METHODS = [
  'getFailures',
  'reserve',
  'settle',
  'recordFailure',
  'loggedIn',
  'loggedOut',
  'resetBuckets',
  'resetAttempts',
  'resetLogs',
  'resetFailureLogs',
] as const satisfies readonly (keyof AxesHandler)[]
