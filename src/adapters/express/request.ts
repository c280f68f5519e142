/**
 * The Express request as node-axes sees it, read with as few property reads on Express' `req` as
 * the engine needs.
 *
 * Why so few: Express gives every request object a new prototype (`Object.setPrototypeOf(req,
 * app.request)`), and V8's inline caches then miss on nearly every read or write of `req` and
 * `res`, each miss a lookup along the prototype chain in V8's runtime (a CPU profile and V8's IC
 * log of a login route showed them as most of Express' own cost). A read of a property `req` does
 * not have (`req.sessionID` without a session middleware) walks the whole chain. So the fields the
 * engine reads on every login (headers, socket address, path) are read once, the path from
 * `req.url` as Express' own parser reads it, and the rest (method, session id, query, body) only
 * when the engine asks.
 */

import type { Request } from 'express'
import type { AxesRequest } from '../../ground/request.js'
import { sessionIdOf } from '../shared/request.js'

/** The session id reader of `axesMiddleware`'s and `protectLogin`'s `sessionId` option. */
export type SessionIdReader = (req: Request) => string | null | undefined

/**
 * The pathname of a request target as Express' `req.path` reads it (parseurl's fast path: a target
 * that starts with `/` and has no whitespace or `#` anywhere), or undefined for any other target,
 * which is then left to `req.path`.
 */
export function fastPathname(url: unknown): string | undefined {
  if (typeof url !== 'string' || url.charCodeAt(0) !== 0x2f) return undefined
  let end = url.length
  for (let i = 1; i < url.length; i++) {
    switch (url.charCodeAt(i)) {
      case 0x3f: // ?
        if (end === url.length) end = i
        break
      case 0x09:
      case 0x0a:
      case 0x0c:
      case 0x0d:
      case 0x20:
      case 0x23:
      case 0xa0:
      case 0xfeff:
        return undefined
    }
  }
  return url.slice(0, end)
}

/** The request as node-axes sees it: what every login needs read at once, the rest on demand. */
export class ExpressAxesRequest implements AxesRequest {
  readonly #req: Request
  readonly #sessionId: SessionIdReader | undefined
  readonly headers: AxesRequest['headers']
  readonly socketAddress: string | null
  readonly path: string
  /** Express' `req.ip`, with `clientIp: 'framework'`. */
  frameworkIp?: string | null
  bodyUnread?: boolean
  #method: string | undefined
  #session: string | null | undefined

  constructor(req: Request, sessionId?: SessionIdReader, frameworkIp = false) {
    this.#req = req
    this.#sessionId = sessionId
    this.headers = req.headers
    this.socketAddress = req.socket?.remoteAddress ?? null
    // The whole path, as Django's path_info, also inside a router mounted under a prefix.
    const baseUrl = req.baseUrl
    const path = fastPathname(req.url) ?? req.path
    this.path = baseUrl ? `${baseUrl}${path}` : path
    if (frameworkIp) this.frameworkIp = req.ip ?? null
  }

  get method(): string {
    this.#method ??= this.#req.method
    return this.#method
  }

  /** The session id (`sessionId(req)`, else express-session's `req.sessionID`), read when used. */
  get sessionId(): string | null {
    if (this.#session === undefined) {
      const req = this.#req
      const reader = this.#sessionId
      this.#session = sessionIdOf(reader ? reader(req) : (req as { sessionID?: unknown }).sessionID)
    }
    return this.#session
  }

  /** The query, parsed by Express when read (a body parser mounted on the route runs later). */
  get query(): Record<string, unknown> {
    return this.#req.query as Record<string, unknown>
  }

  /** The body, read when used (a body parser mounted on the route runs after axesMiddleware). */
  get body(): unknown {
    return this.#req.body
  }
}
