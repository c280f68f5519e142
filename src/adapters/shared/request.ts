/**
 * The request as adapters hand it to the core: the session id as adapters pass it on, and a header
 * record of Web `Headers`.
 */

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
