/**
 * The Fastify plugin itself: the decorators, the `onClose` hook that closes the node-axes
 * instance with the server, and the `onRoute` hook that protects the login routes whose config
 * asks for it.
 */

import type { FastifyPluginAsync, FastifyRequest, preHandlerHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import { invalidArgument } from '../../ground/errors.js'
import type { VerifyFunction } from '../shared/login.js'
import { apiFor, type FastifyAxesOptions, register } from './plugin.js'
import { type FastifyProtectLoginOptions, protectLogin } from './protect-login.js'

/** A route's `config.axesLogin`: `protectLogin`'s options, with the route's own `verify` if any. */
export interface FastifyRouteLogin extends FastifyProtectLoginOptions {
  /** This route's password check (else the plugin's `verify`). */
  verify?: VerifyFunction<FastifyRequest, unknown>
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Protects this route as a login (node-axes' `protectLogin` as its first `preHandler`): `true`
     * with the `verify` given to `axesPlugin`, or `protectLogin`'s options with a `verify` of its own.
     */
    axesLogin?: boolean | FastifyRouteLogin
  }
}

const plugin: FastifyPluginAsync<FastifyAxesOptions> = async (fastify, options) => {
  const { axes, sessionId, clientIp } = options
  register(options)
  fastify.decorate('axes', axes)
  fastify.decorateRequest('axesLogin', null)
  // A handler that cannot start (driver missing, file not writable, server down) fails the
  // registration, so app.ready() and listen() fail with what is missing, not every login later.
  await axes.ready()
  // Built on first use, so that the parsed body is there.
  fastify.decorateRequest('axes', {
    getter(this: FastifyRequest) {
      return apiFor(axes, this, sessionId, clientIp)
    },
  })
  if (options.closeWithServer !== false) {
    fastify.addHook('onClose', async () => {
      await axes.close()
    })
  }
  fastify.addHook('onRoute', (route) => {
    const wanted = (route.config as { axesLogin?: boolean | FastifyRouteLogin } | undefined)
      ?.axesLogin
    if (!wanted) return
    const own = wanted === true ? {} : wanted
    const verify = own.verify ?? options.verify
    if (typeof verify !== 'function') {
      throw invalidArgument(
        `route ${route.method} ${route.url} sets config.axesLogin, but neither it nor axesPlugin gives a verify function`,
      )
    }
    const guard = protectLogin(axes, verify, own) as preHandlerHookHandler
    const existing = route.preHandler
    route.preHandler =
      existing === undefined
        ? [guard]
        : [guard, ...(Array.isArray(existing) ? existing : [existing])]
  })
}

/**
 * The Fastify plugin: `fastify.axes` and the per-request API `request.axes` (`reserve`,
 * `isAllowed`, `loginFailed`, `loggedIn`, `loggedOut`, `lockoutResponse`); answer a refused decision
 * with `sendLockout(request, reply, decision)`. Routes with `config: { axesLogin: true }` are
 * protected as logins; `fastify.close()` closes the node-axes instance (unless `closeWithServer`
 * is false). Registered with fastify-plugin, so the decorators and hooks reach the routes of the
 * registering scope.
 */
export const axesPlugin = fp(plugin, { fastify: '5.x', name: 'node-axes' })
