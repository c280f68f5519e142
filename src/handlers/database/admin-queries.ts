/**
 * The admin pages' queries on django-axes' tables: browsing, reading and deleting attempts,
 * cleaning expired ones, the access and failure logs page by page, and the dashboard's figures.
 */

import type { AxesHandler } from '../../ground/contract.js'
import type {
  AttemptDetail,
  AttemptQuery,
  AttemptSnapshot,
  LogSortKey,
  PageQuery,
  QueryPage,
} from '../../ground/contract-browsing.js'
import type { AccessFailureLogEntry, AccessLogEntry } from '../../ground/contract-logs.js'
import { adminSqlOf, detailOf, logOf, snapshotOf } from './admin-sql.js'
import type { SqlContext } from './context.js'
import { datetimeMs } from './datetime.js'

/** The admin-query methods of the handler. */
export type AdminMethods = Required<
  Pick<
    AxesHandler,
    | 'listAttempts'
    | 'queryAttempts'
    | 'getAttempt'
    | 'deleteAttempts'
    | 'cleanExpiredAttempts'
    | 'queryAccessLogs'
    | 'queryFailureLogs'
    | 'attemptStats'
  >
>

/** The admin-query methods on a handler's context. */
export function adminQueriesOf(ctx: SqlContext): AdminMethods {
  const { q, dt, dialect, driver } = ctx
  const {
    attempt: T_ATTEMPT,
    expiration: T_EXPIRATION,
    log: T_LOG,
    failureLog: T_FAILURE_LOG,
  } = ctx.tables
  const {
    IP_SELECT,
    LOG_FIELDS,
    ATTEMPT_FIELDS,
    LOG_SORT,
    ATTEMPT_SORT,
    lockedCondition,
    pagedQuery,
    countOf,
  } = adminSqlOf(ctx)
  return {
    async listAttempts({ limit, now, rule }): Promise<AttemptSnapshot[]> {
      const rows = await driver.session.all(
        `SELECT ${q('ip_address')} AS ip, ${q('username')} AS username, ${q('user_agent')} AS ua, ${q('failures_since_start')} AS failures, ${dialect.datetimeMsSql(q('attempt_time'))} AS at FROM ${T_ATTEMPT} ORDER BY ${q('attempt_time')} DESC, ${q('id')} DESC LIMIT ?`,
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
          removed += await ctx.deleteAttempts(
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
      // Past the failure window; without one (no cool-off), past the retention.
      const window = rule === null ? null : ctx.keepMs(rule)
      if (window !== null) {
        parts.push(`${q('attempt_time')} <= ?`)
        params.push(dt(now - window))
      }
      if (ctx.settings.useAttemptExpiration) {
        // django-axes' clean_expired_user_attempts in expiration mode: past its expires_at.
        parts.push(
          `${q('id')} IN (SELECT ${q('access_attempt_id')} FROM (SELECT ${q('access_attempt_id')} FROM ${T_EXPIRATION} WHERE ${q('expires_at')} <= ?) AS expired)`,
        )
        params.push(dt(now))
      }
      if (parts.length === 0) return 0
      return driver.transaction([], (s) => ctx.deleteAttempts(s, `(${parts.join(' OR ')})`, params))
    },

    async queryAccessLogs(query: PageQuery<LogSortKey>): Promise<QueryPage<AccessLogEntry>> {
      const page = await pagedQuery(
        T_LOG,
        `${LOG_FIELDS}, ${dialect.datetimeMsSql(q('logout_time'))} AS logout, ${q('session_hash')} AS session FROM ${T_LOG}`,
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
      // Past the failure window; without one (no cool-off), past the retention.
      const window = rule === null ? null : ctx.keepMs(rule)
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
  }
}
