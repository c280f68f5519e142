/**
 * Mounting the admin: plain `node:http` (the conversion of IncomingMessage and ServerResponse to
 * and from the Web's Request and Response), and thin helpers for Express, Fastify, Koa and Hono.
 * The frameworks are typed as the little this module uses, so none of them is a dependency.
 */

import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AdminHandler } from './handler.js'

const BODY_LIMIT = 64 * 1024

/** A parsed body a framework's body parser may have left on the request. */
function reencode(body: unknown): string | null {
  if (typeof body === 'string') return body
  if (typeof body !== 'object' || body === null || Buffer.isBuffer(body)) return null
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== null) params.append(key, String(item))
    }
  }
  return params.toString()
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    // The admin refuses larger forms itself; stop reading here so a huge body costs nothing.
    if (size > BODY_LIMIT + 1) break
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

/**
 * A Web Request from a Node request. `url` is the path and query to use (Express and Koa mounts
 * pass the original URL, before the router cut the mount path off); `parsedBody` is a body a
 * framework already read (it is sent on as a urlencoded form).
 */
export async function toWebRequest(
  req: IncomingMessage,
  options: { url?: string; parsedBody?: unknown } = {},
): Promise<Request> {
  const encrypted = (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true
  const host = req.headers.host ?? 'localhost'
  const url = new URL(options.url ?? req.url ?? '/', `${encrypted ? 'https' : 'http'}://${host}`)
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item)
  }
  const method = (req.method ?? 'GET').toUpperCase()
  let body: Buffer | undefined
  if (method !== 'GET' && method !== 'HEAD') {
    const parsed = options.parsedBody === undefined ? null : reencode(options.parsedBody)
    if (parsed !== null && req.readableEnded !== false) {
      body = Buffer.from(parsed)
      headers.set('content-type', 'application/x-www-form-urlencoded')
    } else body = await readBody(req)
    headers.delete('content-length')
    headers.delete('transfer-encoding')
  }
  return new Request(url, { method, headers, ...(body ? { body } : {}) })
}

/** Writes a Web Response to a Node response. */
export async function sendWebResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie') res.setHeader(name, value)
  }
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) res.setHeader('set-cookie', cookies)
  const body = response.body ? Buffer.from(await response.arrayBuffer()) : null
  res.end(body)
}

/**
 * The admin as a `node:http` request listener.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http'
 * import { createAdminHandler, toNodeListener } from 'node-axes/admin'
 *
 * createServer(toNodeListener(createAdminHandler({ axes, authorize }))).listen(8080)
 * ```
 */
export function toNodeListener(
  admin: AdminHandler,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handleNode(admin, req, res).catch(() => {
      if (!res.headersSent) res.statusCode = 500
      res.end()
    })
  }
}

async function handleNode(
  admin: AdminHandler,
  req: IncomingMessage,
  res: ServerResponse,
  options: { url?: string; parsedBody?: unknown } = {},
): Promise<void> {
  await sendWebResponse(res, await admin(await toWebRequest(req, options)))
}

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
      const response = await admin(
        await toWebRequest(request.raw, { parsedBody: request.body ?? '' }),
      )
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
    const response = await admin(
      await toWebRequest(ctx.req, { url: ctx.originalUrl, parsedBody: ctx.request.body }),
    )
    // The body before the status: Koa turns a null body into 204 unless a status follows.
    ctx.body = response.body ? Buffer.from(await response.arrayBuffer()) : null
    ctx.status = response.status
    for (const [name, value] of response.headers) if (name !== 'set-cookie') ctx.set(name, value)
    const cookies = response.headers.getSetCookie()
    if (cookies.length > 0) ctx.set('set-cookie', cookies)
  }
}

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
