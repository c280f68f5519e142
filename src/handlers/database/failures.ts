/**
 * Recording a failure on django-axes' tables: one UPDATE on the attempt's row (a row past the
 * window starts again at 1 with fresh request data; otherwise + 1, the data appended and capped),
 * or an INSERT where the (username, IP, user agent) has no row yet; with django-axes' expiration
 * row and failure log where the settings ask for them, and expired rows swept now and then.
 * Where the dialect can (PostgreSQL), a failure is also recorded in one statement without a lock.
 */

import type { AttemptRecord, CountInput, CountResult } from '../../ground/contract.js'
import { activeLockUntil, failureWindowMs, lockDurationMs } from '../../ground/rule.js'
import { type BucketState, type BucketStates, combine, readStates } from './bucket-states.js'
import type { SqlContext } from './context.js'
import { datetimeMs } from './datetime.js'
import type { FailureWrite, OneStatementFailure } from './dialects/dialect.js'
import { retryOnDeadlock } from './drivers/transaction.js'
import { fitted, REQUEST_DATA_CAP, SEPARATOR } from './records.js'
import type { SqlSession } from './sql.js'

/** How a handler records failures. */
export interface FailureRecorder {
  /**
   * Records a failure and returns the state after it, read after the write in the same
   * transaction (so it also sees a row Django has just committed).
   */
  record(s: SqlSession, input: CountInput): Promise<CountResult>
  /**
   * Records a failure in one statement in autocommit, without a lock; with a reservation token,
   * releases its place too. Only where the dialect has `oneStatementFailure`.
   */
  recordWithoutLock(input: CountInput, token: string | null): Promise<CountResult>
  /**
   * Records an attempt refused by the client's lock (django-axes'
   * `AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT`) without inserting a row: on the attempt's own
   * row if it has one, else on the latest row of a locked bucket, so that the lock is extended as
   * in django-axes but refused attempts (a new username each) cannot grow the table.
   */
  recordRefused(
    s: SqlSession,
    input: CountInput,
    buckets: readonly BucketState[],
  ): Promise<CountResult>
  /**
   * Now and then (every 64th write), deletes up to 200 of the oldest rows that no longer count:
   * past the rule's failure window, or past the retention when failures never expire. Outside
   * any transaction; a sweep that fails loses nothing.
   */
  sweepSometimes(input: CountInput): void
}

