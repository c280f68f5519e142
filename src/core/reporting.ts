/**
 * Reporting: what the engine says about the logins it decides, as django-axes logs them
 * (`AXES: Repeated login failure by …`, `AXES: Locked out …`) and as events for the application's
 * listeners (`loginFailed`, `lockedOut`, `storeError`).
 */

import type { LockoutParameterItem } from '../ground/buckets.js'
import { AxesStoreError, describeError } from '../ground/errors.js'
import type { AxesRequest, ClientIdentity, Credentials } from '../ground/request.js'
import type { InstanceContext } from './context.js'
import { maskCredentials } from './identity.js'
import type { LockoutDecision } from './types.js'

/** The client of a counted attempt and the lockout parameters it was counted by. */
export interface CountedClient {
  readonly client: ClientIdentity
  readonly parameters: readonly LockoutParameterItem[]
}

/** Writes an instance's log lines and emits its events about logins. */
export class LoginReporter {
  readonly #c: InstanceContext

  constructor(context: InstanceContext) {
    this.#c = context
  }

  /** A failure was recorded: django-axes' "Repeated login failure" line and `loginFailed`. */
  failure(
    request: AxesRequest,
    credentials: Credentials | null,
    counted: CountedClient,
    decision: LockoutDecision,
  ): void {
    if (this.#c.diagnostics.logs('info')) {
      this.#c.diagnostics.log(
        'info',
        `AXES: Repeated login failure by ${this.clientString(counted.client, request, counted.parameters)}. Count = ${decision.failures} of ${decision.failureLimit}.`,
      )
    }
    if (!this.#c.events.has('loginFailed')) return
    this.#c.events.emit('loginFailed', {
      request,
      credentials: credentials ? maskCredentials(credentials, this.#c.sensitive) : null,
      client: counted.client,
      decision,
    })
  }

  /** A client is locked out: django-axes' "Locked out" line and `lockedOut`. */
  lockedOut(request: AxesRequest, counted: CountedClient, decision: LockoutDecision): void {
    this.#c.diagnostics.log(
      'warn',
      () =>
        `AXES: Locked out ${this.clientString(counted.client, request, counted.parameters)} after repeated login failures.`,
    )
    this.#c.events.emit('lockedOut', {
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
            `the ${this.#c.handler.name} handler failed in ${operation}: ${describeError(error)}`,
            { cause: error },
          )
    const policy = this.#c.options.onStoreError
    const text = storeError.message.replace(/^\[node-axes\] /, '')
    this.#c.diagnostics.log('error', `AXES: ${text} (onStoreError: ${policy})`)
    this.#c.events.emit('storeError', { error: storeError, operation, policy })
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
      (typeof this.#c.options.lockoutParameters === 'function'
        ? []
        : this.#c.options.lockoutParameters)
    try {
      return this.#c.identity.clientString(client, request, params)
    } catch (error) {
      return `{client string failed: ${describeError(error)}}`
    }
  }
}
