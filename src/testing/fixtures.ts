/**
 * The conformance suite's fixtures: its options, the clients and rules its cases use, the
 * builder of a counting call's input, and the state every group of cases shares.
 *
 * @module
 */

import { bucketsFor, type LockoutParameterItem } from '../ground/buckets.js'
import type { AttemptRecord, AxesHandler, CountInput } from '../ground/contract.js'
import type { LockoutRule } from '../ground/rule.js'

/** Options of `describeHandlerConformance`. */
export interface ConformanceOptions {
  /** The suite's title, e.g. `memory handler`. */
  name: string
  /** Makes a fresh, empty handler for each test. */
  create: () => AxesHandler | Promise<AxesHandler>
  /** Cleans up after each test (the suite calls `handler.close()` first when there is one). */
  destroy?: (handler: AxesHandler) => void | Promise<void>
  /** Parallel operations in the concurrency cases. @default 1000 */
  concurrency?: number
  /**
   * Opens a second handler on the store `handler` uses, as another process would (the suite
   * closes it after the case): the lock cache's cases then see changes made through `handler` as
   * made elsewhere. Without it they use `handler` itself (the handler under its lock cache, when
   * it has one).
   */
  sameStore?: (handler: AxesHandler) => AxesHandler | Promise<AxesHandler>
}

/** A client as the suite describes one. */
export interface ConformanceClient {
  ipAddress?: string | null
  username?: string | null
  userAgent?: string
}

/** The rule the suite uses unless a case says otherwise: limit 3, 1 hour. */
export const CONFORMANCE_RULE: LockoutRule = {
  failureLimit: 3,
  cooloffMs: 3_600_000,
  tiers: [],
  lockOutAtFailure: true,
  recordLockedAttempts: true,
  reservationTtlMs: 30_000,
}

/** Two tiers, 2 failures → 1 minute, 4 → 10 minutes, no cool-off of its own (the tier cases). */
export const TIERED_RULE: Partial<LockoutRule> = {
  failureLimit: 2,
  cooloffMs: null,
  tiers: [
    { failures: 2, cooloffMs: 60_000 },
    { failures: 4, cooloffMs: 600_000 },
  ],
}

/** Builds the input of a counting call, as the core would, for a client and lockout parameters. */
export function conformanceInput(
  client: ConformanceClient,
  options: {
    parameters?: readonly LockoutParameterItem[]
    rule?: Partial<LockoutRule>
    now?: number
  } = {},
): CountInput {
  const identity = {
    ipAddress: client.ipAddress === undefined ? '10.0.0.1' : client.ipAddress,
    username: client.username === undefined ? 'alice' : client.username,
    userAgent: client.userAgent ?? 'conformance-agent',
  }
  const now = options.now ?? Date.now()
  const attempt: AttemptRecord = {
    ...identity,
    pathInfo: '/login',
    httpAccept: '*/*',
    getData: '',
    postData: 'username=********************\npassword=********************',
    attemptTime: new Date(now),
  }
  return {
    buckets: bucketsFor(options.parameters ?? ['ip_address'], identity),
    rule: { ...CONFORMANCE_RULE, ...options.rule },
    attempt,
    now,
  }
}

/**
 * What every group of cases shares: the handler under test (a fresh one is set before each case),
 * the suite's start time, the parallelism of the concurrency cases, and a failure shortcut.
 */
export interface ConformanceSuite {
  /** The handler of the running case (a fresh one for each case); read it only inside a case. */
  readonly handler: AxesHandler
  /** The time the suite was registered, the `now` the cases count from. */
  readonly t0: number
  /** Parallel operations in the concurrency cases. */
  readonly concurrency: number
  /** Records one failure with the running case's handler. */
  readonly fail: (input: CountInput) => ReturnType<AxesHandler['recordFailure']>
  /**
   * A handler on the running case's store without a lock cache: a second one when `sameStore` is
   * given, else the handler itself (under its lock cache, if it has one).
   */
  readonly sameStore: () => Promise<AxesHandler>
}
