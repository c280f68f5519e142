/**
 * The Redis handler's hot path: the decisions asked for in one tick gathered into batches (by hash
 * slot on a cluster, and by rule), each sent as one EVALSHA of DECIDE_SCRIPT when the tick ends
 * or when it is full, and its answer handed out to the decisions that wait.
 */

import type { Bucket } from '../../ground/buckets.js'
import type { CountInput } from '../../ground/contract.js'
import { AxesError } from '../../ground/errors.js'
import type { LockoutRule } from '../../ground/rule.js'
import { type Arg, type RedisCommands, storeError } from './client.js'
import { fieldTagMisfit, type KeyLayout } from './keys.js'
import { DECIDE_SCRIPT, DECIDE_SHA } from './scripts.js'

/**
 * The most decisions in one script call: enough to pay the call's fixed cost once for all that a
 * busy tick brings, few enough that one call keeps Redis from other clients for tens of
 * microseconds at most.
 */
const MAX_BATCH = 16

/** Turns a decision's three numbers of the script's answer (code, failures, lift) into its result. */
export type Answer<T> = (code: number, failures: number, lift: number) => T

/** A decision waiting in a batch for its part of the answer. */
interface Waiter {
  answer: Answer<unknown>
  resolve(result: unknown): void
  reject(error: unknown): void
}

/**
 * The decisions of one tick that share a hash tag (so one script can reach all their keys) and a
 * rule (the script's argument for it, sent once, ahead of them): their keys in order, their
 * arguments (two each, four for a settle), and who waits.
 */
class Batch {
  readonly keys: string[] = []
  readonly decisions: string[] = []
  readonly waiters: Waiter[] = []
  /** The handler methods in the batch, to name in an error. */
  readonly operations: string[] = []

  constructor(readonly rule: string) {}
}

/** The decisions of the tick in flight, gathered by slot and rule, sent when the tick ends. */
export class DecisionBatches {
  readonly #commands: RedisCommands
  readonly #keys: KeyLayout
  readonly #ruleArgs = new WeakMap<LockoutRule, string>()
  /**
   * The batches of decisions gathered in this tick, by hash tag on a cluster (one a rule), sent when
   * it ends.
   */
  #open = new Map<string, Batch[]>()

  readonly #retentionMs: number

  /** @param retentionMs how long a key outlives its last failure when its failures never expire */
  constructor(commands: RedisCommands, keys: KeyLayout, retentionMs: number) {
    this.#commands = commands
    this.#keys = keys
    this.#retentionMs = retentionMs
  }

