/**
 * Counting: the database handler's part of the counting store (getFailures, reserve, settle,
 * recordFailure, resetBuckets, resetAttempts). Each operation runs in one transaction serialised on
 * the client's buckets, so concurrent requests in any number of processes see and change the
 * counts one at a time; where the dialect can record a failure in one statement (PostgreSQL), a
 * failure needs no lock. Attempts in flight are rows of `axes_reservation` (a table Django
 * ignores), one per bucket, until settled or expired.
 */

import type {
  AxesHandler,
  CountInput,
  CountResult,
  ReserveResult,
  ResetFilter,
  SettleInput,
} from '../../ground/contract.js'
import { parseIp } from '../../ground/ip.js'
import { attemptsLeft } from '../../ground/rule.js'
import { bucketHash, bucketStatesOf, combine, readStates } from './bucket-states.js'
import type { SqlContext } from './context.js'
import { failureRecorderOf } from './failures.js'
import { checkInput } from './records.js'
import type { TxSession } from './sql.js'

/** The counting methods of the handler. */
export type CountingMethods = Pick<
  AxesHandler,
  'getFailures' | 'reserve' | 'settle' | 'recordFailure' | 'resetBuckets' | 'resetAttempts'
>

let tokenSeq = 0

/** The counting methods on a handler's context. */
export function countingOf(ctx: SqlContext): CountingMethods {
  const { q, driver, where } = ctx
  const T_RESERVATION = ctx.tables.reservation
  const oneStatement = ctx.dialect.oneStatementFailure
  const states = bucketStatesOf(ctx)
  const failures = failureRecorderOf(ctx, states)

  const locks = (input: CountInput) => input.buckets.map((b) => b.key)
  // Where the collation merges different spellings into one row (MySQL's `_ci`, PAD SPACE), the
  // locks and reservations take the collated keys, so that they merge as the rows do.
  const collated = ctx.dialect.collatedKeys?.(driver.session)
  const keyed = async <I extends CountInput>(input: I): Promise<I> =>
    collated ? { ...input, buckets: await collated(input.buckets) } : input

  const run = async <I extends CountInput, T>(
    input: I,
    fn: (s: TxSession, input: I) => Promise<T>,
  ): Promise<T> => {
    checkInput(input)
    const k = await keyed(input)
    return driver.transaction(locks(k), (s) => fn(s, k))
  }

  return {
    getFailures(input) {
      try {
        checkInput(input)
        const s = driver.session
        if (s.allNow) {
          // SQLite reads without waiting: one promise for the answer, none per layer.
          const [sql, params] = states.query(input, false)
          return Promise.resolve(combine(readStates(s.allNow(sql, params)), input))
        }
      } catch (error) {
        return Promise.reject(error)
      }
      return states.stateOf(driver.session, input)
    },

    reserve(request) {
      failures.sweepSometimes(request)
      return run(request, async (s, input): Promise<ReserveResult> => {
        const { rule, now } = input
        const buckets = await states.read(s, input, true)
        const state = combine(buckets, input)
        if (state.lockedUntil !== null) {
          if (!rule.recordLockedAttempts) {
            return { ...state, outcome: 'locked', reservation: null, recorded: false }
          }
          // Refused by the lock: no new row (see recordRefused).
          const after = await failures.recordRefused(s, input, buckets)
          return { ...after, outcome: 'locked', reservation: null, recorded: true }
        }
        if (rule.lockOutAtFailure) {
          for (const bucket of buckets) {
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
        oneStatement !== undefined &&
        !ctx.settings.enableAccessFailureLog &&
        !ctx.settings.useAttemptExpiration
      ) {
        return (async () => {
          checkInput(input)
          if (input.outcome === 'failure') {
            return failures.recordWithoutLock(input, input.reservation)
          }
          // Success or cancel: the place is released; the state read in the same write.
          const [, state] = await Promise.all([
            driver.session.run(`DELETE FROM ${T_RESERVATION} WHERE ${q('token')} = ?`, [
              input.reservation,
            ]),
            states.stateOf(driver.session, input),
          ])
          return state
        })()
      }
      return run(input, async (s, input) => {
        const released = await s.run(`DELETE FROM ${T_RESERVATION} WHERE ${q('token')} = ?`, [
          input.reservation,
        ])
        if (input.outcome !== 'failure') return states.stateOf(s, input)
        if (released === 0) {
          // Settled already (nothing to do), or expired and swept, when the wrong password must
          // still count.
          const deadline = Number(input.reservation.slice(input.reservation.lastIndexOf('@') + 1))
          if (!(deadline <= input.now)) return states.stateOf(s, input)
        }
        return failures.record(s, input)
      })
    },

    recordFailure(input) {
      failures.sweepSometimes(input)
      // A client locked out already: the attempt was refused by its lock, and adds no row.
      const refusedOr = async (
        s: TxSession,
        keyed: CountInput,
        otherwise: () => Promise<CountResult>,
      ) => {
        const buckets = await states.read(s, keyed, false)
        if (combine(buckets, keyed).lockedUntil === null) return otherwise()
        return failures.recordRefused(s, keyed, buckets)
      }
      if (
        oneStatement === undefined ||
        ctx.settings.enableAccessFailureLog ||
        ctx.settings.useAttemptExpiration
      ) {
        // One transaction: the row with its failure-log entry or its expiration row. (MySQL keeps
        // its transaction too: READ COMMITTED there spares autocommit's gap-lock deadlocks.)
        return run(input, (s, input) => refusedOr(s, input, () => failures.record(s, input)))
      }
      // Where the dialect can (PostgreSQL), a failure reported after the fact needs no lock; a
      // refused one is recorded in a transaction.
      return (async () => {
        checkInput(input)
        const state = await states.stateOf(driver.session, input)
        if (state.lockedUntil === null) return failures.recordWithoutLock(input, null)
        return run(input, (s, keyed) =>
          refusedOr(s, keyed, () => failures.recordWithoutLock(input, null)),
        )
      })()
    },

    async resetBuckets(given) {
      const buckets = collated ? await collated(given) : given
      return driver.transaction(
        buckets.map((b) => b.key),
        async (s) => {
          let removed = 0
          for (const bucket of buckets) {
            const [cond, params] = where(bucket.fields)
            removed += await ctx.deleteAttempts(s, cond, params)
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
      return driver.transaction([], (s) => ctx.deleteAttempts(s, `(${cond})`, params))
    },
  }
}
