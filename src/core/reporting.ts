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
import { type AxesLogRecord, logRecord } from './options.js'
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
    this.#c.diagnostics.log('info', () =>
      logRecord(
        `AXES: Repeated login failure by ${this.clientString(counted.client, request, counted.parameters)}. Count = ${decision.failures} of ${decision.failureLimit}.`,
        'loginFailed',
        this.#decisionFields(counted, decision),
      ),
    )
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
    this.#c.diagnostics.log('warn', () =>
      logRecord(
        `AXES: Locked out ${this.clientString(counted.client, request, counted.parameters)} after repeated login failures.`,
        'lockedOut',
        {
          ...this.#decisionFields(counted, decision),
          lockedUntil: decision.lockedUntil?.toISOString() ?? null,
        },
      ),
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
    this.#c.diagnostics.log('error', () =>
      logRecord(`AXES: ${text} (onStoreError: ${policy})`, 'storeError', {
        reason: 'storeError',
        handler: this.#c.handler.name,
        operation,
        policy,
        err: storeError,
      }),
    )
    this.#c.events.emit('storeError', { error: storeError, operation, policy })
    return storeError
  }

  /**
   * The structured fields of a client for a log record: its lockout-parameter buckets
   * (`username+ip_address`) and the client string's fields as an object, masked alike.
   */
  fields(
    client: ClientIdentity,
    parameters?: readonly LockoutParameterItem[],
  ): Pick<AxesLogRecord, 'buckets' | 'client'> {
    const params = parameters ?? this.#staticParameters()
    return {
      buckets: params.map((item) => (typeof item === 'string' ? item : item.join('+'))),
      client: this.#c.identity.clientFields(client, params),
    }
  }

  #decisionFields(counted: CountedClient, decision: LockoutDecision): Record<string, unknown> {
    const { reason, failures, failureLimit } = decision
    return { reason, ...this.fields(counted.client, counted.parameters), failures, failureLimit }
  }

  #staticParameters(): readonly LockoutParameterItem[] {
    const params = this.#c.options.lockoutParameters
    return typeof params === 'function' ? [] : params
  }

  /** django-axes' client string (`{username: "…", ip_address: "…", …}`) for log lines. */
  clientString(
    client: ClientIdentity,
    request: AxesRequest,
    parameters?: readonly LockoutParameterItem[],
  ): string {
    const params = parameters ?? this.#staticParameters()
    try {
      return this.#c.identity.clientString(client, request, params)
    } catch (error) {
      return `{client string failed: ${describeError(error)}}`
    }
  }
}
