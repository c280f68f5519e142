/**
 * Reading the admin's POSTs: the urlencoded form (at most `BODY_LIMIT` bytes) and the browser's
 * word on where the request comes from (Sec-Fetch-Site, Origin), checked with the CSRF token.
 */

import { HttpProblem } from './responses.js'

/** The largest form the admin reads, in bytes. */
export const BODY_LIMIT = 64 * 1024

/** The form of a POST: 415 unless urlencoded, 413 when larger than `BODY_LIMIT`. */
export async function readForm(request: Request): Promise<URLSearchParams> {
  const type = request.headers.get('content-type') ?? ''
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    throw new HttpProblem(415, 'Send the form as application/x-www-form-urlencoded.')
  }
  const length = Number(request.headers.get('content-length') ?? 0)
  if (length > BODY_LIMIT) throw new HttpProblem(413, 'The form is too large.')
  if (!request.body) return new URLSearchParams()
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > BODY_LIMIT) {
      await reader.cancel()
      throw new HttpProblem(413, 'The form is too large.')
    }
    chunks.push(value)
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
}

/**
 * Whether the browser says the POST comes from this host (Sec-Fetch-Site, else Origin). Absent
 * headers (old browsers, scripts) leave the decision to the token. The host is compared without the
 * scheme, since a proxy in front may end TLS.
 */

export function sameOrigin(request: Request, url: URL): boolean {
  const site = request.headers.get('sec-fetch-site')
  if (site !== null && site !== 'same-origin' && site !== 'none') return false
  const origin = request.headers.get('origin')
  if (origin === null) return true
  if (origin === 'null') return false
  try {
    const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host') ?? url.host
    return new URL(origin).host === host || new URL(origin).host === url.host
  } catch {
    return false
  }
}
