/**
 * The database driver the handler talks to: SQL with `?` placeholders, run on SQLite through
 * better-sqlite3 directly (the embedded default: synchronous, prepared statements), or on any
 * dialect through a Kysely instance (PostgreSQL with pg, MySQL/MariaDB with mysql2, or the
 * application's own). A transaction is serialised per client: SQLite takes the write lock up
 * front (`BEGIN IMMEDIATE`), PostgreSQL takes transaction-scoped advisory locks, MySQL named locks.
 */

import { createHash } from 'node:crypto'
import type { Kysely } from 'kysely'
import { AxesStoreError } from '../../ground/errors.js'

/** The SQL dialects the database handler speaks. */
export type SqlDialect = 'sqlite' | 'postgres' | 'mysql'

/** A row as drivers return it. */
export type SqlRow = Record<string, unknown>

/** Runs statements; inside a transaction when given to a transaction's callback. */
export interface SqlSession {
  all(sql: string, params?: readonly unknown[]): Promise<SqlRow[]>
  run(sql: string, params?: readonly unknown[]): Promise<number>
  /**
   * The rows at once, where the driver can read without waiting (better-sqlite3 outside a
   * transaction): a check then costs no promise per layer.
   */
  allNow?(sql: string, params?: readonly unknown[]): SqlRow[]
}

/** A session inside a transaction. */
export interface TxSession extends SqlSession {
  /**
   * Hands over a statement whose result nobody reads: it must succeed for the transaction to
   * commit. PostgreSQL sends COMMIT right behind it without waiting (one round trip for the
   * transaction's last writes and its commit); the other drivers wait for it before committing.
   */
  defer(statement: Promise<unknown>): void
}

/** A connection to one database. */
export interface SqlDriver {
  readonly dialect: SqlDialect
  /** Statements outside a transaction. */
  readonly session: SqlSession
  /**
   * Runs `fn` in a transaction that holds the given lock keys (sorted, so two transactions never
   * wait on each other in a circle); commits, or rolls back and rethrows.
   */
  transaction<T>(locks: readonly string[], fn: (session: TxSession) => Promise<T>): Promise<T>
  close(): Promise<void>
}

/** A transaction's session for a driver that runs the deferred statements before COMMIT. */
function deferring(s: SqlSession): { session: TxSession; settled(): Promise<void> } {
  let pending: Promise<unknown>[] = []
  return {
    session: { all: s.all, run: s.run, defer: (statement) => void pending.push(statement) },
    async settled() {
      while (pending.length > 0) {
        const now = pending
        pending = []
        await Promise.all(now)
      }
    },
  }
}

/**
 * Corks a socket until the end of the tick, so that every message written in this tick leaves in
 * one write (pg otherwise makes one system call per query). Nothing to do when already corked in
 * this tick, or for a stream without cork.
 */
function corkForTick(stream: { cork?(): void; uncork?(): void } | undefined): void {
  if (!stream?.cork || !stream.uncork || corked.has(stream)) return
  corked.add(stream)
  stream.cork()
  process.nextTick(() => {
    corked.delete(stream)
    stream.uncork?.()
  })
}
const corked = new WeakSet<object>()

/** A lock key's stable hash (hex), used for names the database limits in length. */
export function lockHash(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}

/** The subset of better-sqlite3's Database the driver uses. */
export interface BetterSqliteDatabase {
  prepare(sql: string): {
    all(...params: unknown[]): unknown[]
    run(...params: unknown[]): { changes: number }
    reader: boolean
  }
  exec(sql: string): unknown
  pragma(sql: string): unknown
  close(): unknown
  readonly inTransaction: boolean
}

/**
 * A driver on a better-sqlite3 database (WAL and foreign keys set by the caller). better-sqlite3
 * waits for a lock synchronously, freezing the event loop, so SQLite's own busy timeout is kept
 * short and the write lock is waited for here, asynchronously, up to `busyTimeoutMs`.
 */
