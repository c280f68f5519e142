/**
 * The types that option values are made of: the function options' signatures, progressive tiers,
 * the lockout callable's details, username normalisation. The options themselves are in the table
 * (./table.ts).
 */

import type { AxesRequest, Credentials } from '../../ground/request.js'
import type { DurationInput } from '../durations.js'
import type { LockoutContext, LockoutDecision } from '../types.js'

/** A function of the request that returns a duration (django-axes' callable `AXES_COOLOFF_TIME`). */
export type CooloffFunction = (request: AxesRequest) => DurationInput | null | undefined

/** The failure limit as a function of the request (django-axes' callable `AXES_FAILURE_LIMIT`). */
export type FailureLimitFunction = (request: AxesRequest, credentials: Credentials | null) => number

/** A progressive lockout tier: from `failures` failures on, the lock lasts `cooloff`. */
export interface LockoutTier {
  /** Failures at which this tier starts. */
  failures: number
  /** How long the lock lasts in this tier. */
  cooloff: DurationInput
}

/** What the application's `lockoutCallable` receives besides the request. */
export interface LockoutCallableDetails {
  /** The decision being answered. */
  decision: LockoutDecision
  /** The credentials of the attempt, masked, or null. */
  credentials: Credentials | null
  /** django-axes' lockout context. */
  context: LockoutContext
  /** The response the application had produced, when the adapter has one. */
  originalResponse?: unknown
}

/** How usernames are normalised before counting (node-axes extension). */
export type UsernameNormalization =
  | false
  | 'nfkc'
  | 'casefold'
  | 'nfkc-casefold'
  | ((username: string) => string)

/**
 * What the defence options (`deviceCookies`, `sprayDetection`, `repeatPasswords`) take, as the
 * options table sees it: an object made by a factory from the defence's own subpath (its full type
 * is `LoginDefence`, src/core/defence.ts, which the options do not import).
 */
export interface DefenceObject {
  readonly screen?: (...args: never[]) => Promise<unknown>
  readonly repeated?: (...args: never[]) => Promise<boolean>
}
