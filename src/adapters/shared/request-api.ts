/**
 * The per-request API every adapter's middleware attaches (`req.axes`, `request.axes`, `ctx.axes`,
 * `c.get('axes')`): the core's per-request methods bound to one request.
 */

import type { Axes, ProtectResult, Reservation } from '../../compose/axes.js'
import type { AxesResponse, LockoutDecision } from '../../core/types.js'
import type { AxesRequest, Credentials } from '../../ground/request.js'
import { type LoginCredentials, readCredentials } from './login.js'
import { rateLimitHeaders } from './ratelimit-headers.js'

/**
 * The per-request API an adapter's middleware attaches (`req.axes`, `request.axes`, `ctx.axes`,
 * `c.get('axes')`): the core's per-request methods, bound to this request.
 */
export interface AxesRequestApi {
  /** The instance. */
  readonly axes: Axes
  /** The request as node-axes sees it. */
  readonly request: AxesRequest
  /**
   * The username and password as node-axes counts them, read from `body` (by default the body the
   * framework parsed): text, empty when absent or when the field is an array or an object (a
   * repeated or nested field, which `reserve(body)` refuses with reason `malformedCredentials`).
   * Hand these to your password check after `reserve(body)` allowed the attempt: they are exactly
   * the identity that was counted, as `protectLogin` hands them to `verify`.
   */
  credentials(body?: unknown): LoginCredentials
  /** Whether the client may attempt a login, recording nothing (django-axes' `is_allowed`). */
  isAllowed(credentials?: Credentials | null): Promise<LockoutDecision>
  /** Reserves one attempt before the credentials are verified; settle it (see `Axes.reserve`). */
  reserve(credentials?: Credentials | null): Promise<Reservation>
  /** Reserve → verify → settle in one call (see `Axes.protect`). */
  protect<T>(
    credentials: Credentials | null,
    verify: (credentials: Credentials | null) => T | Promise<T>,
  ): Promise<ProtectResult<NonNullable<T>>>
  /** Records a failed login after the fact; returns the decision after it. */
  loginFailed(credentials?: Credentials | null): Promise<LockoutDecision>
  /** Records a successful login (access log; reset on success). */
  loggedIn(user?: unknown): Promise<void>
  /** Records a logout (logout time on the access log). */
  loggedOut(user?: unknown): Promise<void>
  /** The framework-neutral lockout response for a refused decision. */
  lockoutResponse(
    decision: LockoutDecision,
    credentials?: Credentials | null,
  ): Promise<AxesResponse>
}

/** The per-request API: one object per request, its methods on the prototype (no closures). */
class RequestApi implements AxesRequestApi {
  constructor(
    readonly axes: Axes,
    readonly request: AxesRequest,
  ) {}
  credentials(body: unknown = this.request.body): LoginCredentials {
    return readCredentials(this.axes, body).verify
  }
  isAllowed(credentials?: Credentials | null): Promise<LockoutDecision> {
    return this.axes.isAllowed(this.request, credentials)
  }
  reserve(credentials?: Credentials | null): Promise<Reservation> {
    return this.axes.reserve(this.request, credentials)
  }
  protect<T>(
    credentials: Credentials | null,
    verify: (credentials: Credentials | null) => T | Promise<T>,
  ): Promise<ProtectResult<NonNullable<T>>> {
    return this.axes.protect(this.request, credentials, verify)
  }
  loginFailed(credentials?: Credentials | null): Promise<LockoutDecision> {
    return this.axes.loginFailed(this.request, credentials)
  }
  loggedIn(user?: unknown): Promise<void> {
    return this.axes.loggedIn(this.request, user)
  }
  loggedOut(user?: unknown): Promise<void> {
    return this.axes.loggedOut(this.request, user)
  }
  lockoutResponse(
    decision: LockoutDecision,
    credentials?: Credentials | null,
  ): Promise<AxesResponse> {
    const response = this.axes.lockoutResponse(this.request, decision, credentials)
    if (!this.axes.options.rateLimitHeaders) return response
    return response.then((r) => ({
      ...r,
      headers: { ...r.headers, ...rateLimitHeaders(this.axes, decision) },
    }))
  }
}

/** Builds the per-request API for one request and marks it as seen by an adapter (axes.W002). */
export function requestApi(axes: Axes, request: AxesRequest): AxesRequestApi {
  axes.attach(request)
  return new RequestApi(axes, request)
}
