/**
 * `node-axes/challenges`: challenges instead of locks. After `after` failures (below the lock's
 * `failureLimit`) an attempt must carry a challenge that passed (a CAPTCHA: Turnstile, hCaptcha,
 * reCAPTCHA, or anything else the application shows and verifies itself; node-axes never calls a
 * provider), or it is refused with reason `challengeRequired` before the password check, and is not
 * counted. An attempt with a passed challenge goes on to the password check as before: a wrong
 * password is still counted, and the lock at `failureLimit` still applies.
 *
 * The application reports a passed challenge on the request (`request.challenge`, which the
 * adapters set from their `verifyChallenge` option) or through the `verify` function given here;
 * either is asked at most once per request, and only when the attempt needs a challenge.
 */

import { AxesConfigError } from '../../ground/errors.js'
import type { AxesRequest, ClientIdentity } from '../../ground/request.js'
import type { InstanceContext } from '../context.js'
import { decide } from '../decisions.js'
import type { LoginDefence } from '../defence.js'
import { wantsJson } from '../lockout-response.js'
import { asError, logRecord } from '../options/logger.js'
import type { Counted, Prepared } from '../preparation.js'
import type { AxesResponse, LockoutDecision } from '../types.js'

/** Verifies the challenge a request carries: true when it passed. */
export type ChallengeVerifier = (
  request: AxesRequest,
  client: ClientIdentity,
) => boolean | Promise<boolean>

/** Options of `challenges`. */
export interface ChallengeOptions {
  /**
   * The failures after which an attempt needs a challenge: with `after: 3`, the fourth attempt of
   * a client with three failures (and every one after it, until the failures expire or are reset)
   * must carry a challenge that passed. Below the lock's `failureLimit`.
   */
  after: number
  /**
   * Verifies the challenge a request carries (for example a Turnstile token in
   * `request.body['cf-turnstile-response']`, checked with the provider's siteverify API), for
   * requests whose `challenge` the application or the adapter did not set. Called at most once per
   * request, only when the attempt needs a challenge (from `isAllowed` too, where a login page's
   * request may have no body); return false when the request carries none.
   * A verifier that throws is logged, and the challenge counts as not passed.
   */
  verify?: ChallengeVerifier
  /**
   * The message of the refusal (the JSON answer's `message`, the plain-text answer).
   * @default 'Please complete the challenge to sign in.'
   */
  message?: string
}

/** Challenges, as the `challenges` option takes them. */
export interface Challenges extends LoginDefence {
  /** The failures after which an attempt needs a challenge. */
  readonly after: number
  /** The message of the refusal. */
  readonly message: string
  /**
   * Whether the next attempt of the decision's client needs a challenge: true for a refusal for
   * want of one (reason `challengeRequired`), and for an allowed decision with `after` failures
   * or more (after a failure, or from `isAllowed` for a login page).
   */
  required(decision: LockoutDecision): boolean
  /** The answer to a refusal for want of a challenge: 403, `{ error: 'challenge_required', … }`. */
  respond(request: AxesRequest, decision: LockoutDecision): AxesResponse
}

/** The status of the refusal: not 401 (wrong password) and not 429 (the lockout's default). */
export const CHALLENGE_STATUS = 403

/** The `error` of the JSON refusal. */
export const CHALLENGE_ERROR = 'challenge_required'

const DEFAULT_MESSAGE = 'Please complete the challenge to sign in.'
const KEYS = new Set(['after', 'verify', 'message'])

function problems(options: ChallengeOptions): string[] {
  if (typeof options !== 'object' || options === null)
    return ['expects an object such as { after: 3 }']
  const found: string[] = []
  for (const key of Object.keys(options)) {
    if (!KEYS.has(key)) found.push(`has an unknown key '${key}' (after, verify, message)`)
  }
  if (!Number.isSafeInteger(options.after) || options.after < 1) {
    found.push('after expects a whole number of failures of at least 1')
  }
  if (options.verify !== undefined && typeof options.verify !== 'function') {
    found.push('verify expects a function (request, client) => boolean | Promise<boolean>')
  }
  if (options.message !== undefined && typeof options.message !== 'string') {
    found.push('message expects a string')
  }
  return found
}

