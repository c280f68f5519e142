/**
 * The lockout response (django-axes' `get_lockout_response`), framework-neutral: JSON for XHR and
 * JSON clients, the application's template, a redirect with `?username=`, the application's own
 * function, or the plain message.
 */

import { AxesCallableError } from '../ground/errors.js'
import type { AxesRequest, Credentials } from '../ground/request.js'
import { formatCooloffIso8601, formatDjangoDuration } from './durations.js'
import { headerValue } from './identity.js'
import type { ResolvedOptions } from './options.js'
import type { AxesResponse, LockoutContext, LockoutDecision } from './types.js'

/** The message of the 400 answered to a login whose username or password is not one text value. */
export const MALFORMED_CREDENTIALS_MESSAGE = 'Malformed login: send each field once, as text.'

/** The message of the 400 answer to a login whose body nothing parsed (reason `unreadBody`). */
export const UNREAD_BODY_MESSAGE =
  'Login not read: send it as a form (application/x-www-form-urlencoded) or as JSON.'

/** The message of a 503 answered while the store is down (`onStoreError: 'failClosed'`). */
export const STORE_ERROR_MESSAGE =
  'Login is temporarily unavailable: attempts cannot be checked right now. Please try again shortly.'

/** django-axes' lockout context for a decision. */
export function lockoutContext(decision: LockoutDecision): LockoutContext {
  const context: LockoutContext = {
    failure_limit: decision.failureLimit,
    failure_count: decision.failures,
    username: decision.client.username ?? '',
  }
  if (decision.cooloffMs !== null && decision.cooloffMs > 0) {
    context.cooloff_time = formatCooloffIso8601(decision.cooloffMs)
    context.cooloff_timedelta = formatDjangoDuration(decision.cooloffMs)
  }
  return context
}

/** Whether the client asked for JSON: an XHR (`X-Requested-With: XMLHttpRequest`) or an `Accept` naming JSON. */
export function wantsJson(request: AxesRequest): boolean {
  if (isXhr(request)) return true
  const accept = headerValue(request, 'accept')
  return accept !== undefined && /application\/json|\+json/i.test(accept)
}

/** django-axes' XHR test: the `X-Requested-With` header is exactly `XMLHttpRequest`. */
export function isXhr(request: AxesRequest): boolean {
  return headerValue(request, 'x-requested-with') === 'XMLHttpRequest'
}

/**
 * Python's `urllib.parse.quote_plus`: every byte but letters, digits and `_.-~` percent-encoded,
 * spaces as `+`. This is how django-axes encodes the username in the lockout redirect.
 */
export function quotePlus(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
}

/** The lockout URL with `username` added to its query. */
export function lockoutRedirectUrl(url: string, username: string): string {
  const hashAt = url.indexOf('#')
  const base = hashAt === -1 ? url : url.slice(0, hashAt)
  const hash = hashAt === -1 ? '' : url.slice(hashAt)
  const queryAt = base.indexOf('?')
  const emptyOrOpen = queryAt === base.length - 1 || base.endsWith('&')
  const separator = queryAt === -1 ? '?' : emptyOrOpen ? '' : '&'
  return `${base}${separator}username=${quotePlus(username)}${hash}`
}

/**
 * The CORS headers of the XHR lockout response. A string `allowedCorsOrigins` is sent as it is,
 * as django-axes sends `AXES_ALLOWED_CORS_ORIGINS`. A list grants the request's `Origin` only
 * when it lists it (scheme and host compared without regard to case), and says `Vary: Origin`
 * either way, since the answer depends on it; a foreign origin gets no CORS header at all.
 */
export function corsHeaders(
  allowed: string | readonly string[],
  request: AxesRequest,
): Record<string, string> {
  const headers: Record<string, string> = {}
  let origin: string | undefined = allowed as string
  if (typeof allowed !== 'string') {
    headers.vary = 'Origin'
    origin = headerValue(request, 'origin')
    const lower = origin?.toLowerCase()
    if (!allowed.some((entry) => entry.toLowerCase() === lower)) return headers
  }
  headers['access-control-allow-origin'] = origin as string
  headers['access-control-allow-methods'] = 'POST, OPTIONS'
  headers['access-control-allow-headers'] =
    'Origin, Content-Type, Accept, Authorization, x-requested-with'
  return headers
}

/** What the `challenges` option holds, as the lockout response asks it (node-axes/challenges). */
interface ChallengeAnswer {
  readonly message: string
  respond(request: AxesRequest, decision: LockoutDecision): AxesResponse
}

/** The `challenges` option's answer when `decision` asks for a challenge, else null. */
function challengeOf(options: ResolvedOptions, decision: LockoutDecision): ChallengeAnswer | null {
  return decision.reason === 'challengeRequired'
    ? (options.challenges as unknown as ChallengeAnswer)
    : null
}

