/**
 * Events: django-axes' signals, typed. `loginFailed`, `loggedIn` and `loggedOut` are emitted as
 * node-axes records them; `lockedOut` (django-axes' `user_locked_out`) when a failure reaches the
 * limit and again on every attempt refused while locked; `deviceTrusted`, `sprayDetected` and
 * `challengeRequired` from the defences (./defence.ts).
 */

import type { AxesRequest, ClientIdentity, Credentials } from '../ground/request.js'
import { type AxesLogger, asError, logRecord } from './options.js'
import type { LockoutDecision } from './types.js'

/** The payload of `loginFailed`. */
export interface LoginFailedEvent {
  request: AxesRequest
  /** The credentials, with sensitive values masked. */
  credentials: Credentials | null
  client: ClientIdentity
  decision: LockoutDecision
}

/** The payload of `loggedIn`. */
export interface LoggedInEvent {
  request: AxesRequest
  client: ClientIdentity
  /** The user the application passed, if any. */
  user: unknown
}

/** The payload of `loggedOut`. */
export interface LoggedOutEvent {
  request: AxesRequest
  client: ClientIdentity
  user: unknown
}

/** The payload of `lockedOut` (django-axes' `user_locked_out` signal: username and IP). */
export interface LockedOutEvent {
  request: AxesRequest
  username: string | null
  ipAddress: string | null
  decision: LockoutDecision
}

/** The payload of `storeError`: the handler failed and `onStoreError` decided. */
export interface StoreErrorEvent {
  error: Error
  operation: string
  policy: 'failClosed' | 'failOpen'
}

/** The operation a `decided` event reports. */
export type DecidedOperation = 'isAllowed' | 'reserve' | 'loginFailed'

/**
 * The payload of `decided`: node-axes answered `isAllowed`, `reserve` (and so `protect` and every
 * adapter's login) or `loginFailed`, after `durationMs`. For metrics and tracers
 * (`node-axes/otel`); emitted, and timed, only while someone listens; not when `enabled` is false.
 */
export interface DecidedEvent {
  request: AxesRequest
  operation: DecidedOperation
  decision: LockoutDecision
  /** Milliseconds from the call to the decision (`performance.now()`). */
  durationMs: number
  /** When the call began, in `performance.now()` milliseconds (add `performance.timeOrigin`). */
  startTime: number
}

/**
 * The payload of `deviceTrusted`: an attempt presented a valid device cookie for its username and
 * is counted in its device's own bucket, exempt from the username-wide lock.
 */
export interface DeviceTrustedEvent {
  request: AxesRequest
  client: ClientIdentity
  /**
   * The device's id (a hash of its cookie's nonce: what its bucket is keyed on, and what the admin
   * and `node-axes locked` show the first 8 digits of).
   */
  device: string
}

/**
 * The payload of `sprayDetected`: a source failed across more than `sprayDetection.usernames`
 * distinct usernames and is locked as a source.
 */
export interface SprayDetectedEvent {
  /** The request whose failure locked the source. */
  request: AxesRequest
  /** The source: an IP, or an IPv6 network as `<address>/<prefix>`. */
  source: string
  /** The distinct usernames that locked it (the limit plus one). */
  usernames: number
  /** When the source's lock lifts. */
  lockedUntil: Date
}

/**
 * The payload of `challengeRequired`: an attempt needed a challenge (the client has
 * `challenges.after` failures or more) and carried none that passed; it was refused, uncounted.
 * Emitted once per request.
 */
export interface ChallengeRequiredEvent {
  request: AxesRequest
  client: ClientIdentity
  /** The refusal (reason `challengeRequired`, with the client's `failures` and `remaining`). */
  decision: LockoutDecision
}

/** Every event and its payload. */
export interface AxesEvents {
  decided: DecidedEvent
  loginFailed: LoginFailedEvent
  loggedIn: LoggedInEvent
  loggedOut: LoggedOutEvent
  lockedOut: LockedOutEvent
  storeError: StoreErrorEvent
  deviceTrusted: DeviceTrustedEvent
  sprayDetected: SprayDetectedEvent
  challengeRequired: ChallengeRequiredEvent
}

