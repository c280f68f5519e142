/**
 * Koa's `protectLogin`: middleware that guards a login route in one line (reserve → verify →
 * settle → respond).
 */

import type { Context, Middleware, Next } from 'koa'
import type { Axes } from '../../compose/axes.js'
import type { LockoutDecision } from '../../core/types.js'
import {
  checkLockoutDelivery,
  type LockoutDelivery,
  lockoutError,
} from '../shared/lockout-error.js'
import {
  type ChallengeCheck,
  invalidCredentialsResponse,
  runLogin,
  type VerifyFunction,
} from '../shared/login.js'
import { checkClientIpSource } from '../shared/proxy-check.js'
import { apiFor, type KoaAxesOptions, sendAxesResponse } from './middleware.js'

/** Options of `protectLogin`. */
export interface KoaProtectLoginOptions extends KoaAxesOptions {
  /**
   * Answers wrong credentials that leave the client allowed. By default: 401 with
   * `Invalid username or password.` (JSON `{ error, remaining }` for JSON clients).
   */
  onFailure?: (ctx: Context, decision: LockoutDecision) => unknown
  /**
   * Verifies the challenge (a CAPTCHA) the login request carries, for the `challenges` option
   * (node-axes/challenges): true when it passed. Called at most once per request, only when the
   * attempt needs a challenge.
   */
  verifyChallenge?: ChallengeCheck<Context>
  /**
   * Answers an attempt refused for want of a passed challenge (reason `challengeRequired`). By
   * default: 403 with `{ error: 'challenge_required', message, remaining }`.
   */
  onChallenge?: (ctx: Context, decision: LockoutDecision) => unknown
  /**
   * `'error'` throws a refusal (lockout, store failure, malformed login) into Koa's error
   * handling, as `ctx.throw` would: an `AxesLockoutError` with `status`, `expose`, `headers` (Koa's
   * default handler sends them), the message, and the `response` node-axes would have sent.
   * @default 'response'
   */
  lockoutAs?: LockoutDelivery
}

/**
 * Guards a login route (django-axes' `axes_dispatch`): reserves an attempt, calls `verify` with
 * the body's credentials only when the client is allowed, records the outcome and answers a
 * lockout with the lockout response, wrong credentials with 401 (or `onFailure`). On success it
 * sets `ctx.state.axesLogin = { ok: true, user, decision }` and calls `next`. Parse the body first
 * (`@koa/bodyparser`).
 */
export function protectLogin<User>(
  axes: Axes,
  verify: VerifyFunction<Context, User>,
  options: KoaProtectLoginOptions = {},
): Middleware {
  checkClientIpSource(options.clientIp)
  const delivery = checkLockoutDelivery(options.lockoutAs)
  return async function axesProtectLogin(ctx: Context, next: Next) {
    const api = apiFor(axes, ctx, options)
    const result = await runLogin(
      axes,
      api.request,
      (ctx.request as { body?: unknown }).body,
      ctx,
      verify,
      options.verifyChallenge,
    )
    ctx.state.axesLogin = result
    if (result.ok) {
      // The device cookie node-axes issued for this login (deviceCookies), if any.
      if (result.decision.setCookie) ctx.append('Set-Cookie', result.decision.setCookie)
      return next()
    }
    if (!result.decision.allowed) {
      if (result.decision.reason === 'challengeRequired' && options.onChallenge) {
        return options.onChallenge(ctx, result.decision)
      }
      const response = await api.lockoutResponse(result.decision)
      if (delivery === 'error') throw lockoutError(axes, result.decision, response)
      return sendAxesResponse(ctx, response)
    }
    if (options.onFailure) return options.onFailure(ctx, result.decision)
    sendAxesResponse(ctx, invalidCredentialsResponse(api.request, result.decision, axes))
  }
}
