/**
 * Reading the buckets' state: every bucket's failures within the window, its last failure and
 * the places held in it, in one query (one round trip however many buckets: a UNION ALL of one
 * aggregate per bucket), and the decision they make together (the largest bucket decides).
 */

import type { Bucket } from '../../ground/buckets.js'
import type { CountInput, CountResult } from '../../ground/contract.js'
import { activeLockUntil, failureWindowMs, laterLift } from '../../ground/rule.js'
import type { SqlContext } from './context.js'
import { datetimeMs } from './datetime.js'
import { lockHash, type SqlRow, type SqlSession } from './sql.js'

/** One bucket's state as read. */
export interface BucketState {
  index: number
  failures: number
  /** The last failure (ms since the epoch; 0 when none). */
  last: number
  /** Places held by attempts in flight (0 unless asked). */
  held: number
}

/** A bucket's name in `axes_reservation`: its key's hash. */
export const bucketHash = (bucket: Bucket): string => lockHash(bucket.key)

/** The rows of a bucket-states query, in the buckets' order. */
export function readStates(rows: SqlRow[]): BucketState[] {
  return rows
    .map((row) => ({
      index: Number(row.b),
      failures: Number(row.failures ?? 0),
      last: datetimeMs(row.last) ?? 0,
      held: Number(row.held ?? 0),
    }))
    .sort((a, b) => a.index - b.index)
}

/** The buckets' state together: the most failures, and the latest lock still in force. */
export function combine(
  states: { failures: number; last: number }[],
  input: CountInput,
): CountResult {
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

/** The bucket-state reader of one handler. */
export interface BucketStates {
  /** The query (and its parameters) of the buckets' states; with the places held, or not. */
  query(input: CountInput, withHeld: boolean): [string, unknown[]]
  /** The buckets' states, read on a session. */
  read(s: SqlSession, input: CountInput, withHeld: boolean): Promise<BucketState[]>
  /** The buckets' decision, read on a session. */
  stateOf(s: SqlSession, input: CountInput): Promise<CountResult>
}

/** The bucket-state reader on a handler's context. */
export function bucketStatesOf(ctx: SqlContext): BucketStates {
  const { q, dt, dialect, where } = ctx
  const { attempt: T_ATTEMPT, reservation: T_RESERVATION } = ctx.tables
  // The query text for each shape of input (which fields, which are null, window or not), built
  // once: the same string each time is also what keeps the prepared-statement cache lookup cheap.
  const queries = new Map<string, string>()
  const query = (input: CountInput, withHeld: boolean): [string, unknown[]] => {
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
        return `SELECT ${index} AS b, COALESCE(SUM(${q('failures_since_start')}), 0) AS failures, ${dialect.datetimeMsSql(
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
  const read = async (s: SqlSession, input: CountInput, withHeld: boolean) => {
    const [sql, params] = query(input, withHeld)
    return readStates(await s.all(sql, params))
  }
  return {
    query,
    read,
    stateOf: async (s, input) => combine(await read(s, input, false), input),
  }
}
