/**
 * The admin pages mounted in Koa: `koaAdmin`, re-exported by `node-axes/admin`. Koa is typed as
 * the little this module uses, so it is no dependency of the admin entry.
 */

import type { IncomingMessage } from 'node:http'
import { answerNode } from '../../admin/http/node.js'
import type { AdminHandler } from '../../admin/options.js'

/** The part of Koa's context the middleware uses. */
export interface KoaLikeContext {
  req: IncomingMessage
  path: string
  originalUrl: string
  status: number
  body: unknown
  request: { body?: unknown }
  set(name: string, value: string | string[]): void
}

/**
 * The admin as Koa middleware (Koa 2 or 3): it answers below `basePath` and passes everything else
 * on.
 *
 * @example
 * ```ts
 * import { createAdminHandler, koaAdmin } from 'node-axes/admin'
 *
 * app.use(koaAdmin(createAdminHandler({ axes, basePath: '/admin/axes', authorize }), '/admin/axes'))
 * ```
 */
export function koaAdmin(
  admin: AdminHandler,
  basePath = '/',
): (ctx: KoaLikeContext, next: () => Promise<unknown>) => Promise<void> {
  const base = basePath.replace(/\/+$/, '')
  return async (ctx, next) => {
    if (!(ctx.path === base || ctx.path.startsWith(`${base}/`) || base === '')) {
      await next()
      return
    }
    const response = await answerNode(admin, ctx.req, {
      url: ctx.originalUrl,
      parsedBody: ctx.request.body,
    })
    // The body before the status: Koa turns a null body into 204 unless a status follows.
    ctx.body = response.body ? Buffer.from(await response.arrayBuffer()) : null
    ctx.status = response.status
    for (const [name, value] of response.headers) if (name !== 'set-cookie') ctx.set(name, value)
    const cookies = response.headers.getSetCookie()
    if (cookies.length > 0) ctx.set('set-cookie', cookies)
  }
}
