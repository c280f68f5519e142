/**
 * The handler contract's access logs: django-axes' AccessLog (successful logins and their
 * logouts) and AccessFailureLog (failed logins), kept by the handlers that declare `logs`.
 */

import type { Awaitable } from './awaitable.js'
import type { ClientIdentity } from './request.js'

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

/** Writing and resetting the access logs (capability `logs`). */
export interface AccessLogStore {
  /**
   * Records a successful login (django-axes' AccessLog row), unless access logging is disabled.
   * Handlers without logs do nothing.
   */
  loggedIn(record: LoginRecord): Awaitable<void>

  /**
   * Records a logout: sets the logout time on the user's open access-log rows for this session.
   * Handlers without logs do nothing.
   */
  loggedOut(record: LogoutRecord): Awaitable<void>

  /** Deletes access logs older than `ageDays` days, or all. Returns how many. */
  resetLogs(options: { ageDays?: number | null }): Awaitable<number>

  /** Deletes access failure logs older than `ageDays` days, or all. Returns how many. */
  resetFailureLogs(options: { ageDays?: number | null }): Awaitable<number>
}
