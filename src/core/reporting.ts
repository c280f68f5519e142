/**
 * Reporting: what the engine says about the logins it decides, as django-axes logs them
 * (`AXES: Repeated login failure by …`, `AXES: Locked out …`) and as events for the application's
 * listeners (`loginFailed`, `lockedOut`, `storeError`).
 */

import type { LockoutParameterItem } from '../ground/buckets.js'
import { AxesStoreError, describeError } from '../ground/errors.js'
import type { AxesRequest, ClientIdentity, Credentials } from '../ground/request.js'
import type { Diagnostics } from './diagnostics.js'
import type { AxesEmitter } from './events.js'
import type { IdentityResolver } from './identity.js'
import type { ResolvedOptions } from './options.js'
import type { LockoutDecision } from './types.js'

/** The client of a counted attempt and the lockout parameters it was counted by. */
export interface CountedClient {
  readonly client: ClientIdentity
  readonly parameters: readonly LockoutParameterItem[]
}

/** Writes an instance's log lines and emits its events about logins. */
export class LoginReporter {
  readonly #options: Readonly<ResolvedOptions>
  readonly #identity: IdentityResolver
  readonly #diagnostics: Diagnostics
  readonly #events: AxesEmitter
  readonly #handlerName: string
  readonly #mask: (credentials: Credentials) => Credentials

  constructor(parts: {
    options: Readonly<ResolvedOptions>
    identity: IdentityResolver
    diagnostics: Diagnostics
    events: AxesEmitter
    handlerName: string
    mask: (credentials: Credentials) => Credentials
  }) {
    this.#options = parts.options
    this.#identity = parts.identity
    this.#diagnostics = parts.diagnostics
    this.#events = parts.events
    this.#handlerName = parts.handlerName
    this.#mask = parts.mask
  }

  /** A failure was recorded: django-axes' "Repeated login failure" line and `loginFailed`. */
  failure(
    request: AxesRequest,
    credentials: Credentials | null,
    counted: CountedClient,
    decision: LockoutDecision,
  ): void {
    if (this.#diagnostics.logs('info')) {
      this.#diagnostics.log(
        'info',
        `AXES: Repeated login failure by ${this.clientString(counted.client, request, counted.parameters)}. Count = ${decision.failures} of ${decision.failureLimit}.`,
      )
    }
    if (!this.#events.has('loginFailed')) return
    this.#events.emit('loginFailed', {
      request,
      credentials: credentials ? this.#mask(credentials) : null,
      client: counted.client,
      decision,
    })
  }

  /** A client is locked out: django-axes' "Locked out" line and `lockedOut`. */
  lockedOut(request: AxesRequest, counted: CountedClient, decision: LockoutDecision): void {
    this.#diagnostics.log(
      'warn',
      () =>
        `AXES: Locked out ${this.clientString(counted.client, request, counted.parameters)} after repeated login failures.`,
    )
    this.#events.emit('lockedOut', {
      request,
      username: counted.client.username,
      ipAddress: counted.client.ipAddress,
      decision,
    })
  }

  /**
   * The handler failed in `operation`: logs it with the `onStoreError` policy, emits `storeError`,
   * and returns the error as an `AxesStoreError`.
   */
  storeError(error: unknown, operation: string): AxesStoreError {
    const storeError =
      error instanceof AxesStoreError
        ? error
        : new AxesStoreError(
            `the ${this.#handlerName} handler failed in ${operation}: ${describeError(error)}`,
            { cause: error },
          )
    const policy = this.#options.onStoreError
    const text = storeError.message.replace(/^\[node-axes\] /, '')
    this.#diagnostics.log('error', `AXES: ${text} (onStoreError: ${policy})`)
    this.#events.emit('storeError', { error: storeError, operation, policy })
    return storeError
  }

  /** django-axes' client string (`{username: "…", ip_address: "…", …}`) for log lines. */
  clientString(
    client: ClientIdentity,
    request: AxesRequest,
    parameters?: readonly LockoutParameterItem[],
  ): string {
    const params =
      parameters ??
      (typeof this.#options.lockoutParameters === 'function' ? [] : this.#options.lockoutParameters)
    try {
      return this.#identity.clientString(client, request, params)
    } catch (error) {
      return `{client string failed: ${describeError(error)}}`
    }
  }
}
