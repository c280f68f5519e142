/**
 * The test handler (django-axes' `AxesTestHandler`): never locks anybody out and stores nothing,
 * but remembers which calls it received, so an application's own tests can check that its login
 * code reports to node-axes.
 */

import type { AxesHandler } from '../ground/contract.js'

/** One call the test handler received. */
export interface TestHandlerCall {
  /** The contract method, e.g. `recordFailure`. */
  method: string
  /** Its argument. */
  input: unknown
}

/** The test handler with the calls it received. */
export interface TestHandler extends AxesHandler {
  /** Every call, oldest first. */
  readonly calls: TestHandlerCall[]
}

/**
 * Creates a test handler: every count is 0, every reservation succeeds, resets remove nothing;
 * `calls` lists what node-axes asked of it.
 *
 * @example
 * ```ts
 * import { createAxes, testHandler } from 'node-axes'
 *
 * const handler = testHandler()
 * const axes = createAxes({ handler })
 * // … exercise the login route …
 * expect(handler.calls.map((c) => c.method)).toContain('recordFailure')
 * ```
 */
export function testHandler(): TestHandler {
  const calls: TestHandlerCall[] = []
  const zero = { failures: 0, lockedUntil: null }
  const log =
    <R>(method: string, result: R) =>
    async (input?: unknown): Promise<R> => {
      calls.push({ method, input })
      return result
    }
  return {
    name: 'test',
    shared: true,
    kind: 'test',
    calls,
    getFailures: log('getFailures', zero),
    reserve: log('reserve', { ...zero, outcome: 'reserved', reservation: 'test', recorded: false }),
    settle: log('settle', zero),
    recordFailure: log('recordFailure', zero),
    loggedIn: log('loggedIn', undefined),
    loggedOut: log('loggedOut', undefined),
    resetBuckets: log('resetBuckets', 0),
    resetAttempts: log('resetAttempts', 0),
    resetLogs: log('resetLogs', 0),
    resetFailureLogs: log('resetFailureLogs', 0),
    listAttempts: log('listAttempts', []),
  }
}
