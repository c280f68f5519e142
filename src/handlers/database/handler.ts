/**
 * The database handler's logic on django-axes' tables, for any `SqlDriver`.
 *
 * Counting is django-axes': one `axes_accessattempt` row per (username, IP, user agent), and a
 * bucket's failures are the sum of `failures_since_start` over the rows that match its fields and
 * whose `attempt_time` is within the failure window (django-axes counts a row at exactly the
 * window's edge too; node-axes, as all its handlers, from that instant on no longer); the largest
 * bucket decides. Each operation
 * runs in one transaction serialised on the client's buckets, so concurrent requests in any number
 * of processes see and change the counts one at a time. Attempts in flight are rows of
 * `axes_reservation` (a table Django ignores), one per bucket, until settled or expired.
 */

import type { Bucket } from '../../ground/buckets.js'
import type {
  AccessFailureLogEntry,
  AccessLogEntry,
  AttemptDetail,
  AttemptQuery,
  AttemptRecord,
  AttemptSnapshot,
  AttemptSortKey,
  AxesHandler,
  CountInput,
  CountResult,
  HandlerSettings,
  LockoutRule,
  LoginRecord,
  LogoutRecord,
  LogSortKey,
  PageQuery,
  QueryPage,
  ReserveResult,
  ResetFilter,
  SettleInput,
} from '../../ground/contract.js'
import { AxesError } from '../../ground/errors.js'
import { parseIp } from '../../ground/ip.js'
import {
  activeLockUntil,
  attemptsLeft,
  currentFailures,
  failureWindowMs,
  laterLift,
  lockDurationMs,
} from '../../ground/rule.js'
import { cutCodePoints } from '../../ground/text.js'
import { MAX_PAGE, searchTerm } from '../query.js'
import { datetimeMs, datetimeMsSql, datetimeParam } from './datetime.js'
import {
  lockHash,
  retryOnDeadlock,
  type SqlDriver,
  type SqlRow,
  type SqlSession,
  type TxSession,
} from './driver.js'

/**
 * How much of the masked request data one row keeps: the newest 2048 characters, about the last two
 * requests at django-axes' 1024 per request (django-axes lets it grow without end; a large row also
 * makes every later failure slower to write).
 */
export const REQUEST_DATA_CAP = 2048

const SEPARATOR = '\n---------\n'

/** An IPv4 address in canonical form (no leading zeros): the common case, checked without parsing. */
const CANONICAL_IPV4 =
  /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/

/**
 * A record cut to django-axes' column lengths (the core already cuts them; a handler called
 * directly must still never hit the database's length errors).
 */
function fitted<
  T extends { username: string | null; userAgent: string; pathInfo: string; httpAccept: string },
>(record: T): T {
  const cut = (value: string, max: number) =>
    value.length <= max ? value : cutCodePoints(value.toWellFormed(), max)
  if (
    (record.username === null || record.username.length <= 255) &&
    record.userAgent.length <= 255 &&
    record.pathInfo.length <= 255 &&
    record.httpAccept.length <= 1025
  ) {
    return record
  }
  // Read every field through the record (some are getters) rather than spreading it.
  const copy: Record<string, unknown> = {}
  for (const key of ['ipAddress', 'attemptTime', 'getData', 'postData', 'sessionHash']) {
    if (key in record) copy[key] = (record as Record<string, unknown>)[key]
  }
  return {
    ...copy,
    username: record.username === null ? null : cut(record.username, 255),
    userAgent: cut(record.userAgent, 255),
    pathInfo: cut(record.pathInfo, 255),
    httpAccept: cut(record.httpAccept, 1025),
  } as unknown as T
}

let tokenSeq = 0

