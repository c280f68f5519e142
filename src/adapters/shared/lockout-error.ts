/**
 * The lockout as an error, for applications that answer refusals in their own error handling
 * (Express' `next(err)`, Koa's `ctx.throw`): adapters' `lockoutAs: 'error'`.
 */

import type { Axes } from '../../compose/axes.js'
import { lockoutMessage } from '../../core/lockout-response.js'
import type { AxesResponse, LockoutDecision } from '../../core/types.js'
import { invalidArgument } from '../../ground/errors.js'

/** Where a login wrapper sends a refusal: its own answer, or the framework's error handling. */
export type LockoutDelivery = 'response' | 'error'

/**
 * A refused login, handed to the framework's error handling. It carries what the default error
 * handlers of Express (finalhandler) and Koa read, `status`, `statusCode`, `expose` and `headers`
 * (`Retry-After`, `Cache-Control: no-store`, the RateLimit fields), the lockout message as its
 * message, and node-axes' own answer (`response`: status, headers, body as `protectLogin` would
 * have sent it) with the `decision`, for an error handler that renders its own page.
 */
export class AxesLockoutError extends Error {
  override readonly name = 'AxesLockoutError'
  /**
   * The HTTP status: `httpResponseCode` (429) for a lockout, 503 for a store failure, 400 for a
   * malformed login, 403 for a challenge required (`challenges`).
   */
  readonly status: number
  /** The same, under the name Fastify and others read. */
  readonly statusCode: number
  /** The message is meant for the client (Koa and http-errors read this). */
  readonly expose = true
  /** The response headers to send, without the content type and length of node-axes' body. */
  readonly headers: Record<string, string>
  /** node-axes' decision. */
  readonly decision: LockoutDecision
  /** The answer `protectLogin` would have sent. */
  readonly response: AxesResponse

  constructor(decision: LockoutDecision, response: AxesResponse, message: string) {
    super(message)
    this.status = response.status
    this.statusCode = response.status
    this.decision = decision
    this.response = response
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(response.headers)) {
      if (name !== 'content-type' && name !== 'content-length') headers[name] = value
    }
    this.headers = headers
  }
}

/** Checks a login wrapper's `lockoutAs` option. */
export function checkLockoutDelivery(value: unknown): LockoutDelivery {
  if (value === undefined || value === 'response') return 'response'
  if (value === 'error') return 'error'
  throw invalidArgument(`lockoutAs must be 'response' or 'error', not ${String(value)}`)
}

/** The error for a refused decision, with the answer node-axes would have sent. */
export function lockoutError(
  axes: Axes,
  decision: LockoutDecision,
  response: AxesResponse,
): AxesLockoutError {
  return new AxesLockoutError(decision, response, lockoutMessage(axes.options, decision))
}
