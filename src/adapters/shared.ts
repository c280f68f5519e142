/**
 * What every framework adapter shares: the request as node-axes sees it, the credentials of a
 * parsed body, the per-request API, the login-route flow (django-axes' `axes_dispatch`: reserve →
 * verify → settle → respond), the choice of lockout rendering, and the proxy-agreement check.
 * Each adapter only converts its framework's request and writes the answer its framework's way.
 */

import type { Axes, ProtectResult, Reservation } from '../compose/axes.js'
import { formValue } from '../core/identity.js'
import { lockoutContext, retryAfterSeconds, wantsJson } from '../core/lockout-response.js'
import type { AxesResponse, LockoutContext, LockoutDecision } from '../core/types.js'
import type { AxesRequest, Credentials } from '../ground/request.js'

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
 * The per-request API an adapter's middleware attaches (`req.axes`, `request.axes`, `ctx.axes`,
 * `c.get('axes')`): the core's per-request methods, bound to this request.
 */
export interface AxesRequestApi {
  /** The instance. */
  readonly axes: Axes
  /** The request as node-axes sees it. */
  readonly request: AxesRequest
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

/**
 * The request as node-axes sees it, for adapters whose framework parses the body and the query
 * later than node-axes first sees the request: subclasses read them through getters on the
 * prototype (faster in V8 than accessors in object literals).
 */
export abstract class LazyAxesRequest implements AxesRequest {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly headers: AxesRequest['headers'],
    readonly socketAddress: string | null,
    readonly sessionId: string | null,
  ) {}
  abstract get query(): Record<string, unknown>
  abstract get body(): unknown
}

/** A session id as adapters pass it on: a non-empty string, or null. */
export function sessionIdOf(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null
}

/** The per-request API: one object per request, its methods on the prototype (no closures). */
class RequestApi implements AxesRequestApi {
  constructor(
    readonly axes: Axes,
    readonly request: AxesRequest,
  ) {}
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
    return this.axes.lockoutResponse(this.request, decision, credentials)
  }
}

/** Builds the per-request API for one request and marks it as seen by an adapter (axes.W002). */
export function requestApi(axes: Axes, request: AxesRequest): AxesRequestApi {
  axes.attach(request)
  return new RequestApi(axes, request)
}

/**
 * Reads the login fields of a parsed body (an object or `URLSearchParams`): `core` for the engine
 * (only the fields present, as strings) and `verify` for the application (always strings).
 * Anything else (no body, an array, a string, a Buffer) has no fields.
 */
export function readCredentials(
  axes: Axes,
  body: unknown,
): { core: Credentials; verify: LoginCredentials } {
  const { usernameFormField: userField, passwordFormField: passField } = axes.options
  const username = fieldString(body, userField)
  const password = fieldString(body, passField)
  const core: Record<string, string> = {}
  if (username !== null) core[userField] = username
  if (password !== null) core[passField] = password
  const verify: Record<string, string> = {
    username: username ?? '',
    password: password ?? '',
  }
  verify[userField] = username ?? ''
  verify[passField] = password ?? ''
  return { core, verify: verify as LoginCredentials }
}

function fieldString(body: unknown, field: string): string | null {
  if (body instanceof URLSearchParams) return body.has(field) ? body.get(field) : null
  if (
    typeof body !== 'object' ||
    body === null ||
    Array.isArray(body) ||
    ArrayBuffer.isView(body) ||
    !Object.hasOwn(body, field)
  ) {
    return null
  }
  return formValue((body as Record<string, unknown>)[field])
}

/** The outcome of a login wrapper, as adapters keep it for the application's next handler. */
export type LoginResult<User> =
  | { ok: true; user: User; decision: LockoutDecision }
  | { ok: false; decision: LockoutDecision }

/**
 * The login-route flow (django-axes' `axes_dispatch`): reserves an attempt, calls `verify` only
 * when the client is allowed, records the failure or the success, and returns the outcome. A
 * refused outcome (`decision.allowed` false) is answered with the lockout response; a wrong
 * password that leaves the client allowed with the adapter's failure response.
 */
export async function runLogin<Req, User>(
  axes: Axes,
  request: AxesRequest,
  body: unknown,
  frameworkRequest: Req,
  verify: VerifyFunction<Req, User>,
): Promise<LoginResult<User>> {
  const credentials = readCredentials(axes, body)
  const result = await axes.protect(request, credentials.core, () =>
    verify(credentials.verify, frameworkRequest),
  )
  return result.ok
    ? { ok: true, user: result.user as User, decision: result.decision }
    : { ok: false, decision: result.decision }
}

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
 * the view takes the template's place in django-axes' order: after the store failure, the
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
  if (view && decision.reason !== 'storeError' && !o.lockoutCallable && !wantsJson(request)) {
    const headers: Record<string, string> = { 'cache-control': 'no-store' }
    if (o.enableRetryAfterHeader) {
      const seconds = retryAfterSeconds(decision)
      if (seconds !== null) headers['retry-after'] = String(seconds)
    }
    return { kind: 'view', status: o.httpResponseCode, headers, context: lockoutContext(decision) }
  }
  return { kind: 'response', response: await axes.lockoutResponse(request, decision, credentials) }
}

/** The message of the default answer to wrong credentials. */
export const INVALID_CREDENTIALS_MESSAGE = 'Invalid username or password.'

/**
 * The default answer to wrong credentials that leave the client allowed: 401, JSON
 * (`{ error, remaining }`) for JSON clients, plain text otherwise. Adapters take an `onFailure`
 * option to answer otherwise (re-render the form, for example).
 */
export function invalidCredentialsResponse(
  request: AxesRequest,
  decision: LockoutDecision,
): AxesResponse {
  const headers: Record<string, string> = { 'cache-control': 'no-store' }
  if (wantsJson(request)) {
    headers['content-type'] = 'application/json'
    return {
      status: 401,
      headers,
      body: JSON.stringify({ error: INVALID_CREDENTIALS_MESSAGE, remaining: decision.remaining }),
    }
  }
  headers['content-type'] = 'text/plain; charset=utf-8'
  return { status: 401, headers, body: INVALID_CREDENTIALS_MESSAGE }
}

/** Whether node-axes reads a forwarded header or a custom client-IP function. */
export function axesTrustsProxy(axes: Axes): boolean {
  const o = axes.options
  return Boolean(o.clientIpCallable) || o.ipwareMetaPrecedenceOrder.some((k) => k !== 'REMOTE_ADDR')
}

/**
 * Reports axes.W013 when the framework's trust-proxy setting and node-axes' proxy options
 * disagree: one trusts a forwarded header and the other does not.
 */
export function checkProxyAgreement(
  axes: Axes,
  framework: string,
  setting: string,
  frameworkTrustsProxy: boolean,
): void {
  const nodeAxes = axesTrustsProxy(axes)
  if (nodeAxes === frameworkTrustsProxy) return
  axes.reportCheck('axes.W013', {
    framework,
    setting,
    detail: frameworkTrustsProxy
      ? `${framework} trusts a proxy (${setting}), but node-axes reads only the socket address, so every client behind the proxy shares the proxy's IP`
      : `node-axes reads a forwarded header, but ${framework} trusts no proxy (${setting}), so node-axes may count an address the client wrote itself`,
  })
}

/** Lower-case header record of a Web `Headers` object (repeated headers joined by `, `). */
export function headersRecord(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {}
  headers.forEach((value, name) => {
    record[name] = value
  })
  return record
}
