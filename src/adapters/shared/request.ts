/**
 * The request as adapters hand it to the core: a base class for requests whose body and query are
 * read when used, the session id as adapters pass it on, and a header record of Web `Headers`.
 */

import type { AxesRequest } from '../../ground/request.js'

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

/** Lower-case header record of a Web `Headers` object (repeated headers joined by `, `). */
export function headersRecord(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {}
  headers.forEach((value, name) => {
    record[name] = value
  })
  return record
}
