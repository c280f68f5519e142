/**
 * The memory handler's counting: a client's state over its buckets' slots (failures that still
 * count, and when its lock lifts), and the recording of a failure, per the lockout rule.
 */

import type { CountInput, CountResult } from '../../ground/contract.js'
import {
  activeLockUntil,
  bucketLockedUntil,
  currentFailures,
  failureWindowMs,
  laterLift,
} from '../../ground/rule.js'
import { type BucketStore, EXPIRES_AT, FAILURES, LAST_AT, LOCKED_UNTIL, STRIDE } from './store.js'

/** The failures of a slot that still count at `input.now`. */
export function failuresOf(store: BucketStore, slot: number, input: CountInput): number {
  return currentFailures(
    input.rule,
    store.data[slot * STRIDE + FAILURES] ?? 0,
    store.data[slot * STRIDE + LAST_AT] ?? 0,
    input.now,
  )
}

/** The client's state over its buckets' slots (-1: no state). */
export function stateOf(
  store: BucketStore,
  slots: readonly number[],
  input: CountInput,
): CountResult {
  let failures = 0
  let lockedUntil: number | null = null
  for (const slot of slots) {
    // Stryker disable next-line ConditionalExpression: a slot of -1 reads nothing (0 failures, no lock)
    if (slot < 0) continue
    const current = failuresOf(store, slot, input)
    // Stryker disable next-line EqualityOperator: taking an equal count changes nothing
    if (current > failures) failures = current
    lockedUntil = laterLift(
      lockedUntil,
      activeLockUntil(input.rule, current, store.data[slot * STRIDE + LAST_AT] ?? 0, input.now),
    )
  }
  return { failures, lockedUntil }
}

/** Records one failure in each slot (made beforehand by `store.ensure`: all or nothing). */
export function writeFailures(
  store: BucketStore,
  slots: readonly number[],
  input: CountInput,
): void {
  const { rule, now } = input
  const window = failureWindowMs(rule)
  const expiresAt = window === null ? Number.POSITIVE_INFINITY : now + window
  const data = store.data
  for (const slot of slots) {
    const failures = failuresOf(store, slot, input) + 1
    const base = slot * STRIDE
    // Stryker disable next-line ArithmeticOperator: FAILURES is 0
    data[base + FAILURES] = failures
    data[base + LAST_AT] = now
    data[base + EXPIRES_AT] = expiresAt
    data[base + LOCKED_UNTIL] = bucketLockedUntil(rule, failures, now) ?? 0
  }
}

/**
 * Records a failure in each of the client's buckets, creating those it lacks; its new state. A
 * client locked out already (an attempt refused by its lock) is recorded only in the buckets that
 * hold state.
 */
export function recordFailure(store: BucketStore, input: CountInput): CountResult {
  const looked = store.lookup(input.buckets)
  // Refused by a lock (django-axes' AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT): recorded in
  // the buckets that hold state, the locked one among them, so the lock is extended as in
  // django-axes; no bucket is created, so that refused attempts (a new username each) cannot fill
  // the store.
  const slots =
    stateOf(store, looked, input).lockedUntil === null
      ? store.ensure(input.buckets, looked, input.now)
      : // Stryker disable next-line MethodExpression,ConditionalExpression: a Float64Array ignores writes at -1 and stateOf skips it; the filter says what is meant
        looked.filter((slot) => slot >= 0)
  writeFailures(store, slots, input)
  return stateOf(store, slots, input)
}