/** The failure recorder on a handler's context. */
export function failureRecorderOf(ctx: SqlContext, states: BucketStates): FailureRecorder {
  const { q, dt, dialect, where, driver } = ctx
  const { attempt: T_ATTEMPT, expiration: T_EXPIRATION, failureLog: T_FAILURE_LOG } = ctx.tables
  const oneStatement = dialect.oneStatementFailure

  /** The columns an attempt row is inserted with, and their values (`failures_since_start` is 1). */
  const ATTEMPT_COLUMNS = `(${q('user_agent')}, ${q('ip_address')}, ${q('username')}, ${q('http_accept')}, ${q('path_info')}, ${q('attempt_time')}, ${q('get_data')}, ${q('post_data')}, ${q('failures_since_start')})`
  const attemptValues = (a: AttemptRecord, now: number): unknown[] => [
    a.userAgent,
    a.ipAddress,
    a.username,
    a.httpAccept,
    a.pathInfo,
    dt(now),
    a.getData,
    a.postData,
  ]

  /** The UPDATE that adds a failure to the attempt's row, and what the statements around it need. */
  const updateOf = (input: CountInput): FailureWrite & { a: AttemptRecord; now: number } => {
    const a: AttemptRecord = fitted(input.attempt)
    const now = input.now
    const identity = { username: a.username, ip_address: a.ipAddress, user_agent: a.userAgent }
    const [cond, rowParams] = where(identity)
    const window = failureWindowMs(input.rule)
    // A window of null never expires: compare with a time no row can have.
    const stale = dt(window === null ? 0 : now - window)
    const fresh = (column: string) =>
      `CASE WHEN ${q('attempt_time')} <= ? THEN ? ELSE ${dialect.lastChars(
        dialect.concat([q(column), '?', '?']),
        REQUEST_DATA_CAP,
      )} END`
    const updateSql = `UPDATE ${T_ATTEMPT} SET ${q('failures_since_start')} = CASE WHEN ${q('attempt_time')} <= ? THEN 1 ELSE ${q('failures_since_start')} + 1 END, ${q('get_data')} = ${fresh('get_data')}, ${q('post_data')} = ${fresh('post_data')}, ${q('attempt_time')} = ?, ${q('http_accept')} = ?, ${q('path_info')} = ? WHERE ${cond}`
    const updateParams = [
      stale,
      stale,
      a.getData,
      SEPARATOR,
      a.getData,
      stale,
      a.postData,
      SEPARATOR,
      a.postData,
      dt(now),
      a.httpAccept,
      a.pathInfo,
      ...rowParams,
    ]
    return {
      a,
      now,
      stale,
      cond,
      rowParams,
      updateSql,
      updateParams,
      columns: ATTEMPT_COLUMNS,
      separator: SEPARATOR,
      dataCap: REQUEST_DATA_CAP,
    }
  }

  const writeFailure = async (s: SqlSession, input: CountInput): Promise<void> => {
    if (oneStatement !== undefined && !ctx.settings.useAttemptExpiration) {
      const write = updateOf(input)
      const [sql, params] = oneStatement.upsertSql(write, attemptValues(write.a, write.now))
      await s.run(sql, params)
      return
    }
    const { a, now, cond, rowParams, updateSql, updateParams } = updateOf(input)
    const updated = await s.run(updateSql, updateParams)
    if (updated === 0) {
      // Another writer (a Django process, which does not take node-axes' locks) may insert the same
      // (username, IP, user agent) at the same moment: the insert then waits for it, does nothing,
      // and the update runs again on the row it made.
      const inserted = await s.run(
        dialect.insertUnlessExists(T_ATTEMPT, ATTEMPT_COLUMNS, '?, ?, ?, ?, ?, ?, ?, ?, 1'),
        attemptValues(a, now),
      )
      if (inserted === 0) await s.run(updateSql, updateParams)
    }
    if (!ctx.settings.useAttemptExpiration || input.rule.cooloffMs === null) return
    const rows = await s.all(
      `SELECT ${q('id')} AS id FROM ${T_ATTEMPT} WHERE ${cond} ORDER BY ${q('id')} LIMIT 1`,
      rowParams,
    )
    const id = rows[0]?.id
    const expiresAt = now + (lockDurationMs(input.rule, input.rule.failureLimit) ?? 0)
    const existing = await s.all(
      `SELECT ${dialect.datetimeMsSql(q('expires_at'))} AS at FROM ${T_EXPIRATION} WHERE ${q('access_attempt_id')} = ?`,
      [id],
    )
    if (existing.length === 0) {
      await s.run(
        `INSERT INTO ${T_EXPIRATION} (${q('access_attempt_id')}, ${q('expires_at')}) VALUES (?, ?)`,
        [id, dt(expiresAt)],
      )
    } else if ((datetimeMs(existing[0]?.at) ?? 0) < expiresAt) {
      await s.run(
        `UPDATE ${T_EXPIRATION} SET ${q('expires_at')} = ? WHERE ${q('access_attempt_id')} = ?`,
        [dt(expiresAt), id],
      )
    }
  }

  const writeFailureLog = async (s: SqlSession, input: CountInput, lockedOut: boolean) => {
    if (!ctx.settings.enableAccessFailureLog) return
    const a = fitted(input.attempt)
    await s.run(
      `INSERT INTO ${T_FAILURE_LOG} (${q('user_agent')}, ${q('ip_address')}, ${q('username')}, ${q('http_accept')}, ${q('path_info')}, ${q('attempt_time')}, ${q('locked_out')}) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [a.userAgent, a.ipAddress, a.username, a.httpAccept, a.pathInfo, dt(input.now), lockedOut],
    )
    // Keep the newest rows per username: one statement deletes every older one.
    const [cond, params] = where({ username: a.username })
    await s.run(
      `DELETE FROM ${T_FAILURE_LOG} WHERE ${cond} AND ${q('id')} NOT IN (SELECT ${q('id')} FROM (SELECT ${q('id')} FROM ${T_FAILURE_LOG} WHERE ${cond} ORDER BY ${q('attempt_time')} DESC, ${q('id')} DESC LIMIT ?) AS keep)`,
      [...params, ...params, ctx.settings.accessFailureLogPerUserLimit],
    )
  }

  /** Deletes this client's expired rows: a scoped, indexed statement per bucket. */
  const sweepClient = async (s: SqlSession, input: CountInput) => {
    const window = ctx.keepMs(input.rule)
    for (const bucket of input.buckets) {
      const [cond, params] = where(bucket.fields)
      const threshold = dt(input.now - window)
      await s.run(
        `DELETE FROM ${T_EXPIRATION} WHERE ${q('access_attempt_id')} IN (SELECT ${q('id')} FROM (SELECT ${q('id')} FROM ${T_ATTEMPT} WHERE ${cond} AND ${q('attempt_time')} <= ?) AS old)`,
        [...params, threshold],
      )
      await s.run(`DELETE FROM ${T_ATTEMPT} WHERE ${cond} AND ${q('attempt_time')} <= ?`, [
        ...params,
        threshold,
      ])
    }
  }

  let writes = 0
  /**
   * Records a failure and returns the state after it, read after the write in the same
   * transaction. Where the write is one statement (PostgreSQL), the read is sent right behind it
   * without waiting: one round trip.
   */
  const record = async (s: SqlSession, input: CountInput): Promise<CountResult> => {
    let state: CountResult
    if (oneStatement !== undefined && !ctx.settings.useAttemptExpiration) {
      const [, after] = await Promise.all([writeFailure(s, input), states.stateOf(s, input)])
      state = after
    } else {
      await writeFailure(s, input)
      state = await states.stateOf(s, input)
    }
    await writeFailureLog(s, input, state.lockedUntil !== null)
    // Expired rows never count; deleting them is housekeeping, done every 32nd write.
    if (++writes % 32 === 0) await sweepClient(s, input)
    return state
  }

  /**
   * A failure recorded without a lock (PostgreSQL), in one statement in autocommit (one round trip):
   * the upsert is atomic, so no increment is lost, and nothing is decided before it. With a
   * reservation token (a settle), the statement also releases the place, and writes only when it
   * released it or the place had expired (settled twice counts once); a reserve in another
   * transaction sees the release and the failure together or neither.
   *
   * The decision is the buckets as the statement's snapshot saw them, plus this failure (its row
   * belongs to every bucket of the client, and a row past the window restarts at 1 where it was
   * not counted). When another writer touched the same row meanwhile (the row's new count is not
   * the snapshot's plus one, or the insert met a row the snapshot did not show, such as one a
   * Django process committed), the buckets are read again so the decision counts that too.
   */
  const recordWithoutLock = async (
    input: CountInput,
    token: string | null,
  ): Promise<CountResult> => {
    // Called only where the dialect has it (counting.ts checks `oneStatementFailure`).
    const one = oneStatement as OneStatementFailure
    const s = driver.session
    let expired = false
    if (token !== null) {
      const deadline = Number(token.slice(token.lastIndexOf('@') + 1))
      expired = deadline <= input.now
    }
    const write = updateOf(input)
    const [statesSql, statesParams] = states.query(input, false)
    const [sql, all] = one.recordSql(
      write,
      attemptValues(write.a, write.now),
      token,
      expired,
      statesSql,
      statesParams,
    )
    // One statement: a deadlock leaves nothing written, so running it again is safe.
    const rows = await retryOnDeadlock(() => s.all(sql, all))
    const first = rows[0] ?? {}
    const written = token === null || Number(first.released) > 0 || expired
    const updated = Number(first.updated ?? 0)
    const raced =
      Number(first.conflicted ?? 0) > 0 ||
      updated > 1 ||
      (updated === 1 && Number(first.after) !== Number(first.before ?? 0) + 1)
    const state = raced
      ? await states.stateOf(s, input)
      : combine(
          readStates(rows).map((b) => ({
            failures: written ? b.failures + 1 : b.failures,
            last: written ? input.now : b.last,
          })),
          input,
        )
    // Housekeeping: a sweep that fails (say, a deadlock with another sweep) loses nothing.
    if (written && ++writes % 32 === 0) await sweepClient(s, input).catch(() => {})
    return state
  }

  const recordRefused = async (
    s: SqlSession,
    input: CountInput,
    buckets: readonly BucketState[],
  ): Promise<CountResult> => {
    const { updateSql, updateParams, now } = updateOf(input)
    if ((await s.run(updateSql, updateParams)) === 0) {
      const locked = buckets.find(
        (b) => activeLockUntil(input.rule, b.failures, b.last, now) !== null,
      )
      const bucket = locked === undefined ? undefined : input.buckets[locked.index]
      if (bucket !== undefined) {
        const [cond, params] = where(bucket.fields)
        await s.run(
          `UPDATE ${T_ATTEMPT} SET ${q('failures_since_start')} = ${q('failures_since_start')} + 1, ${q('attempt_time')} = ? WHERE ${q('id')} IN (SELECT ${q('id')} FROM (SELECT ${q('id')} FROM ${T_ATTEMPT} WHERE ${cond} ORDER BY ${q('attempt_time')} DESC, ${q('id')} DESC LIMIT 1) AS latest)`,
          [dt(now), ...params],
        )
      }
    }
    const state = await states.stateOf(s, input)
    await writeFailureLog(s, input, state.lockedUntil !== null)
    return state
  }

  let sweeps = 0
  const sweepSometimes = (input: CountInput): void => {
    if (++sweeps % 64 !== 0) return
    const old = `${q('id')} IN (SELECT ${q('id')} FROM (SELECT ${q('id')} FROM ${T_ATTEMPT} WHERE ${q('attempt_time')} <= ? ORDER BY ${q('attempt_time')} LIMIT 200) AS old)`
    const threshold = dt(input.now - ctx.keepMs(input.rule))
    driver.transaction([], (s) => ctx.deleteAttempts(s, old, [threshold])).catch(() => {})
  }

  return { record, recordWithoutLock, recordRefused, sweepSometimes }
}
