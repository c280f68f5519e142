/**
 * Hono's middleware: `axesMiddleware` sets node-axes' per-request API as `c.get('axes')`;
 * `toAxesRequest` is the request as node-axes sees it; `toResponse` and `sendLockout` turn
 * node-axes' answers into Web `Response`s.
 */

import type { Context, MiddlewareHandler } from 'hono'
import type { Axes } from '../../compose/axes.js'
import type { AxesResponse, LockoutDecision } from '../../core/types.js'
import { AxesError, invalidArgument } from '../../ground/errors.js'
import type { AxesRequest } from '../../ground/request.js'
import type { LoginResult } from '../shared/login.js'
import { axesTrustsProxy } from '../shared/proxy-check.js'
import { headersRecord, sessionIdOf } from '../shared/request.js'
import { type AxesRequestApi, requestApi } from '../shared/request-api.js'

/** The context variables node-axes sets: `new Hono<{ Variables: AxesVariables }>()`. */
export interface AxesVariables {
  /** node-axes' per-request API. */
  axes: AxesRequestApi
  /** The outcome of `protectLogin` on this request. */
  axesLogin: LoginResult<unknown>
}

/**
 * What Hono's connection-info helpers answer (`ConnInfo` of `hono/conninfo`), the part node-axes
 * reads: the peer address as the runtime reports it.
 */
export interface HonoConnInfo {
  /** The remote end of the connection. */
  remote: {
    /** The peer address, when the runtime knows it. */
    address?: string | undefined
  }
}

/** Options of `axesMiddleware` and `protectLogin`. */
export interface HonoAxesOptions {
  /**
   * Hono's own connection-info helper for the runtime the app runs on: `getConnInfo` from
   * `@hono/node-server/conninfo`, `hono/bun`, `hono/deno`, `hono/cloudflare-workers` (the
   * `cf-connecting-ip` header Cloudflare's edge sets) or `hono/vercel` (`x-real-ip`). The peer
   * address is its `remote.address`.
   * @default the peer address read as those helpers read it on @hono/node-server, Bun and Deno;
   * elsewhere none (check axes.W012 says so, and names this option)
   */
  connInfo?: (c: Context) => HonoConnInfo
  /**
   * The peer address of the connection, your own way (instead of `connInfo`).
   * @default as `connInfo`
   */
  socketAddress?: (c: Context) => string | null | undefined
  /** The session id for the access log's `session_hash`, if the application has sessions. */
  sessionId?: (c: Context) => string | null | undefined
}

/**
 * The peer address as each runtime's Hono adapter exposes it (what `getConnInfo` of
 * @hono/node-server, `hono/bun` and `hono/deno` read).
 */
function defaultSocketAddress(c: Context): string | null {
  const env = c.env as Record<string, unknown> | undefined
  if (typeof env !== 'object' || env === null) return null
  const incoming = nodeIncoming(c)
  if (typeof incoming?.socket?.remoteAddress === 'string') return incoming.socket.remoteAddress
  if (typeof env.requestIP === 'function') {
    const info = (env.requestIP as (r: Request) => { address?: unknown } | null)(c.req.raw)
    if (typeof info?.address === 'string') return info.address
  }
  const remote = env.remoteAddr as { hostname?: unknown } | undefined
  return typeof remote?.hostname === 'string' ? remote.hostname : null
}

/** The peer address from the application's `connInfo` helper; its failure is a clear error. */
function connInfoAddress(c: Context, connInfo: (c: Context) => HonoConnInfo): string | null {
  let info: HonoConnInfo
  try {
    info = connInfo(c)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    throw new AxesError(
      'AXES_INVALID_ARGUMENT',
      `connInfo failed (${message}): pass the getConnInfo of the runtime this app runs on`,
      { cause: error },
    )
  }
  const address = info?.remote?.address
  return typeof address === 'string' && address !== '' ? address : null
}

/** The peer address of `c`, from the options' source or the runtime's. */
function peerAddress(c: Context, options: HonoAxesOptions): string | null {
  if (options.socketAddress) return options.socketAddress(c) ?? null
  if (options.connInfo) return connInfoAddress(c, options.connInfo)
  return defaultSocketAddress(c)
}

