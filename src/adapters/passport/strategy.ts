/**
 * Passport's `axesStrategy`: any Passport strategy wrapped so that a locked-out client is refused
 * before it runs and its failures and successes are recorded; `toAxesRequest` is the request as
 * node-axes sees it.
 */

import type { IncomingHttpHeaders, ServerResponse } from 'node:http'
import type { Axes } from '../../compose/axes.js'
import { loginValue, MALFORMED } from '../../core/identity.js'
import { lockoutMessage, MALFORMED_CREDENTIALS_MESSAGE } from '../../core/lockout-response.js'
import type { AxesResponse, LockoutDecision } from '../../core/types.js'
import type { AxesRequest, Credentials } from '../../ground/request.js'
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
   * The credentials counted for the request. Whatever it returns, the username the strategy's
   * verify callback receives (for passport-local and strategies built like it) must be the one
   * counted, or the attempt is refused with 400 before the password is checked.
   * @default the fields where passport-local reads them (`strategyCredentials`): its
   * `usernameField` and `passwordField` (else `usernameFormField` and `passwordFormField`), from the
   * body, else the query string
   */
  credentials?: (req: PassportRequest) => Credentials | null
  /**
   * Verifies the challenge (a CAPTCHA) the login request carries, for the `challenges` option
   * (node-axes/challenges): true when it passed. Called at most once per request, only when the
   * attempt needs a challenge. A refusal for want of one is answered as a lockout is (`lockout`),
   * with status 403 and reason `challengeRequired`.
   */
  verifyChallenge?: (req: PassportRequest) => boolean | Promise<boolean>
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

/** The fields passport-local (and strategies built like it) reads the credentials from. */
interface LocalStrategyFields {
  _usernameField?: unknown
  _passwordField?: unknown
}

/**
 * One field where passport-local's `lookup` finds it (`user[name]` walks into nested objects):
 * the value, undefined when absent, or the object found where a value should be (an array or an
 * object, which node-axes refuses).
 */
function lookupField(source: unknown, field: string): unknown {
  let value: unknown = source
  for (const key of field.split(']').join('').split('[')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined
    value = (value as Record<string, unknown>)[key]
  }
  return value
}

/**
 * A login field where passport-local reads it: the body's value, else (when the body's is absent
 * or empty) the query string's. A value that is an array or an object, in the body or the query
 * string, is returned as it is, for node-axes to refuse (reason `malformedCredentials`) where
 * passport-local would quietly fall back to the query string.
 */
function localField(req: PassportRequest, field: string): unknown {
  const body = lookupField(req.body, field)
  if (typeof body === 'object' && body !== null) return body
  if (body !== undefined && body !== null && body !== '' && body !== 0 && body !== false) {
    return body
  }
  const query = lookupField(req.query, field)
  return query === undefined ? body : query
}

/**
 * The credentials counted for a Passport login by default: the username and password where
 * passport-local reads them (its `usernameField` and `passwordField`, else the instance's
 * `usernameFormField` and `passwordFormField`; the body first, then the query string), under the
 * instance's `usernameFormField` and `passwordFormField`.
 */
export function strategyCredentials(
  axes: Axes,
  strategy: PassportStrategyLike,
  req: PassportRequest,
): Credentials {
  const o = axes.options
  const local = strategy as LocalStrategyFields
  const userField = typeof local._usernameField === 'string' ? local._usernameField : null
  const passField = typeof local._passwordField === 'string' ? local._passwordField : null
  const credentials: Record<string, unknown> = {}
  const username = localField(req, userField ?? o.usernameFormField)
  const password = localField(req, passField ?? o.passwordFormField)
  if (username !== undefined) credentials[o.usernameFormField] = username
  if (password !== undefined) credentials[o.passwordFormField] = password
  return credentials
}

/** The status of a strategy's `fail` for a refused decision. */
function failStatus(axes: Axes, decision: LockoutDecision): number {
  if (decision.reason === 'storeError') return 503
  if (decision.reason === 'malformedCredentials' || decision.reason === 'unreadBody') return 400
  if (decision.reason === 'challengeRequired') return 403
  return axes.options.httpResponseCode
}

/**
 * For a strategy built like passport-local (a `_verify(username, password, done)` callback, or
 * `_verify(req, username, password, done)` with `_passReqToCallback`): checks that the username
 * its verify callback receives is the one node-axes counted, and otherwise calls `refuse` instead
 * of the callback, so that a password is never checked for an identity that was not counted.
 */
function guardVerify(
  inner: object,
  counted: string | null | typeof MALFORMED,
  refuse: () => void,
): void {
  const local = inner as { _verify?: unknown; _passReqToCallback?: unknown }
  const verify = local._verify
  if (typeof verify !== 'function') return
  const withReq = Boolean(local._passReqToCallback)
  local._verify = function guardedVerify(this: unknown, ...args: unknown[]) {
    const given = loginValue(args[withReq ? 1 : 0])
    if (given === MALFORMED || given !== counted) return refuse()
    return verify.apply(this, args)
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
    const check = options.verifyChallenge
    if (check) request.challenge = () => check(req)
    const credentials = options.credentials
      ? options.credentials(req)
      : strategyCredentials(axes, strategy, req)
    const counted = loginValue(credentials?.[axes.options.usernameFormField])

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
      this.fail(info, failStatus(axes, decision))
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
          settle(reservation.succeeded(user), () => {
            // The device cookie node-axes issued for this login (deviceCookies), if any.
            const cookie = reservation.decision.setCookie
            if (cookie) appendCookie(req.res, cookie)
            this.success(user, info)
          })
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
        guardVerify(inner, counted, () =>
          settle(reservation.release(), () =>
            this.fail({ message: MALFORMED_CREDENTIALS_MESSAGE }, 400),
          ),
        )
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

/** Appends a `Set-Cookie` header to a Node response (Express' `res`), keeping those set before. */
function appendCookie(res: PassportRequest['res'], cookie: string): void {
  if (!res || res.headersSent) return
  const before = res.getHeader('set-cookie')
  const list = before === undefined ? [] : Array.isArray(before) ? before : [String(before)]
  res.setHeader('set-cookie', [...list, cookie])
}
