/**
 * The SQL of the admin pages' queries: the columns they select, the sort keys, the search and
 * filters, which rows are locked out, one page of a table with its count and paths, and reading
 * the rows back.
 */

import type {
  AttemptDetail,
  AttemptSnapshot,
  AttemptSortKey,
  LogSortKey,
  PageQuery,
  QueryPage,
} from '../../ground/contract-browsing.js'
import type { LockoutRule } from '../../ground/rule.js'
import { activeLockUntil, currentFailures } from '../../ground/rule.js'
import { MAX_PAGE, searchTerm } from '../query.js'
import type { SqlContext } from './context.js'
import { datetimeMs } from './datetime.js'
import type { SqlRow } from './sql.js'

/** The admin queries' SQL on a handler's context. */
export function adminSqlOf(ctx: SqlContext) {
  const { q, dt, dialect, driver } = ctx
  /** The IP column as text. */
  const IP_SELECT = dialect.ipText(q('ip_address'))
  const LOG_FIELDS = `${q('id')} AS id, ${IP_SELECT} AS ip, ${q('username')} AS username, ${q('user_agent')} AS ua, ${q('http_accept')} AS accept, ${q('path_info')} AS path, ${dialect.datetimeMsSql(q('attempt_time'))} AS at`
  const ATTEMPT_FIELDS = `${LOG_FIELDS}, ${q('get_data')} AS get_data, ${q('post_data')} AS post_data, ${q('failures_since_start')} AS failures, ${dialect.datetimeMsSql(q('expires_at'))} AS expires`
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
  return {
    IP_SELECT,
    LOG_FIELDS,
    ATTEMPT_FIELDS,
    LOG_SORT,
    ATTEMPT_SORT,
    lockedCondition,
    pagedQuery,
    countOf,
  }
}

/** A nullable column as text. */
const text = (value: unknown) => (value === null || value === undefined ? null : String(value))
/** An attempt row as the admin's list shows it. */
export function snapshotOf(row: SqlRow, now: number, rule: LockoutRule | null): AttemptSnapshot {
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
/** The fields every log row shares (an attempt row's too). */
export const logOf = (row: SqlRow) => ({
  id: String(row.id),
  ipAddress: text(row.ip),
  username: text(row.username),
  userAgent: String(row.ua ?? ''),
  httpAccept: String(row.accept ?? ''),
  pathInfo: String(row.path ?? ''),
  attemptTime: new Date(datetimeMs(row.at) ?? 0),
})
/** An attempt row with everything it holds. */
export function detailOf(row: SqlRow, now: number, rule: LockoutRule | null): AttemptDetail {
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
