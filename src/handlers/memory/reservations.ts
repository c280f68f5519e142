/**
 * The memory handler's reservations: places held by logins in flight (reserve → verify → settle),
 * kept in a ring of sequence numbers and deadlines, and the reserve and settle operations that
 * take and give back the places in the buckets.
 */

import type { CountInput, CountResult, ReserveResult, SettleInput } from '../../ground/contract.js'
import { attemptsLeft } from '../../ground/rule.js'
import { failuresOf, stateOf, writeFailures } from './counting.js'
import { type BucketStore, HELD, HELD_UNTIL, STRIDE } from './store.js'

const RING_INITIAL = 1024

/**
 * Reservations in flight: a ring indexed by sequence number, holding each one's number and
 * deadline (0 once settled). Tokens are `seq@deadline`. The ring doubles when it would overwrite
 * a reservation still in flight, so none is ever forgotten; no Map churns on the hot path.
 */
export class ReservationRing {
  #seq = new Float64Array(RING_INITIAL)
  #until = new Float64Array(RING_INITIAL)
  #last = 0

  /** Opens a reservation held until `until` (ms); its token. */
  open(until: number, now: number): string {
    const seq = ++this.#last
    // Stryker disable next-line EqualityOperator: growing for a deadline of exactly now only makes the ring larger
    if ((this.#until[seq & (this.#seq.length - 1)] ?? 0) > now) this.#grow(now)
    const at = seq & (this.#seq.length - 1)
    this.#seq[at] = seq
    this.#until[at] = until
    return `${seq}@${until}`
  }

  /**
   * Closes the token's reservation and says what it was: `open` (in flight, its places still
   * held), `late` (never settled, and past its deadline: its places were given back already),
   * `settled` (settled already), or `unknown` (forgotten by the ring, or not one of its tokens).
   */
  close(token: string, now: number): 'open' | 'late' | 'settled' | 'unknown' {
    const sep = token.indexOf('@')
    const seq = Number(token.slice(0, sep))
    const at = seq & (this.#seq.length - 1)
    // Stryker disable next-line StringLiteral: settle tells only 'open' and 'settled' apart
    if (sep < 0 || this.#seq[at] !== seq) return 'unknown'
    const until = this.#until[at] ?? 0
    if (until === 0) return 'settled'
    this.#until[at] = 0
    // Stryker disable next-line StringLiteral: settle tells only 'open' and 'settled' apart
    return until > now ? 'open' : 'late'
  }

  /** Forgets every reservation. */
  // Stryker disable next-line BlockStatement: frees the ring's memory when the handler closes; a closed handler is not used again
  clear(): void {
    this.#seq = new Float64Array(RING_INITIAL)
    this.#until = new Float64Array(RING_INITIAL)
  }

  /** Doubles the ring, keeping every reservation still in flight. */
  #grow(now: number): void {
    const oldSeq = this.#seq
    const oldUntil = this.#until
    const size = oldSeq.length * 2
    this.#seq = new Float64Array(size)
    this.#until = new Float64Array(size)
    // Stryker disable next-line EqualityOperator: the index past the end reads no deadline, and is skipped
    for (let i = 0; i < oldSeq.length; i++) {
      const until = oldUntil[i] ?? 0
      // Stryker disable next-line ConditionalExpression,EqualityOperator: a reservation past its deadline kept in the ring closes as 'late', as one forgotten does
      if (until <= now) continue
      const seq = oldSeq[i] ?? 0
      this.#seq[seq & (size - 1)] = seq
      this.#until[seq & (size - 1)] = until
    }
  }
}

/** Builds a ReserveResult with one fixed shape (object spread here costs microseconds in V8). */
function reserveResult(
  state: CountResult,
  outcome: ReserveResult['outcome'],
  reservation: string | null,
  recorded: boolean,
): ReserveResult {
  return {
    failures: state.failures,
    lockedUntil: state.lockedUntil,
    outcome,
    reservation,
    recorded,
  }
}

/**
 * Holds a place in each of the client's buckets unless it is locked out (then records the attempt
 * if the rule says so) or its places are all held by logins in flight.
 */
export function reserve(
  store: BucketStore,
  ring: ReservationRing,
  input: CountInput,
): ReserveResult {
  const { buckets, rule, now } = input
  const slots = store.lookup(buckets)
  const state = stateOf(store, slots, input)
  if (state.lockedUntil !== null) {
    if (!rule.recordLockedAttempts) return reserveResult(state, 'locked', null, false)
    // Only in the buckets that hold state: see counting.ts' recordFailure.
    // Stryker disable next-line MethodExpression,ConditionalExpression: a Float64Array ignores writes at -1 and stateOf skips it; the filter says what is meant
    const held = slots.filter((slot) => slot >= 0)
    writeFailures(store, held, input)
    return reserveResult(stateOf(store, held, input), 'locked', null, true)
  }
  if (rule.lockOutAtFailure) {
    for (const slot of slots) {
      // Stryker disable next-line ConditionalExpression: a slot of -1 reads no place and no failure, so it is never busy
      if (slot < 0) continue
      const room = attemptsLeft(rule, failuresOf(store, slot, input))
      if (store.currentPending(slot, now) >= room) {
        return reserveResult(state, 'busy', null, false)
      }
    }
  }
  const until = now + rule.reservationTtlMs
  for (const slot of store.ensure(buckets, slots, now)) {
    const held = store.currentPending(slot, now)
    const base = slot * STRIDE
    store.data[base + HELD] = held + 1
    // Stryker disable next-line EqualityOperator: writing an equal deadline changes nothing
    if ((store.data[base + HELD_UNTIL] ?? 0) < until) store.data[base + HELD_UNTIL] = until
  }
  // The token carries its deadline, so a settle after the reservation was forgotten can still
  // tell "expired" (record the failure) from "settled already" (do nothing).
  return reserveResult(state, 'reserved', ring.open(until, now), false)
}

/**
 * Gives back a reservation's places, recording the failure if the login failed. A reservation
 * past its deadline gives nothing back (its places were given back when its time passed, and may
 * be held by newer ones now), but its failure still counts; one settled already does nothing.
 */
export function settle(store: BucketStore, ring: ReservationRing, input: SettleInput): CountResult {
  const token = input.reservation
  const closed = ring.close(token, input.now)
  let slots = store.lookup(input.buckets)
  if (closed === 'open') {
    for (const slot of slots) {
      // Stryker disable next-line ConditionalExpression: a slot of -1 reads no place, so none is given back
      if (slot < 0) continue
      const held = store.data[slot * STRIDE + HELD] ?? 0
      if (held > 0) store.data[slot * STRIDE + HELD] = held - 1
    }
  } else if (closed === 'settled' || Number(token.slice(token.indexOf('@') + 1)) > input.now) {
    // Settled already, or forgotten before its deadline (settled already, then dropped when the
    // ring grew): nothing to do. A failure the ring forgot after its deadline still counts.
    return stateOf(store, slots, input)
  }
  if (input.outcome === 'failure') {
    slots = store.ensure(input.buckets, slots, input.now)
    writeFailures(store, slots, input)
  }
  return stateOf(store, slots, input)
}
