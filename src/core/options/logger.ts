/** The logger option's shape, the structured record node-axes logs, and the default logger. */

/**
 * What node-axes hands a logger: one object, django-axes' message text under both `msg` (pino's
 * key) and `message` (winston's key), and the fields a log platform filters and counts by.
 * `logger.warn(record)` is read by pino as an object of fields, by winston as an info object and
 * printed by `console` as it is.
 */
export interface AxesLogRecord {
  /** django-axes' message text, e.g. `AXES: Locked out {username: "alice", …} after …`. */
  msg: string
  /** The same text, under winston's key. */
  message: string
  /**
   * What happened: `loginFailed`, `lockedOut`, `loggedIn`, `loggedOut`, `whitelisted`,
   * `notRecorded` (no username and username the only parameter), `storeError`, `listenerError`,
   * `check`.
   */
  event: string
  /** The decision's reason (`lockedOut`, `storeError`, …), where a decision was made. */
  reason?: string
  /**
   * The lockout parameters the attempt was counted by, one string a bucket
   * (`username+ip_address`).
   */
  buckets?: string[]
  /**
   * The client as the message shows it (django-axes' `get_client_str` fields: the lockout
   * parameters' fields, or all with `verbose`), sensitive ones masked as django-axes masks them.
   */
  client?: Record<string, string | null>
  /** The error, with its stack and `cause` (pino's `err` key). */
  err?: Error
  /** Further fields of the event (`failures`, `failureLimit`, `operation`, `code`, …). */
  [field: string]: unknown
}

/**
 * A logger: `console`, pino, winston and most others fit. Each method is called with one
 * {@link AxesLogRecord}.
 */
export interface AxesLogger {
  debug?(record: AxesLogRecord): void
  info(record: AxesLogRecord): void
  warn(record: AxesLogRecord): void
  error(record: AxesLogRecord): void
}

/** A logger method that logs nothing (the default logger's `debug` and `info`). */
export const quiet = (): void => {}

/** A record's fields without its two copies of the message (for a console line). */
function fieldsOf(record: AxesLogRecord): Record<string, unknown> {
  const { msg: _msg, message: _message, ...fields } = record
  return fields
}

/**
 * The default logger: warnings and errors to the console, `info` and `debug` dropped (as Python's
 * logging shows WARNING and above by default), the message text first and the fields after it.
 * Pass `console` to see every failure and login.
 */
export const defaultLogger: AxesLogger = {
  debug: quiet,
  info: quiet,
  warn: (record) => console.warn(record.msg, fieldsOf(record)),
  error: (record) => console.error(record.msg, fieldsOf(record)),
}

/** A log record: the message text under `msg` and `message`, then the fields. */
export function logRecord(
  message: string,
  event: string,
  fields: Record<string, unknown> = {},
): AxesLogRecord {
  return { msg: message, message, event, ...fields }
}

/** `error` as an `Error` for a record's `err` (a thrown non-Error becomes the cause of one). */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error), { cause: error })
}
