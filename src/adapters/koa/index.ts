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

export { AxesLockoutError, type LockoutDelivery } from '../shared/lockout-error.js'
export type { LoginCredentials, LoginResult, VerifyFunction } from '../shared/login.js'
export type { AxesRequestApi } from '../shared/request-api.js'
export {
  axesMiddleware,
  type KoaAxesOptions,
  sendAxesResponse,
  sendLockout,
  toAxesRequest,
} from './middleware.js'
export { type KoaProtectLoginOptions, protectLogin } from './protect-login.js'
