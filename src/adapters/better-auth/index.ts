/**
 * node-axes for better-auth: `axesPlugin(axes, { clientAddress })` puts node-axes' lockouts on
 * better-auth's sign-in endpoints (email and username), counting the identity better-auth
 * verifies and answering with better-auth's `APIError`.
 *
 * @example
 * ```ts
 * import { betterAuth } from 'better-auth'
 * import { username } from 'better-auth/plugins'
 * import { createAxes } from 'node-axes'
 * import { axesPlugin } from 'node-axes/better-auth'
 *
 * const axes = createAxes({ failureLimit: 5, cooloffTime: '15m' })
 * export const auth = betterAuth({
 *   database,
 *   emailAndPassword: { enabled: true },
 *   plugins: [
 *     username(),
 *     axesPlugin(axes, { clientAddress: (_request, headers) => headers?.get('x-real-ip') }),
 *   ],
 * })
 * ```
 *
 * @module
 */

export { type AxesPluginOptions, axesPlugin, type BetterAuthClientAddress } from './plugin.js'
