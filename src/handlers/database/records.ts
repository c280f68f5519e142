/**
 * What the database handler checks and trims before anything reaches SQL: IP addresses in canonical
 * form, text cut to django-axes' column lengths, and how much request data a row keeps.
 */

import type { CountInput } from '../../ground/contract.js'
import { AxesError } from '../../ground/errors.js'
import { parseIp } from '../../ground/ip.js'
import { cutCodePoints } from '../../ground/text.js'

/**
 * How much of the masked request data one row keeps: the newest 2048 characters, about the last two
 * requests at django-axes' 1024 per request (django-axes lets it grow without end; a large row also
 * makes every later failure slower to write).
 */
export const REQUEST_DATA_CAP = 2048

/** What django-axes writes between two requests' data in one row. */
export const SEPARATOR = '\n---------\n'

/** An IPv4 address in canonical form (no leading zeros): the common case, checked without parsing. */
const CANONICAL_IPV4 =
  /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/

/**
 * A record cut to django-axes' column lengths (the core already cuts them; a handler called
 * directly must still never hit the database's length errors).
 */
export function fitted<
  T extends { username: string | null; userAgent: string; pathInfo: string; httpAccept: string },
>(record: T): T {
  const cut = (value: string, max: number) =>
    value.length <= max ? value : cutCodePoints(value.toWellFormed(), max)
  if (
    (record.username === null || record.username.length <= 255) &&
    record.userAgent.length <= 255 &&
    record.pathInfo.length <= 255 &&
    record.httpAccept.length <= 1025
  ) {
    return record
  }
  // Read every field through the record (some are getters) rather than spreading it.
  const copy: Record<string, unknown> = {}
  for (const key of ['ipAddress', 'attemptTime', 'getData', 'postData', 'sessionHash']) {
    if (key in record) copy[key] = (record as Record<string, unknown>)[key]
  }
  return {
    ...copy,
    username: record.username === null ? null : cut(record.username, 255),
    userAgent: cut(record.userAgent, 255),
    pathInfo: cut(record.pathInfo, 255),
    httpAccept: cut(record.httpAccept, 1025),
  } as unknown as T
}

/**
 * What reaches SQL is what the core promises: an IP column gets an IP (PostgreSQL's inet refuses
 * anything else with a bare SQL error), and no text holds a NUL (PostgreSQL cannot store one).
 */
export function checkIp(value: string | null): void {
  if (value !== null && !CANONICAL_IPV4.test(value) && parseIp(value)?.text !== value) {
    throw new AxesError(
      'AXES_INVALID_INPUT',
      `the database handler was given ${JSON.stringify(value.slice(0, 60))} as an IP address; it takes canonical IP text or null`,
    )
  }
}

/** Checks every IP address of a counting call (the attempt's and its buckets'). */
export function checkInput(input: CountInput): void {
  let checked: string | null = null
  for (const value of [
    input.attempt.ipAddress,
    ...input.buckets.map((b) => b.fields.ip_address ?? null),
  ]) {
    if (value === null || value === checked) continue
    checked = value
    checkIp(value)
  }
}
