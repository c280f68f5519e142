/**
 * The admin pages mounted in Hono: `honoAdmin`, re-exported by `node-axes/admin`. Hono is
 * Web-standard, so the admin's Request goes straight through and Hono is no dependency here.
 */

import type { AdminHandler } from '../../admin/options.js'

/**
 * The admin as a Hono handler (Hono is Web-standard: the Request goes straight through). Route it
 * for the admin's `basePath` and everything below.
 *
 * @example
 * ```ts
 * import { createAdminHandler, honoAdmin } from 'node-axes/admin'
 *
 * const admin = honoAdmin(createAdminHandler({ axes, basePath: '/admin/axes', authorize }))
 * app.all('/admin/axes', admin)
 * app.all('/admin/axes/*', admin)
 * ```
 */
export function honoAdmin(
  admin: AdminHandler,
): (c: { req: { raw: Request } }) => Promise<Response> {
  return (c) => admin(c.req.raw)
}
