/**
 * node-axes for Hono 4, on Web `Request`/`Response`: Node (@hono/node-server), Bun, Deno,
 * Cloudflare-style runtimes and Next.js route handlers, the peer address from Hono's own
 * `getConnInfo` of the runtime (`connInfo`). `axesMiddleware` sets the per-request API as
 * `c.get('axes')`; `protectLogin` guards a login route in one line (reserve → verify → settle →
 * respond), reading the body itself within a size limit.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono'
 * import { getConnInfo } from 'hono/bun' // the runtime's own: hono/deno, @hono/node-server/conninfo…
 * import { createAxes } from 'node-axes'
 * import { type AxesVariables, protectLogin } from 'node-axes/hono'
 *
 * const axes = createAxes({ failureLimit: 5, cooloffTime: '15m' })
 * const app = new Hono<{ Variables: AxesVariables }>()
 * app.post('/login',
 *   protectLogin(axes, ({ username, password }) => users.verify(username, password),
 *     { connInfo: getConnInfo }),
 *   (c) => c.text(`welcome ${c.get('axesLogin').ok ? 'back' : ''}`))
 * ```
 *
 * @module
 */

export type { LoginCredentials, LoginResult, VerifyFunction } from '../shared/login.js'
export type { AxesRequestApi } from '../shared/request-api.js'
export {
  type AxesVariables,
  axesMiddleware,
  type HonoAxesOptions,
  type HonoConnInfo,
  sendLockout,
  toAxesRequest,
  toResponse,
} from './middleware.js'
export { type HonoProtectLoginOptions, protectLogin } from './protect-login.js'
