/**
 * What every driver's transactions share: the session that collects deferred statements, the
 * lock keys as sorted digests, the retry on a deadlock, and parameters made storable.
 */

import { lockHash, type SqlSession, type TxSession } from '../sql.js'

/** A transaction's session for a driver that runs the deferred statements before COMMIT. */
export function deferring(s: SqlSession): { session: TxSession; settled(): Promise<void> } {
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

/** Runs `fn` on a deferring session, and waits for its deferred statements. */
export async function withDeferred<T>(s: SqlSession, fn: (s: TxSession) => Promise<T>): Promise<T> {
  const tx = deferring(s)
  const result = await fn(tx.session)
  await tx.settled()
  return result
}

/** A transaction's lock keys as digests, without repeats, sorted. */
export function lockKeys(locks: readonly string[]): string[] {
  return [...new Set(locks.map(lockHash))].sort()
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
