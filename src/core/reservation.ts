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

/** What the steps of one reservation do, as the engine carries them out. */
export interface ReservationSteps {
  /** Whether the attempt was counted, so that a failure can be recorded for it. */
  readonly countable: boolean
  /** Whether a place is held in the handler (a reservation token to settle). */
  readonly holding: boolean
  /** Settles the held place as a success or a cancellation (store errors reported, not thrown). */
  settle(outcome: 'success' | 'cancel'): Promise<void>
  /** Records the failure: against the held place when `held`, on its own otherwise. */
  recordFailure(held: boolean): Promise<LockoutDecision>
  /** What a successful login does once the place is released (access log, reset on success). */
  succeed(user: unknown): Promise<void>
}

/** The reservation of an attempt answered with `decision`. */
export function reservationOf(decision: LockoutDecision, steps: ReservationSteps): Reservation {
  let settled = false
  let failure: Promise<LockoutDecision> | null = null
  const settle = async (outcome: 'success' | 'cancel') => {
    if (settled || !steps.holding) return
    settled = true
    await steps.settle(outcome)
  }
  return {
    decision,
    failed: () => {
      // One reservation is one attempt: a second call answers as the first, recording nothing.
      failure ??= (async () => {
        if (!decision.allowed) return decision
        if (!steps.holding || settled) {
          if (!steps.countable) return decision
          return steps.recordFailure(false)
        }
        settled = true
        return steps.recordFailure(true)
      })()
      return failure
    },
    succeeded: async (user?: unknown) => {
      await settle('success')
      if (!decision.allowed || decision.reason === 'disabled') return
      await steps.succeed(user)
    },
    release: () => settle('cancel'),
  }
}
