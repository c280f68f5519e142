/**
 * Express' `protectLogin`: a route handler that guards a login route in one line (reserve → verify
 * → settle → respond).
 */

import type { NextFunction, Request, RequestHandler, Response } from 'express'
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
  type LoginResult,
  runLogin,
  type VerifyFunction,
} from '../shared/login.js'
import { checkClientIpSource } from '../shared/proxy-check.js'
import {
  apiFor,
  type ExpressAxesOptions,
  optionsOf,
  sendAxesResponse,
  sendLockout,
} from './middleware.js'

/** Options of `protectLogin`. */
export interface ExpressProtectLoginOptions extends ExpressAxesOptions {
  /**
   * Answers wrong credentials that leave the client allowed. By default: 401 with
   * `Invalid username or password.` (JSON `{ error, remaining }` for JSON clients).
   */
  onFailure?: (req: Request, res: Response, next: NextFunction, decision: LockoutDecision) => void
  /**
   * Verifies the challenge (a CAPTCHA) the login request carries, for the `challenges` option
   * (node-axes/challenges): true when it passed. Called at most once per request, only when the
   * attempt needs a challenge.
   */
  verifyChallenge?: ChallengeCheck<Request>
  /**
   * Answers an attempt refused for want of a passed challenge (reason `challengeRequired`), for
   * example with the login form and the challenge. By default: 403 with
   * `{ error: 'challenge_required', message, remaining }` (plain text for other clients).
   */
  onChallenge?: (req: Request, res: Response, next: NextFunction, decision: LockoutDecision) => void
  /**
   * `'error'` hands a refusal (lockout, store failure, malformed login) to Express' error
   * handling as `next(err)`, an `AxesLockoutError` with `status`, `headers`, the message, and the
   * `response` node-axes would have sent, instead of answering it here.
   * @default 'response'
   */
  lockoutAs?: LockoutDelivery
}

/**
 * Guards a login route (django-axes' `axes_dispatch`): reserves an attempt, calls `verify` with
 * the body's credentials only when the client is allowed, records the outcome and answers a
 * lockout with the lockout response, wrong credentials with 401 (or `onFailure`). On success it
 * sets `res.locals.axesLogin = { ok: true, user, decision }` and calls the next handler. Parse the
 * body first (`express.urlencoded()` or `express.json()`).
 */
export function protectLogin<User>(
  axes: Axes,
  verify: VerifyFunction<Request, User>,
  options: ExpressProtectLoginOptions = {},
): RequestHandler {
  checkClientIpSource(options.clientIp)
  const delivery = checkLockoutDelivery(options.lockoutAs)
  return (req, res, next) => {
    const api = apiFor(axes, req, options)
    runLogin(axes, api.request, req.body, req, verify, options.verifyChallenge)
      .then(async (result: LoginResult<User>) => {
        res.locals.axesLogin = result
        if (result.ok) {
          // The device cookie node-axes issued for this login (deviceCookies), if any.
          if (result.decision.setCookie) res.append('Set-Cookie', result.decision.setCookie)
          return next()
        }
        if (!result.decision.allowed) {
          if (result.decision.reason === 'challengeRequired' && options.onChallenge) {
            return options.onChallenge(req, res, next, result.decision)
          }
          if (delivery === 'error') {
            const response = await api.lockoutResponse(result.decision)
            return next(lockoutError(axes, result.decision, response))
          }
          // A lockoutView given here, else the one given to axesMiddleware.
          const view = options.lockoutView !== undefined ? options : optionsOf.get(req)
          return sendLockout(req, res, result.decision, view ?? options)
        }
        if (options.onFailure) return options.onFailure(req, res, next, result.decision)
        sendAxesResponse(res, invalidCredentialsResponse(api.request, result.decision, axes))
      })
      .catch(next)
  }
}
