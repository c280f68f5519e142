/**
 * node-axes for any fetch-style handler, `(request: Request, ...args) => Response`: `Bun.serve`,
 * `Deno.serve`, Cloudflare Workers, Next.js route handlers, Node servers that speak Web
 * `Request`/`Response`. The client address comes from a source the application names
 * (`bunClientAddress`, `denoClientAddress`, `trustedHeader(name)` or a function of its own), never
 * guessed. `protectLogin` guards a login in one call; `createRequestApi` gives login code of its
 * own the per-request API.
 *
 * @example
 * ```ts
 * import { createAxes } from 'node-axes'
 * import { denoClientAddress, protectLogin } from 'node-axes/web'
 *
 * const axes = createAxes({ handler: 'memory', failureLimit: 5, cooloffTime: '15m' })
 * const login = protectLogin(axes, ({ username, password }) => users.verify(username, password), {
 *   clientAddress: denoClientAddress,
 *   onSuccess: (request, { user }) => new Response(`welcome ${user}`),
 * })
 * Deno.serve((request, info) => login(request, info))
 * ```
 *
 * @module
 */

export type { LoginCredentials, LoginResult, VerifyFunction } from '../shared/login.js'
export type { AxesRequestApi } from '../shared/request-api.js'
export { protectLogin, type WebLogin, type WebProtectLoginOptions } from './protect-login.js'
export {
  type BunServerLike,
  bunClientAddress,
  type ClientAddressSource,
  createRequestApi,
  type DenoServeInfoLike,
  denoClientAddress,
  sendLockout,
  toAxesRequest,
  toResponse,
  trustedHeader,
  type WebAxesOptions,
} from './request.js'
