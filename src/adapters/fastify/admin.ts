/**
 * The admin pages mounted in Fastify: `fastifyAdmin`, re-exported by `node-axes/admin`. Fastify is
 * typed as the little this module uses, so it is no dependency of the admin entry.
 */

import type { IncomingMessage } from 'node:http'
import { BODY_LIMIT } from '../../admin/http/form.js'
import { answerNode } from '../../admin/http/node.js'
import type { AdminHandler } from '../../admin/options.js'

/** The part of a Fastify instance the plugin uses. */
export interface FastifyLikeInstance {
  hasContentTypeParser?(type: string): boolean
  addContentTypeParser(
    type: string,
    options: { parseAs: 'string'; bodyLimit?: number },
    parser: (
      request: unknown,
      body: string,
      done: (error: Error | null, body?: unknown) => void,
    ) => void,
  ): void
  route(options: {
    method: string[]
    url: string
    handler: (
      request: { raw: IncomingMessage; body?: unknown },
      reply: {
        code(status: number): unknown
        header(name: string, value: string | string[]): unknown
        send(payload?: unknown): unknown
      },
    ) => Promise<unknown>
  }): void
}

/**
 * The admin as a Fastify plugin (Fastify 4 or 5): register it with the admin's `basePath` as
 * `prefix`. It reads the admin's urlencoded forms itself (no @fastify/formbody needed) within its
 * own encapsulated context.
 *
 * @example
 * ```ts
 * import { createAdminHandler, fastifyAdmin } from 'node-axes/admin'
 *
 * const admin = createAdminHandler({ axes, basePath: '/admin/axes', authorize })
 * await app.register(fastifyAdmin(admin), { prefix: '/admin/axes' })
 * ```
 */
export function fastifyAdmin(
  admin: AdminHandler,
): (instance: FastifyLikeInstance, options: unknown) => Promise<void> {
  return async (instance) => {
    // Unless the application parses forms already (@fastify/formbody): then its object is sent on.
    if (!instance.hasContentTypeParser?.('application/x-www-form-urlencoded')) {
      instance.addContentTypeParser(
        'application/x-www-form-urlencoded',
        { parseAs: 'string', bodyLimit: BODY_LIMIT },
        (_request, body, done) => done(null, body),
      )
    }
    const handler: Parameters<FastifyLikeInstance['route']>[0]['handler'] = async (
      request,
      reply,
    ) => {
      const response = await answerNode(admin, request.raw, { parsedBody: request.body ?? '' })
      reply.code(response.status)
      for (const [name, value] of response.headers) {
        if (name !== 'set-cookie') reply.header(name, value)
      }
      const cookies = response.headers.getSetCookie()
      if (cookies.length > 0) reply.header('set-cookie', cookies)
      return reply.send(response.body ? Buffer.from(await response.arrayBuffer()) : undefined)
    }
    for (const url of ['/', '/*']) {
      instance.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH'], url, handler })
    }
  }
}
