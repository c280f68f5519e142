/**
 * PostgreSQL (pg, or a Kysely instance on PostgreSQL): identifiers in double quotes, `$n`
 * placeholders, `timestamp with time zone` sent as a JavaScript Date, transaction-scoped advisory
 * locks, a failure recorded in one lock-free upsert statement, and Django's PostgreSQL DDL
 * (postgres-ddl.ts).
 */

import type { FailureWrite, SqlDialectSpec } from './dialect.js'
import { transactionOn } from './dialect.js'
import { POSTGRES_MIGRATIONS } from './postgres-ddl.js'

const q = (name: string) => `"${name}"`
const T_ATTEMPT = q('axes_accessattempt')
const T_RESERVATION = q('axes_reservation')

/** `?` placeholders as PostgreSQL's `$1, $2, …` (our SQL never has `?` inside a literal). */
export function numbered(sql: string): string {
  let n = 0
  return sql.replace(/\?/g, () => `$${++n}`)
}

/** The first key of node-axes' advisory locks: its namespace among the database's other users. */
const LOCK_SPACE = 1096304979

/**
 * A SELECT taking each key's transaction-scoped advisory lock, left to right, written into the
 * statement: the keys must be hex digests (as `lockKeys` gives them).
 */
export function advisoryLocksSql(keys: readonly string[]): string {
  return `SELECT ${keys.map((key) => `pg_advisory_xact_lock(${LOCK_SPACE}, hashtext('${key}'))`).join(', ')}`
}

const lastChars = (expression: string, count: number) => `RIGHT(${expression}, ${count})`

/**
 * The failure's write as one statement's parts: update the row, or insert it; an insert that meets
 * a row Django has just made (it does not take node-axes' locks) adds to that row instead. With a
 * gate (a settle): write only when the statement's `del` released the reservation, or when it had
 * expired.
 */
function upsert(
  write: FailureWrite,
  values: readonly unknown[],
  gate: { expired: boolean } | null,
) {
  const { updateSql, updateParams, columns, stale, separator, dataCap } = write
  const old = (column: string) => `${T_ATTEMPT}.${q(column)}`
  const grown = (column: string) =>
    `CASE WHEN ${old('attempt_time')} <= ? THEN EXCLUDED.${q(column)} ELSE ${lastChars(
      `${old(column)} || ? || EXCLUDED.${q(column)}`,
      dataCap,
    )} END`
  const gated = gate === null ? '' : ' AND (EXISTS (SELECT 1 FROM del) OR ?::boolean)'
  const gateParams = gate === null ? [] : [gate.expired]
  return {
    upd: `upd AS (${updateSql}${gated} RETURNING ${q('failures_since_start')} AS f)`,
    insert: `INSERT INTO ${T_ATTEMPT} ${columns} SELECT ?::varchar, ?::inet, ?::varchar, ?::varchar, ?::varchar, ?::timestamptz, ?::text, ?::text, 1 WHERE NOT EXISTS (SELECT 1 FROM upd)${gated} ON CONFLICT (${q('username')}, ${q('ip_address')}, ${q('user_agent')}) DO UPDATE SET ${q('failures_since_start')} = CASE WHEN ${old('attempt_time')} <= ? THEN 1 ELSE ${old('failures_since_start')} + 1 END, ${q('get_data')} = ${grown('get_data')}, ${q('post_data')} = ${grown('post_data')}, ${q('attempt_time')} = EXCLUDED.${q('attempt_time')}, ${q('http_accept')} = EXCLUDED.${q('http_accept')}, ${q('path_info')} = EXCLUDED.${q('path_info')}`,
    params: [
      ...updateParams,
      ...gateParams,
      ...values,
      ...gateParams,
      stale,
      stale,
      separator,
      stale,
      separator,
    ],
  }
}

/** PostgreSQL. */
export const postgres: SqlDialectSpec = {
  name: 'postgres',
  embedded: false,
  quote: q,
  placeholders: numbered,
  datetimeParam: (ms) => new Date(ms),
  datetimeMsSql: (expression) => `(EXTRACT(EPOCH FROM ${expression}) * 1000)`,
  lastChars,
  concat: (parts) => parts.join(' || '),
  // host() prints the address alone; a cast to text would add a netmask.
  ipText: (column) => `host(${column})`,
  insertUnlessExists: (table, columns, values) =>
    `INSERT INTO ${table} ${columns} VALUES (${values}) ON CONFLICT (username, ip_address, user_agent) DO NOTHING`,
  oneStatementFailure: {
    upsertSql(write, values) {
      const { upd, insert, params } = upsert(write, values, null)
      return [`WITH ${upd} ${insert}`, params]
    },
    recordSql(write, values, token, expired, statesSql, statesParams) {
      const { upd, insert, params } = upsert(write, values, token === null ? null : { expired })
      const del =
        token === null
          ? ''
          : `del AS (DELETE FROM ${T_RESERVATION} WHERE ${q('token')} = ? RETURNING 1), `
      // `xmax = 0` tells a row the insert made from one it met and updated.
      const sql = `WITH ${del}${upd}, ins AS (${insert} RETURNING (xmax = 0) AS inserted) SELECT st.*, (SELECT COUNT(*) FROM ins WHERE NOT ins.inserted) AS conflicted, (SELECT COUNT(*) FROM upd) AS updated, (SELECT MAX(f) FROM upd) AS after, (SELECT SUM(${q('failures_since_start')}) FROM ${T_ATTEMPT} WHERE ${write.cond} AND ${q('attempt_time')} > ?) AS before${token === null ? '' : ', (SELECT COUNT(*) FROM del) AS released'} FROM (${statesSql}) AS st`
      return [
        sql,
        [
          ...(token === null ? [] : [token]),
          ...params,
          ...write.rowParams,
          write.stale,
          ...statesParams,
        ],
      ]
    },
  },
  lockedTransaction: (s, keys, work) =>
    transactionOn(s, 'BEGIN', async () => {
      // Every lock in one round trip, taken left to right in sorted order.
      if (keys.length > 0) {
        await s.all(
          `SELECT ${keys.map(() => `pg_advisory_xact_lock(${LOCK_SPACE}, hashtext(?))`).join(', ')}`,
          keys,
        )
      }
      return work()
    }),
  migrations: POSTGRES_MIGRATIONS,
  existsQuery: (_kind, name) => ['SELECT to_regclass(?)::text AS name', [name]],
  columnExistsQuery: (table, column) => [
    'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? AND column_name = ?',
    [table, column],
  ],
}
