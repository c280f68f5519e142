/**
 * better-auth's `axesPlugin`: node-axes' lockouts on the sign-in endpoints (`/sign-in/email`,
 * `/sign-in/username`), counting the identity better-auth verifies, answering with `APIError`.
 */

import type { BetterAuthPlugin } from 'better-auth'
import { APIError, createAuthMiddleware } from 'better-auth/api'
import type { Axes } from '../../compose/axes.js'
import { lockoutMessage } from '../../core/lockout-response.js'
import type { Reservation } from '../../core/reservation.js'
import type { DecisionReason, LockoutDecision } from '../../core/types.js'
import { AxesCallableError, AxesError, invalidArgument } from '../../ground/errors.js'
import { parseIp } from '../../ground/ip.js'
import type { AxesRequest, Credentials } from '../../ground/request.js'
import { headersRecord } from '../shared/request.js'

/**
 * Where the client address of a sign-in comes from: a function of the `Request` (absent for a
 * server-side `auth.api` call) and its headers, returning one IP address. Anything else makes the
 * sign-in fail with `AXES_NO_CLIENT_ADDRESS` rather than count it in a bucket every such request
 * shares.
 */
export type BetterAuthClientAddress = (
  request: Request | undefined,
  headers: Headers | undefined,
) => string | null | undefined

/** Options of `axesPlugin`. */
export interface AxesPluginOptions {
  /**
   * Where the client address comes from (required: none is guessed). Behind a proxy that sets
   * a header, `(_request, headers) => headers?.get('x-real-ip')`; on Node's `toNodeHandler`,
   * a header the application sets from `req.socket.remoteAddress` before better-auth runs (see
   * docs/better-auth.md).
   */
  clientAddress: BetterAuthClientAddress
  /**
   * The sign-in endpoints guarded, and the body field each verifies.
   * @default { '/sign-in/email': 'email', '/sign-in/username': 'username' }
   */
  endpoints?: Record<string, string>
}

/** The body field of the identity each sign-in endpoint verifies. */
const DEFAULT_ENDPOINTS: Record<string, string> = {
  '/sign-in/email': 'email',
  '/sign-in/username': 'username',
}

/** The `code` of the `APIError` for each refusal. */
const CODES: Partial<Record<DecisionReason, string>> = {
  lockedOut: 'ACCOUNT_LOCKED_OUT',
  blacklisted: 'CLIENT_BLACKLISTED',
  tooManyInFlight: 'TOO_MANY_ATTEMPTS_IN_FLIGHT',
  malformedCredentials: 'MALFORMED_CREDENTIALS',
  storeError: 'LOGIN_UNAVAILABLE',
  challengeRequired: 'CHALLENGE_REQUIRED',
}

/** Headers of node-axes' lockout response kept on the `APIError`. */
const KEPT_HEADERS = new Set(['retry-after', 'cache-control'])

/** What the plugin's hooks see of better-auth's endpoint context. */
interface HookContext {
  path?: string
  body?: unknown
  request?: Request
  headers?: Headers
  context: {
    options: { plugins?: { id: string; options?: Record<string, unknown> }[] }
    returned?: unknown
  }
}

/**
 * The identity the endpoint verifies, as it verifies it: the email lower-cased (better-auth looks
 * users up by `email.toLowerCase()`), the username through the username plugin's
 * `usernameNormalization` (lower-cased by default). A value that is not text is returned as it is,
 * for node-axes to refuse.
 */
function verifiedIdentity(ctx: HookContext, field: string, value: unknown): unknown {
  if (typeof value !== 'string') return value
  if (field === 'email') return value.toLowerCase()
  if (field !== 'username') return value
  const plugin = ctx.context.options.plugins?.find((p) => p.id === 'username')
  const normalize = plugin?.options?.usernameNormalization
  if (normalize === false) return value
  if (typeof normalize === 'function') return normalize(value)
  return value.toLowerCase()
}

/** The client address of a sign-in from the configured source: one IP address, or a loud error. */
function addressOf(source: BetterAuthClientAddress, ctx: HookContext): string {
  let value: unknown
  try {
    value = source(ctx.request, ctx.headers ?? ctx.request?.headers)
  } catch (error) {
    throw new AxesCallableError('clientAddress', error)
  }
  if (typeof value === 'string' && parseIp(value.trim()) !== null) return value.trim()
  throw new AxesError(
    'AXES_NO_CLIENT_ADDRESS',
    `axesPlugin's clientAddress gave no IP address for ${ctx.path ?? 'a sign-in'} (it gave ` +
      `${typeof value === 'string' ? JSON.stringify(value.slice(0, 100)) : String(value)}). ` +
      'node-axes refuses the sign-in rather than count it in one bucket shared by every such ' +
      'request: check that the source fits how better-auth is served.',
  )
}

