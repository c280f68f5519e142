/**
 * NestJS' side of a refusal: `AxesLockoutException`, an `HttpException` so that the application's
 * exception filters see it, and the request as node-axes sees it on Nest's Express and Fastify
 * platforms.
 */

import { HttpException } from '@nestjs/common'
import type { Axes } from '../../compose/axes.js'
import { lockoutMessage } from '../../core/lockout-response.js'
import type { AxesResponse, LockoutDecision } from '../../core/types.js'
import type { AxesRequest, Credentials } from '../../ground/request.js'
import { sessionIdOf } from '../shared/request.js'

/** The request object of Nest's Express platform or Fastify platform, as node-axes reads it. */
export interface NestHttpRequest {
  method?: string
  url?: string
  originalUrl?: string
  path?: string
  headers: Record<string, string | string[] | undefined>
  socket?: { remoteAddress?: string | undefined } | undefined
  query?: unknown
  body?: unknown
  sessionID?: unknown
  session?: { sessionId?: unknown } | undefined
}

/** The response object of either platform: Express' `res` and Fastify's `reply` both have `header`. */
export interface NestHttpResponse {
  header(name: string, value: string): unknown
}

/** The request as node-axes sees it, on the Express or the Fastify platform. */
export function toAxesRequest(req: NestHttpRequest): AxesRequest {
  const url = req.originalUrl ?? req.url ?? '/'
  const queryAt = url.indexOf('?')
  return {
    method: req.method ?? 'GET',
    path: req.path ?? (queryAt === -1 ? url : url.slice(0, queryAt)),
    headers: req.headers,
    socketAddress: req.socket?.remoteAddress ?? null,
    query: (req.query as Record<string, unknown> | undefined) ?? null,
    body: req.body,
    sessionId: sessionIdOf(req.sessionID ?? req.session?.sessionId),
  }
}

/** The body Nest's exception layer sends: its own shape, `{ statusCode, message, error }`. */
export interface AxesLockoutBody {
  statusCode: number
  message: string
  error: string
}

/**
 * The `error` text of a status, as Nest's built-in exceptions name it; `Challenge Required` for a
 * refusal for want of a passed challenge (403, as a plain `Forbidden` is not).
 */
function errorName(status: number, decision: LockoutDecision): string {
  if (decision.reason === 'challengeRequired') return 'Challenge Required'
  if (status === 400) return 'Bad Request'
  if (status === 403) return 'Forbidden'
  if (status === 429) return 'Too Many Requests'
  if (status === 503) return 'Service Unavailable'
  return 'Locked Out'
}

/**
 * The refusal of a login by node-axes (a lockout, a blacklisted client, too many attempts in
 * flight, a malformed login, the store down, a challenge required), as an `HttpException`: Nest's exception layer
 * answers it as `{ statusCode, message, error }` with the status node-axes chose
 * (`httpResponseCode`, 400 for a malformed login, 503 for a store failure), and an exception
 * filter of the application can catch it (`@Catch(AxesLockoutException)`) to answer otherwise,
 * e.g. with `exception.axesResponse`, the response node-axes would send.
 */
export class AxesLockoutException extends HttpException {
  /** node-axes' decision. */
  readonly decision: LockoutDecision
  /** The response node-axes would send (JSON, template, redirect, callable or message). */
  readonly axesResponse: AxesResponse

  constructor(message: string, decision: LockoutDecision, axesResponse: AxesResponse) {
    const status = axesResponse.status
    const body: AxesLockoutBody = {
      statusCode: status,
      message,
      error: errorName(status, decision),
    }
    super(body, status)
    this.decision = decision
    this.axesResponse = axesResponse
  }
}

/** Headers of the lockout response that Nest's reply keeps (the body and its type are Nest's). */
const KEPT_HEADERS = new Set(['retry-after', 'cache-control', 'location', 'vary'])

/**
 * The exception for a refused decision: the lockout response's `Retry-After` (and `Cache-Control`,
 * `Location`, `Vary`) set on the response, the status and message in Nest's format.
 */
export async function lockoutException(
  axes: Axes,
  request: AxesRequest,
  decision: LockoutDecision,
  credentials: Credentials | null,
  res: NestHttpResponse | undefined,
  response?: AxesResponse,
): Promise<AxesLockoutException> {
  const answer = response ?? (await axes.lockoutResponse(request, decision, credentials))
  if (res && typeof res.header === 'function') {
    for (const [name, value] of Object.entries(answer.headers)) {
      if (KEPT_HEADERS.has(name.toLowerCase())) res.header(name, value)
    }
  }
  return new AxesLockoutException(lockoutMessage(axes.options, decision), decision, answer)
}