export function betterSqliteDriver(db: BetterSqliteDatabase, busyTimeoutMs = 5000): SqlDriver {
  const statements = new Map<string, ReturnType<BetterSqliteDatabase['prepare']>>()
  const prepared = (sql: string) => {
    let statement = statements.get(sql)
    if (!statement) {
      statement = db.prepare(sql)
      statements.set(sql, statement)
    }
    return statement
  }
  const bind = (params: readonly unknown[]) =>
    params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : storable(p)))
  const session: SqlSession = {
    all: async (sql, params = []) => prepared(sql).all(...bind(params)) as SqlRow[],
    run: async (sql, params = []) => prepared(sql).run(...bind(params)).changes,
    allNow: (sql, params = []) => prepared(sql).all(...bind(params)) as SqlRow[],
  }
  // One connection. Transactions of this process run one after another; those that arrive while a
  // batch is running form the next batch, committed together (group commit: one WAL write for many
  // logins), each inside its own savepoint so that one failing rolls back alone. Results are given
  // only after the commit. Other processes wait on SQLite's write lock (the busy timeout).
  interface Job {
    fn: (s: TxSession) => Promise<unknown>
    resolve: (value: unknown) => void
    reject: (error: unknown) => void
  }
  let waiting: Job[] = []
  let running = false
  /** Takes the write lock: at once when it is free (no await), else waiting asynchronously. */
  const begin = (): Promise<void> | undefined => {
    try {
      prepared('BEGIN IMMEDIATE').run()
      return undefined
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_BUSY') throw error
      return beginLater()
    }
  }
  const beginLater = async () => {
    const deadline = Date.now() + busyTimeoutMs
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 8))
      try {
        prepared('BEGIN IMMEDIATE').run()
        return
      } catch (error) {
        const code = (error as { code?: unknown }).code
        if (code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw error
      }
    }
  }
  const runBatch = async (batch: Job[]) => {
    try {
      const waiting = begin()
      if (waiting !== undefined) await waiting
    } catch (error) {
      for (const job of batch) job.reject(error)
      return
    }
    const outcomes: [Job, boolean, unknown][] = []
    if (batch.length === 1) {
      // Alone in its transaction: no savepoint needed, a failure rolls the whole of it back.
      const job = batch[0] as Job
      try {
        const tx = deferring(session)
        const value = await job.fn(tx.session)
        await tx.settled()
        prepared('COMMIT').run()
        job.resolve(value)
      } catch (error) {
        if (db.inTransaction) prepared('ROLLBACK').run()
        job.reject(error)
      }
      return
    }
    for (const job of batch) {
      prepared('SAVEPOINT axes_job').run()
      try {
        const tx = deferring(session)
        const value = await job.fn(tx.session)
        await tx.settled()
        prepared('RELEASE axes_job').run()
        outcomes.push([job, true, value])
      } catch (error) {
        prepared('ROLLBACK TO axes_job').run()
        prepared('RELEASE axes_job').run()
        outcomes.push([job, false, error])
      }
    }
    try {
      prepared('COMMIT').run()
    } catch (error) {
      if (db.inTransaction) prepared('ROLLBACK').run()
      for (const job of batch) job.reject(error)
      return
    }
    for (const [job, ok, value] of outcomes) (ok ? job.resolve : job.reject)(value)
  }
  const drain = () => {
    if (running || waiting.length === 0) return
    running = true
    const batch = waiting
    waiting = []
    runBatch(batch).then(
      () => {
        running = false
        drain()
      },
      () => {
        running = false
        drain()
      },
    )
  }
  return {
    dialect: 'sqlite',
    session,
    transaction<T>(_locks: readonly string[], fn: (s: TxSession) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        waiting.push({ fn, resolve: resolve as (value: unknown) => void, reject })
        drain()
      })
    },
    close: async () => {
      db.close()
    },
  }
}

/**
 * A parameter as every dialect can store it: text with NUL written as U+FFFD (as the core
 * sanitises identities; PostgreSQL refuses NUL in text), anything else as it is.
 */
export function storable(value: unknown): unknown {
  return typeof value === 'string' && value.includes('\0')
    ? value.replaceAll('\0', '\uFFFD')
    : value
}

/** `?` placeholders as PostgreSQL's `$1, $2, …` (our SQL never has `?` inside a literal). */
function numbered(sql: string): string {
  let n = 0
  return sql.replace(/\?/g, () => `$${++n}`)
}

interface KyselyExecutor {
  executeQuery(query: { sql: string; parameters: readonly unknown[]; query: unknown }): Promise<{
    rows: unknown[]
    numAffectedRows?: bigint
  }>
}

