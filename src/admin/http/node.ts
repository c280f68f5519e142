/**
 * The admin on plain `node:http`: the conversion of IncomingMessage and ServerResponse to and from
 * the Web's Request and Response, which the Express, Fastify and Koa mounts
 * (`src/adapters/<framework>/admin.ts`) build on.
 */

import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AdminHandler } from '../options.js'
import { BODY_LIMIT } from './form.js'

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

/** Answers a Node request with the admin: `url` and `parsedBody` as for `toWebRequest`. */
export async function handleNode(
  admin: AdminHandler,
  req: IncomingMessage,
  res: ServerResponse,
  options: { url?: string; parsedBody?: unknown } = {},
): Promise<void> {
  await sendWebResponse(res, await admin(await toWebRequest(req, options)))
}
