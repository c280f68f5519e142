/**
 * node-axes for Hono 4, on Web `Request`/`Response`: Node (@hono/node-server), Bun, Deno,
 * Cloudflare-style runtimes and Next.js route handlers. `axesMiddleware` sets the per-request API
 * as `c.get('axes')`; `protectLogin` guards a login route in one line (reserve → verify → settle
 * → respond), reading the body itself within a size limit.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono'
 * import { createAxes } from 'node-axes'
 * import { type AxesVariables, protectLogin } from 'node-axes/hono'
 *
 * const axes = createAxes({ failureLimit: 5, cooloffTime: '15m' })
 * const app = new Hono<{ Variables: AxesVariables }>()
 * app.post('/login', protectLogin(axes, ({ username, password }) => users.verify(username, password)),
 *   (c) => c.text(`welcome ${c.get('axesLogin').ok ? 'back' : ''}`))
 * ```
 *
 * @module
 */

import type { Context, MiddlewareHandler } from 'hono'
import type { Axes } from '../compose/axes.js'
import type { AxesResponse, LockoutDecision } from '../core/types.js'
import type { AxesRequest } from '../ground/request.js'
import {
  type AxesRequestApi,
  headersRecord,
  invalidCredentialsResponse,
  type LoginResult,
  requestApi,
  runLogin,
  sessionIdOf,
  type VerifyFunction,
} from './shared.js'

export type { AxesRequestApi, LoginCredentials, LoginResult, VerifyFunction } from './shared.js'

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

/** Options of `protectLogin`. */
export interface HonoProtectLoginOptions extends HonoAxesOptions {
  /**
   * The largest body read, in bytes; a larger one is answered 413 without verifying.
   * @default 102400 (100 KiB, Express' default)
   */
  bodyLimit?: number
  /**
   * Answers wrong credentials that leave the client allowed. By default: 401 with
   * `Invalid username or password.` (JSON `{ error, remaining }` for JSON clients).
   */
  onFailure?: (c: Context, decision: LockoutDecision) => Response | Promise<Response>
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
 * The lockout response for a refused decision (JSON, template, redirect, callable or message, as
 * the core decides), as a Web `Response`.
 */
export async function sendLockout(c: Context, decision: LockoutDecision): Promise<Response> {
  const api = c.get('axes') as AxesRequestApi | undefined
  if (!api) throw new TypeError('node-axes: sendLockout needs axesMiddleware or protectLogin')
  return toResponse(await api.lockoutResponse(decision))
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

type BodyRead = { ok: true; body: unknown } | { ok: false; status: 400 | 413; message: string }

/** Reads at most `limit` bytes of the body, then keeps them for later `c.req.json()` and friends. */
async function readBody(c: Context, limit: number): Promise<BodyRead> {
  const tooLarge = { ok: false, status: 413, message: 'Request body too large.' } as const
  const declared = Number(c.req.header('content-length'))
  if (Number.isFinite(declared) && declared > limit) return tooLarge
  const stream = c.req.raw.body
  const chunks: Uint8Array[] = []
  let size = 0
  if (stream) {
    const reader = stream.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > limit) {
        await reader.cancel()
        return tooLarge
      }
      chunks.push(value)
    }
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  ;(c.req.bodyCache as Record<string, unknown>).arrayBuffer = Promise.resolve(bytes.buffer)
  const type = (c.req.header('content-type') ?? '').toLowerCase()
  if (type.includes('json')) {
    try {
      return { ok: true, body: JSON.parse(new TextDecoder().decode(bytes)) as unknown }
    } catch {
      return { ok: false, status: 400, message: 'Malformed JSON.' }
    }
  }
  if (type.startsWith('application/x-www-form-urlencoded')) {
    return { ok: true, body: new URLSearchParams(new TextDecoder().decode(bytes)) }
  }
  if (type.startsWith('multipart/form-data')) {
    try {
      const form = await new Response(bytes, { headers: { 'content-type': type } }).formData()
      const fields = new URLSearchParams()
      form.forEach((value, key) => {
        if (typeof value === 'string') fields.append(key, value)
      })
      return { ok: true, body: fields }
    } catch {
      return { ok: false, status: 400, message: 'Malformed form data.' }
    }
  }
  return { ok: true, body: undefined }
}

/**
 * Guards a login route (django-axes' `axes_dispatch`): reads the body (JSON, urlencoded or
 * multipart, at most `bodyLimit` bytes; the bytes stay available to `c.req.json()` and friends),
 * reserves an attempt, calls `verify` with the credentials only when the client is allowed,
 * records the outcome and answers a lockout with the lockout response, wrong credentials with 401
 * (or `onFailure`), a malformed body with 400 and a large one with 413. On success it sets
 * `c.get('axesLogin')` to `{ ok: true, user, decision }` and the next handler runs.
 */
export function protectLogin<User>(
  axes: Axes,
  verify: VerifyFunction<Context, User>,
  options: HonoProtectLoginOptions = {},
): MiddlewareHandler<{ Variables: AxesVariables }> {
  const limit = options.bodyLimit ?? 100 * 1024
  return async (c, next) => {
    const read = await readBody(c, limit)
    if (!read.ok) {
      return c.body(read.message, read.status, {
        'content-type': 'text/plain; charset=utf-8',
        connection: 'close',
      })
    }
    const api = requestApi(axes, toAxesRequest(c, read.body, options))
    c.set('axes', api)
    const result = await runLogin(axes, api.request, read.body, c, verify)
    c.set('axesLogin', result as LoginResult<unknown>)
    if (result.ok) {
      await next()
      return
    }
    if (!result.decision.allowed) return toResponse(await api.lockoutResponse(result.decision))
    if (options.onFailure) return options.onFailure(c, result.decision)
    return toResponse(invalidCredentialsResponse(api.request, result.decision))
  }
}
