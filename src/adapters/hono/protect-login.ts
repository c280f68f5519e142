/**
 * Hono's `protectLogin`: middleware that reads the login body itself and guards a login route in
 * one line (reserve → verify → settle → respond).
 */

import type { Context, MiddlewareHandler } from 'hono'
import type { Axes } from '../../compose/axes.js'
import type { LockoutDecision } from '../../core/types.js'
import {
  type ChallengeCheck,
  invalidCredentialsResponse,
  type LoginResult,
  runLogin,
  type VerifyFunction,
} from '../shared/login.js'
import { requestApi } from '../shared/request-api.js'
import { readWebBody, type WebBodyRead } from '../shared/web-body.js'
import {
  type AxesVariables,
  checkHonoOptions,
  type HonoAxesOptions,
  reportMissingPeer,
  respond,
  toAxesRequest,
  toResponse,
} from './middleware.js'

/** Options of `protectLogin`. */
export interface HonoProtectLoginOptions extends HonoAxesOptions {
  /**
   * The largest body read, in bytes; a larger one is answered 413 without verifying.
   * @default 102400 (100 KiB, Express' default)
   */
  bodyLimit?: number
  /**
   * Answers wrong credentials that leave the client allowed. By default: 401 with
   * `Invalid username or password.` (JSON `{ error, remaining }` for JSON clients).
   */
  onFailure?: (c: Context, decision: LockoutDecision) => Response | Promise<Response>
  /**
   * Verifies the challenge (a CAPTCHA) the login request carries, for the `challenges` option
   * (node-axes/challenges): true when it passed. Called at most once per request, only when the
   * attempt needs a challenge; the body is read by then (`c.req.parseBody()` works).
   */
  verifyChallenge?: ChallengeCheck<Context>
  /**
   * Answers an attempt refused for want of a passed challenge (reason `challengeRequired`). By
   * default: 403 with `{ error: 'challenge_required', message, remaining }`.
   */
  onChallenge?: (c: Context, decision: LockoutDecision) => Response | Promise<Response>
}

/** Reads the body within `limit`, then keeps its bytes for later `c.req.json()` and friends. */
async function readBody(c: Context, limit: number): Promise<WebBodyRead> {
  const read = await readWebBody(c.req.raw, limit)
  if (read.ok) {
    ;(c.req.bodyCache as Record<string, unknown>).arrayBuffer = Promise.resolve(read.bytes.buffer)
  }
  return read
}

/**
 * Guards a login route (django-axes' `axes_dispatch`): reads the body (JSON, urlencoded or
 * multipart, at most `bodyLimit` bytes; the bytes stay available to `c.req.json()` and friends),
 * reserves an attempt, calls `verify` with the credentials only when the client is allowed,
 * records the outcome and answers a lockout with the lockout response, wrong credentials with 401
 * (or `onFailure`), a malformed body with 400 and a large one with 413. On success it sets
 * `c.get('axesLogin')` to `{ ok: true, user, decision }` and the next handler runs.
 */
export function protectLogin<User>(
  axes: Axes,
  verify: VerifyFunction<Context, User>,
  options: HonoProtectLoginOptions = {},
): MiddlewareHandler<{ Variables: AxesVariables }> {
  checkHonoOptions(options)
  const limit = options.bodyLimit ?? 100 * 1024
  return async (c, next) => {
    const read = await readBody(c, limit)
    if (!read.ok) {
      return c.body(read.message, read.status, {
        'content-type': 'text/plain; charset=utf-8',
        connection: 'close',
      })
    }
    const request = toAxesRequest(c, read.body, options)
    reportMissingPeer(axes, request, options)
    const api = requestApi(axes, request)
    c.set('axes', api)
    const result = await runLogin(axes, api.request, read.body, c, verify, options.verifyChallenge)
    c.set('axesLogin', result as LoginResult<unknown>)
    if (result.ok) {
      // The device cookie node-axes issued for this login (deviceCookies), if any.
      const cookie = result.decision.setCookie
      if (cookie) c.header('Set-Cookie', cookie, { append: true })
      await next()
      return
    }
    if (!result.decision.allowed) {
      if (result.decision.reason === 'challengeRequired' && options.onChallenge) {
        return options.onChallenge(c, result.decision)
      }
      return respond(c, await api.lockoutResponse(result.decision))
    }
    if (options.onFailure) return options.onFailure(c, result.decision)
    return toResponse(invalidCredentialsResponse(api.request, result.decision, axes))
  }
}
