/**
 * Koa's middleware: `axesMiddleware` attaches node-axes' per-request API as `ctx.axes`;
 * `toAxesRequest` is the request as node-axes sees it; `sendAxesResponse` and `sendLockout` write
 * node-axes' answers the Koa way.
 */

import type { Context, Middleware, Next } from 'koa'
import type { Axes } from '../../compose/axes.js'
import type { AxesResponse, LockoutDecision } from '../../core/types.js'
import type { AxesRequest } from '../../ground/request.js'
import { type ClientIpSource, checkClientIpSource, checkProxies } from '../shared/proxy-check.js'
import { sessionIdOf } from '../shared/request.js'
import { type AxesRequestApi, requestApi } from '../shared/request-api.js'
import { withVary } from '../shared/vary.js'

declare module 'koa' {
  interface DefaultContext {
    /** node-axes' per-request API, set by `axesMiddleware` (or a `protectLogin` route). */
    axes: AxesRequestApi
  }
}

/** Options of `axesMiddleware` and `protectLogin`. */
export interface KoaAxesOptions {
  /**
   * The session id for the access log's `session_hash`.
   * @default `ctx.sessionId` (koa-generic-session), else koa-session's `ctx.session.externalKey`
   * (sessions in an external store; cookie-only sessions have no id)
   */
  sessionId?: (ctx: Context) => string | null | undefined
  /**
   * Where the client IP comes from: `'axes'`, node-axes' proxy options (django-axes' way), or
   * `'framework'`, Koa's `ctx.ip`, which applies `app.proxy` (and `app.proxyIpHeader`,
   * `app.maxIpsCount`): configure your proxies once, in Koa (docs/client-ip.md).
   * @default 'axes'
   */
  clientIp?: ClientIpSource
}

function defaultSessionId(ctx: Context): unknown {
  const record = ctx as unknown as { sessionId?: unknown; session?: { externalKey?: unknown } }
  return record.sessionId ?? record.session?.externalKey
}

/**
 * The request as node-axes sees it. A class, so that the body is read when used (a body parser
 * mounted on the route runs after axesMiddleware) through a getter on the prototype, and the
 * session id only when the engine asks for it (reading koa-session's `ctx.session` loads the
 * session).
 */
class KoaAxesRequest implements AxesRequest {
  readonly #ctx: Context
  readonly #sessionId: KoaAxesOptions['sessionId']
  #session: string | null | undefined
  readonly method: string
  readonly path: string
  readonly headers: AxesRequest['headers']
  readonly socketAddress: string | null
  /** Koa's `ctx.ip`, with `clientIp: 'framework'`. */
  frameworkIp?: string | null

  constructor(ctx: Context, sessionId?: KoaAxesOptions['sessionId'], frameworkIp = false) {
    this.#ctx = ctx
    this.#sessionId = sessionId
    const req = ctx.req
    this.method = req.method ?? 'GET'
    this.path = ctx.path
    this.headers = req.headers
    this.socketAddress = req.socket?.remoteAddress ?? null
    if (frameworkIp) this.frameworkIp = ctx.ip || null
  }

  /** The session id (`sessionId(ctx)`, else the session middleware's), read when used. */
  get sessionId(): string | null {
    if (this.#session === undefined) {
      const ctx = this.#ctx
      this.#session = sessionIdOf(this.#sessionId ? this.#sessionId(ctx) : defaultSessionId(ctx))
    }
    return this.#session
  }

  get query(): Record<string, unknown> {
    return this.#ctx.query
  }

  get body(): unknown {
    return (this.#ctx.request as { body?: unknown }).body
  }
}

/**
 * The request as node-axes sees it (the body from `ctx.request.body`, as body parsers leave it);
 * with `clientIp: 'framework'`, the client IP is Koa's `ctx.ip`.
 */
export function toAxesRequest(
  ctx: Context,
  sessionId?: KoaAxesOptions['sessionId'],
  clientIp?: ClientIpSource,
): AxesRequest {
  return new KoaAxesRequest(ctx, sessionId, checkClientIpSource(clientIp) === 'framework')
}

const seen = new WeakSet<Axes>()

/**
 * The request's per-request API: the one already attached for this instance, or a new one set as
 * `ctx.axes` (checking `app.proxy` once per instance).
 */
export function apiFor(axes: Axes, ctx: Context, options: KoaAxesOptions): AxesRequestApi {
  const existing = (ctx as { axes?: AxesRequestApi }).axes
  if (existing && existing.axes === axes) return existing
  const source = checkClientIpSource(options.clientIp)
  if (!seen.has(axes)) {
    seen.add(axes)
    checkProxies(axes, source, 'Koa', 'app.proxy', Boolean(ctx.app?.proxy))
  }
  const api = requestApi(axes, toAxesRequest(ctx, options.sessionId, source))
  ctx.axes = api
  return api
}

/** Writes a framework-neutral response. */
export function sendAxesResponse(ctx: Context, response: AxesResponse): void {
  ctx.status = response.status
  ctx.set(withVary(response.headers, ctx.response.get('vary')))
  ctx.body = response.body
}

/**
 * Answers a refused decision with the lockout response (JSON, template, redirect, callable or
 * message, as the core decides).
 */
export async function sendLockout(ctx: Context, decision: LockoutDecision): Promise<void> {
  sendAxesResponse(ctx, await ctx.axes.lockoutResponse(decision))
}

/**
 * Middleware that attaches node-axes' per-request API as `ctx.axes`, for login code of your own:
 * `ctx.axes.reserve()`, `isAllowed()`, `loginFailed()`, `loggedIn()`, `loggedOut()`; answer a
 * refused decision with `sendLockout(ctx, decision)`. Install it after the body parser.
 */
export function axesMiddleware(axes: Axes, options: KoaAxesOptions = {}): Middleware {
  checkClientIpSource(options.clientIp)
  return async function axes_(ctx: Context, next: Next) {
    apiFor(axes, ctx, options)
    await next()
  }
}
