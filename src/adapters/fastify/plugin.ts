/**
 * Fastify's plugin: `axesPlugin` decorates the instance with `fastify.axes` and each request with
 * node-axes' per-request API, `request.axes`; `toAxesRequest` is the request as node-axes sees it;
 * `sendAxesResponse` and `sendLockout` write node-axes' answers the Fastify way.
 */

import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Axes } from '../../compose/axes.js'
import type { AxesResponse, LockoutDecision } from '../../core/types.js'
import type { AxesRequest } from '../../ground/request.js'
import type { LoginResult } from '../shared/login.js'
import { checkProxyAgreement } from '../shared/proxy-check.js'
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
}

/** The request as node-axes sees it. */
export function toAxesRequest(
  request: FastifyRequest,
  sessionId?: FastifyAxesOptions['sessionId'],
): AxesRequest {
  const session = sessionId
    ? sessionId(request)
    : (request as { session?: { sessionId?: unknown } }).session?.sessionId
  const url = request.url
  const queryAt = url.indexOf('?')
  return {
    method: request.method,
    path: queryAt === -1 ? url : url.slice(0, queryAt),
    headers: request.headers,
    socketAddress: request.socket?.remoteAddress ?? null,
    query: request.query as Record<string, unknown>,
    body: request.body,
    sessionId: sessionIdOf(session),
  }
}

const apis = new WeakMap<FastifyRequest, AxesRequestApi>()
const seen = new WeakSet<Axes>()
/** The `sessionId` option each instance was registered with, for `protectLogin` routes. */
const registered = new WeakMap<Axes, FastifyAxesOptions['sessionId']>()

/**
 * Checks once per instance that Fastify's `trustProxy` agrees with node-axes' proxy options.
 * Fastify keeps the option out of `initialConfig`; with it, requests get `ips` (and without it,
 * they do not).
 */
function checkTrustProxy(axes: Axes, request: FastifyRequest): void {
  if (seen.has(axes)) return
  seen.add(axes)
  checkProxyAgreement(axes, 'Fastify', 'the trustProxy option', 'ips' in request)
}

/**
 * The request's per-request API, built once per request and instance (with the `sessionId` given
 * here, else the one the instance was registered with).
 */
export function apiFor(
  axes: Axes,
  request: FastifyRequest,
  sessionId?: FastifyAxesOptions['sessionId'],
): AxesRequestApi {
  let api = apis.get(request)
  if (api === undefined || api.axes !== axes) {
    checkTrustProxy(axes, request)
    api = requestApi(axes, toAxesRequest(request, sessionId ?? registered.get(axes)))
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

const plugin: FastifyPluginAsync<FastifyAxesOptions> = async (fastify, options) => {
  const { axes, sessionId } = options
  if (sessionId) registered.set(axes, sessionId)
  fastify.decorate('axes', axes)
  fastify.decorateRequest('axesLogin', null)
  // A handler that cannot start (driver missing, file not writable, server down) fails the
  // registration, so app.ready() and listen() fail with what is missing, not every login later.
  await axes.ready()
  // Built on first use, so that the parsed body is there.
  fastify.decorateRequest('axes', {
    getter(this: FastifyRequest) {
      return apiFor(axes, this, sessionId)
    },
  })
}

/**
 * The Fastify plugin: `fastify.axes` and the per-request API `request.axes` (`reserve`,
 * `isAllowed`, `loginFailed`, `loggedIn`, `loggedOut`, `lockoutResponse`); answer a refused decision
 * with `sendLockout(request, reply, decision)`. Registered with fastify-plugin, so the decorators
 * reach the routes of the registering scope.
 */
export const axesPlugin = fp(plugin, { fastify: '5.x', name: 'node-axes' })