/** Checks the options' address sources: at most one, and functions. */
export function checkHonoOptions(options: HonoAxesOptions): void {
  for (const name of ['connInfo', 'socketAddress', 'sessionId'] as const) {
    const value = options[name]
    if (value !== undefined && typeof value !== 'function') {
      throw invalidArgument(`${name} must be a function, not ${typeof value}`)
    }
  }
  if (options.connInfo && options.socketAddress) {
    throw invalidArgument('connInfo and socketAddress both name the peer address: pass one')
  }
}

/**
 * Check axes.W012 in Hono's words, when no peer address was found and node-axes reads nothing
 * else (no forwarded header, no `clientIpCallable`): the client IP is then unknown for certain,
 * and the fix is Hono's own `getConnInfo`.
 */
export function reportMissingPeer(axes: Axes, request: AxesRequest, options: HonoAxesOptions) {
  if (request.socketAddress !== null || axesTrustsProxy(axes)) return
  const effect =
    axes.options.unknownClientIp === 'shareBucket'
      ? 'all such clients share one IP bucket, and one attacker locks all of them out'
      : 'every login counted by IP is refused (AXES_NO_CLIENT_IP)'
  axes.reportCheck('axes.W012', {
    detail: `: Hono found no peer address on this runtime${options.connInfo ? ' (connInfo gave none)' : ''}, so ${effect}`,
    fix: options.connInfo
      ? " connInfo must be the getConnInfo of the runtime the app runs on (hono/cloudflare-workers reads cf-connecting-ip, set only behind Cloudflare's edge; hono/vercel reads x-real-ip)."
      : " On Hono, pass the runtime's getConnInfo: protectLogin(axes, verify, { connInfo: getConnInfo }), from hono/cloudflare-workers, hono/vercel, hono/bun, hono/deno or @hono/node-server/conninfo.",
  })
}

/**
 * The request as node-axes sees it: the query and the session id read when the engine asks for
 * them; the headers as the runtime holds them (on @hono/node-server Node's own record, which
 * spares building a Web `Headers` object).
 */
class HonoAxesRequest implements AxesRequest {
  readonly #c: Context
  readonly #options: HonoAxesOptions
  #query: URLSearchParams | undefined
  #session: string | null | undefined
  readonly method: string
  readonly path: string
  readonly headers: AxesRequest['headers']
  readonly socketAddress: string | null

  constructor(
    c: Context,
    readonly body: unknown,
    options: HonoAxesOptions,
  ) {
    this.#c = c
    this.#options = options
    this.method = c.req.method
    this.path = c.req.path
    this.headers = nodeHeaders(c) ?? headersRecord(c.req.raw.headers)
    this.socketAddress = peerAddress(c, options)
  }

  get query(): URLSearchParams {
    this.#query ??= new URL(this.#c.req.url).searchParams
    return this.#query
  }

  get sessionId(): string | null {
    if (this.#session === undefined) this.#session = sessionIdOf(this.#options.sessionId?.(this.#c))
    return this.#session
  }
}

/** Node's request on @hono/node-server (its `c.env.incoming`); undefined on other runtimes. */
function nodeIncoming(
  c: Context,
): { headers?: unknown; socket?: { remoteAddress?: unknown } } | undefined {
  const env = c.env as { incoming?: { headers?: unknown } } | undefined
  return typeof env === 'object' && env !== null ? env.incoming : undefined
}

/** Node's header record of the request, on @hono/node-server. */
function nodeHeaders(c: Context): AxesRequest['headers'] | undefined {
  const headers = nodeIncoming(c)?.headers
  return typeof headers === 'object' && headers !== null
    ? (headers as AxesRequest['headers'])
    : undefined
}

/** The request as node-axes sees it. */
export function toAxesRequest(
  c: Context,
  body: unknown,
  options: HonoAxesOptions = {},
): AxesRequest {
  return new HonoAxesRequest(c, body, options)
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
  checkHonoOptions(options)
  return async (c, next) => {
    const request = toAxesRequest(c, undefined, options)
    reportMissingPeer(axes, request, options)
    c.set('axes', requestApi(axes, request))
    await next()
  }
}
