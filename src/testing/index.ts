/**
 * `node-axes/testing`: the handler conformance suite. Every node-axes handler's tests run it, and a
 * custom handler's tests can too:
 *
 * ```ts
 * import { describeHandlerConformance } from 'node-axes/testing'
 * import { myHandler } from '../src/my-handler.js'
 *
 * describeHandlerConformance({ name: 'my handler', create: () => myHandler() })
 * ```
 *
 * It needs Vitest (`describe`, `it`, `expect`) and holds a handler to `AxesHandler`'s contract:
 * counting per bucket, expiry by the rule's windows and tiers, exact limits under concurrency,
 * reservations that expire, resets, keys that cannot collide, the locks it lists, spray
 * detection's sources, repeated wrong passwords' hashes, and the lock cache over it (a flood of a locked client answered from
 * memory, exactly: see `withLockCache`).
 *
 * @packageDocumentation
 */

import { afterEach, beforeEach, describe } from 'vitest'
import type { AxesHandler, HandlerSettings } from '../ground/contract.js'
import { uncachedHandler } from '../handlers/lock-cache/index.js'
import { countingCases } from './counting.js'
import type { ConformanceOptions, ConformanceSuite } from './fixtures.js'
import { lockCacheCases } from './lock-cache.js'
import { lockCases } from './locks.js'
import { wrongPasswordCases } from './passwords.js'
import { queryCases } from './queries.js'
import { reservationCases } from './reservations.js'
import { resetCases } from './resets.js'
import { sourceCases } from './sources.js'

export {
  CONFORMANCE_RULE,
  type ConformanceClient,
  type ConformanceOptions,
  conformanceInput,
} from './fixtures.js'
export { wrongPasswordStoreOf } from './passwords.js'
export { sourceStoreOf } from './sources.js'

/** The settings the suite attaches its handlers with. */
const SETTINGS: HandlerSettings = {
  disableAccessLog: false,
  enableAccessFailureLog: false,
  accessFailureLogPerUserLimit: 1000,
  useAttemptExpiration: false,
}

/**
 * Registers the conformance suite with Vitest for one handler: a fresh handler for each case, then
 * the groups of cases in turn (counting, reservations and concurrency, resets, listings and
 * queries, locks).
 */
export function describeHandlerConformance(options: ConformanceOptions): void {
  describe(`${options.name}: handler conformance`, () => {
    let current: AxesHandler | undefined
    const opened: AxesHandler[] = []
    const suite: ConformanceSuite = {
      get handler(): AxesHandler {
        if (current === undefined) throw new Error('the handler exists only while a case runs')
        return current
      },
      t0: Date.now(),
      concurrency: options.concurrency ?? 1000,
      fail: (input) => suite.handler.recordFailure(input),
      sameStore: async () => {
        if (!options.sameStore) return uncachedHandler(suite.handler)
        const other = await options.sameStore(suite.handler)
        other.attach?.(SETTINGS)
        opened.push(other)
        return other
      },
    }

    beforeEach(async () => {
      current = await options.create()
      current.attach?.(SETTINGS)
    })

    afterEach(async () => {
      const handler = suite.handler
      current = undefined
      for (const other of opened.splice(0)) await other.close?.()
      await handler.close?.()
      await options.destroy?.(handler)
    })

    countingCases(suite)
    reservationCases(suite)
    resetCases(suite)
    queryCases(suite)
    lockCases(suite)
    lockCacheCases(suite)
    sourceCases(suite)
    wrongPasswordCases(suite)
  })
}
