/**
 * The admin pages mounted in Express: `expressAdmin`, re-exported by `node-axes/admin`. Express is
 * typed as the little this module uses, so it is no dependency of the admin entry.
 */

import type { IncomingMessage, ServerResponse } from 'node:http'
import { handleNode } from '../../admin/http/node.js'
import type { AdminHandler } from '../../admin/options.js'

/** The part of Express' request the mount uses. */
export interface ExpressLikeRequest extends IncomingMessage {
  originalUrl?: string
  body?: unknown
}

/**
 * The admin as Express middleware (Express 4 or 5). Mount it under the admin's `basePath`.
 *
 * @example
 * ```ts
 * import { createAdminHandler, expressAdmin } from 'node-axes/admin'
 *
 * const admin = createAdminHandler({ axes, basePath: '/admin/axes', authorize })
 * app.use('/admin/axes', expressAdmin(admin))
 * ```
 */
export function expressAdmin(
  admin: AdminHandler,
): (req: ExpressLikeRequest, res: ServerResponse, next: (error?: unknown) => void) => void {
  return (req, res, next) => {
    handleNode(admin, req, res, { url: req.originalUrl ?? req.url, parsedBody: req.body }).catch(
      next,
    )
  }
}
