/**
 * The login-route flow every adapter's `protectLogin` shares (django-axes' `axes_dispatch`:
 * reserve → verify → settle → respond): the credentials read from a parsed body, the application's
 * `verify`, the outcome, and the default answer to wrong credentials.
 */

import type { Axes } from '../../compose/axes.js'
import { fieldOf, loginValue } from '../../core/identity.js'
import { wantsJson } from '../../core/lockout-response.js'
import type { AxesResponse, LockoutDecision } from '../../core/types.js'
import type { AxesRequest, Credentials } from '../../ground/request.js'
import { rateLimitHeaders } from './ratelimit-headers.js'

/**
 * The credentials a login wrapper hands to `verify`: `username` and `password` as strings (empty
 * when the body lacks them or holds something else), also under the configured
 * `usernameFormField` and `passwordFormField` names.
 */
export interface LoginCredentials {
  readonly username: string
  readonly password: string
  readonly [field: string]: string
}

/**
 * The application's password check: the user (any truthy value) for right credentials, a falsy
 * value for wrong ones. It is never called for a locked-out client. If it throws, the reserved
 * place is released and the error goes to the framework's error handling.
 */
export type VerifyFunction<Req, User> = (
  credentials: LoginCredentials,
  request: Req,
) => User | null | undefined | false | Promise<User | null | undefined | false>

/**
 * The application's check of the challenge (a CAPTCHA: Turnstile, hCaptcha, reCAPTCHA…) a login
 * request carries, for the `challenges` option (node-axes/challenges): true when it passed. Called
 * at most once per request, and only when the attempt needs a challenge; return false when the
 * request carries none.
 */
export type ChallengeCheck<Req> = (request: Req) => boolean | Promise<boolean>

/**
 * Reads the login fields of a parsed body (an object or `URLSearchParams`): `core` for the engine
 * (the fields present, as the body holds them: the engine refuses a repeated or nested field with
 * reason `malformedCredentials`, so `verify` never runs for one) and `verify` for the application
 * (always strings: exactly the text the engine counted, empty when absent). Anything else (no body,
 * an array, a string, a Buffer) has no fields.
 */
export function readCredentials(
  axes: Axes,
  body: unknown,
): { core: Credentials; verify: LoginCredentials } {
  const { usernameFormField: userField, passwordFormField: passField } = axes.options
  const rawUsername = fieldOf(body, userField)
  const rawPassword = fieldOf(body, passField)
  const core: Record<string, unknown> = {}
  if (rawUsername !== undefined) core[userField] = rawUsername
  if (rawPassword !== undefined) core[passField] = rawPassword
  const username = text(rawUsername)
  const password = text(rawPassword)
  const verify: Record<string, string> = { username, password }
  verify[userField] = username
  verify[passField] = password
  return { core, verify: verify as LoginCredentials }
}

/** A login field as `verify` receives it: the text node-axes counts, else empty. */
function text(value: unknown): string {
  const counted = loginValue(value)
  return typeof counted === 'string' ? counted : ''
}

/** The outcome of a login wrapper, as adapters keep it for the application's next handler. */
export type LoginResult<User> =
  | { ok: true; user: User; decision: LockoutDecision }
  | { ok: false; decision: LockoutDecision }

/**
 * The login-route flow (django-axes' `axes_dispatch`): reserves an attempt, calls `verify` only
 * when the client is allowed, records the failure or the success, and returns the outcome. A
 * refused outcome (`decision.allowed` false) is answered with the lockout response; a wrong
 * password that leaves the client allowed with the adapter's failure response. `verifyChallenge`,
 * if given, is how the request's challenge is verified (`challenges`).
 */
export async function runLogin<Req, User>(
  axes: Axes,
  request: AxesRequest,
  body: unknown,
  frameworkRequest: Req,
  verify: VerifyFunction<Req, User>,
  verifyChallenge?: ChallengeCheck<Req>,
): Promise<LoginResult<User>> {
  if (verifyChallenge) request.challenge = () => verifyChallenge(frameworkRequest)
  // A request with a body, but no fields parsed from it: nothing (no parser for its type), or
  // text or bytes (a parser that keeps it as it is, such as Fastify's for text/plain).
  if (body == null || typeof body === 'string' || body instanceof Uint8Array) {
    if (carriesBody(request)) request.bodyUnread = true
  } else reportMissingUsername(axes, body)
  const credentials = readCredentials(axes, body)
  const result = await axes.protect(request, credentials.core, () =>
    verify(credentials.verify, frameworkRequest),
  )
  return result.ok
    ? { ok: true, user: result.user as User, decision: result.decision }
    : { ok: false, decision: result.decision }
}

/** Whether a request says it has a body: a non-zero Content-Length, or a Transfer-Encoding. */
function carriesBody(request: AxesRequest): boolean {
  const length = request.headers['content-length']
  if (length !== undefined && length !== '0') return true
  return request.headers['transfer-encoding'] !== undefined
}

/**
 * Reports axes.W016 (once) when a parsed body has fields but not the username field: a login
 * form that names it otherwise (`email`) would be counted without a username.
 */
function reportMissingUsername(axes: Axes, body: unknown): void {
  const field = axes.options.usernameFormField
  if (body === null || typeof body !== 'object' || fieldOf(body, field) !== undefined) return
  const names =
    body instanceof URLSearchParams
      ? [...new Set(body.keys())]
      : Array.isArray(body)
        ? []
        : Object.keys(body)
  if (names.length === 0) return
  const fields = names
    .slice(0, 10)
    .map((name) => JSON.stringify(name.slice(0, 40)))
    .join(', ')
  axes.reportCheck('axes.W016', { field, fields })
}

/** The message of the default answer to wrong credentials. */
export const INVALID_CREDENTIALS_MESSAGE = 'Invalid username or password.'

/**
 * The default answer to wrong credentials that leave the client allowed: 401, JSON
 * (`{ error, remaining }`, with `challenge: 'required'` when the next attempt needs a challenge)
 * for JSON clients, plain text otherwise; with `axes` given and its
 * `rateLimitHeaders` option on, the RateLimit header fields. Adapters take an `onFailure`
 * option to answer otherwise (re-render the form, for example).
 */
export function invalidCredentialsResponse(
  request: AxesRequest,
  decision: LockoutDecision,
  axes?: Axes,
): AxesResponse {
  const headers: Record<string, string> = {
    'cache-control': 'no-store',
    ...(axes ? rateLimitHeaders(axes, decision) : {}),
  }
  if (wantsJson(request)) {
    headers['content-type'] = 'application/json'
    const body: Record<string, unknown> = {
      error: INVALID_CREDENTIALS_MESSAGE,
      remaining: decision.remaining,
    }
    if (decision.challenge === 'required') body.challenge = 'required'
    return { status: 401, headers, body: JSON.stringify(body) }
  }
  headers['content-type'] = 'text/plain; charset=utf-8'
  return { status: 401, headers, body: INVALID_CREDENTIALS_MESSAGE }
}