/** A listener; a returned promise is not awaited, but its rejection is caught and logged. */
export type AxesListener<E extends keyof AxesEvents> = (event: AxesEvents[E]) => unknown

/**
 * A small typed emitter. A listener that throws or rejects is logged and never breaks a login.
 */
export class AxesEmitter {
  readonly #listeners = new Map<keyof AxesEvents, Set<AxesListener<never>>>()
  readonly #logger: () => AxesLogger | false
  /** `once` listeners by the function the caller passed, so that `off(fn)` removes them too. */
  readonly #onceWrappers = new WeakMap<AxesListener<never>, AxesListener<never>>()

  constructor(logger: () => AxesLogger | false) {
    this.#logger = logger
  }

  /** Adds a listener; returns a function that removes it. */
  on<E extends keyof AxesEvents>(event: E, listener: AxesListener<E>): () => void {
    let set = this.#listeners.get(event)
    if (!set) {
      set = new Set()
      this.#listeners.set(event, set)
    }
    set.add(listener as AxesListener<never>)
    return () => this.off(event, listener)
  }

  /** Adds a listener called once. */
  once<E extends keyof AxesEvents>(event: E, listener: AxesListener<E>): () => void {
    const wrapper: AxesListener<E> = (payload) => {
      this.off(event, listener)
      return listener(payload)
    }
    this.#onceWrappers.set(listener as AxesListener<never>, wrapper as AxesListener<never>)
    return this.on(event, wrapper)
  }

  /** Removes a listener. */
  off<E extends keyof AxesEvents>(event: E, listener: AxesListener<E>): void {
    const set = this.#listeners.get(event)
    set?.delete(listener as AxesListener<never>)
    const wrapper = this.#onceWrappers.get(listener as AxesListener<never>)
    if (wrapper) {
      set?.delete(wrapper)
      this.#onceWrappers.delete(listener as AxesListener<never>)
    }
  }

  /** Whether anybody listens to `event`. */
  has(event: keyof AxesEvents): boolean {
    return (this.#listeners.get(event)?.size ?? 0) > 0
  }

  /** Calls every listener of `event`. */
  emit<E extends keyof AxesEvents>(event: E, payload: AxesEvents[E]): void {
    const set = this.#listeners.get(event)
    if (!set) return
    for (const listener of [...set]) {
      try {
        const result = (listener as AxesListener<E>)(payload)
        if (result && typeof (result as Promise<unknown>).then === 'function') {
          ;(result as Promise<unknown>).then(undefined, (error: unknown) =>
            this.#report(event, error),
          )
        }
      } catch (error) {
        this.#report(event, error)
      }
    }
  }

  /**
   * Runs a decision and, while anybody listens to `decided`, times it and emits `decided` with
   * the decision (the result, or its `decision`). Nothing is timed when nobody listens.
   */
  decided<T extends LockoutDecision | { decision: LockoutDecision }>(
    operation: DecidedOperation,
    request: AxesRequest,
    run: () => Promise<T>,
  ): Promise<T> {
    if (!this.has('decided')) return run()
    const startTime = performance.now()
    return run().then((result) => {
      const durationMs = performance.now() - startTime
      const decision =
        (result as { decision?: LockoutDecision }).decision ?? (result as LockoutDecision)
      // A disabled instance emits nothing, as for every other event.
      if (decision.reason !== 'disabled') {
        this.emit('decided', { request, operation, decision, durationMs, startTime })
      }
      return result
    })
  }

  #report(event: string, error: unknown): void {
    const logger = this.#logger()
    if (!logger) return
    logger.error(
      logRecord(`AXES: a '${event}' listener failed`, 'listenerError', {
        listener: event,
        err: asError(error),
      }),
    )
  }
}
