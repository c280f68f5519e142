/**
 * How an adapter answers a refused decision: the framework's own view (Express `res.render`) where
 * one is configured and applies, otherwise the core's framework-neutral lockout response.
 */

import type { Axes } from '../../compose/axes.js'
import { lockoutContext, retryAfterSeconds, wantsJson } from '../../core/lockout-response.js'
import type { AxesResponse, LockoutContext, LockoutDecision } from '../../core/types.js'
import type { AxesRequest, Credentials } from '../../ground/request.js'
import { rateLimitHeaders } from './ratelimit-headers.js'

/** How an adapter renders a refused decision. */
export type LockoutRendering =
  /** Send this framework-neutral response. */
  | { kind: 'response'; response: AxesResponse }
  /** Render the framework's view with the lockout context (Express `res.render`). */
  | {
      kind: 'view'
      status: number
      headers: Record<string, string>
      context: LockoutContext
    }

/**
 * Chooses the rendering of a refused decision. With a framework view configured (`view` true),
 * the view takes the template's place in django-axes' order: after the store failure (and the
 * malformed login, and the challenge required, which are no lockouts), the
 * `lockoutCallable` and JSON, before the core's `lockoutTemplate` and the redirect. Otherwise the
 * core's `lockoutResponse` decides.
 */
export async function chooseLockoutRendering(
  axes: Axes,
  request: AxesRequest,
  decision: LockoutDecision,
  credentials: Credentials | null,
  view: boolean,
): Promise<LockoutRendering> {
  const o = axes.options
  const lockout =
    decision.reason !== 'storeError' &&
    decision.reason !== 'malformedCredentials' &&
    decision.reason !== 'unreadBody' &&
    decision.reason !== 'challengeRequired'
  if (view && lockout && !o.lockoutCallable && !wantsJson(request)) {
    const headers: Record<string, string> = { 'cache-control': 'no-store' }
    if (o.enableRetryAfterHeader) {
      const seconds = retryAfterSeconds(decision)
      if (seconds !== null) headers['retry-after'] = String(seconds)
    }
    Object.assign(headers, rateLimitHeaders(axes, decision))
    return { kind: 'view', status: o.httpResponseCode, headers, context: lockoutContext(decision) }
  }
  const response = await axes.lockoutResponse(request, decision, credentials)
  const limits = rateLimitHeaders(axes, decision)
  return {
    kind: 'response',
    response: { ...response, headers: { ...response.headers, ...limits } },
  }
}