/** The message for a refused decision. */
export function lockoutMessage(options: ResolvedOptions, decision: LockoutDecision): string {
  const challenge = challengeOf(options, decision)
  if (challenge) return challenge.message
  if (decision.reason === 'storeError') return STORE_ERROR_MESSAGE
  if (decision.reason === 'malformedCredentials') return MALFORMED_CREDENTIALS_MESSAGE
  if (decision.reason === 'unreadBody') return UNREAD_BODY_MESSAGE
  if (decision.reason === 'blacklisted') return options.permalockMessage
  if (decision.reason === 'tooManyInFlight') return options.cooloffMessage
  // The cool-off of this decision (a cooloffTime function may give none for some requests).
  return decision.cooloffMs !== null ? options.cooloffMessage : options.permalockMessage
}

function isAxesResponse(value: unknown): value is AxesResponse {
  if (typeof value !== 'object' || value === null) return false
  const r = value as Record<string, unknown>
  return (
    typeof r.status === 'number' &&
    typeof r.body === 'string' &&
    typeof r.headers === 'object' &&
    r.headers !== null
  )
}

/** A refusal that is no lockout (503, 400): JSON `{ error }` for JSON clients, else plain text. */
function plainAnswer(request: AxesRequest, status: number, message: string): AxesResponse {
  const headers: Record<string, string> = { 'cache-control': 'no-store' }
  if (wantsJson(request)) {
    headers['content-type'] = 'application/json'
    return { status, headers, body: JSON.stringify({ error: message }) }
  }
  headers['content-type'] = 'text/plain; charset=utf-8'
  return { status, headers, body: message }
}

/** Everything `buildLockoutResponse` needs. */
export interface LockoutResponseInput {
  options: ResolvedOptions
  request: AxesRequest
  decision: LockoutDecision
  credentials: Credentials | null
  originalResponse?: unknown
}

/**
 * Builds the response for a refused decision, in django-axes' order: the application's
 * `lockoutCallable`; JSON for XHR (with CORS headers) and for clients that accept JSON;
 * `lockoutTemplate`; a redirect to `lockoutUrl`; the plain message. A store failure answers 503, a
 * malformed login (a repeated or nested username or password field) 400, a challenge required
 * (the `challenges` option) the challenge's own answer.
 */
export async function buildLockoutResponse(input: LockoutResponseInput): Promise<AxesResponse> {
  const { options, request, decision, credentials } = input
  const context = lockoutContext(decision)

  if (decision.reason === 'storeError') return plainAnswer(request, 503, STORE_ERROR_MESSAGE)
  if (decision.reason === 'malformedCredentials') {
    return plainAnswer(request, 400, MALFORMED_CREDENTIALS_MESSAGE)
  }
  if (decision.reason === 'unreadBody') return plainAnswer(request, 400, UNREAD_BODY_MESSAGE)
  // A challenge to show, not a lockout: the challenges option answers (403, `challenge_required`).
  const challenge = challengeOf(options, decision)
  if (challenge) return challenge.respond(request, decision)

  if (options.lockoutCallable) {
    let response: unknown
    try {
      response = await options.lockoutCallable(request, {
        decision,
        credentials,
        context,
        originalResponse: input.originalResponse,
      })
    } catch (error) {
      throw new AxesCallableError('lockoutCallable', error)
    }
    if (!isAxesResponse(response)) {
      throw new AxesCallableError(
        'lockoutCallable',
        new TypeError('it must return { status, headers, body } (body a string)'),
      )
    }
    return response
  }

  const status = options.httpResponseCode
  const headers: Record<string, string> = { 'cache-control': 'no-store' }
  if (options.enableRetryAfterHeader) {
    const seconds = retryAfterSeconds(decision)
    if (seconds !== null) headers['retry-after'] = String(seconds)
  }

  if (wantsJson(request)) {
    headers['content-type'] = 'application/json'
    if (isXhr(request)) Object.assign(headers, corsHeaders(options.allowedCorsOrigins, request))
    return { status, headers, body: JSON.stringify(context) }
  }

  if (options.lockoutTemplate) {
    let html: unknown
    try {
      html = options.lockoutTemplate(context, request)
    } catch (error) {
      throw new AxesCallableError('lockoutTemplate', error)
    }
    if (typeof html !== 'string') {
      throw new AxesCallableError('lockoutTemplate', new TypeError('it must return a string'))
    }
    headers['content-type'] = 'text/html; charset=utf-8'
    return { status, headers, body: html }
  }

  if (options.lockoutUrl) {
    headers.location = lockoutRedirectUrl(options.lockoutUrl, context.username)
    return { status: 302, headers, body: '' }
  }

  headers['content-type'] = 'text/plain; charset=utf-8'
  return { status, headers, body: lockoutMessage(options, decision) }
}

/**
 * Seconds for `Retry-After`: the time left on the lock, rounded up; the cool-off when the time left
 * is unknown; null for a lock until reset.
 */
export function retryAfterSeconds(decision: LockoutDecision): number | null {
  if (decision.retryAfterMs === null) return null
  return Math.max(1, Math.ceil(decision.retryAfterMs / 1000))
}