/**
 * Makes the challenges that the `challenges` option takes. Throws an `AxesConfigError` for bad
 * settings; `createAxes` throws one when `after` is not below a numeric `failureLimit`.
 * @example
 * ```ts
 * import { createAxes } from 'node-axes'
 * import { challenges } from 'node-axes/challenges'
 *
 * const axes = createAxes({ failureLimit: 10, challenges: challenges({ after: 3 }) })
 * ```
 */
export function challenges(options: ChallengeOptions): Challenges {
  const issues = problems(options)
  if (issues.length > 0) {
    throw new AxesConfigError(issues.map((message) => ({ key: 'challenges', message })))
  }
  const { after, verify } = options
  const message = options.message ?? DEFAULT_MESSAGE
  // Each request's verification, so that a single-use token is verified once (isAllowed, then
  // reserve), and the requests whose refusal was reported.
  const verified = new WeakMap<AxesRequest, Promise<boolean>>()
  const reported = new WeakSet<AxesRequest>()

  const passed = (context: InstanceContext, request: AxesRequest, client: ClientIdentity) => {
    let answer = verified.get(request)
    if (answer === undefined) {
      const given = request.challenge
      answer = (async () => {
        if (typeof given === 'boolean') return given
        const run = typeof given === 'function' ? given : verify && (() => verify(request, client))
        return run ? (await run()) === true : false
      })().catch((error: unknown) => {
        context.diagnostics.log('error', () =>
          logRecord(
            'AXES: The challenge verifier failed; the challenge counts as not passed.',
            'challengeError',
            { err: asError(error) },
          ),
        )
        return false
      })
      verified.set(request, answer)
    }
    return answer
  }

  const self: Challenges = {
    after,
    message,
    check(context) {
      const limit = context.options.failureLimit
      if (typeof limit === 'number' && after >= limit) {
        throw new AxesConfigError([
          {
            key: 'challenges',
            message: `after (${after}) must be below failureLimit (${limit}): the lock would come first`,
          },
        ])
      }
    },

    async screen(context, request, counted, _rawIp, fromLoginFailed): Promise<Prepared> {
      // A failure reported after the application's own password check is counted as it is.
      if (fromLoginFailed) return counted
      const state = await context.handler.getFailures(counted.input)
      // Under `after`, nothing to ask; locked, the lock answers.
      if (state.failures < after || state.lockedUntil !== null) return counted
      if (await passed(context, request, counted.client)) {
        return { ...counted, challenge: 'passed' } satisfies Counted
      }
      const { client, rule } = counted
      const decision = decide(
        {
          reason: 'challengeRequired',
          allowed: false,
          client,
          rule,
          failures: state.failures,
          lockedUntil: null,
          recorded: false,
        },
        counted.input.now,
      )
      decision.remaining = Math.max(0, rule.failureLimit - state.failures)
      decision.challenge = 'required'
      if (!reported.has(request)) {
        reported.add(request)
        context.events.emit('challengeRequired', { request, client, decision })
      }
      return { kind: 'final', decision }
    },

    async failed(_context, _request, _counted, decision) {
      if (decision.allowed && decision.failures >= after) decision.challenge = 'required'
    },

    required(decision) {
      if (decision.reason === 'challengeRequired') return true
      return decision.allowed && decision.failures >= after && decision.challenge !== 'passed'
    },

    respond(request, decision) {
      const headers: Record<string, string> = { 'cache-control': 'no-store' }
      if (wantsJson(request)) {
        headers['content-type'] = 'application/json'
        const body = { error: CHALLENGE_ERROR, message, remaining: decision.remaining }
        return { status: CHALLENGE_STATUS, headers, body: JSON.stringify(body) }
      }
      headers['content-type'] = 'text/plain; charset=utf-8'
      return { status: CHALLENGE_STATUS, headers, body: message }
    },
  }
  return self
}
