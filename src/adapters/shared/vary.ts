/**
 * `Vary` as adapters write it: a lockout response that varies on `Origin` (a list of
 * `allowedCorsOrigins`) adds that field to the `Vary` the application has set already, instead of
 * replacing it.
 */

/** The fields of a `Vary` value (a header as frameworks return it: a string, a list, or nothing). */
function varyFields(value: unknown): string[] {
  const text = Array.isArray(value) ? value.join(',') : typeof value === 'string' ? value : ''
  return text
    .split(',')
    .map((field) => field.trim())
    .filter((field) => field !== '')
}

/**
 * `headers` with their `vary` joined to the `Vary` already set (`existing`): each field once,
 * compared without regard to case, the existing ones first; `*` alone when either is `*`.
 * Headers without `vary` come back as they are.
 */
export function withVary(
  headers: Readonly<Record<string, string>>,
  existing: unknown,
): Record<string, string> {
  const added = headers.vary
  if (added === undefined) return headers as Record<string, string>
  const fields: string[] = []
  const seen = new Set<string>()
  for (const field of [...varyFields(existing), ...varyFields(added)]) {
    const key = field.toLowerCase()
    if (seen.has(key)) continue
    seen.add(key)
    fields.push(field)
  }
  return { ...headers, vary: seen.has('*') ? '*' : fields.join(', ') }
}
