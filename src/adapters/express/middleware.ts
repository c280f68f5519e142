/**
 * Express' middleware: `axesMiddleware` attaches node-axes' per-request API as `req.axes`;
 * `toAxesRequest` is the request as node-axes sees it; `sendAxesResponse` and `sendLockout` write
 * node-axes' answers the Express way.
 */

import type { OutgoingHttpHeaders } from 'node:http'
import type { Request, RequestHandler, Response } from 'express'
import type { Axes } from '../../compose/axes.js'
import type { AxesResponse, LockoutDecision } from '../../core/types.js'
import { invalidArgument } from '../../ground/errors.js'
import type { AxesRequest } from '../../ground/request.js'
import { chooseLockoutRendering } from '../shared/lockout-rendering.js'
import { type ClientIpSource, checkClientIpSource, checkProxies } from '../shared/proxy-check.js'
import { type AxesRequestApi, requestApi } from '../shared/request-api.js'
import { withVary } from '../shared/vary.js'
import { ExpressAxesRequest } from './request.js'

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

/** The API attached to each request (read here rather than as `req.axes`: see ./request.ts). */
const apis = new WeakMap<Request, AxesRequestApi>()

/**
 * The request's per-request API: the one already attached for this instance, or a new one set as
 * `req.axes` (checking `trust proxy` once per instance).
 */
export function apiFor(axes: Axes, req: Request, options: ExpressAxesOptions): AxesRequestApi {
  const existing = apis.get(req)
  if (existing !== undefined && existing.axes === axes) return existing
  const source = checkClientIpSource(options.clientIp)
  checkTrustProxy(axes, req, source)
  const api = requestApi(axes, toAxesRequest(req, options.sessionId, source))
  apis.set(req, api)
  req.axes = api
  if (options.lockoutView !== undefined) optionsOf.set(req, options)
  return api
}

/**
 * Writes a framework-neutral response in two calls on Node's response, `writeHead` and `end`,
 * rather than through Express' `res.send`: each call and property read on Express' `res` is a
 * lookup along its prototype chain (see ./request.ts), and `res.send` makes a dozen (settings,
 * ETag, freshness, charset). What it would add to these responses is kept: the charset of a text
 * type, and Content-Length (Node's, from the body). No ETag: the answers are `no-store`.
 */
export function sendAxesResponse(res: Response, response: AxesResponse): void {
  const { status, body } = response
  // Express' own check (and error) for a status that is not a three-digit integer.
  if (!(Number.isInteger(status) && status >= 100 && status <= 999)) res.status(status)
  const given = response.headers
  const headers = given.vary === undefined ? given : withVary(given, res.getHeader('vary'))
  if (body !== '') {
    res.writeHead(status, headersFor(headers, body)).end(body)
    return
  }
  // No body (a redirect): Express' `res.set` gives a Content-Type its charset the way it does.
  res.statusCode = status
  for (const name in headers) {
    const value = headers[name] as string
    if (name.toLowerCase() === 'content-type') res.set(name, value)
    else res.setHeader(name, value)
  }
  res.end()
}

/**
 * The headers `res.send` would send with `body`: its Content-Length, and `; charset=utf-8` on a
 * Content-Type that names none.
 */
function headersFor(headers: Readonly<Record<string, string>>, body: string): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = { ...headers, 'content-length': Buffer.byteLength(body) }
  for (const name in headers) {
    const value = headers[name] as string
    if (name.toLowerCase() === 'content-type' && !/;\s*charset=/i.test(value)) {
      out[name] = `${value}; charset=utf-8`
    }
  }
  return out
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
