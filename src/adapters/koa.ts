/**
 * node-axes for Koa 2 and 3: `axesMiddleware` attaches the per-request API as `ctx.axes`;
 * `protectLogin` guards a login route in one line (reserve → verify → settle → respond).
 *
 * @example
 * ```ts
 * import Koa from 'koa'
 * import { bodyParser } from '@koa/bodyparser'
 * import { createAxes } from 'node-axes'
 * import { axesMiddleware, protectLogin } from 'node-axes/koa'
 *
 * const axes = createAxes({ failureLimit: 5, cooloffTime: '15m' })
 * const app = new Koa()
 * app.use(bodyParser())
 * app.use(axesMiddleware(axes))
 * const guard = protectLogin(axes, ({ username, password }) => users.verify(username, password))
 * app.use(async (ctx, next) => {
 *   if (ctx.method === 'POST' && ctx.path === '/login') {
 *     return guard(ctx, async () => { ctx.body = `welcome ${ctx.state.axesLogin.user}` })
 *   }
 *   return next()
 * })
 * ```
 *
 * @module
 */

import type { Context, Middleware, Next } from 'koa'
import type { Axes } from '../compose/axes.js'
import type { AxesResponse, LockoutDecision } from '../core/types.js'
import type { AxesRequest } from '../ground/request.js'
import {
  type AxesRequestApi,
  checkProxyAgreement,
  invalidCredentialsResponse,
  LazyAxesRequest,
  requestApi,
  runLogin,
  sessionIdOf,
  type VerifyFunction,
} from './shared.js'

export type { AxesRequestApi, LoginCredentials, LoginResult, VerifyFunction } from './shared.js'

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
}

/** Options of `protectLogin`. */
export interface KoaProtectLoginOptions extends KoaAxesOptions {
  /**
   * Answers wrong credentials that leave the client allowed. By default: 401 with
   * `Invalid username or password.` (JSON `{ error, remaining }` for JSON clients).
   */
  onFailure?: (ctx: Context, decision: LockoutDecision) => unknown
}

function defaultSessionId(ctx: Context): unknown {
  const record = ctx as unknown as { sessionId?: unknown; session?: { externalKey?: unknown } }
  return record.sessionId ?? record.session?.externalKey
}

/**
 * The request as node-axes sees it. A class, so that the body is read when used (a body parser
 * mounted on the route runs after axesMiddleware) through a getter on the prototype.
 */
class KoaAxesRequest extends LazyAxesRequest {
  readonly #ctx: Context

  constructor(ctx: Context, sessionId?: KoaAxesOptions['sessionId']) {
    super(
      ctx.method,
      ctx.path,
      ctx.headers,
      ctx.req.socket?.remoteAddress ?? null,
      sessionIdOf(sessionId ? sessionId(ctx) : defaultSessionId(ctx)),
    )
    this.#ctx = ctx
  }

  get query(): Record<string, unknown> {
    return this.#ctx.query
  }

  get body(): unknown {
    return (this.#ctx.request as { body?: unknown }).body
  }
}

/** The request as node-axes sees it (the body from `ctx.request.body`, as body parsers leave it). */
export function toAxesRequest(ctx: Context, sessionId?: KoaAxesOptions['sessionId']): AxesRequest {
  return new KoaAxesRequest(ctx, sessionId)
}

const seen = new WeakSet<Axes>()

function apiFor(axes: Axes, ctx: Context, options: KoaAxesOptions): AxesRequestApi {
  const existing = (ctx as { axes?: AxesRequestApi }).axes
  if (existing && existing.axes === axes) return existing
  if (!seen.has(axes)) {
    seen.add(axes)
    checkProxyAgreement(axes, 'Koa', 'app.proxy', Boolean(ctx.app?.proxy))
  }
  const api = requestApi(axes, toAxesRequest(ctx, options.sessionId))
  ctx.axes = api
  return api
}

/** Writes a framework-neutral response. */
export function sendAxesResponse(ctx: Context, response: AxesResponse): void {
  ctx.status = response.status
  ctx.set(response.headers)
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
  return async function axes_(ctx: Context, next: Next) {
    apiFor(axes, ctx, options)
    await next()
  }
}

/**
 * Guards a login route (django-axes' `axes_dispatch`): reserves an attempt, calls `verify` with
 * the body's credentials only when the client is allowed, records the outcome and answers a
 * lockout with the lockout response, wrong credentials with 401 (or `onFailure`). On success it
 * sets `ctx.state.axesLogin = { ok: true, user, decision }` and calls `next`. Parse the body first
 * (`@koa/bodyparser`).
 */
export function protectLogin<User>(
  axes: Axes,
  verify: VerifyFunction<Context, User>,
  options: KoaProtectLoginOptions = {},
): Middleware {
  return async function axesProtectLogin(ctx: Context, next: Next) {
    const api = apiFor(axes, ctx, options)
    const result = await runLogin(
      axes,
      api.request,
      (ctx.request as { body?: unknown }).body,
      ctx,
      verify,
    )
    ctx.state.axesLogin = result
    if (result.ok) return next()
    if (!result.decision.allowed) {
      return sendAxesResponse(ctx, await api.lockoutResponse(result.decision))
    }
    if (options.onFailure) return options.onFailure(ctx, result.decision)
    sendAxesResponse(ctx, invalidCredentialsResponse(api.request, result.decision))
  }
}