  /**
   * One decision of the script for a counting operation (`op`, see scripts.ts), its answer turned
   * into the result by `answer`. It joins the batch of this tick for its hash tag and rule, which
   * goes out as one script call when the tick ends. `reservationId` names the reservation key of a
   * reserve or settle; `settleArgs` are a settle's two extra arguments (outcome and deadline).
   */
  decide<T>(
    input: CountInput,
    op: string,
    reservationId: string | null,
    settleArgs: readonly [string, string] | null,
    operation: string,
    answer: Answer<T>,
  ): Promise<T> {
    const buckets = input.buckets
    // No bucket (the core never asks so): nothing to count, nothing held.
    if (buckets.length === 0) return Promise.resolve(answer(0, 0, -1))
    const cluster = this.#commands.cluster
    const firstTag = this.#keys.tagOf((buckets[0] as Bucket).key)
    const rule = this.#ruleArgOf(input.rule)
    // A standalone server is one slot: there any decisions may share a call.
    const slot = cluster ? firstTag : ''
    let open = this.#open.get(slot)
    if (open === undefined) {
      if (this.#open.size === 0) process.nextTick(this.#flush)
      open = []
      this.#open.set(slot, open)
    }
    let batch: Batch | undefined
    for (const candidate of open) {
      if (candidate.rule === rule) {
        batch = candidate
        break
      }
    }
    if (batch === undefined) {
      batch = new Batch(rule)
      open.push(batch)
    }
    const keys = batch.keys
    const mark = keys.length
    for (const bucket of buckets) {
      const tag = this.#keys.tagOf(bucket.key)
      if (tag !== firstTag && cluster) {
        keys.length = mark
        // A configuration mistake that only shows now (lockout parameters given as a function):
        // loud, never a store error, which `onStoreError: 'failOpen'` would let through.
        return Promise.reject(
          new AxesError(
            'AXES_INVALID_OPTIONS',
            fieldTagMisfit(buckets.map((b) => Object.keys(b.fields).join('+'))),
          ),
        )
      }
      keys.push(`${tag}:${bucket.key}`)
    }
    // A reservation is a key of its own beside the buckets, outside every bucket's name (resets
    // leave it: a failure settled after a reset still counts).
    if (reservationId !== null) keys.push(`${firstTag}#r:${reservationId}`)
    batch.decisions.push(op + buckets.length, String(input.now))
    if (settleArgs !== null) batch.decisions.push(settleArgs[0], settleArgs[1])
    if (!batch.operations.includes(operation)) batch.operations.push(operation)
    const waiters = batch.waiters
    const promise = new Promise<T>((resolve, reject) => {
      waiters.push({ answer, resolve: resolve as (value: unknown) => void, reject })
    })
    if (batch.waiters.length >= MAX_BATCH) {
      // Full: it goes now, and the next decision of this tick starts another.
      open.splice(open.indexOf(batch), 1)
      this.#send(batch)
    }
    return promise
  }

  /** The script's argument for a rule (cached: the core passes one rule object while it holds). */
  #ruleArgOf(rule: LockoutRule): string {
    let arg = this.#ruleArgs.get(rule)
    if (arg === undefined) {
      const numbers = [
        rule.failureLimit,
        rule.cooloffMs ?? -1,
        (rule.lockOutAtFailure ? 1 : 0) + (rule.recordLockedAttempts ? 2 : 0),
        rule.reservationTtlMs,
        // A reservation's key outlives its deadline, so that a late settle still finds it gone
        // only when it was settled already.
        Math.max(1, Math.ceil(rule.reservationTtlMs * 2)),
        this.#retentionMs,
      ]
      for (const tier of rule.tiers) numbers.push(tier.failures, tier.cooloffMs)
      arg = numbers.map(String).join(' ')
      this.#ruleArgs.set(rule, arg)
    }
    return arg
  }

  /** Sends every batch of the tick (bound: it is the `process.nextTick` callback). */
  readonly #flush = (): void => {
    const open = this.#open
    this.#open = new Map()
    for (const batches of open.values()) for (const batch of batches) this.#send(batch)
  }

  /**
   * One script call for a batch; each decision gets its three numbers of the answer, handed over
   * without a promise of its own between the client's and the waiters' (this is the hot path).
   */
  #send(batch: Batch): void {
    const waiters = batch.waiters
    if (waiters.length === 0) return
    const args: Arg[] = ['EVALSHA', DECIDE_SHA, batch.keys.length]
    for (const key of batch.keys) args.push(key)
    args.push(batch.rule)
    for (const arg of batch.decisions) args.push(arg)
    const operation = batch.operations.join(' and ')
    this.#commands.evalshaCall(
      args,
      DECIDE_SCRIPT,
      operation,
      (reply) => {
        const numbers = reply as number[]
        for (let i = 0; i < waiters.length; i++) {
          const waiter = waiters[i] as Waiter
          const at = i * 3
          try {
            waiter.resolve(
              waiter.answer(Number(numbers[at]), Number(numbers[at + 1]), Number(numbers[at + 2])),
            )
          } catch (error) {
            waiter.reject(storeError(error, operation))
          }
        }
      },
      (error) => {
        for (const waiter of waiters) waiter.reject(error)
      },
    )
  }
}
