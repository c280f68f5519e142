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

// The admin pages live in src/admin/, each framework's mount in its folder
// (src/adapters/<framework>/admin.ts), which builds on them; this entry gathers both, on the
// floor above them. None of the mounts imports its framework at run time.
export { type ExpressLikeRequest, expressAdmin } from '../adapters/express/admin.js'
export { type FastifyLikeInstance, fastifyAdmin } from '../adapters/fastify/admin.js'
export { honoAdmin } from '../adapters/hono/admin.js'
export { type KoaLikeContext, koaAdmin } from '../adapters/koa/admin.js'
export { createAdminHandler } from '../admin/handler.js'
export { escapeHtml, html, raw, SafeHtml } from '../admin/html.js'
export {
  answerNode,
  sendWebResponse,
  toNodeListener,
  toWebRequest,
} from '../admin/http/node.js'
export type { AdminAuthorization, AdminHandler, AdminOptions } from '../admin/options.js'
