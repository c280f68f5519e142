/**
 * The admin on plain `node:http`: the conversion of IncomingMessage and ServerResponse to and from
 * the Web's Request and Response, which the Express, Fastify and Koa mounts
 * (`src/adapters/<framework>/admin.ts`) build on.
 */

import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AdminHandler } from '../options.js'
import { BODY_LIMIT } from './form.js'
import { HttpProblem, plain } from './responses.js'

/** An HTTP method token (RFC 9110 `token`). */
const METHOD_TOKEN = /^[!#$%&'*+.^`|~0-9A-Za-z-]+$/

/** Methods a Web Request cannot carry (the Fetch standard's forbidden methods). */
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK'])

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

/** The request's URL, or a 400 `HttpProblem` for a Host header or target no URL can hold. */
function urlOf(req: IncomingMessage, target: string): URL {
  const encrypted = (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true
  const host = req.headers.host ?? 'localhost'
  try {
    const url = new URL(target, `${encrypted ? 'https' : 'http'}://${host}`)
    // A target such as `//other.example/x` would name another host than the Host header.
    if (url.host !== new URL(`http://${host}`).host) throw new TypeError('host')
    return url
  } catch {
    throw new HttpProblem(400, 'Bad request: the Host header or the URL is malformed.')
  }
}

/**
 * A Web Request from a Node request. `url` is the path and query to use (Express and Koa mounts
 * pass the original URL, before the router cut the mount path off); `parsedBody` is a body a
 * framework already read (it is sent on as a urlencoded form).
 *
 * Throws an `HttpProblem` (405 for a method a Web Request cannot carry, such as `TRACE`; 400 for a
 * malformed Host header or URL); `answerNode` turns it into that plain 4xx answer.
 */
export async function toWebRequest(
  req: IncomingMessage,
  options: { url?: string; parsedBody?: unknown } = {},
): Promise<Request> {
  const rawMethod = req.method ?? 'GET'
  if (!METHOD_TOKEN.test(rawMethod) || FORBIDDEN_METHODS.has(rawMethod.toUpperCase())) {
    throw new HttpProblem(405, 'Method not allowed.')
  }
  const url = urlOf(req, options.url ?? req.url ?? '/')
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item)
  }
  const method = rawMethod.toUpperCase()
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

/**
 * The admin's answer to a Node request (`url` and `parsedBody` as for `toWebRequest`): a request
 * no Web Request can carry (an odd method, a malformed Host header or URL) is answered with a
 * plain 405 or 400 before `authorize` runs, never with a 500.
 */
export async function answerNode(
  admin: AdminHandler,
  req: IncomingMessage,
  options: { url?: string; parsedBody?: unknown } = {},
): Promise<Response> {
  let request: Request
  try {
    request = await toWebRequest(req, options)
  } catch (error) {
    if (!(error instanceof HttpProblem)) throw error
    const allow: Record<string, string> = error.status === 405 ? { allow: 'GET, HEAD, POST' } : {}
    return plain(error.status, error.message, allow)
  }
  return admin(request)
}

/** Answers a Node request with the admin: `url` and `parsedBody` as for `toWebRequest`. */
export async function handleNode(
  admin: AdminHandler,
  req: IncomingMessage,
  res: ServerResponse,
  options: { url?: string; parsedBody?: unknown } = {},
): Promise<void> {
  await sendWebResponse(res, await answerNode(admin, req, options))
}
