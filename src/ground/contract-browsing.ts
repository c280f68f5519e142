/**
 * The handler contract's browsing: listing stored attempts (the command line's `list-attempts`)
 * and the admin pages' queries over attempts and logs, for the handlers that declare `list`,
 * `browse` and `browseLogs`.
 */

import type { Awaitable } from './awaitable.js'
import type { AccessFailureLogEntry, AccessLogEntry } from './contract-logs.js'
import type { LockoutRule } from './rule.js'

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

/** Listing stored attempts (capability `list`). */
export interface AttemptListing {
  /**
   * Lists stored attempts, most recent first (for the CLI and the admin pages). `rule` is the rule
   * in force when it does not depend on the request (null otherwise); a handler that stores rows
   * rather than buckets uses it to say which rows are locked (`lockedUntil`), as django-axes'
   * admin does per row.
   */
  listAttempts(options: {
    limit?: number
    now: number
    rule?: LockoutRule | null
  }): Awaitable<AttemptSnapshot[]>
}

/** The admin pages' queries over stored attempts (capability `browse`). */
export interface AttemptBrowser {
  /**
   * One page of stored attempts, filtered, searched and sorted, with every field (the admin's
   * Access attempts page). Read-only; not atomic with writes (a page is a snapshot as of its query).
   */
  queryAttempts(query: AttemptQuery): Awaitable<QueryPage<AttemptDetail>>

  /** One stored attempt by its `id`, or null (the admin's detail view). */
  getAttempt(
    id: string,
    options: { now: number; rule: LockoutRule | null },
  ): Awaitable<AttemptDetail | null>

  /**
   * Deletes the attempts with these ids (the admin's "delete selected": a reset of exactly those
   * rows or buckets, with their expiration rows). Unknown ids are ignored. Returns how many went.
   */
  deleteAttempts(ids: readonly string[]): Awaitable<number>

  /**
   * Deletes the attempts that no longer count at `now` (django-axes' `clean_expired_user_attempts`,
   * the admin's "clean up expired"): rows past their failure window, or with
   * `useAttemptExpiration` past their `expires_at`. Needs the rule (null: nothing is deleted).
   * Returns how many went.
   */
  cleanExpiredAttempts(options: { now: number; rule: LockoutRule | null }): Awaitable<number>

  /** Figures for the admin's overview page: failures over time, top IPs and usernames, lockouts. */
  attemptStats(query: AttemptStatsQuery): Awaitable<AttemptStats>
}

/**
 * A bucket store the admin pages browse from a snapshot (capability `buckets`): the handler gives
 * its buckets as they are, cheaply, and the pages page, sort, search and count over them
 * (node-axes/admin), so that a handler which applications bundle (the memory handler) carries no
 * paging or statistics. One attempt, deleting and cleaning up are the handler's, as in `browse`.
 */
export interface BucketBrowser
  extends Pick<AttemptBrowser, 'getAttempt' | 'deleteAttempts' | 'cleanExpiredAttempts'> {
  /**
   * Every bucket whose failures still count at `now`, as admin entries (`id`: the bucket's key;
   * the fields a bucket does not keep, null), in no particular order.
   */
  snapshotBuckets(now: number): Awaitable<AttemptDetail[]>
}

/** The admin pages' queries over the access logs (capability `browseLogs`). */
export interface LogBrowser {
  /** One page of access logs (the admin's Access logs page); the `lockedOut` filter does not apply. */
  queryAccessLogs(query: PageQuery<LogSortKey>): Awaitable<QueryPage<AccessLogEntry>>

  /** One page of access failure logs; `lockedOut` filters on the row's `locked_out` flag. */
  queryFailureLogs(
    query: PageQuery<LogSortKey> & { lockedOut?: boolean | null },
  ): Awaitable<QueryPage<AccessFailureLogEntry>>
}
