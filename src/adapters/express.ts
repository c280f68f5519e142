/**
 * node-axes for Express 4 and 5: `axesMiddleware` attaches the per-request API as `req.axes`;
 * `protectLogin` guards a login route in one line (reserve → verify → settle → respond).
 *
 * @example
 * ```ts
 * import express from 'express'
 * import { createAxes } from 'node-axes'
 * import { axesMiddleware, protectLogin } from 'node-axes/express'
 *
 * const axes = createAxes({ failureLimit: 5, cooloffTime: '15m' })
 * const app = express()
 * app.use(express.urlencoded({ extended: false }))
 * app.use(axesMiddleware(axes))
 * app.post('/login', protectLogin(axes, ({ username, password }) => users.verify(username, password)),
 *   (req, res) => res.redirect('/'))
 * ```
 *
 * @module
 */

import type { NextFunction, Request, RequestHandler, Response } from 'express'
import type { Axes } from '../compose/axes.js'
import type { AxesResponse, LockoutDecision } from '../core/types.js'
import type { AxesRequest } from '../ground/request.js'
import {
  type AxesRequestApi,
  checkProxyAgreement,
  chooseLockoutRendering,
  invalidCredentialsResponse,
  LazyAxesRequest,
  type LoginResult,
  requestApi,
  runLogin,
  sessionIdOf,
  type VerifyFunction,
} from './shared.js'

export type { AxesRequestApi, LoginCredentials, LoginResult, VerifyFunction } from './shared.js'

declare global {
  namespace Express {
    interface Request {
      /** node-axes' per-request API, set by `axesMiddleware` (or a `protectLogin` route). */
      axes: AxesRequestApi
    }
  }
}

/** Options of `axesMiddleware` and `protectLogin`. */
export interface ExpressAxesOptions {
  /**
   * An Express view rendered for lockouts with `res.render(view, context)`, where `context` is the
   * lockout context (`failure_limit`, `failure_count`, `username`, `cooloff_time`, …). It takes the
   * place of the core's `lockoutTemplate`; JSON clients, `lockoutCallable` and store failures are
   * answered as the core answers them.
   * @default undefined (the core's lockout response)
   */
  lockoutView?: string
  /**
   * The session id for the access log's `session_hash`.
   * @default `req.sessionID` (express-session)
   */
  sessionId?: (req: Request) => string | null | undefined
}

/** Options of `protectLogin`. */
export interface ExpressProtectLoginOptions extends ExpressAxesOptions {
  /**
   * Answers wrong credentials that leave the client allowed. By default: 401 with
   * `Invalid username or password.` (JSON `{ error, remaining }` for JSON clients).
   */
  onFailure?: (req: Request, res: Response, next: NextFunction, decision: LockoutDecision) => void
}

const seen = new WeakSet<Axes>()
/** The options of the middleware or route that attached each request's API. */
const optionsOf = new WeakMap<Request, ExpressAxesOptions>()

/**
 * The request as node-axes sees it. A class, so that the body and the query are read when used
 * (a body parser mounted on the route runs after axesMiddleware; the query is parsed on demand)
 * through getters on the prototype, which V8 handles faster than accessors in object literals.
 */
class ExpressAxesRequest extends LazyAxesRequest {
  readonly #req: Request

  constructor(req: Request, sessionId?: ExpressAxesOptions['sessionId']) {
    super(
      req.method,
      // The whole path, as Django's path_info, also inside a router mounted under a prefix.
      req.baseUrl ? `${req.baseUrl}${req.path}` : req.path,
      req.headers,
      req.socket?.remoteAddress ?? null,
      sessionIdOf(sessionId ? sessionId(req) : (req as { sessionID?: unknown }).sessionID),
    )
    this.#req = req
  }

  get query(): Record<string, unknown> {
    return this.#req.query as Record<string, unknown>
  }

  get body(): unknown {
    return this.#req.body
  }
}

/** The request as node-axes sees it (the body and the query read when used). */
export function toAxesRequest(
  req: Request,
  sessionId?: ExpressAxesOptions['sessionId'],
): AxesRequest {
  return new ExpressAxesRequest(req, sessionId)
}

