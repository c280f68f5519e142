/**
 * The database handler's deadline (`timeoutMs`): every operation answers by then, a store error
 * when the database has not (frozen, unreachable, a lock held elsewhere, a pool with no free
 * connection). What was waited on is given up: the drivers close the connection it held, so that
 * the next operation never inherits a statement still in flight, and the server rolls back the
 * transaction it was in.
 */

import { AxesStoreError } from '../../../ground/errors.js'

/** The default deadline of an operation, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 5000

/** The error of an operation that had no answer by its deadline. */
export function timeoutError(what: string, ms: number): AxesStoreError {
  return new AxesStoreError(
    `database handler: ${what} got no answer from the database within ${ms} ms (timeoutMs)`,
  )
}

/**
 * `work`, or a store error once `ms` have passed without its answer (`onTimeout` runs first: it
 * gives up what the work waits on). `ms` of 0 (or less) waits for ever.
 */
export function withDeadline<T>(
  ms: number,
  what: string,
  work: Promise<T>,
  onTimeout?: () => void,
): Promise<T> {
  if (!(ms > 0) || !Number.isFinite(ms)) return work
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      try {
        onTimeout?.()
      } finally {
        reject(timeoutError(what, ms))
      }
    }, ms)
    work.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}

/** The deadline the options give: `timeoutMs`, else (SQLite) `busyTimeoutMs`, else 5 s. */
export function timeoutOf(options: { timeoutMs?: number; busyTimeoutMs?: number }): number {
  const ms = options.timeoutMs ?? options.busyTimeoutMs ?? DEFAULT_TIMEOUT_MS
  return Number.isFinite(ms) && ms > 0 ? Math.floor(ms) : 0
}
