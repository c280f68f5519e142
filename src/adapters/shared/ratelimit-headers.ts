/**
 * The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers-11), opt-in with the
 * `rateLimitHeaders` option: the failure limit as the quota policy and the attempts left.
 */

import type { Axes } from '../../compose/axes.js'
import type { LockoutDecision } from '../../core/types.js'

/** The quota policy's name in both fields. */
const POLICY = '"axes"'

/**
 * `RateLimit-Policy` and `RateLimit` for a decision that counted the client (a wrong password, a
 * lockout), or none: not with the option off, nor for a decision that counted nothing (store
 * failure, malformed or unread login, allow or deny list, disabled). `t` is the seconds until the
 * lock lifts, else until the client's failures age out (one cool-off after the last); absent for
 * a lock until reset.
 */
export function rateLimitHeaders(axes: Axes, decision: LockoutDecision): Record<string, string> {
  if (!axes.options.rateLimitHeaders || !counts(decision)) return {}
  const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000))
  const window = decision.cooloffMs === null ? '' : `;w=${seconds(decision.cooloffMs)}`
  let reset = ''
  if (decision.retryAfterMs !== null) reset = `;t=${seconds(decision.retryAfterMs)}`
  else if (!decision.lockedOut && decision.cooloffMs !== null && decision.failures > 0) {
    reset = `;t=${seconds(decision.cooloffMs)}`
  }
  return {
    'ratelimit-policy': `${POLICY};q=${decision.failureLimit}${window}`,
    ratelimit: `${POLICY};r=${Math.max(0, decision.remaining)}${reset}`,
  }
}

/** Whether a decision is about the client's count. */
function counts(decision: LockoutDecision): boolean {
  const reason = decision.reason
  return reason === 'allowed' || reason === 'lockedOut' || reason === 'tooManyInFlight'
}
