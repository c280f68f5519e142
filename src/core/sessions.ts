/**
 * Sessions: what happens after the password check said yes, and at logout (django-axes'
 * `user_logged_in` / `user_logged_out`): the access log row when the handler keeps logs, the
 * client's failures reset on success (`resetOnSuccess`), the log line and the event.
 */

import { bucketsFor } from '../ground/buckets.js'
import type { AccessLogStore } from '../ground/contract-logs.js'
import type { AxesRequest, ClientIdentity } from '../ground/request.js'
import type { InstanceContext } from './context.js'
import { sessionHash, usernameOf } from './identity.js'
import { logRecord } from './options.js'
import type { LoginReporter } from './reporting.js'

/** Records an instance's successful logins and logouts. */
export class Sessions {
  readonly #c: InstanceContext
  readonly #logs: AccessLogStore | null
  readonly #report: LoginReporter

  constructor(context: InstanceContext, logs: AccessLogStore | null, report: LoginReporter) {
    this.#c = context
    this.#logs = logs
    this.#report = report
  }

  /** A successful login by `client` (`user` names who, when given). */
  async loggedIn(request: AxesRequest, client: ClientIdentity, user: unknown): Promise<void> {
    const o = this.#c.options
    const username = usernameOf(user, o.usernameFormField) ?? client.username
    const loggedClient = { ...client, username }
    this.#c.diagnostics.log('info', () =>
      logRecord(
        `AXES: Successful login by ${this.#report.clientString(loggedClient, request)}.`,
        'loggedIn',
        this.#report.fields(loggedClient),
      ),
    )
    try {
      await this.#logs?.loggedIn({
        ...loggedClient,
        attemptTime: new Date(o.clock()),
        sessionHash: sessionHash(request.sessionId),
      })
    } catch (error) {
      this.#report.storeError(error, 'loggedIn')
    }
    if (o.resetOnSuccess) {
      const credentials = { [o.usernameFormField]: username }
      const buckets = bucketsFor(this.#c.rules.parameters(request, credentials), loggedClient)
      try {
        await this.#c.handler.resetBuckets(buckets)
      } catch (error) {
        this.#report.storeError(error, 'resetBuckets')
      }
    }
    this.#c.events.emit('loggedIn', { request, client: loggedClient, user })
  }

  /** A logout by `client`: the logout time on its open access-log rows for this session. */
  async loggedOut(request: AxesRequest, client: ClientIdentity, user: unknown): Promise<void> {
    const o = this.#c.options
    const username = usernameOf(user, o.usernameFormField) ?? client.username
    try {
      await this.#logs?.loggedOut({
        username,
        sessionHash: sessionHash(request.sessionId),
        logoutTime: new Date(o.clock()),
      })
    } catch (error) {
      this.#report.storeError(error, 'loggedOut')
    }
    this.#c.diagnostics.log('info', () =>
      logRecord(
        `AXES: Successful logout by ${this.#report.clientString(client, request)}.`,
        'loggedOut',
        this.#report.fields(client),
      ),
    )
    this.#c.events.emit('loggedOut', { request, client: { ...client, username }, user })
  }
}
