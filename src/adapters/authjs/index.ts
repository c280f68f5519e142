/**
 * node-axes for Auth.js (`@auth/core`, `@auth/express`, NextAuth.js v5): `axesAuthorize` wraps
 * the Credentials provider's `authorize` so that a locked-out client is refused before the
 * password check, with Auth.js' own `CredentialsSignin` error (code `locked_out`).
 *
 * @example
 * ```ts
 * import { ExpressAuth } from '@auth/express'
 * import Credentials from '@auth/express/providers/credentials'
 * import { createAxes } from 'node-axes'
 * import { axesAuthorize, trustedHeader } from 'node-axes/authjs'
 *
 * const axes = createAxes({ failureLimit: 5, cooloffTime: '15m' })
 * app.use('/auth/*splat', ExpressAuth({
 *   providers: [Credentials({
 *     credentials: { username: {}, password: {} },
 *     authorize: axesAuthorize(axes, ({ username, password }) => users.verify(username, password),
 *       { clientAddress: trustedHeader('x-real-ip') }),
 *   })],
 * }))
 * ```
 *
 * @module
 */

export { type ClientAddressSource, trustedHeader } from '../web/request.js'
export {
  type AuthorizeFunction,
  type AxesAuthorizeOptions,
  AxesCredentialsSignin,
  axesAuthorize,
} from './authorize.js'
