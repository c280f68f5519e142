/**
 * node-axes for Fastify 5: `axesPlugin` (made with fastify-plugin) decorates the instance with
 * `fastify.axes` and each request with the per-request API, `request.axes`; `protectLogin` is a
 * `preHandler` that guards a login route in one line (reserve → verify → settle → respond).
 *
 * @example
 * ```ts
 * import Fastify from 'fastify'
 * import formbody from '@fastify/formbody'
 * import { createAxes } from 'node-axes'
 * import { axesPlugin, protectLogin } from 'node-axes/fastify'
 *
 * const axes = createAxes({ failureLimit: 5, cooloffTime: '15m' })
 * const app = Fastify()
 * await app.register(formbody)
 * await app.register(axesPlugin, { axes })
 * app.post('/login', { preHandler: protectLogin(axes, ({ username, password }) => users.verify(username, password)) },
 *   async (request) => ({ user: request.axesLogin?.ok && request.axesLogin.user }))
 * ```
 *
 * @module
 */

export type { LoginCredentials, LoginResult, VerifyFunction } from '../shared/login.js'
export type { AxesRequestApi } from '../shared/request-api.js'
export { axesPlugin, type FastifyRouteLogin } from './axes-plugin.js'
export {
  type FastifyAxesOptions,
  sendAxesResponse,
  sendLockout,
  toAxesRequest,
} from './plugin.js'
export { type FastifyProtectLoginOptions, protectLogin } from './protect-login.js'
