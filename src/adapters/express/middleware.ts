/**
 * Express' middleware: `axesMiddleware` attaches node-axes' per-request API as `req.axes`;
 * `toAxesRequest` is the request as node-axes sees it; `sendAxesResponse` and `sendLockout` write
 * node-axes' answers the Express way.
 */

import type { Request, RequestHandler, Response } from 'express'
import type { Axes } from '../../compose/axes.js'
import type { AxesResponse, LockoutDecision } from '../../core/types.js'
import { invalidArgument } from '../../ground/errors.js'
import type { AxesRequest } from '../../ground/request.js'
import { chooseLockoutRendering } from '../shared/lockout-rendering.js'
import { type ClientIpSource, checkClientIpSource, checkProxies } from '../shared/proxy-check.js'
import { LazyAxesRequest, sessionIdOf } from '../shared/request.js'
import { type AxesRequestApi, requestApi } from '../shared/request-api.js'
import { withVary } from '../shared/vary.js'

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
  /**
   * Where the client IP comes from: `'axes'`, node-axes' proxy options (django-axes' way), or
   * `'framework'`, Express' `req.ip`, which applies `app.set('trust proxy', …)`: configure your
   * proxies once, in Express (docs/client-ip.md).
   * @default 'axes'
   */
  clientIp?: ClientIpSource
}

const seen = new WeakSet<Axes>()

/** The options of the middleware or route that attached each request's API. */
export const optionsOf: WeakMap<Request, ExpressAxesOptions> = new WeakMap()

/**
 * The request as node-axes sees it. A class, so that the body and the query are read when used
 * (a body parser mounted on the route runs after axesMiddleware; the query is parsed on demand)
 * through getters on the prototype, which V8 handles faster than accessors in object literals.
 */
class ExpressAxesRequest extends LazyAxesRequest {
  readonly #req: Request

  constructor(req: Request, sessionId?: ExpressAxesOptions['sessionId'], frameworkIp = false) {
    super(
      req.method,
      // The whole path, as Django's path_info, also inside a router mounted under a prefix.
      req.baseUrl ? `${req.baseUrl}${req.path}` : req.path,
      req.headers,
      req.socket?.remoteAddress ?? null,
      sessionIdOf(sessionId ? sessionId(req) : (req as { sessionID?: unknown }).sessionID),
    )
    this.#req = req
    if (frameworkIp) this.frameworkIp = req.ip ?? null
  }

  /** Express' `req.ip`, with `clientIp: 'framework'`. */
  frameworkIp?: string | null

  get query(): Record<string, unknown> {
    return this.#req.query as Record<string, unknown>
  }

  get body(): unknown {
    return this.#req.body
  }
}

/**
 * The request as node-axes sees it (the body and the query read when used); with
 * `clientIp: 'framework'`, the client IP is Express' `req.ip`.
 */
export function toAxesRequest(
  req: Request,
  sessionId?: ExpressAxesOptions['sessionId'],
  clientIp?: ClientIpSource,
): AxesRequest {
  return new ExpressAxesRequest(req, sessionId, checkClientIpSource(clientIp) === 'framework')
}

/**
 * Checks once per instance that Express' `trust proxy` agrees with node-axes' proxy options (or,
 * with `clientIp: 'framework'`, that node-axes' own are not set as well).
 */
function checkTrustProxy(axes: Axes, req: Request, source: ClientIpSource): void {
  if (seen.has(axes)) return
  seen.add(axes)
  const setting: unknown = req.app?.get('trust proxy')
  const trusts = setting !== undefined && setting !== false && setting !== 0 && setting !== null
  checkProxies(axes, source, 'Express', "app.set('trust proxy')", trusts)
}

/**
 * The request's per-request API: the one already attached for this instance, or a new one set as
 * `req.axes` (checking `trust proxy` once per instance).
 */
export function apiFor(axes: Axes, req: Request, options: ExpressAxesOptions): AxesRequestApi {
  const existing = (req as { axes?: AxesRequestApi }).axes
  if (existing && existing.axes === axes) return existing
  const source = checkClientIpSource(options.clientIp)
  checkTrustProxy(axes, req, source)
  const api = requestApi(axes, toAxesRequest(req, options.sessionId, source))
  req.axes = api
  if (options.lockoutView !== undefined) optionsOf.set(req, options)
  return api
}

/** Writes a framework-neutral response. */
export function sendAxesResponse(res: Response, response: AxesResponse): void {
  res.status(response.status).set(withVary(response.headers, res.get('vary')))
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
  if (!api) throw invalidArgument('sendLockout needs axesMiddleware or protectLogin')
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
  checkClientIpSource(options.clientIp)
  return (req, _res, next) => {
    apiFor(axes, req, options)
    next()
  }
}