/** A driver on a Kysely instance of any of the three dialects. */
export async function kyselyDriver(db: Kysely<unknown>, dialect: SqlDialect): Promise<SqlDriver> {
  const { CompiledQuery } = await import('kysely')
  const sessionOf = (executor: KyselyExecutor): SqlSession => ({
    all: async (sql, params = []) => {
      const text = dialect === 'postgres' ? numbered(sql) : sql
      const result = await executor.executeQuery(CompiledQuery.raw(text, params.map(storable)))
      return result.rows as SqlRow[]
    },
    run: async (sql, params = []) => {
      const text = dialect === 'postgres' ? numbered(sql) : sql
      const result = await executor.executeQuery(CompiledQuery.raw(text, params.map(storable)))
      return Number(result.numAffectedRows ?? 0n)
    },
  })
  const session = sessionOf(db as unknown as KyselyExecutor)
  return {
    dialect,
    session,
    transaction<T>(locks: readonly string[], fn: (s: TxSession) => Promise<T>) {
      return retryOnDeadlock(() => once(locks, fn))
    },
    close: async () => {
      await db.destroy()
    },
  }

  async function once<T>(locks: readonly string[], fn: (s: TxSession) => Promise<T>): Promise<T> {
    const keys = [...new Set(locks.map(lockHash))].sort()
    if (dialect === 'postgres') {
      return db.transaction().execute(async (trx) => {
        const s = sessionOf(trx as unknown as KyselyExecutor)
        // Every lock in one round trip, taken left to right in sorted order.
        if (keys.length > 0) {
          await s.all(
            `SELECT ${keys.map(() => 'pg_advisory_xact_lock(1096304979, hashtext(?))').join(', ')}`,
            keys,
          )
        }
        const tx = deferring(s)
        const result = await fn(tx.session)
        await tx.settled()
        return result
      })
    }
    if (dialect === 'mysql') {
      return db.connection().execute(async (connection) => {
        const s = sessionOf(connection as unknown as KyselyExecutor)
        const held: string[] = []
        try {
          for (const key of keys) {
            const name = `axes:${key.slice(0, 58)}`
            const rows = await s.all('SELECT GET_LOCK(?, 30) AS got', [name])
            if (Number(rows[0]?.got) !== 1) {
              throw new AxesStoreError(`could not take the MySQL lock ${name} within 30 s`)
            }
            held.push(name)
          }
          // The named locks serialise each client; InnoDB's gap locks under REPEATABLE READ
          // would only add deadlocks between different clients.
          await s.run('SET TRANSACTION ISOLATION LEVEL READ COMMITTED')
          return await inTransaction(s, 'START TRANSACTION', fn)
        } finally {
          for (const name of held) await s.all('SELECT RELEASE_LOCK(?) AS released', [name])
        }
      })
    }
    return db
      .connection()
      .execute((connection) =>
        inTransaction(sessionOf(connection as unknown as KyselyExecutor), 'BEGIN IMMEDIATE', fn),
      )
  }
}

/** The subset of pg's Pool (and its clients) that the PostgreSQL driver uses. */
export interface PgPool {
  query(config: { name?: string; text: string; values?: unknown[] }): Promise<PgResult>
  connect(): Promise<PgClient>
  end(): Promise<void>
}

interface PgClient {
  query(config: { name?: string; text: string; values?: unknown[] } | string): Promise<PgResult>
  release(error?: boolean | Error): void
  on?(event: 'error', listener: (error: Error) => void): unknown
}

/**
 * A pg Client made with `pipeline: true`, used for statements outside a transaction. pg writes
 * each query with its own system call; `connection.stream` (pg's socket) is corked for one tick
 * so that every query issued in that tick leaves in one write.
 */
export interface PgPipelinedClient {
  connect(): Promise<unknown>
  query(config: { name?: string; text: string; values?: unknown[] }): Promise<PgResult>
  end(): Promise<void>
  on(event: 'error' | 'end', listener: (error?: Error) => void): unknown
  readonly connection?: { readonly stream?: { cork?(): void; uncork?(): void } }
}

interface PgResult {
  rows: unknown[]
  rowCount: number | null
}

/**
 * A driver on a pg Pool of node-axes' own: named prepared statements (PostgreSQL plans each shape
 * of query once per connection instead of on every call) and a transaction opened together with
 * its advisory locks in one round trip.
 */
