/** The core's decision types: what a login attempt is answered with, and why. */

import type { ClientIdentity } from '../ground/request.js'

/** Why a decision came out as it did. */
export type DecisionReason =
  /** Allowed: not locked out. */
  | 'allowed'
  /** Allowed: `enabled` is false. */
  | 'disabled'
  /** Allowed: `onlyAdminSite` is on and the request is not under `adminPath`. */
  | 'notAdminSite'
  /** Allowed: the client is whitelisted (IP list, `neverLockoutGet`, `whitelistCallable`). */
  | 'whitelisted'
  /** Refused: the client has reached the failure limit. */
  | 'lockedOut'
  /** Refused: the client IP is blacklisted (or not whitelisted under `onlyWhitelist`). */
  | 'blacklisted'
  /** Refused: as many attempts are already in flight as the client has left. */
  | 'tooManyInFlight'
  /** Refused (`onStoreError: 'failClosed'`) or allowed (`'failOpen'`): the store failed. */
  | 'storeError'
  /**
   * Refused (400), nothing counted: the username or password field is an array or an object (a
   * repeated field, a nested one), which node-axes refuses rather than read half of it.
   */
  | 'malformedCredentials'
  /**
   * Refused (400), nothing counted: the login request carried a body that no body parser read, so
   * its username and password are unknown (check axes.W015).
   */
  | 'unreadBody'
  /**
   * Refused, nothing counted: the client's source (its IP, or its IPv6 prefix) failed across more
   * than `sprayDetection.usernames` distinct usernames and is locked as a source.
   */
  | 'sourceLocked'
  /**
   * Refused (403), nothing counted: the client has `challenges.after` failures or more, and the
   * request carries no challenge (CAPTCHA) that passed (`challenges`, node-axes/challenges).
   */
  | 'challengeRequired'

/** A lockout tier after resolution: at `failures` failures, the lock lasts `cooloffMs`. */
export interface ResolvedTier {
  failures: number
  cooloffMs: number
}

/**
 * node-axes' answer for one request: allowed or not, and everything a response needs.
 */
export interface LockoutDecision {
  /** Whether the login may proceed (or, after a failure, whether the client is still allowed). */
  allowed: boolean
  /** Why. */
  reason: DecisionReason
  /** True when the client is locked out (reason `lockedOut`). */
  lockedOut: boolean
  /** Failures counted for the client: the largest lockout-parameter bucket. */
  failures: number
  /** The failure limit that applies to this request. */
  failureLimit: number
  /**
   * Attempts the client has before it is locked: `failureLimit - failures`; 1 once a tier's lock
   * has lifted while its failures are remembered (the next failure locks again); 0 when refused.
   */
  remaining: number
  /** The cool-off that applies (the tier's when tiers are set), or null for a lock until reset. */
  cooloffMs: number | null
  /** Milliseconds until the lock lifts; null when not locked or locked until reset. */
  retryAfterMs: number | null
  /** When the lock lifts; null when not locked or locked until reset. */
  lockedUntil: Date | null
  /** The tier reached, when `lockoutTiers` is set and a tier applies. */
  tier: ResolvedTier | null
  /** Whether this request's attempt was stored (a failure recorded, a reservation held). */
  recorded: boolean
  /** The client as identified. */
  client: ClientIdentity
  /** The store error behind a `storeError` decision. */
  error?: Error
  /**
   * True when the attempt presented a valid device cookie for its username (`deviceCookies`) and
   * was counted in its device's own bucket, not the username-wide one.
   */
  trustedDevice?: boolean
  /**
   * True when the attempt failed with the same wrong password as one already counted for the
   * client within the window (`repeatPasswords`): it was not counted again (`recorded` false).
   */
  repeatedPassword?: boolean
  /**
   * After a successful login with `deviceCookies` configured: the `Set-Cookie` header value of the
   * device's new cookie, which the response must carry (the adapters send it). Set when
   * `succeeded()` (or `protect`) has resolved.
   */
  setCookie?: string
  /**
   * With `challenges` configured: `'required'` when the attempt was refused for want of a passed
   * challenge, or after a failure when the next attempt will need one; `'passed'` when the
   * attempt needed one and carried one that passed.
   */
  challenge?: 'required' | 'passed'
}

/**
 * A framework-neutral HTTP response: what adapters send for a lockout.
 */
export interface AxesResponse {
  status: number
  headers: Record<string, string>
  body: string
}

/**
 * The lockout context, django-axes' names and forms: `failure_limit`, `failure_count`,
 * `username`, and with a cool-off `cooloff_time` (e.g. `PT1H`) and `cooloff_timedelta`
 * (e.g. `P0DT01H00M00S`).
 */
export interface LockoutContext {
  failure_limit: number
  failure_count: number
  username: string
  cooloff_time?: string
  cooloff_timedelta?: string
}
