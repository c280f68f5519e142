/**
 * The quickest real example: a login page on plain `node:http`, protected by node-axes.
 *
 *   npm run example            # then open http://localhost:3000
 *
 * Two demo users (alice / wonderland, bob / builder). Three wrong passwords from one IP for one
 * username lock that pair out for one minute; the lockout page says so. No framework and no server
 * to run: node-axes' embedded default keeps the attempts in django-axes' tables in ./axes.sqlite3,
 * so a lockout survives a restart. Adapters for Express, Fastify, Koa and Hono do the request
 * conversion below for you.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { type Axes, type AxesRequest, type AxesResponse, createAxes } from 'node-axes'
import { loginPage, verifyUser, welcomePage, wrongPassword } from './demo.js'

const BODY_LIMIT = 64 * 1024

/** Reads a urlencoded or JSON body of at most BODY_LIMIT bytes. */
async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > BODY_LIMIT) throw new HttpError(413, 'Request body too large.')
    chunks.push(chunk)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  const type = req.headers['content-type'] ?? ''
  if (type.includes('application/json')) {
    try {
      const parsed: unknown = JSON.parse(text)
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : {}
    } catch {
      throw new HttpError(400, 'Malformed JSON.')
    }
  }
  return Object.fromEntries(new URLSearchParams(text))
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

/** What an adapter does: the framework's request as node-axes' AxesRequest. */
function toAxesRequest(req: IncomingMessage, body: unknown): AxesRequest {
  const url = new URL(req.url ?? '/', 'http://localhost')
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    headers: req.headers,
    socketAddress: req.socket.remoteAddress ?? null,
    query: url.searchParams,
    body,
  }
}

function send(res: ServerResponse, response: AxesResponse): void {
  res.writeHead(response.status, response.headers)
  res.end(response.body)
}

/** Creates the example's server around a node-axes instance. */
export function createLoginServer(axes: Axes): Server {
  return createServer((req, res) => {
    handle(axes, req, res).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500
      const message = error instanceof HttpError ? error.message : 'Internal error.'
      // The body may be unread (too large): close the connection rather than reuse it.
      if (!res.headersSent) {
        res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' })
      }
      res.end(message)
      req.resume()
    })
  })
}

async function handle(axes: Axes, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname
  if (req.method === 'GET' && path === '/') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    res.end(loginPage())
    return
  }
  if (req.method === 'POST' && path === '/login') {
    const body = await readBody(req)
    const request = toAxesRequest(req, body)
    axes.attach(request)
    const result = await axes.protect(request, body, (credentials) => {
      const username = typeof credentials?.username === 'string' ? credentials.username : ''
      const password = typeof credentials?.password === 'string' ? credentials.password : ''
      return verifyUser(username, password)
    })
    if (result.ok) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      res.end(welcomePage(result.user))
      return
    }
    if (!result.decision.allowed) {
      send(res, await axes.lockoutResponse(request, result.decision, body))
      return
    }
    res.writeHead(401, { 'content-type': 'text/html; charset=utf-8' })
    res.end(loginPage(wrongPassword(result.decision.remaining)))
    return
  }
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
  res.end('Not found.')
}

const isMain =
  process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))
if (isMain) {
  const axes = createAxes({
    failureLimit: 3,
    cooloffTime: '1m',
    lockoutParameters: [['username', 'ip_address']],
    enableRetryAfterHeader: true,
    logger: console,
  })
  const port = Number(process.env.PORT ?? 3000)
  createLoginServer(axes).listen(port, () => {
    console.log(`node-axes example: http://localhost:${port}`)
  })
}
