/**
 * Reading a login body from a Web `Request` within a size limit (Hono and `node-axes/web`): JSON,
 * urlencoded or multipart, parsed once, with the bytes kept for the application to read again.
 */

/** A body read: parsed (with its bytes), or refused with the status to answer. */
export type WebBodyRead =
  | { ok: true; body: unknown; bytes: Uint8Array<ArrayBuffer> }
  | { ok: false; status: 400 | 413; message: string }

/**
 * Reads at most `limit` bytes of `request`'s body (a larger one, declared or sent, is refused
 * 413 without reading on), and parses it by its content type: JSON to a value (400 when
 * malformed), urlencoded and multipart forms to `URLSearchParams` (files left out), anything else
 * to no body. The stream is consumed; the bytes come back with the parsed body.
 */
export async function readWebBody(request: Request, limit: number): Promise<WebBodyRead> {
  const tooLarge = { ok: false, status: 413, message: 'Request body too large.' } as const
  const declared = Number(request.headers.get('content-length'))
  if (Number.isFinite(declared) && declared > limit) return tooLarge
  const stream = request.body
  const chunks: Uint8Array[] = []
  let size = 0
  if (stream) {
    const reader = stream.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > limit) {
        await reader.cancel()
        return tooLarge
      }
      chunks.push(value)
    }
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  const header = request.headers.get('content-type') ?? ''
  const type = header.toLowerCase()
  if (type.includes('json')) {
    try {
      return { ok: true, body: JSON.parse(new TextDecoder().decode(bytes)) as unknown, bytes }
    } catch {
      return { ok: false, status: 400, message: 'Malformed JSON.' }
    }
  }
  if (type.startsWith('application/x-www-form-urlencoded')) {
    return { ok: true, body: new URLSearchParams(new TextDecoder().decode(bytes)), bytes }
  }
  if (type.startsWith('multipart/form-data')) {
    try {
      // The header as sent: a multipart boundary is case-sensitive (browsers' are mixed-case).
      const form = await new Response(bytes, { headers: { 'content-type': header } }).formData()
      const fields = new URLSearchParams()
      form.forEach((value, key) => {
        if (typeof value === 'string') fields.append(key, value)
      })
      return { ok: true, body: fields, bytes }
    } catch {
      return { ok: false, status: 400, message: 'Malformed form data.' }
    }
  }
  return { ok: true, body: undefined, bytes }
}
