/**
 * The dummy handler (django-axes' `AxesDummyHandler`): every attempt is allowed, nothing is
 * recorded. It switches node-axes off while keeping its API in place. Its ground, a handler that
 * stores nothing, is the test handler's too (./test.ts).
 */

import type { AxesHandler } from '../ground/contract.js'

const zero = { failures: 0, lockedUntil: null } as const

/**
 * A handler that stores nothing: every count is 0, every reservation is made (its token the
 * handler's name), resets remove nothing, the listing is empty, and with `logs` the access-log
 * methods do nothing. `noted` hears each call first, with the method's name and its argument.
 */
export function storingNothing(
  name: 'dummy' | 'test',
  logs: boolean,
  noted?: (method: string, input: unknown) => void,
): AxesHandler {
  const answers: Record<string, unknown> = {
    getFailures: zero,
    reserve: { ...zero, outcome: 'reserved', reservation: name, recorded: false },
    settle: zero,
    recordFailure: zero,
    ...(logs ? { loggedIn: undefined, loggedOut: undefined } : {}),
    resetBuckets: 0,
    resetAttempts: 0,
    ...(logs ? { resetLogs: 0, resetFailureLogs: 0 } : {}),
    listAttempts: null,
  }
  const handler: Record<string, unknown> = { name, shared: true, kind: name }
  for (const [method, answer] of Object.entries(answers)) {
    handler[method] = async (input?: unknown) => {
      noted?.(method, input)
      // A new empty listing each time: the caller may keep or change it.
      return answer === null ? [] : answer
    }
  }
  return handler as unknown as AxesHandler
}

/**
 * Creates a dummy handler: with it every decision is `allowed` (reason `disabled`), whatever the
 * lists and counts say.
 *
 * @example
 * ```ts
 * import { createAxes, dummyHandler } from 'node-axes'
 *
 * const axes = createAxes({ handler: dummyHandler() })
 * ```
 */
export function dummyHandler(): AxesHandler {
  // No logs, and nothing to list or browse but an empty list.
  const supports = { logs: false, list: true, browse: false, browseLogs: false }
  return { ...storingNothing('dummy', false), supports }
}
