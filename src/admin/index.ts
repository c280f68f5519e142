/**
 * node-axes/admin: django-axes' admin pages (Access attempts, Access logs, Access failure logs) and
 * an overview, as a Web-standard request handler with mounts for node:http, Express, Fastify, Koa
 * and Hono.
 *
 * @example
 * ```ts
 * import { createAdminHandler, expressAdmin } from 'node-axes/admin'
 *
 * const admin = createAdminHandler({
 *   axes,
 *   basePath: '/admin/axes',
 *   authorize: (request) => isStaff(request),
 * })
 * app.use('/admin/axes', expressAdmin(admin))
 * ```
 *
 * @packageDocumentation
 */

export {
  type AdminAuthorization,
  type AdminHandler,
  type AdminOptions,
  createAdminHandler,
} from './handler.js'
export { escapeHtml, html, raw, SafeHtml } from './html.js'
export {
  type ExpressLikeRequest,
  expressAdmin,
  type FastifyLikeInstance,
  fastifyAdmin,
  honoAdmin,
  type KoaLikeContext,
  koaAdmin,
  sendWebResponse,
  toNodeListener,
  toWebRequest,
} from './mount.js'
