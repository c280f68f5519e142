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

// Each framework's mount lives in its folder (src/adapters/<framework>/admin.ts); this entry
// re-exports them, and none of them imports its framework at run time.
export { type ExpressLikeRequest, expressAdmin } from '../adapters/express/admin.js'
export { type FastifyLikeInstance, fastifyAdmin } from '../adapters/fastify/admin.js'
export { honoAdmin } from '../adapters/hono/admin.js'
export { type KoaLikeContext, koaAdmin } from '../adapters/koa/admin.js'
export { createAdminHandler } from './handler.js'
export { escapeHtml, html, raw, SafeHtml } from './html.js'
export { sendWebResponse, toNodeListener, toWebRequest } from './http/node.js'
export type { AdminAuthorization, AdminHandler, AdminOptions } from './options.js'
