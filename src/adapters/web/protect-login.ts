/**
 * `protectLogin` for fetch-style handlers: reads the login body itself and guards the login in
 * one call (reserve → verify → settle → respond), answering with a Web `Response`.
 */

import type { Axes } from '../../compose/axes.js'
import type { LockoutDecision } from '../../core/types.js'
import { invalidArgument } from '../../ground/errors.js'
import { invalidCredentialsResponse, runLogin, type VerifyFunction } from '../shared/login.js'
import { requestApi } from '../shared/request-api.js'
import { readWebBody } from '../shared/web-body.js'
import {
  checkWebOptions,
  clientAddressOf,
  toAxesRequest,
  toResponse,
  type WebAxesOptions,
} from './request.js'

/** A successful login, as `onSuccess` receives it. */
export interface WebLogin<User> {
  /** What `verify` returned. */
  readonly user: User
  /** The decision after the success. */
  readonly decision: LockoutDecision
  /** The client address counted. */
  readonly clientAddress: string
}

/** Options of `protectLogin`. */
export interface WebProtectLoginOptions<Args extends unknown[], User> extends WebAxesOptions<Args> {
  /**
   * Answers a successful login. `request` is a copy of the request whose body can be read again
   * (the original's stream was read by `protectLogin`); the runtime's arguments follow.
   */
  onSuccess: (
    request: Request,
    login: WebLogin<User>,
    ...args: Args
  ) => Response | Promise<Response>
  /**
   * Answers wrong credentials that leave the client allowed. By default: 401 with
   * `Invalid username or password.` (JSON `{ error, remaining }` for JSON clients).
   */
  onFailure?: (
    request: Request,
    decision: LockoutDecision,
    ...args: Args
  ) => Response | Promise<Response>
  /**
   * Verifies the challenge (a CAPTCHA) the login request carries, for the `challenges` option
   * (node-axes/challenges): true when it passed. `request` is a copy whose body can be read again.
   * Called at most once per request, only when the attempt needs a challenge.
   */
  verifyChallenge?: (request: Request, ...args: Args) => boolean | Promise<boolean>
  /**
   * Answers an attempt refused for want of a passed challenge (reason `challengeRequired`). By
   * default: 403 with `{ error: 'challenge_required', message, remaining }`.
   */
  onChallenge?: (
    request: Request,
    decision: LockoutDecision,
    ...args: Args
  ) => Response | Promise<Response>
  /**
   * The largest body read, in bytes; a larger one is answered 413 without verifying.
   * @default 102400 (100 KiB, Express' default)
   */
  bodyLimit?: number
}

/**
 * Guards a login in any fetch-style handler, `(request, ...args) => Response` (django-axes'
 * `axes_dispatch`): takes the client address from `clientAddress` (failing with
 * `AXES_NO_CLIENT_ADDRESS` when it gives none), reads the body (JSON, urlencoded or multipart, at
 * most `bodyLimit` bytes), reserves an attempt, calls `verify` with the credentials only when the
 * client is allowed, records the outcome and answers a lockout with the lockout response, wrong
 * credentials with 401 (or `onFailure`), a malformed body with 400 and a large one with 413. A
 * success is answered by `onSuccess`.
 *
 * @example
 * ```ts
 * import { bunClientAddress, protectLogin } from 'node-axes/web'
 *
 * const login = protectLogin(axes, ({ username, password }) => users.verify(username, password), {
 *   clientAddress: bunClientAddress,
 *   onSuccess: (request, { user }) => Response.redirect(new URL('/', request.url), 303),
 * })
 * Bun.serve({ routes: { '/login': { POST: login } } })
 * ```
 */
export function protectLogin<Args extends unknown[], User>(
  axes: Axes,
  verify: VerifyFunction<Request, User>,
  options: WebProtectLoginOptions<Args, User>,
): (request: Request, ...args: Args) => Promise<Response> {
  checkWebOptions(options, 'protectLogin')
  if (typeof verify !== 'function') throw invalidArgument('protectLogin needs a verify function')
  if (typeof options.onSuccess !== 'function') {
    throw invalidArgument('protectLogin needs onSuccess, the answer to a successful login')
  }
  const limit = options.bodyLimit ?? 100 * 1024
  return async (request, ...args) => {
    const address = clientAddressOf(options.clientAddress, request, args)
    const read = await readWebBody(request, limit)
    if (!read.ok) {
      return new Response(read.message, {
        status: read.status,
        headers: { 'content-type': 'text/plain; charset=utf-8', connection: 'close' },
      })
    }
    const session = options.sessionId?.(request, ...args) ?? null
    const api = requestApi(axes, toAxesRequest(request, address, read.body, session))
    const check = options.verifyChallenge
    const challenge = check && ((r: Request) => check(replay(r, read.bytes), ...args))
    const result = await runLogin(axes, api.request, read.body, request, verify, challenge)
    if (result.ok) {
      const copy = replay(request, read.bytes)
      const login = { user: result.user, decision: result.decision, clientAddress: address }
      const response = await options.onSuccess(copy, login, ...args)
      return withCookie(response, result.decision.setCookie)
    }
    if (!result.decision.allowed) {
      if (result.decision.reason === 'challengeRequired' && options.onChallenge) {
        return options.onChallenge(request, result.decision, ...args)
      }
      return toResponse(await api.lockoutResponse(result.decision))
    }
    if (options.onFailure) return options.onFailure(request, result.decision, ...args)
    return toResponse(invalidCredentialsResponse(api.request, result.decision, axes))
  }
}

/** A copy of `request` whose body (the bytes read) can be read again. */
function replay(request: Request, bytes: Uint8Array<ArrayBuffer>): Request {
  const bodiless = request.method === 'GET' || request.method === 'HEAD'
  // From its parts, not new Request(request): a framework's subclass (Next.js' NextRequest) may
  // come from another copy of the Fetch classes, whose private state this one cannot read.
  return new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body: bodiless ? null : bytes,
  })
}

/**
 * The application's response with the device cookie node-axes issued for the login
 * (deviceCookies), if any: on a copy, as a Response's headers may be immutable (`Response.redirect`).
 */
function withCookie(response: Response, cookie: string | undefined): Response {
  if (!cookie) return response
  const headers = new Headers(response.headers)
  headers.append('set-cookie', cookie)
  const { status, statusText } = response
  return new Response(response.body, { status, statusText, headers })
}
