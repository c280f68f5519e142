/**
 * Reservations: the handle `reserve` returns for one attempt. Its place in the client's buckets is
 * held until `failed`, `succeeded` or `release` settles it, once: a second call answers as the
 * first and records nothing. The engine supplies what each step does.
 */

import type { LockoutDecision } from './types.js'

/** A reserved attempt: its place is held until `failed`, `succeeded` or `release` settles it. */
export interface Reservation {
  /** The decision: `allowed` means a place is held and the credentials may be verified. */
  readonly decision: LockoutDecision
  /**
   * The credentials were wrong: records the failure and returns the decision after it. The failure
   * that reaches the limit comes back as a lockout (`allowed: false`), as django-axes answers it.
   * Calling it again returns the same decision without recording another failure.
   */
  failed(): Promise<LockoutDecision>
  /** The credentials were right: releases the place, writes the access log, resets on success. */
  succeeded(user?: unknown): Promise<void>
  /** Releases the place without recording anything (the check could not be completed). */
  release(): Promise<void>
}

/** What `protect` returns. */
export type ProtectResult<T> =
  | { ok: true; user: T; decision: LockoutDecision }
  | { ok: false; decision: LockoutDecision }

/** One reserved attempt, as the engine hands it to `reservationOf`. */
export interface ReservedAttempt {
  /** The decision the attempt was answered with. */
  readonly decision: LockoutDecision
  /** Whether the attempt was counted, so that a failure can be recorded for it. */
  readonly counted: unknown
  /** The handler's reservation token when a place is held, or null. */
  readonly token: string | null
}

/**
 * What the steps of a reservation do, as the engine carries them out. One object serves every
 * reservation of an instance (the attempt is an argument), so that a reservation costs no more
 * closures than its own three methods.
 */
export interface ReservationSteps<A extends ReservedAttempt> {
  /** Settles the held place as a success or a cancellation (store errors reported, not thrown). */
  settle(attempt: A, outcome: 'success' | 'cancel'): Promise<void>
  /** Records the failure: against the held place when `held`, on its own otherwise. */
  recordFailure(attempt: A, held: boolean): Promise<LockoutDecision>
  /** What a successful login does once the place is released (access log, reset on success). */
  succeed(attempt: A, user: unknown): Promise<void>
}

/** The reservation of `attempt`. */
export function reservationOf<A extends ReservedAttempt>(
  attempt: A,
  steps: ReservationSteps<A>,
): Reservation {
  const { decision } = attempt
  const countable = attempt.counted !== null
  const holding = countable && attempt.token !== null
  let settled = false
  let failure: Promise<LockoutDecision> | null = null
  const settle = async (outcome: 'success' | 'cancel') => {
    if (settled || !holding) return
    settled = true
    await steps.settle(attempt, outcome)
  }
  return {
    decision,
    failed: () => {
      // One reservation is one attempt: a second call answers as the first, recording nothing.
      failure ??= (async () => {
        if (!decision.allowed) return decision
        if (!holding || settled) {
          if (!countable) return decision
          return steps.recordFailure(attempt, false)
        }
        settled = true
        return steps.recordFailure(attempt, true)
      })()
      return failure
    },
    succeeded: async (user?: unknown) => {
      await settle('success')
      if (!decision.allowed || decision.reason === 'disabled') return
      await steps.succeed(attempt, user)
    },
    release: () => settle('cancel'),
  }
}
