/**
 * Hono's middleware: `axesMiddleware` sets node-axes' per-request API as `c.get('axes')`;
 * `toAxesRequest` is the request as node-axes sees it; `toResponse` and `sendLockout` turn
 * node-axes' answers into Web `Response`s.
 */

import type { Context, MiddlewareHandler } from 'hono'
import type { Axes } from '../../compose/axes.js'
import type { AxesResponse, LockoutDecision } from '../../core/types.js'
import { invalidArgument } from '../../ground/errors.js'
import type { AxesRequest } from '../../ground/request.js'
import type { LoginResult } from '../shared/login.js'
import { headersRecord, sessionIdOf } from '../shared/request.js'
import { type AxesRequestApi, requestApi } from '../shared/request-api.js'

/** The context variables node-axes sets: `new Hono<{ Variables: AxesVariables }>()`. */
export interface AxesVariables {
  /** node-axes' per-request API. */
  axes: AxesRequestApi
  /** The outcome of `protectLogin` on this request. */
  axesLogin: LoginResult<unknown>
}

/** Options of `axesMiddleware` and `protectLogin`. */
export interface HonoAxesOptions {
  /**
   * The peer address of the connection. Hono has no portable way to it.
   * @default `c.env.incoming.socket.remoteAddress` (@hono/node-server), `c.env.requestIP(c.req.raw)`
   * (Bun), `c.env.remoteAddr.hostname` (Deno); otherwise none (check axes.W012 fires)
   */
  socketAddress?: (c: Context) => string | null | undefined
  /** The session id for the access log's `session_hash`, if the application has sessions. */
  sessionId?: (c: Context) => string | null | undefined
}

/** The peer address as each runtime's Hono adapter exposes it. */
function defaultSocketAddress(c: Context): string | null {
  const env = c.env as Record<string, unknown> | undefined
  if (typeof env !== 'object' || env === null) return null
  const incoming = env.incoming as { socket?: { remoteAddress?: unknown } } | undefined
  if (typeof incoming?.socket?.remoteAddress === 'string') return incoming.socket.remoteAddress
  if (typeof env.requestIP === 'function') {
    const info = (env.requestIP as (r: Request) => { address?: unknown } | null)(c.req.raw)
    if (typeof info?.address === 'string') return info.address
  }
  const remote = env.remoteAddr as { hostname?: unknown } | undefined
  return typeof remote?.hostname === 'string' ? remote.hostname : null
}

/** The request as node-axes sees it. */
export function toAxesRequest(
  c: Context,
  body: unknown,
  options: HonoAxesOptions = {},
): AxesRequest {
  const session = options.sessionId?.(c)
  const address = options.socketAddress ? options.socketAddress(c) : defaultSocketAddress(c)
  return {
    method: c.req.method,
    path: c.req.path,
    headers: headersRecord(c.req.raw.headers),
    socketAddress: address ?? null,
    query: new URL(c.req.url).searchParams,
    body,
    sessionId: sessionIdOf(session),
  }
}

/** A framework-neutral response as a Web `Response`. */
export function toResponse(response: AxesResponse): Response {
  return new Response(response.body === '' ? null : response.body, {
    status: response.status,
    headers: response.headers,
  })
}

/**
 * A framework-neutral response written through the context, so that the headers the application
 * has set already (`c.header`) stay, and `vary` is appended to the application's own.
 */
export function respond(c: Context, response: AxesResponse): Response {
  for (const [name, value] of Object.entries(response.headers)) {
    c.header(name, value, { append: name.toLowerCase() === 'vary' })
  }
  // A status the core or the application's lockoutCallable chose; Hono's types list them.
  const status = response.status as 200
  return response.body === '' ? c.body(null, status) : c.body(response.body, status)
}

/**
 * The lockout response for a refused decision (JSON, template, redirect, callable or message, as
 * the core decides), as a Web `Response` (with the headers set on `c` already).
 */
export async function sendLockout(c: Context, decision: LockoutDecision): Promise<Response> {
  const api = c.get('axes') as AxesRequestApi | undefined
  if (!api) throw invalidArgument('sendLockout needs axesMiddleware or protectLogin')
  return respond(c, await api.lockoutResponse(decision))
}

/**
 * Middleware that sets node-axes' per-request API as `c.get('axes')`, for login code of your own.
 * It does not read the body: pass the credentials to `reserve(credentials)` and the other calls.
 * Answer a refused decision with `return sendLockout(c, decision)`.
 */
export function axesMiddleware(
  axes: Axes,
  options: HonoAxesOptions = {},
): MiddlewareHandler<{ Variables: AxesVariables }> {
  return async (c, next) => {
    c.set('axes', requestApi(axes, toAxesRequest(c, undefined, options)))
    await next()
  }
}