/** The sign-in as node-axes sees it. */
function toAxesRequest(ctx: HookContext, address: string): AxesRequest {
  const headers = ctx.headers ?? ctx.request?.headers
  return {
    method: ctx.request?.method ?? 'POST',
    path: ctx.request ? new URL(ctx.request.url).pathname : (ctx.path ?? '/'),
    headers: headers ? headersRecord(headers) : {},
    socketAddress: address,
    query: null,
    body: ctx.body,
    sessionId: null,
  }
}

/** better-auth's error for a refused decision, with node-axes' `Retry-After`. */
async function refusal(
  axes: Axes,
  request: AxesRequest,
  decision: LockoutDecision,
  credentials: Credentials,
): Promise<APIError> {
  const response = await axes.lockoutResponse(request, decision, credentials)
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(response.headers)) {
    if (KEPT_HEADERS.has(name.toLowerCase())) headers[name] = value
  }
  const body = {
    message: lockoutMessage(axes.options, decision),
    code: CODES[decision.reason] ?? 'LOGIN_REFUSED',
  }
  return new APIError(response.status as 429, body, headers)
}

/** A held attempt: its reservation, and what it was counted for. */
interface Attempt {
  reservation: Reservation
  request: AxesRequest
  credentials: Credentials
}

/** Whether better-auth answered wrong credentials (401), as its sign-in endpoints do. */
function isWrongCredentials(returned: unknown): boolean {
  return returned instanceof APIError && returned.statusCode === 401
}

/**
 * The better-auth plugin: before a sign-in endpoint runs, node-axes reserves an attempt for the
 * identity the endpoint verifies (the email lower-cased, the username normalised as the username
 * plugin normalises it) and the client address; a refused client gets an `APIError` (status
 * `httpResponseCode`, `{ message, code: 'ACCOUNT_LOCKED_OUT' }`, `Retry-After`) and the password
 * is never checked. After the endpoint: a 401 records a failure (the one that reaches the limit
 * is answered with the lockout instead), a session records the login, anything else releases the
 * place. A username, email or password that is not one text value is refused with 400.
 */
export function axesPlugin(axes: Axes, options: AxesPluginOptions): BetterAuthPlugin {
  if (typeof options?.clientAddress !== 'function') {
    throw invalidArgument(
      "axesPlugin needs a clientAddress source, e.g. (_request, headers) => headers?.get('x-real-ip') " +
        'behind a proxy that sets it. Without one every client would share one bucket.',
    )
  }
  const endpoints = options.endpoints ?? DEFAULT_ENDPOINTS
  // The attempt each sign-in holds, by better-auth's per-call context (the same object in the
  // before and the after hooks of one call).
  const held = new WeakMap<object, Attempt>()
  const { usernameFormField: userField, passwordFormField: passField } = axes.options
  const matcher = (ctx: { path?: string }) =>
    ctx.path !== undefined && Object.hasOwn(endpoints, ctx.path)

  return {
    id: 'node-axes',
    hooks: {
      before: [
        {
          matcher,
          handler: createAuthMiddleware(async (raw) => {
            const ctx = raw as unknown as HookContext
            const field = endpoints[ctx.path as string] as string
            const body = (
              typeof ctx.body === 'object' && ctx.body !== null ? ctx.body : {}
            ) as Record<string, unknown>
            const request = toAxesRequest(ctx, addressOf(options.clientAddress, ctx))
            axes.attach(request)
            const credentials: Record<string, unknown> = {}
            const identity = verifiedIdentity(ctx, field, body[field])
            if (identity !== undefined) credentials[userField] = identity
            if (body.password !== undefined) credentials[passField] = body.password
            const reservation = await axes.reserve(request, credentials)
            if (!reservation.decision.allowed) {
              throw await refusal(axes, request, reservation.decision, credentials)
            }
            held.set(ctx.context, { reservation, request, credentials })
          }),
        },
      ],
      after: [
        {
          matcher,
          handler: createAuthMiddleware(async (raw) => {
            const ctx = raw as unknown as HookContext
            const attempt = held.get(ctx.context)
            if (!attempt) return
            held.delete(ctx.context)
            const { reservation, request, credentials } = attempt
            const returned = ctx.context.returned
            if (returned instanceof APIError || returned instanceof Error) {
              if (!isWrongCredentials(returned)) return reservation.release()
              const after = await reservation.failed()
              if (after.allowed) return
              const error = await refusal(axes, request, after, credentials)
              // better-auth answers an HTTP request with the status of the endpoint's own error
              // (401) whatever an after hook throws: answer it with the lockout as a Response.
              if (!ctx.request) throw error
              return Response.json(error.body, {
                status: error.statusCode,
                headers: error.headers as Record<string, string>,
              })
            }
            // The access log and the reset on success are for the identity counted (the email
            // for an email sign-in, where better-auth's user also has a username).
            await reservation.succeeded(credentials[userField])
          }),
        },
      ],
    },
  } satisfies BetterAuthPlugin
}