export function pgDriver(
  pool: PgPool,
  pipelined?: { readonly lanes: number; readonly open: () => PgPipelinedClient },
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
  const lanes = pipelined ? pipelinedLanes(pipelined.lanes, pipelined.open) : null
  return {
    dialect: 'postgres',
    session: sessionOf(lanes ?? pool),
    transaction<T>(locks: readonly string[], fn: (s: TxSession) => Promise<T>): Promise<T> {
      return retryOnDeadlock(async () => {
        const keys = [...new Set(locks.map(lockHash))].sort()
        const client = await pool.connect()
        // The pool listens for errors on idle clients only: a checked-out client whose connection
        // dies (the server killed, a failover) would otherwise emit an unhandled 'error' and
        // crash the process, and so would one the pool is closing after it was released broken.
        // One listener for the client's whole life; the statements in flight fail on their own,
        // and a broken client is released as such (the pool drops it).
        const checkout = checkoutOf(client)
        checkout.broken = undefined
        let broken: Error | undefined
        try {
          // Hex digests only: safe to write into the statement.
          const lockSql = keys
            .map((key) => `pg_advisory_xact_lock(1096304979, hashtext('${key}'))`)
            .join(', ')
          // Sent without waiting: the transaction's statements follow it on the connection, in the
          // same write when issued in the same tick.
          const stream = (client as { connection?: { stream?: object } }).connection?.stream
          corkForTick(stream)
          const begun = client.query(keys.length > 0 ? `BEGIN; SELECT ${lockSql}` : 'BEGIN')
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
          client.release(broken ?? checkout.broken)
        }
      })
    },
    close: async () => {
      await Promise.all([lanes?.end(), pool.end()])
    },
  }
}

/**
 * Statements outside a transaction, spread over a few pipelined connections: each takes many
 * statements in flight (answered in order, each with its own Sync, so one failing statement does
 * not fail the others), and the statements issued in one tick leave in one write. Many
 * connections with one statement each cost a system call, a wake-up and a context switch per
 * statement on both sides; here a burst of failures costs a few. A connection that fails is
 * dropped (its statements in flight fail, and the store-error policy answers them) and opened
 * again on the next statement.
 */
function pipelinedLanes(
  count: number,
  open: () => PgPipelinedClient,
): Pick<PgPool, 'query'> & { end(): Promise<void> } {
  interface Lane {
    client: PgPipelinedClient | null
    ready: Promise<unknown> | null
    live: boolean
    inFlight: number
  }
  const lanes: Lane[] = Array.from({ length: Math.max(1, count) }, () => ({
    client: null,
    ready: null,
    live: false,
    inFlight: 0,
  }))
  let ended = false
  const drop = (lane: Lane, client: PgPipelinedClient) => {
    if (lane.client !== client) return
    lane.client = null
    lane.ready = null
    lane.live = false
    client.end().catch(() => {})
  }
  const connected = (lane: Lane): Promise<PgPipelinedClient> => {
    if (!lane.client) {
      const client = open()
      lane.client = client
      client.on('error', () => drop(lane, client))
      client.on('end', () => drop(lane, client))
      lane.ready = client.connect().then(
        () => {
          if (lane.client === client) lane.live = true
        },
        (error: unknown) => {
          drop(lane, client)
          throw error
        },
      )
    }
    const client = lane.client
    return (lane.ready as Promise<unknown>).then(() => client)
  }
  const send = (client: PgPipelinedClient, config: Parameters<PgPool['query']>[0]) => {
    corkForTick(client.connection?.stream)
    return client.query(config)
  }
  return {
    async query(config) {
      if (ended) throw new Error('the database handler is closed')
      let lane = lanes[0] as Lane
      for (const candidate of lanes) if (candidate.inFlight < lane.inFlight) lane = candidate
      lane.inFlight++
      try {
        // A connected lane sends in this tick, with the others issued in it.
        const client = lane.live && lane.client ? lane.client : await connected(lane)
        return await send(client, config)
      } finally {
        lane.inFlight--
      }
    },
    async end() {
      ended = true
      await Promise.all(
        lanes.map(async (lane) => {
          const client = lane.client
          lane.client = null
          await client?.end().catch(() => {})
        }),
      )
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

/** Runs `fn` between `begin` and COMMIT on one session, rolling back if it throws. */
async function inTransaction<T>(
  s: SqlSession,
  begin: string,
  fn: (s: TxSession) => Promise<T>,
): Promise<T> {
  await s.run(begin)
  try {
    const tx = deferring(s)
    const result = await fn(tx.session)
    await tx.settled()
    await s.run('COMMIT')
    return result
  } catch (error) {
    await s.run('ROLLBACK')
    throw error
  }
}

/** Whether an error is a deadlock or serialisation failure the database asks us to retry. */
function isRetryable(error: unknown): boolean {
  const e = error as { code?: unknown; errno?: unknown; sqlState?: unknown } | null
  if (!e || typeof e !== 'object') return false
  return (
    e.code === '40P01' ||
    e.code === '40001' ||
    e.code === 'ER_LOCK_DEADLOCK' ||
    e.errno === 1213 ||
    e.sqlState === '40001'
  )
}

/** Runs a transaction again (up to 5 times, with a short random pause) when the database says so. */
export async function retryOnDeadlock<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt()
    } catch (error) {
      if (tries >= 5 || !isRetryable(error)) throw error
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * tries))
    }
  }
}
