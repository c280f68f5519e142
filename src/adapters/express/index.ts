/**
 * node-axes for Express 4 and 5: `axesMiddleware` attaches the per-request API as `req.axes`;
 * `protectLogin` guards a login route in one line (reserve → verify → settle → respond).
 *
 * @example
 * ```ts
 * import express from 'express'
 * import { createAxes } from 'node-axes'
 * import { axesMiddleware, protectLogin } from 'node-axes/express'
 *
 * const axes = createAxes({ failureLimit: 5, cooloffTime: '15m' })
 * const app = express()
 * app.use(express.urlencoded({ extended: false }))
 * app.use(axesMiddleware(axes))
 * app.post('/login', protectLogin(axes, ({ username, password }) => users.verify(username, password)),
 *   (req, res) => res.redirect('/'))
 * ```
 *
 * @module
 */

export { AxesLockoutError, type LockoutDelivery } from '../shared/lockout-error.js'
export type { LoginCredentials, LoginResult, VerifyFunction } from '../shared/login.js'
export type { AxesRequestApi } from '../shared/request-api.js'
export {
  axesMiddleware,
  type ExpressAxesOptions,
  sendAxesResponse,
  sendLockout,
  toAxesRequest,
} from './middleware.js'
export { type ExpressProtectLoginOptions, protectLogin } from './protect-login.js'
