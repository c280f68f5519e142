/**
 * What a login request is made of, as every floor sees it: the request an adapter hands over,
 * the credentials it carries, and the client identity resolved from both.
 */

/**
 * The request as a framework adapter hands it to node-axes. Adapters fill it from their own
 * request object; applications with an unusual stack (GraphQL, WebSockets) build it themselves.
 *
 * @example
 * ```ts
 * import type { AxesRequest } from 'node-axes'
 *
 * const request: AxesRequest = {
 *   method: 'POST',
 *   path: '/login',
 *   headers: { 'user-agent': 'curl/8.0', accept: 'application/json' },
 *   socketAddress: '203.0.113.7',
 *   body: { username: 'alice', password: 'wrong' },
 * }
 * ```
 */
export interface AxesRequest {
  /** The HTTP method, e.g. `POST`. */
  method: string
  /** The path without the query string, e.g. `/login` (django-axes' `path_info`). */
  path: string
  /** The request headers, names in lower case; repeated headers as arrays. */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>
  /** The peer address of the TCP connection (Django's `REMOTE_ADDR`). */
  socketAddress?: string | null
  /** The parsed query string (django-axes' `request.GET`). */
  query?: Readonly<Record<string, unknown>> | URLSearchParams | null
  /** The parsed body (django-axes' `request.POST` / DRF's `request.data`). */
  body?: unknown
  /** The framework's session id, if any; the access log stores its SHA-256 (`session_hash`). */
  sessionId?: string | null
  /**
   * Set by the adapters' login wrappers when the request carried a body that nothing parsed (no
   * body parser for its content type): the login is refused with reason `unreadBody` (400),
   * uncounted, rather than counted under an empty username, and check axes.W015 says so once.
   */
  bodyUnread?: boolean
  /**
   * The client IP as the framework resolved it, its own trust-proxy setting applied: adapters set
   * it with `clientIp: 'framework'`. node-axes then counts it as it is and reads no forwarded
   * header (`clientIpCallable`, if set, still comes first).
   */
  frameworkIp?: string | null
  /**
   * The application's answer to a challenge (a CAPTCHA), for the `challenges` option
   * (node-axes/challenges): true when the request carries a challenge the application verified, or
   * a function node-axes calls (at most once per request, and only when the attempt needs a
   * challenge) that verifies it. The adapters set it from their `verifyChallenge` option.
   */
  challenge?: boolean | (() => boolean | Promise<boolean>)
}

/**
 * The credentials of a login attempt, as the application's login code sees them: the username
 * under `usernameFormField` (default `username`) and the password under `passwordFormField`.
 */
export type Credentials = Readonly<Record<string, unknown>>

/** What identifies the client of one request, after normalisation and truncation. */
export interface ClientIdentity {
  /** The client IP (canonical text, IPv6 grouped by `ipv6Prefix` if set), or null if unknown. */
  ipAddress: string | null
  /** The username, or null when the request carries none. */
  username: string | null
  /** The User-Agent header, at most 255 characters; `<unknown>` when absent. */
  userAgent: string
  /** The request path, at most 255 characters. */
  pathInfo: string
  /** The Accept header, at most 1025 characters; `<unknown>` when absent. */
  httpAccept: string
}
