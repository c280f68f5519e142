/**
 * Passport's `axesStrategy`: any Passport strategy wrapped so that a locked-out client is refused
 * before it runs and its failures and successes are recorded; `toAxesRequest` is the request as
 * node-axes sees it.
 */

import type { IncomingHttpHeaders, ServerResponse } from 'node:http'
import type { Axes } from '../../compose/axes.js'
import { lockoutMessage } from '../../core/lockout-response.js'
import type { AxesResponse, LockoutDecision } from '../../core/types.js'
import type { AxesRequest, Credentials } from '../../ground/request.js'
import { readCredentials } from '../shared/login.js'
import { sessionIdOf } from '../shared/request.js'
import { withVary } from '../shared/vary.js'

/** The parts of a Passport strategy node-axes uses: any `passport-strategy` subclass has them. */
export interface PassportStrategyLike {
  name?: string | undefined
  // biome-ignore lint/suspicious/noExplicitAny: Passport's own signature.
  authenticate(this: any, req: any, options?: any): any
}

/** The actions Passport adds to a strategy while it authenticates one request. */
interface StrategyActions {
  success(user: unknown, info?: unknown): void
  fail(challenge?: unknown, status?: number): void
  redirect(url: string, status?: number): void
  pass(): void
  error(error: unknown): void
}

/** The request Passport hands a strategy: Node's, with what Express or Connect add. */
interface PassportRequest {
  method?: string
  url?: string
  path?: string
  originalUrl?: string
  headers: IncomingHttpHeaders
  socket?: { remoteAddress?: string }
  query?: unknown
  body?: unknown
  sessionID?: string
  res?: ServerResponse
}

/**
 * The failure info Passport receives for a refused client (`info` of a custom callback, and
 * `req.authInfo`-style messages with `failureMessage`).
 */
export interface AxesLockoutInfo {
  /** The lockout message (`cooloffMessage`, `permalockMessage` or the store-failure message). */
  message: string
  /** Always true: tells a lockout from a wrong password. */
  axesLockout: true
  /** node-axes' decision. */
  decision: LockoutDecision
  /** The lockout response node-axes would send (JSON, template, redirect, callable, message). */
  response: AxesResponse
}

/** Options of `axesStrategy`. */
export interface AxesStrategyOptions {
  /**
   * How a refused client is answered:
   * - `'respond'`: node-axes writes the lockout response to `req.res` (Express and Connect set
   *   it) and Passport's chain stops there, as django-axes' middleware answers;
   * - `'fail'`: the strategy fails with `AxesLockoutInfo` and status `httpResponseCode` (503 for
   *   a store failure), so Passport's `failureRedirect`, `failureMessage` or your custom callback
   *   decides.
   *
   * Without a `req.res`, `'respond'` falls back to `'fail'`.
   * @default 'respond'
   */
  lockout?: 'respond' | 'fail'
  /**
   * The credentials counted for the request.
   * @default the body's `usernameFormField` and `passwordFormField` (passport-local's fields)
   */
  credentials?: (req: PassportRequest) => Credentials | null
}

/** The request as node-axes sees it. */
export function toAxesRequest(req: PassportRequest): AxesRequest {
  const url = req.originalUrl ?? req.url ?? '/'
  const queryAt = url.indexOf('?')
  const path = req.path ?? (queryAt === -1 ? url : url.slice(0, queryAt))
  return {
    method: req.method ?? 'GET',
    path,
    headers: req.headers,
    socketAddress: req.socket?.remoteAddress ?? null,
    query: (req.query as Record<string, unknown> | undefined) ?? null,
    body: req.body,
    sessionId: sessionIdOf(req.sessionID),
  }
}

/**
 * Wraps a Passport strategy (passport-local or any other) so that node-axes guards it: a locked
 * client is refused before the strategy runs (its verify callback is never called), a `fail` of
 * the strategy records a failure (the failure that reaches the limit is refused as a lockout), a
 * `success` records the login (access log, reset on success). An attempt is reserved before the
 * strategy runs, so parallel guesses reach it at most `failureLimit` times. `redirect`, `pass` and
 * `error` release the reservation without recording.
 */
export function axesStrategy<S extends PassportStrategyLike>(
  axes: Axes,
  strategy: S,
  options: AxesStrategyOptions = {},
): S {
  const mode = options.lockout ?? 'respond'
  const wrapped = Object.create(strategy) as S
  wrapped.authenticate = function axesAuthenticate(
    this: StrategyActions,
    req: PassportRequest,
    authOptions?: unknown,
  ) {
    const request = toAxesRequest(req)
    axes.attach(request)
    const credentials = options.credentials
      ? options.credentials(req)
      : readCredentials(axes, req.body).core

    const refuse = async (decision: LockoutDecision) => {
      const response = await axes.lockoutResponse(request, decision, credentials)
      const res = req.res
      if (mode === 'respond' && res && !res.headersSent) {
        res.writeHead(response.status, withVary(response.headers, res.getHeader('vary')))
        res.end(response.body)
        return
      }
      const info: AxesLockoutInfo = {
        message: lockoutMessage(axes.options, decision),
        axesLockout: true,
        decision,
        response,
      }
      this.fail(info, decision.reason === 'storeError' ? 503 : axes.options.httpResponseCode)
    }
    const settle = (work: Promise<unknown>, then: () => void) => {
      work.then(then, (error: unknown) => this.error(error))
    }

    axes
      .reserve(request, credentials)
      .then((reservation) => {
        if (!reservation.decision.allowed) return refuse(reservation.decision)
        const inner = Object.create(strategy) as S & StrategyActions
        inner.success = (user, info) =>
          settle(reservation.succeeded(user), () => this.success(user, info))
        inner.fail = (challenge, status) =>
          settle(
            reservation.failed().then((after) => {
              if (after.allowed) this.fail(challenge, status)
              else return refuse(after)
            }),
            () => {},
          )
        inner.redirect = (url, status) =>
          settle(reservation.release(), () => this.redirect(url, status))
        inner.pass = () => settle(reservation.release(), () => this.pass())
        inner.error = (error) => settle(reservation.release(), () => this.error(error))
        try {
          strategy.authenticate.call(inner, req, authOptions)
        } catch (error) {
          inner.error(error)
        }
      })
      .catch((error: unknown) => this.error(error))
  }
  return wrapped
}
