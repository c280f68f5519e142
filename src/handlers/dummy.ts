/**
 * The dummy handler (django-axes' `AxesDummyHandler`): every attempt is allowed, nothing is
 * recorded. It switches node-axes off while keeping its API in place.
 */

import type { AxesHandler } from '../ground/contract.js'

const zero = { failures: 0, lockedUntil: null } as const

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
  return {
    name: 'dummy',
    shared: true,
    kind: 'dummy',
    // No logs, and nothing to list or browse but an empty list.
    supports: { logs: false, list: true, browse: false, browseLogs: false },
    getFailures: async () => zero,
    reserve: async () => ({ ...zero, outcome: 'reserved', reservation: 'dummy', recorded: false }),
    settle: async () => zero,
    recordFailure: async () => zero,
    resetBuckets: async () => 0,
    resetAttempts: async () => 0,
    listAttempts: async () => [],
  }
}
