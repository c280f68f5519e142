/**
 * The driver on a pg Pool of node-axes' own: named prepared statements (PostgreSQL plans each shape
 * of query once per connection instead of on every call), a transaction opened together with its
 * advisory locks in one round trip, and statements outside a transaction pipelined over a few
 * connections (pg-lanes.ts).
 */

import { advisoryLocksSql, numbered } from '../dialects/postgres.js'
import { lockHash, type SqlRow, type SqlSession, type TxSession } from '../sql.js'
import { timeoutError } from './deadline.js'
import type { SqlDriver } from './driver.js'
import { corkForTick, pipelinedLanes } from './pg-lanes.js'
import type { PgClient, PgPipelinedClient, PgPool } from './pg-types.js'
import { lockKeys, retryOnDeadlock, storable } from './transaction.js'

/**
 * A driver on a pg Pool of node-axes' own: named prepared statements (PostgreSQL plans each shape
 * of query once per connection instead of on every call) and a transaction opened together with
 * its advisory locks in one round trip.
 */
export function pgDriver(
  pool: PgPool,
  pipelined?: { readonly lanes: number; readonly open: () => PgPipelinedClient },
  timeoutMs = 0,
): SqlDriver {
  const names = new Map<string, { name: string; text: string }>()
  const statement = (sql: string) => {
    let entry = names.get(sql)
    if (!entry) {
      entry = { name: `axes_${lockHash(sql).slice(0, 24)}`, text: numbered(sql) }
      names.set(sql, entry)
    }
    return entry
  }
  const sessionOf = (target: Pick<PgPool, 'query'>): SqlSession => ({
    all: async (sql, params = []) => {
      const { name, text } = statement(sql)
      return (await target.query({ name, text, values: params.map(storable) })).rows as SqlRow[]
    },
    run: async (sql, params = []) => {
      const { name, text } = statement(sql)
      return (await target.query({ name, text, values: params.map(storable) })).rowCount ?? 0
    },
  })
  const lanes = pipelined ? pipelinedLanes(pipelined.lanes, pipelined.open, timeoutMs) : null
  /** A pooled client, or a store error once the deadline passes (a late client goes back). */
  const acquire = (until: number): Promise<PgClient> => {
    const pending = pool.connect()
    if (timeoutMs <= 0) return pending
    return new Promise<PgClient>((resolve, reject) => {
      let late = false
      const timer = setTimeout(
        () => {
          late = true
          reject(timeoutError('waiting for a pooled connection', timeoutMs))
        },
        Math.max(0, until - Date.now()),
      )
      pending.then(
        (client) => {
          clearTimeout(timer)
          if (late) client.release()
          else resolve(client)
        },
        (error: unknown) => {
          clearTimeout(timer)
          reject(error)
        },
      )
    })
  }
  return {
    dialect: 'postgres',
    session: sessionOf(lanes ?? pool),
    transaction<T>(locks: readonly string[], fn: (s: TxSession) => Promise<T>): Promise<T> {
      return retryOnDeadlock(async () => {
        const keys = lockKeys(locks)
        const until = Date.now() + timeoutMs
        const client = await acquire(until)
        // The pool listens for errors on idle clients only: a checked-out client whose connection
        // dies (the server killed, a failover) would otherwise emit an unhandled 'error' and
        // crash the process, and so would one the pool is closing after it was released broken.
        // One listener for the client's whole life; the statements in flight fail on their own,
        // and a broken client is released as such (the pool drops it).
        const checkout = checkoutOf(client)
        checkout.broken = undefined
        let broken: Error | undefined
        // The deadline: the connection is closed, which fails the statements in flight on it; the
        // server rolls the transaction back (and frees its advisory locks) when it sees it gone.
        const expiry =
          timeoutMs > 0
            ? setTimeout(
                () => {
                  broken ??= timeoutError('a transaction', timeoutMs)
                  ;(
                    client as { connection?: { stream?: { destroy?(): void } } }
                  ).connection?.stream?.destroy?.()
                },
                Math.max(0, until - Date.now()),
              )
            : undefined
        try {
          // Sent without waiting: the transaction's statements follow it on the connection, in the
          // same write when issued in the same tick.
          const stream = (client as { connection?: { stream?: object } }).connection?.stream
          corkForTick(stream)
          const begun = client.query(keys.length > 0 ? `BEGIN; ${advisoryLocksSql(keys)}` : 'BEGIN')
          const inner = sessionOf(client)
          const deferred: Promise<unknown>[] = []
          const session: TxSession = {
            all: (sql, params) => {
              corkForTick(stream)
              return inner.all(sql, params)
            },
            run: (sql, params) => {
              corkForTick(stream)
              return inner.run(sql, params)
            },
            defer: (statement) => {
              // Observed at once, so that a failure is never "unhandled"; reported below.
              statement.catch(() => {})
              deferred.push(statement)
            },
          }
          try {
            const [, result] = await Promise.all([begun, fn(session)])
            // COMMIT right behind the deferred statements. If one of them failed, PostgreSQL has
            // aborted the transaction and answers COMMIT with a rollback: its error is thrown.
            corkForTick(stream)
            const committed = client.query('COMMIT')
            await Promise.all([...deferred, committed])
            return result
          } catch (error) {
            await client.query('ROLLBACK').catch((rollbackError: unknown) => {
              broken = rollbackError as Error
            })
            throw error
          }
        } finally {
          clearTimeout(expiry)
          client.release(broken ?? checkout.broken)
        }
      })
    },
    close: async () => {
      await Promise.all([lanes?.end(), pool.end()])
    },
  }
}

/** Per pg client: the error its connection died of during the current checkout, if any. */
const checkouts = new WeakMap<object, { broken: Error | undefined }>()

function checkoutOf(client: PgClient): { broken: Error | undefined } {
  let checkout = checkouts.get(client)
  if (!checkout) {
    const state: { broken: Error | undefined } = { broken: undefined }
    checkout = state
    checkouts.set(client, state)
    client.on?.('error', (error: Error) => {
      state.broken = error
    })
  }
  return checkout
}