/** Checks once per instance that Express' `trust proxy` agrees with node-axes' proxy options. */
function checkTrustProxy(axes: Axes, req: Request): void {
  if (seen.has(axes)) return
  seen.add(axes)
  const setting: unknown = req.app?.get('trust proxy')
  const trusts = setting !== undefined && setting !== false && setting !== 0 && setting !== null
  checkProxyAgreement(axes, 'Express', "app.set('trust proxy')", trusts)
}

function apiFor(axes: Axes, req: Request, options: ExpressAxesOptions): AxesRequestApi {
  const existing = (req as { axes?: AxesRequestApi }).axes
  if (existing && existing.axes === axes) return existing
  checkTrustProxy(axes, req)
  const api = requestApi(axes, toAxesRequest(req, options.sessionId))
  req.axes = api
  if (options.lockoutView !== undefined) optionsOf.set(req, options)
  return api
}

/** Writes a framework-neutral response. */
export function sendAxesResponse(res: Response, response: AxesResponse): void {
  res.status(response.status).set(response.headers)
  if (response.body === '') res.end()
  else res.send(response.body)
}

/**
 * Answers a refused decision with the lockout response: the view when `lockoutView` is set (here
 * or on `axesMiddleware`) and applies, otherwise the core's response (JSON, template, redirect,
 * callable, message). Needs `axesMiddleware` (or a `protectLogin` route) before it.
 */
export async function sendLockout(
  req: Request,
  res: Response,
  decision: LockoutDecision,
  options: ExpressAxesOptions = optionsOf.get(req) ?? {},
): Promise<void> {
  const api = (req as { axes?: AxesRequestApi }).axes
  if (!api) throw new TypeError('node-axes: sendLockout needs axesMiddleware or protectLogin')
  const rendering = await chooseLockoutRendering(
    api.axes,
    api.request,
    decision,
    null,
    options.lockoutView !== undefined,
  )
  if (rendering.kind === 'response') {
    sendAxesResponse(res, rendering.response)
    return
  }
  const view = options.lockoutView as string
  await new Promise<void>((resolve, reject) => {
    res.render(view, rendering.context, (error: Error | null, html?: string) => {
      if (error) return reject(error)
      res
        .status(rendering.status)
        .set(rendering.headers)
        .type('html')
        .send(html ?? '')
      resolve()
    })
  })
}

/**
 * Middleware that attaches node-axes' per-request API as `req.axes`, for login code of your own:
 * `req.axes.reserve()`, `isAllowed()`, `loginFailed()`, `loggedIn()`, `loggedOut()`; answer a
 * refused decision with `sendLockout(req, res, decision)`.
 */
export function axesMiddleware(axes: Axes, options: ExpressAxesOptions = {}): RequestHandler {
  return (req, _res, next) => {
    apiFor(axes, req, options)
    next()
  }
}

/**
 * Guards a login route (django-axes' `axes_dispatch`): reserves an attempt, calls `verify` with
 * the body's credentials only when the client is allowed, records the outcome and answers a
 * lockout with the lockout response, wrong credentials with 401 (or `onFailure`). On success it
 * sets `res.locals.axesLogin = { ok: true, user, decision }` and calls the next handler. Parse the
 * body first (`express.urlencoded()` or `express.json()`).
 */
export function protectLogin<User>(
  axes: Axes,
  verify: VerifyFunction<Request, User>,
  options: ExpressProtectLoginOptions = {},
): RequestHandler {
  return (req, res, next) => {
    const api = apiFor(axes, req, options)
    runLogin(axes, api.request, req.body, req, verify)
      .then(async (result: LoginResult<User>) => {
        res.locals.axesLogin = result
        if (result.ok) return next()
        if (!result.decision.allowed) {
          // A lockoutView given here, else the one given to axesMiddleware.
          const view = options.lockoutView !== undefined ? options : optionsOf.get(req)
          return sendLockout(req, res, result.decision, view ?? options)
        }
        if (options.onFailure) return options.onFailure(req, res, next, result.decision)
        sendAxesResponse(res, invalidCredentialsResponse(api.request, result.decision))
      })
      .catch(next)
  }
}
