/**
 * The test handler (django-axes' `AxesTestHandler`): never locks anybody out and stores nothing,
 * but remembers which calls it received, so an application's own tests can check that its login
 * code reports to node-axes.
 */

import type { AxesHandler } from '../ground/contract.js'
import { storingNothing } from './dummy.js'

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
  const handler = storingNothing('test', true, (method, input) => calls.push({ method, input }))
  return Object.assign(handler, { calls })
}
