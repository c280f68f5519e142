/**
 * Fastify's `protectLogin`: a `preHandler` that guards a login route in one line (reserve → verify
 * → settle → respond).
 */

import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Axes } from '../../compose/axes.js'
import type { LockoutDecision } from '../../core/types.js'
import {
  type ChallengeCheck,
  invalidCredentialsResponse,
  runLogin,
  type VerifyFunction,
} from '../shared/login.js'
import { checkClientIpSource } from '../shared/proxy-check.js'
import { apiFor, type FastifyAxesOptions, sendAxesResponse } from './plugin.js'

/** Options of `protectLogin`. */
export interface FastifyProtectLoginOptions {
  /** As in `axesPlugin`, for routes used without it. */
  sessionId?: FastifyAxesOptions['sessionId']
  /** As in `axesPlugin`, for routes used without it. */
  clientIp?: FastifyAxesOptions['clientIp']
  /**
   * Answers wrong credentials that leave the client allowed. By default: 401 with
   * `Invalid username or password.` (JSON `{ error, remaining }` for JSON clients).
   */
  onFailure?: (request: FastifyRequest, reply: FastifyReply, decision: LockoutDecision) => unknown
  /**
   * Verifies the challenge (a CAPTCHA) the login request carries, for the `challenges` option
   * (node-axes/challenges): true when it passed. Called at most once per request, only when the
   * attempt needs a challenge.
   */
  verifyChallenge?: ChallengeCheck<FastifyRequest>
  /**
   * Answers an attempt refused for want of a passed challenge (reason `challengeRequired`). By
   * default: 403 with `{ error: 'challenge_required', message, remaining }`.
   */
  onChallenge?: (request: FastifyRequest, reply: FastifyReply, decision: LockoutDecision) => unknown
}

/**
 * A `preHandler` that guards a login route (django-axes' `axes_dispatch`): reserves an attempt,
 * calls `verify` with the body's credentials only when the client is allowed, records the outcome
 * and answers a lockout with the lockout response, wrong credentials with 401 (or `onFailure`). On
 * success it sets `request.axesLogin = { ok: true, user, decision }` and the route handler runs.
 * Parse urlencoded bodies with `@fastify/formbody`.
 */
export function protectLogin<User>(
  axes: Axes,
  verify: VerifyFunction<FastifyRequest, User>,
  options: FastifyProtectLoginOptions = {},
): (request: FastifyRequest, reply: FastifyReply) => Promise<unknown> {
  checkClientIpSource(options.clientIp)
  return async function axesProtectLogin(request, reply) {
    const api = apiFor(axes, request, options.sessionId, options.clientIp)
    const check = options.verifyChallenge
    const result = await runLogin(axes, api.request, request.body, request, verify, check)
    request.axesLogin = result
    if (result.ok) {
      // The device cookie node-axes issued for this login (deviceCookies), if any; Fastify
      // appends each set-cookie header.
      if (result.decision.setCookie) reply.header('set-cookie', result.decision.setCookie)
      return
    }
    if (!result.decision.allowed) {
      if (result.decision.reason === 'challengeRequired' && options.onChallenge) {
        return options.onChallenge(request, reply, result.decision)
      }
      return sendAxesResponse(reply, await api.lockoutResponse(result.decision))
    }
    if (options.onFailure) return options.onFailure(request, reply, result.decision)
    return sendAxesResponse(reply, invalidCredentialsResponse(api.request, result.decision, axes))
  }
}
