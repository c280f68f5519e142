/**
 * The attempt as a handler may store it. The masked request data is built only when a handler reads
 * it (the database handler does; the memory handler never does), so counting stays cheap.
 */

import type { AttemptRecord } from '../ground/contract.js'
import type { AxesRequest, ClientIdentity } from '../ground/request.js'
import { requestDataString } from './identity.js'

/** An `AttemptRecord` whose `getData` and `postData` are computed on first read. */
export class LazyAttemptRecord implements AttemptRecord {
  readonly ipAddress: string | null
  readonly username: string | null
  readonly userAgent: string
  readonly pathInfo: string
  readonly httpAccept: string
  readonly #request: AxesRequest
  readonly #sensitive: ReadonlySet<string>
  readonly #now: number
  #attemptTime: Date | undefined
  #getData: string | undefined
  #postData: string | undefined

  constructor(
    client: ClientIdentity,
    request: AxesRequest,
    sensitive: ReadonlySet<string>,
    now: number,
  ) {
    this.ipAddress = client.ipAddress
    this.username = client.username
    this.userAgent = client.userAgent
    this.pathInfo = client.pathInfo
    this.httpAccept = client.httpAccept
    this.#now = now
    this.#request = request
    this.#sensitive = sensitive
  }

  /** When the attempt happened. */
  get attemptTime(): Date {
    this.#attemptTime ??= new Date(this.#now)
    return this.#attemptTime
  }

  /** The query string, masked and capped (django-axes' `get_data`). */
  get getData(): string {
    this.#getData ??= requestDataString(this.#request.query, this.#sensitive)
    return this.#getData
  }

  /** The body, masked and capped (django-axes' `post_data`). */
  get postData(): string {
    this.#postData ??= requestDataString(this.#request.body, this.#sensitive)
    return this.#postData
  }
}
