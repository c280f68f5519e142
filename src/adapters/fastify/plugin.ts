/**
 * Fastify's plugin: `axesPlugin` decorates the instance with `fastify.axes` and each request with
 * node-axes' per-request API, `request.axes`; `toAxesRequest` is the request as node-axes sees it;
 * `sendAxesResponse` and `sendLockout` write node-axes' answers the Fastify way.
 */

import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Axes } from '../../compose/axes.js'
import type { AxesResponse, LockoutDecision } from '../../core/types.js'
import type { AxesRequest } from '../../ground/request.js'
import type { LoginResult, VerifyFunction } from '../shared/login.js'
import { type ClientIpSource, checkClientIpSource, checkProxies } from '../shared/proxy-check.js'
import { sessionIdOf } from '../shared/request.js'
import { type AxesRequestApi, requestApi } from '../shared/request-api.js'
import { withVary } from '../shared/vary.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The node-axes instance registered with `axesPlugin`. */
    axes: Axes
  }
  interface FastifyRequest {
    /** node-axes' per-request API (with `axesPlugin` registered). */
    axes: AxesRequestApi
    /** The outcome of `protectLogin` on this request, or null. */
    axesLogin: LoginResult<unknown> | null
  }
}

/** Options of `axesPlugin`. */
export interface FastifyAxesOptions {
  /** The node-axes instance. */
  axes: Axes
  /**
   * The session id for the access log's `session_hash`.
   * @default `request.session.sessionId` (@fastify/session)
   */
  sessionId?: (request: FastifyRequest) => string | null | undefined
  /**
   * Where the client IP comes from: `'axes'`, node-axes' proxy options (django-axes' way), or
   * `'framework'`, Fastify's `request.ip`, which applies its `trustProxy` option: configure your
   * proxies once, in Fastify (docs/client-ip.md).
   * @default 'axes'
   */
  clientIp?: ClientIpSource
  /**
   * Whether `fastify.close()` closes the node-axes instance too (its store's connections and
   * files), in the plugin's `onClose` hook. Set false when the instance outlives this server.
   * @default true
   */
  closeWithServer?: boolean
  /**
   * The password check of the routes that turn protection on in their config
   * (`{ config: { axesLogin: true } }`): `protectLogin` is then added as their first
   * `preHandler`. A route can give its own as `config: { axesLogin: { verify } }`.
   */
  verify?: VerifyFunction<FastifyRequest, unknown>
}

/** The request as node-axes sees it; with `clientIp: 'framework'`, the IP is `request.ip`. */
export function toAxesRequest(
  request: FastifyRequest,
  sessionId?: FastifyAxesOptions['sessionId'],
  clientIp?: ClientIpSource,
): AxesRequest {
  const session = sessionId
    ? sessionId(request)
    : (request as { session?: { sessionId?: unknown } }).session?.sessionId
  const url = request.url
  const queryAt = url.indexOf('?')
  const axesRequest: AxesRequest = {
    method: request.method,
    path: queryAt === -1 ? url : url.slice(0, queryAt),
    headers: request.headers,
    socketAddress: request.socket?.remoteAddress ?? null,
    query: request.query as Record<string, unknown>,
    body: request.body,
    sessionId: sessionIdOf(session),
  }
  if (checkClientIpSource(clientIp) === 'framework') axesRequest.frameworkIp = request.ip || null
  return axesRequest
}

const apis = new WeakMap<FastifyRequest, AxesRequestApi>()
const seen = new WeakSet<Axes>()
/** The options each instance was registered with, for `protectLogin` routes. */
const registered = new WeakMap<Axes, Omit<FastifyAxesOptions, 'axes'>>()

/** Remembers the options `axesPlugin` was registered with, for `protectLogin` routes. */
export function register(options: FastifyAxesOptions): void {
  const { axes, sessionId, clientIp } = options
  checkClientIpSource(clientIp)
  registered.set(axes, { sessionId, clientIp })
}

/**
 * Checks once per instance that Fastify's `trustProxy` agrees with node-axes' proxy options.
 * Fastify keeps the option out of `initialConfig`; with it, requests get `ips` (and without it,
 * they do not).
 */
function checkTrustProxy(axes: Axes, request: FastifyRequest, source: ClientIpSource): void {
  if (seen.has(axes)) return
  seen.add(axes)
  checkProxies(axes, source, 'Fastify', 'the trustProxy option', 'ips' in request)
}

/**
 * The request's per-request API, built once per request and instance (with the `sessionId` and
 * `clientIp` given here, else those the instance was registered with).
 */
export function apiFor(
  axes: Axes,
  request: FastifyRequest,
  sessionId?: FastifyAxesOptions['sessionId'],
  clientIp?: ClientIpSource,
): AxesRequestApi {
  let api = apis.get(request)
  if (api === undefined || api.axes !== axes) {
    const given = registered.get(axes)
    const source = clientIp ?? given?.clientIp ?? 'axes'
    checkTrustProxy(axes, request, source)
    api = requestApi(axes, toAxesRequest(request, sessionId ?? given?.sessionId, source))
    apis.set(request, api)
  }
  return api
}

/** Writes a framework-neutral response. */
export function sendAxesResponse(reply: FastifyReply, response: AxesResponse): FastifyReply {
  return reply
    .code(response.status)
    .headers(withVary(response.headers, reply.getHeader('vary')))
    .send(response.body)
}

/**
 * Answers a refused decision with the lockout response (JSON, template, redirect, callable or
 * message, as the core decides).
 */
export async function sendLockout(
  request: FastifyRequest,
  reply: FastifyReply,
  decision: LockoutDecision,
  axes: Axes = request.server.axes,
): Promise<FastifyReply> {
  const api = apiFor(axes, request)
  return sendAxesResponse(reply, await api.lockoutResponse(decision))
}