/** Builds the handler on a connected (and, where asked, migrated) driver. */
export function sqlHandler(driver: SqlDriver): AxesHandler {
  const dialect = driver.dialect
  const q = (name: string) => (dialect === 'mysql' ? `\`${name}\`` : `"${name}"`)
  const dt = (ms: number) => datetimeParam(dialect, ms)
  const T_ATTEMPT = q('axes_accessattempt')
  const T_EXPIRATION = q('axes_accessattemptexpiration')
  const T_LOG = q('axes_accesslog')
  const T_FAILURE_LOG = q('axes_accessfailurelog')
  const T_RESERVATION = q('axes_reservation')
  let settings: HandlerSettings = {
    disableAccessLog: false,
    enableAccessFailureLog: false,
    accessFailureLogPerUserLimit: 1000,
    useAttemptExpiration: false,
  }

  /** `column = ?` or `column IS NULL` for each field of a bucket (or a row's identity). */
  const where = (fields: Bucket['fields']): [string, unknown[]] => {
    const parts: string[] = []
    const params: unknown[] = []
    for (const [name, value] of Object.entries(fields)) {
      if (value === null || value === undefined) parts.push(`${q(name)} IS NULL`)
      else {
        parts.push(`${q(name)} = ?`)
        params.push(value)
      }
    }
    return [parts.join(' AND ') || '1 = 1', params]
  }

  const bucketHash = (bucket: Bucket) => lockHash(bucket.key)

  /**
   * Every bucket's failures within the window, last failure (ms) and places held, in one query
   * (one round trip however many buckets): a UNION ALL of one aggregate per bucket.
   */
  // The query text for each shape of input (which fields, which are null, window or not), built
  // once: the same string each time is also what keeps the prepared-statement cache lookup cheap.
  const queries = new Map<string, string>()
  const bucketStatesQuery = (input: CountInput, withHeld: boolean): [string, unknown[]] => {
    const window = failureWindowMs(input.rule)
    let shape = `${withHeld ? 'h' : ''}${window === null ? 'n' : 'w'}`
    for (const bucket of input.buckets) {
      shape += '|'
      for (const name in bucket.fields) {
        shape += bucket.fields[name as keyof Bucket['fields']] === null ? `${name}0` : name
      }
    }
    let sql = queries.get(shape)
    if (sql === undefined) {
      const parts = input.buckets.map((bucket, index) => {
        const [cond] = where(bucket.fields)
        const held = withHeld
          ? `(SELECT COUNT(*) FROM ${T_RESERVATION} WHERE ${q('bucket')} = ? AND ${q('expires_at')} > ?)`
          : '0'
        return `SELECT ${index} AS b, COALESCE(SUM(${q('failures_since_start')}), 0) AS failures, ${datetimeMsSql(
          dialect,
          `MAX(${q('attempt_time')})`,
        )} AS last, ${held} AS held FROM ${T_ATTEMPT} WHERE ${cond}${window === null ? '' : ` AND ${q('attempt_time')} > ?`}`
      })
      sql = parts.join(' UNION ALL ')
      queries.set(shape, sql)
    }
    const params: unknown[] = []
    const threshold = window === null ? null : dt(input.now - window)
    for (const bucket of input.buckets) {
      if (withHeld) params.push(bucketHash(bucket), input.now)
      for (const value of Object.values(bucket.fields)) if (value !== null) params.push(value)
      if (threshold !== null) params.push(threshold)
    }
    return [sql, params]
  }

  const readStates = (rows: Awaited<ReturnType<SqlSession['all']>>) =>
    rows
      .map((row) => ({
        index: Number(row.b),
        failures: Number(row.failures ?? 0),
        last: datetimeMs(row.last) ?? 0,
        held: Number(row.held ?? 0),
      }))
      .sort((a, b) => a.index - b.index)

  const bucketStates = async (s: SqlSession, input: CountInput, withHeld: boolean) => {
    const [sql, params] = bucketStatesQuery(input, withHeld)
    return readStates(await s.all(sql, params))
  }

  const combine = (
    states: { failures: number; last: number }[],
    input: CountInput,
  ): CountResult => {
    let failures = 0
    let lockedUntil: number | null = null
    for (const state of states) {
      if (state.failures > failures) failures = state.failures
      lockedUntil = laterLift(
        lockedUntil,
        activeLockUntil(input.rule, state.failures, state.last, input.now),
      )
    }
    return { failures, lockedUntil }
  }

  const stateOf = async (s: SqlSession, input: CountInput): Promise<CountResult> =>
    combine(await bucketStates(s, input, false), input)

  /** The last `REQUEST_DATA_CAP` characters of a text expression. */
  const lastChars = (expression: string) =>
    dialect === 'sqlite'
      ? `substr(${expression}, -${REQUEST_DATA_CAP})`
      : `RIGHT(${expression}, ${REQUEST_DATA_CAP})`
  const concat = (...parts: string[]) =>
    dialect === 'mysql' ? `CONCAT(${parts.join(', ')})` : parts.join(' || ')

  /**
   * Records one failure on the attempt's row, django-axes' way: one UPDATE (a row past the window
   * starts again at 1 with fresh request data; otherwise + 1, the data appended and capped), or an
   * INSERT where the (username, IP, user agent) has no row yet.
   */
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
  const updateOf = (input: CountInput) => {
    const a: AttemptRecord = fitted(input.attempt)
    const now = input.now
    const identity = { username: a.username, ip_address: a.ipAddress, user_agent: a.userAgent }
    const [cond, params] = where(identity)
    const window = failureWindowMs(input.rule)
    // A window of null never expires: compare with a time no row can have.
    const stale = dt(window === null ? 0 : now - window)
    const fresh = (column: string) =>
      `CASE WHEN ${q('attempt_time')} <= ? THEN ? ELSE ${lastChars(
        concat(q(column), '?', '?'),
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
      ...params,
    ]
    return { a, now, stale, cond, params, updateSql, updateParams }
  }

  /**
   * PostgreSQL's write as one statement: update the row, or insert it; an insert that meets a row
   * Django has just made (it does not take node-axes' locks) adds to that row instead.
   */
  const pgUpsert = (input: CountInput, gate: { expired: boolean } | null = null) => {
    const { a, now, stale, cond, params: rowParams, updateSql, updateParams } = updateOf(input)
    const old = (column: string) => `${T_ATTEMPT}.${q(column)}`
    const grown = (column: string) =>
      `CASE WHEN ${old('attempt_time')} <= ? THEN EXCLUDED.${q(column)} ELSE ${lastChars(
        `${old(column)} || ? || EXCLUDED.${q(column)}`,
      )} END`
    // With a gate (a settle): write only when the statement's `del` released the reservation, or
    // when it had expired.
    const gated = gate === null ? '' : ' AND (EXISTS (SELECT 1 FROM del) OR ?::boolean)'
    const gateParams = gate === null ? [] : [gate.expired]
    return {
      upd: `upd AS (${updateSql}${gated} RETURNING ${q('failures_since_start')} AS f)`,
      insert: `INSERT INTO ${T_ATTEMPT} ${ATTEMPT_COLUMNS} SELECT ?::varchar, ?::inet, ?::varchar, ?::varchar, ?::varchar, ?::timestamptz, ?::text, ?::text, 1 WHERE NOT EXISTS (SELECT 1 FROM upd)${gated} ON CONFLICT (${q('username')}, ${q('ip_address')}, ${q('user_agent')}) DO UPDATE SET ${q('failures_since_start')} = CASE WHEN ${old('attempt_time')} <= ? THEN 1 ELSE ${old('failures_since_start')} + 1 END, ${q('get_data')} = ${grown('get_data')}, ${q('post_data')} = ${grown('post_data')}, ${q('attempt_time')} = EXCLUDED.${q('attempt_time')}, ${q('http_accept')} = EXCLUDED.${q('http_accept')}, ${q('path_info')} = EXCLUDED.${q('path_info')}`,
      params: [
        ...updateParams,
        ...gateParams,
        ...attemptValues(a, now),
        ...gateParams,
        stale,
        stale,
        SEPARATOR,
        stale,
        SEPARATOR,
      ],
      /** The row's own condition and its parameters, and the window's edge. */
      cond,
      rowParams,
      stale,
    }
  }

  const writeFailure = async (s: SqlSession, input: CountInput): Promise<void> => {
    if (dialect === 'postgres' && !settings.useAttemptExpiration) {
      const { upd, insert, params } = pgUpsert(input)
      await s.run(`WITH ${upd} ${insert}`, params)
      return
    }
    const { a, now, cond, params, updateSql, updateParams } = updateOf(input)
    const updated = await s.run(updateSql, updateParams)
    if (updated === 0) {
      // Another writer (a Django process, which does not take node-axes' locks) may insert the same
      // (username, IP, user agent) at the same moment: the insert then waits for it, does nothing,
      // and the update runs again on the row it made.
      // (MySQL: INSERT IGNORE, whose count is 0 for a duplicate whatever the client's flags;
      // ON DUPLICATE KEY UPDATE would count 1 under CLIENT_FOUND_ROWS.)
      const conflict =
        dialect === 'mysql' ? '' : ' ON CONFLICT (username, ip_address, user_agent) DO NOTHING'
      const inserted = await s.run(
        `INSERT${dialect === 'mysql' ? ' IGNORE' : ''} INTO ${T_ATTEMPT} ${ATTEMPT_COLUMNS} VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)${conflict}`,
        attemptValues(a, now),
      )
      if (inserted === 0) await s.run(updateSql, updateParams)
    }
    if (!settings.useAttemptExpiration || input.rule.cooloffMs === null) return
    const rows = await s.all(
      `SELECT ${q('id')} AS id FROM ${T_ATTEMPT} WHERE ${cond} ORDER BY ${q('id')} LIMIT 1`,
      params,
    )
    const id = rows[0]?.id
    const expiresAt = now + (lockDurationMs(input.rule, input.rule.failureLimit) ?? 0)
    const existing = await s.all(
      `SELECT ${datetimeMsSql(dialect, q('expires_at'))} AS at FROM ${T_EXPIRATION} WHERE ${q('access_attempt_id')} = ?`,
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
    if (!settings.enableAccessFailureLog) return
    const a = fitted(input.attempt)
    await s.run(
      `INSERT INTO ${T_FAILURE_LOG} (${q('user_agent')}, ${q('ip_address')}, ${q('username')}, ${q('http_accept')}, ${q('path_info')}, ${q('attempt_time')}, ${q('locked_out')}) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [a.userAgent, a.ipAddress, a.username, a.httpAccept, a.pathInfo, dt(input.now), lockedOut],
    )
    // Keep the newest rows per username: one statement deletes every older one.
    const [cond, params] = where({ username: a.username })
    await s.run(
      `DELETE FROM ${T_FAILURE_LOG} WHERE ${cond} AND ${q('id')} NOT IN (SELECT ${q('id')} FROM (SELECT ${q('id')} FROM ${T_FAILURE_LOG} WHERE ${cond} ORDER BY ${q('attempt_time')} DESC, ${q('id')} DESC LIMIT ?) AS keep)`,
      [...params, ...params, settings.accessFailureLogPerUserLimit],
    )
  }

  /** Deletes this client's expired rows: a scoped, indexed statement per bucket. */
  const sweepClient = async (s: SqlSession, input: CountInput) => {
    const window = failureWindowMs(input.rule)
    if (window === null) return
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
   * transaction (so it also sees a row Django has just committed). Where the write is one
   * statement (PostgreSQL), the read is sent right behind it without waiting: one round trip.
   */
  const recordFailure = async (s: SqlSession, input: CountInput): Promise<CountResult> => {
    let state: CountResult
    if (dialect === 'postgres' && !settings.useAttemptExpiration) {
      const [, after] = await Promise.all([writeFailure(s, input), stateOf(s, input)])
      state = after
    } else {
      await writeFailure(s, input)
      state = await stateOf(s, input)
    }
    await writeFailureLog(s, input, state.lockedUntil !== null)
    // Expired rows never count; deleting them is housekeeping, done every 32nd write.
    if (++writes % 32 === 0) await sweepClient(s, input)
    return state
  }

  /**
   * PostgreSQL: a failure recorded without a lock, in one statement in autocommit (one round trip):
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
  const pgLockFreeFailure = async (
    input: CountInput,
    token: string | null,
  ): Promise<CountResult> => {
    const s = driver.session
    let expired = false
    if (token !== null) {
      const deadline = Number(token.slice(token.lastIndexOf('@') + 1))
      expired = deadline <= input.now
    }
    const { upd, insert, params, cond, rowParams, stale } = pgUpsert(
      input,
      token === null ? null : { expired },
    )
    const [states, stateParams] = bucketStatesQuery(input, false)
    const del =
      token === null
        ? ''
        : `del AS (DELETE FROM ${T_RESERVATION} WHERE ${q('token')} = ? RETURNING 1), `
    const sql = `WITH ${del}${upd}, ins AS (${insert} RETURNING (xmax = 0) AS inserted) SELECT st.*, (SELECT COUNT(*) FROM ins WHERE NOT ins.inserted) AS conflicted, (SELECT COUNT(*) FROM upd) AS updated, (SELECT MAX(f) FROM upd) AS after, (SELECT SUM(${q('failures_since_start')}) FROM ${T_ATTEMPT} WHERE ${cond} AND ${q('attempt_time')} > ?) AS before${token === null ? '' : ', (SELECT COUNT(*) FROM del) AS released'} FROM (${states}) AS st`
    const all = [...(token === null ? [] : [token]), ...params, ...rowParams, stale, ...stateParams]
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
      ? await stateOf(s, input)
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

  const locks = (input: CountInput) => input.buckets.map((b) => b.key)

  const run = async <T>(input: CountInput, fn: (s: TxSession) => Promise<T>): Promise<T> => {
    checkInput(input)
    return driver.transaction(locks(input), fn)
  }

  /** Deletes attempt rows (and their expiration rows first: Django cascades in Python). */
  const deleteAttempts = async (s: SqlSession, cond: string, params: unknown[]) => {
    await s.run(
      `DELETE FROM ${T_EXPIRATION} WHERE ${q('access_attempt_id')} IN (SELECT ${q('id')} FROM (SELECT ${q('id')} FROM ${T_ATTEMPT} WHERE ${cond}) AS gone)`,
      params,
    )
    return s.run(`DELETE FROM ${T_ATTEMPT} WHERE ${cond}`, params)
  }

  /**
   * What reaches SQL is what the core promises: an IP column gets an IP (PostgreSQL's inet refuses
   * anything else with a bare SQL error), and no text holds a NUL (PostgreSQL cannot store one).
   */
  const checkIp = (value: string | null) => {
    if (value !== null && !CANONICAL_IPV4.test(value) && parseIp(value)?.text !== value) {
      throw new AxesError(
        'AXES_INVALID_INPUT',
        `the database handler was given ${JSON.stringify(value.slice(0, 60))} as an IP address; it takes canonical IP text or null`,
      )
    }
  }

  const checkInput = (input: CountInput) => {
    let checked: string | null = null
    for (const value of [
      input.attempt.ipAddress,
      ...input.buckets.map((b) => b.fields.ip_address ?? null),
    ]) {
      if (value === null || value === checked) continue
      checked = value
      checkIp(value)
    }
  }

  // ----- the admin pages' queries

  /** The IP column as text (PostgreSQL's inet prints a netmask when cast; host() does not). */
  const IP_SELECT = dialect === 'postgres' ? `host(${q('ip_address')})` : q('ip_address')
  const LOG_FIELDS = `${q('id')} AS id, ${IP_SELECT} AS ip, ${q('username')} AS username, ${q('user_agent')} AS ua, ${q('http_accept')} AS accept, ${q('path_info')} AS path, ${datetimeMsSql(dialect, q('attempt_time'))} AS at`
  const ATTEMPT_FIELDS = `${LOG_FIELDS}, ${q('get_data')} AS get_data, ${q('post_data')} AS post_data, ${q('failures_since_start')} AS failures, ${datetimeMsSql(dialect, q('expires_at'))} AS expires`
  const LOG_SORT: Record<LogSortKey, string> = {
    attemptTime: q('attempt_time'),
    ipAddress: q('ip_address'),
    username: q('username'),
    userAgent: q('user_agent'),
    pathInfo: q('path_info'),
  }
  const ATTEMPT_SORT: Record<AttemptSortKey, string> = {
    ...LOG_SORT,
    failures: q('failures_since_start'),
  }
  const orderBy = <K extends string>(columns: Record<K, string>, key: K, descending: boolean) => {
    const column = Object.hasOwn(columns, key) ? columns[key] : q('attempt_time')
    const direction = descending ? 'DESC' : 'ASC'
    return `${column} ${direction}, ${q('id')} ${direction}`
  }
  const pageParams = (query: PageQuery<string>) => [
    Math.min(MAX_PAGE, Math.max(0, Math.floor(query.limit))),
    Math.max(0, Math.floor(query.offset)),
  ]
  /** Search (a case-insensitive substring of IP, username, user agent or path), time and path. */
  const filters = (query: PageQuery<string>): [string[], unknown[]] => {
    const conds: string[] = []
    const params: unknown[] = []
    const term = searchTerm(query.search, false)
    if (term !== '') {
      // Both sides lowered by the database's LOWER, so that they agree on what case is.
      const pattern = `%${term.replace(/[!%_]/g, (c) => `!${c}`)}%`
      const columns = [IP_SELECT, q('username'), q('user_agent'), q('path_info')]
      conds.push(`(${columns.map((c) => `LOWER(${c}) LIKE LOWER(?) ESCAPE '!'`).join(' OR ')})`)
      params.push(pattern, pattern, pattern, pattern)
    }
    if (query.since != null) {
      conds.push(`${q('attempt_time')} >= ?`)
      params.push(dt(query.since))
    }
    if (query.path != null && query.path !== '') {
      conds.push(`${q('path_info')} = ?`)
      params.push(query.path.toWellFormed().replace(/\0/g, ''))
    }
    return [conds, params]
  }
  /**
   * The rows locked out at `now` by the rule, per row as django-axes' admin judges them (its
   * failures against the limit), and within the lock's duration: with tiers, the highest tier the
   * row's failures reach.
   */
  const lockedCondition = (rule: LockoutRule, now: number): [string, unknown[]] => {
    if (!rule.lockOutAtFailure) return ['1 = 0', []]
    const f = q('failures_since_start')
    const at = q('attempt_time')
    if (rule.tiers.length === 0) {
      if (rule.cooloffMs === null) return [`${f} >= ?`, [rule.failureLimit]]
      return [`(${f} >= ? AND ${at} > ?)`, [rule.failureLimit, dt(now - rule.cooloffMs)]]
    }
    const parts: string[] = []
    const params: unknown[] = []
    rule.tiers.forEach((tier, i) => {
      const next = rule.tiers[i + 1]
      parts.push(`(${f} >= ?${next ? ` AND ${f} < ?` : ''} AND ${at} > ?)`)
      params.push(tier.failures, ...(next ? [next.failures] : []), dt(now - tier.cooloffMs))
    })
    return [`(${parts.join(' OR ')})`, params]
  }
  /**
   * One page of a table: the rows (`select` is the column list and FROM clause), how many match,
   * and the table's distinct paths, in three statements sent together.
   */
  const pagedQuery = async <K extends string>(
    table: string,
    select: string,
    query: PageQuery<K>,
    sorts: Record<K, string>,
    extra: [string, unknown[]][] = [],
  ): Promise<QueryPage<SqlRow>> => {
    const [conds, params] = filters(query)
    for (const [cond, condParams] of extra) {
      conds.push(cond)
      params.push(...condParams)
    }
    const whereSql = conds.length === 0 ? '' : ` WHERE ${conds.join(' AND ')}`
    const order = orderBy(sorts, query.sort ?? ('attemptTime' as K), query.descending ?? true)
    const [rows, total, paths] = await Promise.all([
      driver.session.all(`SELECT ${select}${whereSql} ORDER BY ${order} LIMIT ? OFFSET ?`, [
        ...params,
        ...pageParams(query),
      ]),
      countOf(table, whereSql, params),
      distinctPaths(table),
    ])
    return { rows, total, paths }
  }
  const countOf = async (table: string, whereSql: string, params: unknown[]) => {
    const rows = await driver.session.all(`SELECT COUNT(*) AS n FROM ${table}${whereSql}`, params)
    return Number(rows[0]?.n ?? 0)
  }
  const distinctPaths = async (table: string) => {
    const rows = await driver.session.all(
      `SELECT DISTINCT ${q('path_info')} AS path FROM ${table} ORDER BY ${q('path_info')} LIMIT 50`,
    )
    return rows.map((row) => String(row.path))
  }
  const text = (value: unknown) => (value === null || value === undefined ? null : String(value))
  const snapshotOf = (row: SqlRow, now: number, rule: LockoutRule | null): AttemptSnapshot => {
    const failures = Number(row.failures)
    const at = datetimeMs(row.at) ?? 0
    // Per row, as django-axes' admin judges its "Locked Out" status: the row's own failures
    // against the limit, and here also whether the lock has lifted.
    const lockedUntil = rule
      ? activeLockUntil(rule, currentFailures(rule, failures, at, now), at, now)
      : null
    return {
      ipAddress: text(row.ip),
      username: text(row.username),
      userAgent: text(row.ua),
      failures,
      attemptTime: new Date(at),
      lockedUntil,
    }
  }
  const logOf = (row: SqlRow) => ({
    id: String(row.id),
    ipAddress: text(row.ip),
    username: text(row.username),
    userAgent: String(row.ua ?? ''),
    httpAccept: String(row.accept ?? ''),
    pathInfo: String(row.path ?? ''),
    attemptTime: new Date(datetimeMs(row.at) ?? 0),
  })
  const detailOf = (row: SqlRow, now: number, rule: LockoutRule | null): AttemptDetail => {
    const expires = datetimeMs(row.expires)
    return {
      ...snapshotOf(row, now, rule),
      id: String(row.id),
      pathInfo: text(row.path),
      httpAccept: text(row.accept),
      getData: text(row.get_data),
      postData: text(row.post_data),
      expiresAt: expires === null ? null : new Date(expires),
    }
  }

  return {
    name: 'database',
    shared: true,
    kind: 'database',

    attach(next: HandlerSettings) {
      settings = next
    },

    getFailures(input) {
      try {
        checkInput(input)
        const s = driver.session
        if (s.allNow) {
          // SQLite reads without waiting: one promise for the answer, none per layer.
          const [sql, params] = bucketStatesQuery(input, false)
          return Promise.resolve(combine(readStates(s.allNow(sql, params)), input))
        }
      } catch (error) {
        return Promise.reject(error)
      }
      return stateOf(driver.session, input)
    },

    reserve(input) {
      return run(input, async (s): Promise<ReserveResult> => {
        const { rule, now } = input
        const states = await bucketStates(s, input, true)
        const state = combine(states, input)
        if (state.lockedUntil !== null) {
          if (!rule.recordLockedAttempts) {
            return { ...state, outcome: 'locked', reservation: null, recorded: false }
          }
          const after = await recordFailure(s, input)
          return { ...after, outcome: 'locked', reservation: null, recorded: true }
        }
        if (rule.lockOutAtFailure) {
          for (const bucket of states) {
            if (bucket.held >= attemptsLeft(rule, bucket.failures)) {
              return { ...state, outcome: 'busy', reservation: null, recorded: false }
            }
          }
        }
        const until = now + rule.reservationTtlMs
        const token = `${process.pid}.${Date.now()}.${++tokenSeq}.${Math.random().toString(36).slice(2, 10)}@${until}`
        const hashes = input.buckets.map(bucketHash)
        // Nobody reads these two: they go out with the commit (one round trip on PostgreSQL).
        s.defer(
          s.run(
            `INSERT INTO ${T_RESERVATION} (${q('bucket')}, ${q('token')}, ${q('expires_at')}) VALUES ${hashes.map(() => '(?, ?, ?)').join(', ')}`,
            hashes.flatMap((hash) => [hash, token, until]),
          ),
        )
        // Expired reservations of these buckets go now; the rest with their buckets' next visit.
        s.defer(
          s.run(
            `DELETE FROM ${T_RESERVATION} WHERE ${q('bucket')} IN (${hashes.map(() => '?').join(', ')}) AND ${q('expires_at')} <= ?`,
            [...hashes, now],
          ),
        )
        return { ...state, outcome: 'reserved', reservation: token, recorded: false }
      })
    },

    settle(input: SettleInput) {
      if (
        dialect === 'postgres' &&
        !settings.enableAccessFailureLog &&
        !settings.useAttemptExpiration
      ) {
        return (async () => {
          checkInput(input)
          if (input.outcome === 'failure') return pgLockFreeFailure(input, input.reservation)
          // Success or cancel: the place is released; the state read in the same write.
          const [, state] = await Promise.all([
            driver.session.run(`DELETE FROM ${T_RESERVATION} WHERE ${q('token')} = ?`, [
              input.reservation,
            ]),
            stateOf(driver.session, input),
          ])
          return state
        })()
      }
      return run(input, async (s) => {
        const released = await s.run(`DELETE FROM ${T_RESERVATION} WHERE ${q('token')} = ?`, [
          input.reservation,
        ])
        if (input.outcome !== 'failure') return stateOf(s, input)
        if (released === 0) {
          // Settled already (nothing to do), or expired and swept, when the wrong password must
          // still count.
          const deadline = Number(input.reservation.slice(input.reservation.lastIndexOf('@') + 1))
          if (!(deadline <= input.now)) return stateOf(s, input)
        }
        return recordFailure(s, input)
      })
    },

    recordFailure(input) {
      if (
        dialect !== 'postgres' ||
        settings.enableAccessFailureLog ||
        settings.useAttemptExpiration
      ) {
        // One transaction: the row with its failure-log entry or its expiration row. (MySQL keeps
        // its transaction too: READ COMMITTED there spares autocommit's gap-lock deadlocks.)
        return run(input, (s) => recordFailure(s, input))
      }
      // On PostgreSQL a failure reported after the fact needs no lock: see pgLockFreeFailure.
      return (async () => {
        checkInput(input)
        return pgLockFreeFailure(input, null)
      })()
    },

    async loggedIn(given: LoginRecord) {
      if (settings.disableAccessLog) return
      checkIp(given.ipAddress)
      const record = fitted(given)
      await driver.session.run(
        `INSERT INTO ${T_LOG} (${q('user_agent')}, ${q('ip_address')}, ${q('username')}, ${q('http_accept')}, ${q('path_info')}, ${q('attempt_time')}, ${q('logout_time')}, ${q('session_hash')}) VALUES (?, ?, ?, ?, ?, ?, NULL, ?)`,
        [
          record.userAgent,
          record.ipAddress,
          record.username,
          record.httpAccept,
          record.pathInfo,
          dt(record.attemptTime.getTime()),
          record.sessionHash,
        ],
      )
    },

    async loggedOut(record: LogoutRecord) {
      if (settings.disableAccessLog || record.username === null) return
      await driver.session.run(
        `UPDATE ${T_LOG} SET ${q('logout_time')} = ? WHERE ${q('username')} = ? AND ${q('logout_time')} IS NULL AND ${q('session_hash')} = ?`,
        [dt(record.logoutTime.getTime()), record.username, record.sessionHash],
      )
    },

    async resetBuckets(buckets) {
      return driver.transaction(
        buckets.map((b) => b.key),
        async (s) => {
          let removed = 0
          for (const bucket of buckets) {
            const [cond, params] = where(bucket.fields)
            removed += await deleteAttempts(s, cond, params)
          }
          return removed
        },
      )
    },

    async resetAttempts(filter: ResetFilter) {
      const ip = filter.ipAddress ?? null
      const username = filter.username ?? null
      // An IP that is not one cannot match a stored address (and PostgreSQL's inet would refuse it).
      const ipValid = ip === null || parseIp(ip) !== null
      const parts: string[] = []
      const params: unknown[] = []
      if (ip !== null && ipValid) {
        parts.push(`${q('ip_address')} = ?`)
        params.push(ip)
      }
      if (username !== null) {
        parts.push(`${q('username')} = ?`)
        params.push(username)
      }
      if (ip !== null && !ipValid && (username === null || !filter.ipOrUsername)) return 0
      const cond = parts.length === 0 ? '1 = 1' : parts.join(filter.ipOrUsername ? ' OR ' : ' AND ')
      return driver.transaction([], (s) => deleteAttempts(s, `(${cond})`, params))
    },

    async resetLogs({ ageDays }) {
      if (ageDays === null || ageDays === undefined) {
        return driver.session.run(`DELETE FROM ${T_LOG}`)
      }
      return driver.session.run(`DELETE FROM ${T_LOG} WHERE ${q('attempt_time')} <= ?`, [
        dt(Date.now() - ageDays * 86_400_000),
      ])
    },

    async resetFailureLogs({ ageDays }) {
      if (ageDays === null || ageDays === undefined) {
        return driver.session.run(`DELETE FROM ${T_FAILURE_LOG}`)
      }
      return driver.session.run(`DELETE FROM ${T_FAILURE_LOG} WHERE ${q('attempt_time')} <= ?`, [
        dt(Date.now() - ageDays * 86_400_000),
      ])
    },

    async listAttempts({ limit, now, rule }): Promise<AttemptSnapshot[]> {
      const rows = await driver.session.all(
        `SELECT ${q('ip_address')} AS ip, ${q('username')} AS username, ${q('user_agent')} AS ua, ${q('failures_since_start')} AS failures, ${datetimeMsSql(dialect, q('attempt_time'))} AS at FROM ${T_ATTEMPT} ORDER BY ${q('attempt_time')} DESC, ${q('id')} DESC LIMIT ?`,
        [limit ?? 1000],
      )
      return rows.map((row) => snapshotOf(row, now, rule ?? null))
    },

    async queryAttempts(query: AttemptQuery): Promise<QueryPage<AttemptDetail>> {
      const extra: [string, unknown[]][] = []
      if (query.lockedOut != null && query.rule !== null) {
        const [locked, lockedParams] = lockedCondition(query.rule, query.now)
        extra.push([query.lockedOut ? locked : `NOT (${locked})`, lockedParams])
      }
      const page = await pagedQuery(
        T_ATTEMPT,
        `${ATTEMPT_FIELDS} FROM ${T_ATTEMPT} LEFT JOIN ${T_EXPIRATION} ON ${q('access_attempt_id')} = ${q('id')}`,
        query,
        ATTEMPT_SORT,
        extra,
      )
      return { ...page, rows: page.rows.map((row) => detailOf(row, query.now, query.rule)) }
    },

    async getAttempt(id, { now, rule }) {
      if (!/^\d{1,15}$/.test(id)) return null
      const rows = await driver.session.all(
        `SELECT ${ATTEMPT_FIELDS} FROM ${T_ATTEMPT} LEFT JOIN ${T_EXPIRATION} ON ${q('access_attempt_id')} = ${q('id')} WHERE ${q('id')} = ?`,
        [Number(id)],
      )
      const row = rows[0]
      return row === undefined ? null : detailOf(row, now, rule)
    },

    async deleteAttempts(ids) {
      const numeric = [...new Set(ids.filter((id) => /^\d{1,15}$/.test(id)).map(Number))]
      if (numeric.length === 0) return 0
      return driver.transaction([], async (s) => {
        let removed = 0
        for (let i = 0; i < numeric.length; i += 500) {
          const chunk = numeric.slice(i, i + 500)
          removed += await deleteAttempts(
            s,
            `${q('id')} IN (${chunk.map(() => '?').join(', ')})`,
            chunk,
          )
        }
        return removed
      })
    },

    async cleanExpiredAttempts({ now, rule }) {
      const parts: string[] = []
      const params: unknown[] = []
      const window = rule === null ? null : failureWindowMs(rule)
      if (window !== null) {
        parts.push(`${q('attempt_time')} <= ?`)
        params.push(dt(now - window))
      }
      if (settings.useAttemptExpiration) {
        // django-axes' clean_expired_user_attempts in expiration mode: past its expires_at.
        parts.push(
          `${q('id')} IN (SELECT ${q('access_attempt_id')} FROM (SELECT ${q('access_attempt_id')} FROM ${T_EXPIRATION} WHERE ${q('expires_at')} <= ?) AS expired)`,
        )
        params.push(dt(now))
      }
      if (parts.length === 0) return 0
      return driver.transaction([], (s) => deleteAttempts(s, `(${parts.join(' OR ')})`, params))
    },

    async queryAccessLogs(query: PageQuery<LogSortKey>): Promise<QueryPage<AccessLogEntry>> {
      const page = await pagedQuery(
        T_LOG,
        `${LOG_FIELDS}, ${datetimeMsSql(dialect, q('logout_time'))} AS logout, ${q('session_hash')} AS session FROM ${T_LOG}`,
        query,
        LOG_SORT,
      )
      return {
        ...page,
        rows: page.rows.map((row) => {
          const logout = datetimeMs(row.logout)
          return {
            ...logOf(row),
            logoutTime: logout === null ? null : new Date(logout),
            sessionHash: String(row.session ?? ''),
          }
        }),
      }
    },

    async queryFailureLogs(
      query: PageQuery<LogSortKey> & { lockedOut?: boolean | null },
    ): Promise<QueryPage<AccessFailureLogEntry>> {
      const extra: [string, unknown[]][] =
        query.lockedOut != null ? [[`${q('locked_out')} = ?`, [query.lockedOut]]] : []
      const page = await pagedQuery(
        T_FAILURE_LOG,
        `${LOG_FIELDS}, ${q('locked_out')} AS locked FROM ${T_FAILURE_LOG}`,
        query,
        LOG_SORT,
        extra,
      )
      return {
        ...page,
        rows: page.rows.map((row) => ({
          ...logOf(row),
          lockedOut: row.locked === true || Number(row.locked) === 1,
        })),
      }
    },

    async attemptStats(query) {
      const { now, rule, since, stepMs, steps } = query
      const table = query.fromFailureLog ? T_FAILURE_LOG : T_ATTEMPT
      const weight = query.fromFailureLog ? '1' : q('failures_since_start')
      // One query for the whole series: a sum per step over the rows of the period.
      const columns: string[] = []
      const seriesParams: unknown[] = []
      for (let i = 0; i < steps; i++) {
        columns.push(
          `SUM(CASE WHEN ${q('attempt_time')} >= ? AND ${q('attempt_time')} < ? THEN ${weight} ELSE 0 END) AS s${i}`,
        )
        seriesParams.push(dt(since + i * stepMs), dt(since + (i + 1) * stepMs))
      }
      const end = since + steps * stepMs
      // The top lists count the failures that still count (within the failure window).
      const window = rule === null ? null : failureWindowMs(rule)
      const current = window === null ? '' : ` WHERE ${q('attempt_time')} > ?`
      const currentParams = window === null ? [] : [dt(now - window)]
      const top = (column: string) =>
        driver.session.all(
          `SELECT ${column === 'ip_address' ? IP_SELECT : q(column)} AS value, SUM(${q('failures_since_start')}) AS failures FROM ${T_ATTEMPT}${current} GROUP BY ${q(column)} ORDER BY failures DESC LIMIT ?`,
          [...currentParams, Math.min(100, query.top)],
        )
      const locked = rule === null ? null : lockedCondition(rule, now)
      const [seriesRows, ips, usernames, lockedRows, attempts] = await Promise.all([
        driver.session.all(
          `SELECT ${columns.join(', ')} FROM ${table} WHERE ${q('attempt_time')} >= ? AND ${q('attempt_time')} < ?`,
          [...seriesParams, dt(since), dt(end)],
        ),
        top('ip_address'),
        top('username'),
        locked === null
          ? Promise.resolve(null)
          : driver.session.all(
              `SELECT COUNT(*) AS n FROM ${T_ATTEMPT} WHERE ${locked[0]}`,
              locked[1],
            ),
        countOf(T_ATTEMPT, '', []),
      ])
      const first = seriesRows[0] ?? {}
      const topOf = (rows: typeof ips) =>
        rows.map((row) => ({
          value: row.value === null || row.value === undefined ? null : String(row.value),
          failures: Number(row.failures ?? 0),
        }))
      return {
        series: Array.from({ length: steps }, (_, i) => Number(first[`s${i}`] ?? 0)),
        source: query.fromFailureLog ? 'failureLog' : 'attempts',
        topIps: topOf(ips),
        topUsernames: topOf(usernames),
        lockedOut: lockedRows === null ? null : Number(lockedRows[0]?.n ?? 0),
        attempts,
      }
    },

    close: () => driver.close(),
  }
}
