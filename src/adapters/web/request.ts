/**
 * The Web-standard adapter's request side: where the client address comes from (a source the
 * application names: `bunClientAddress`, `denoClientAddress`, `trustedHeader(name)` or its own
 * function), the request as node-axes sees it, the per-request API and the answers as Web
 * `Response`s.
 */

import type { Axes } from '../../compose/axes.js'
import type { AxesResponse, LockoutDecision } from '../../core/types.js'
import { AxesCallableError, AxesError, invalidArgument } from '../../ground/errors.js'
import { parseIp } from '../../ground/ip.js'
import type { AxesRequest } from '../../ground/request.js'
import { headersRecord, sessionIdOf } from '../shared/request.js'
import { type AxesRequestApi, requestApi } from '../shared/request-api.js'

/**
 * Where the client address of a request comes from: a function of the `Request` and whatever else
 * the runtime passes the fetch handler (Bun's `server`, Deno's `info`, a Worker's `env`). It
 * returns one IP address; anything else (nothing, a list, a name) makes the request fail with
 * `AXES_NO_CLIENT_ADDRESS` instead of counting it in a bucket shared with every such request.
 */
export type ClientAddressSource<Args extends unknown[]> = (
  request: Request,
  ...args: Args
) => string | null | undefined

/** What `Bun.serve` passes its `fetch` after the request: the server (`server.requestIP`). */
export interface BunServerLike {
  requestIP(request: Request): { address: string } | null
}

/** What `Deno.serve` passes its handler after the request: `info.remoteAddr`. */
export interface DenoServeInfoLike {
  readonly remoteAddr: { readonly hostname?: string }
}

/**
 * `Bun.serve`'s peer address: `server.requestIP(request).address`.
 *
 * @example
 * ```ts
 * Bun.serve({ fetch: (request, server) => login(request, server) })
 * ```
 */
export function bunClientAddress(request: Request, server: BunServerLike): string | undefined {
  return server.requestIP(request)?.address
}

/**
 * `Deno.serve`'s peer address: `info.remoteAddr.hostname`.
 *
 * @example
 * ```ts
 * Deno.serve((request, info) => login(request, info))
 * ```
 */
export function denoClientAddress(_request: Request, info: DenoServeInfoLike): string | undefined {
  return info.remoteAddr.hostname
}

/**
 * The address a platform in front of the application writes into a header it controls:
 * `cf-connecting-ip` on Cloudflare Workers, `x-real-ip` on Vercel. Trust a header only where the
 * platform overwrites it: anywhere a client can reach the application directly, it writes its
 * own. The header must hold exactly one address.
 */
export function trustedHeader(name: string): ClientAddressSource<unknown[]> {
  if (typeof name !== 'string' || name.trim() === '') {
    throw invalidArgument('trustedHeader(name) needs the name of the header, e.g. cf-connecting-ip')
  }
  const header = name.trim().toLowerCase()
  const source: ClientAddressSource<unknown[]> = (request) => request.headers.get(header)
  Object.defineProperty(source, 'name', { value: `trustedHeader(${header})` })
  return source
}

/** Options of `createRequestApi` and `protectLogin`. */
export interface WebAxesOptions<Args extends unknown[]> {
  /**
   * Where the client address comes from (required: no address is ever guessed):
   * `bunClientAddress`, `denoClientAddress`, `trustedHeader('cf-connecting-ip')`, or a function
   * of your own, e.g. `(request, env) => env.incoming.socket.remoteAddress` on Node.
   */
  clientAddress: ClientAddressSource<Args>
  /** The session id for the access log's `session_hash`, if the application has sessions. */
  sessionId?: (request: Request, ...args: Args) => string | null | undefined
}

/** Checks the options once, when the handler is made. */
export function checkWebOptions(options: unknown, caller: string): void {
  const source = (options as { clientAddress?: unknown } | undefined)?.clientAddress
  if (typeof source !== 'function') {
    throw invalidArgument(
      `${caller} needs a clientAddress source: bunClientAddress on Bun, denoClientAddress on ` +
        "Deno, trustedHeader('cf-connecting-ip') on Cloudflare, trustedHeader('x-real-ip') on " +
        'Vercel, or a function (request, ...args) => address. Without one every client would ' +
        'share one bucket.',
    )
  }
}

/** The client address of `request` from the configured source: one IP address, or a loud error. */
export function clientAddressOf<Args extends unknown[]>(
  source: ClientAddressSource<Args>,
  request: Request,
  args: Args,
): string {
  let value: unknown
  try {
    value = source(request, ...args)
  } catch (error) {
    throw new AxesCallableError('clientAddress', error)
  }
  if (typeof value === 'string' && parseIp(value.trim()) !== null) return value.trim()
  const got =
    typeof value === 'string' ? JSON.stringify(value.slice(0, 100)) : String(value as unknown)
  throw new AxesError(
    'AXES_NO_CLIENT_ADDRESS',
    `the clientAddress source (${source.name || 'a function'}) gave no IP address for ` +
      `${request.method} ${new URL(request.url).pathname} (it gave ${got}). node-axes refuses ` +
      'the request rather than count it in one bucket shared by every such request: check that ' +
      'the source fits the runtime (a trusted header is set only by the platform in front of the ' +
      'application).',
  )
}

/** The request as node-axes sees it, with the client address already taken from its source. */
export function toAxesRequest(
  request: Request,
  clientAddress: string,
  body: unknown,
  sessionId: string | null = null,
): AxesRequest {
  const url = new URL(request.url)
  return {
    method: request.method,
    path: url.pathname,
    headers: headersRecord(request.headers),
    socketAddress: clientAddress,
    query: url.searchParams,
    body,
    sessionId: sessionIdOf(sessionId),
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
export async function sendLockout(
  api: AxesRequestApi,
  decision: LockoutDecision,
): Promise<Response> {
  return toResponse(await api.lockoutResponse(decision))
}

/**
 * The per-request API for login code of your own: `createRequestApi(axes, { clientAddress })`
 * returns a function of the fetch handler's arguments that gives each request its API. It does
 * not read the body: pass the credentials to `reserve(credentials)` and the other calls, and
 * answer a refused decision with `return sendLockout(api, decision)`.
 *
 * @example
 * ```ts
 * const axesFor = createRequestApi(axes, { clientAddress: bunClientAddress })
 * Bun.serve({ async fetch(request, server) {
 *   const api = axesFor(request, server)
 *   const reservation = await api.reserve({ username, password })
 *   if (!reservation.decision.allowed) return sendLockout(api, reservation.decision)
 *   …
 * } })
 * ```
 */
export function createRequestApi<Args extends unknown[]>(
  axes: Axes,
  options: WebAxesOptions<Args>,
): (request: Request, ...args: Args) => AxesRequestApi {
  checkWebOptions(options, 'createRequestApi')
  return (request, ...args) => {
    const address = clientAddressOf(options.clientAddress, request, args)
    const session = options.sessionId?.(request, ...args) ?? null
    return requestApi(axes, toAxesRequest(request, address, undefined, session))
  }
}
