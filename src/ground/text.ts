/** String utilities for client-supplied text: safe to count, store and log. */

/**
 * Makes a client-supplied string safe to count and store: lone surrogates become U+FFFD (they
 * cannot be encoded as UTF-8), NUL characters become U+FFFD (PostgreSQL cannot store them), and
 * the result is cut to `max` code points (as Python's `[:max]`, never splitting a character).
 */
export function sanitizeText(value: string, max: number): string {
  // The common case, already safe, costs two scans and no copy.
  if (value.length <= max && !value.includes('\0') && value.isWellFormed()) return value
  // Look at no more than needed: a 1 MB header costs what 2 × max characters cost.
  let text = value.length > max * 2 ? value.slice(0, max * 2) : value
  text = text.toWellFormed()
  if (text.includes('\0')) text = text.replaceAll('\0', '\uFFFD')
  return cutCodePoints(text, max)
}

/** Cuts a well-formed string to at most `max` code points, never splitting a character. */
export function cutCodePoints(text: string, max: number): string {
  if (text.length <= max) return text
  let count = 0
  let end = 0
  for (const char of text) {
    if (count === max) break
    count += 1
    end += char.length
  }
  return text.slice(0, end)
}

// biome-ignore lint/complexity/useRegexLiterals: a literal would need control characters, which lint refuses
const CONTROL_CHARACTERS = new RegExp('[\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029]', 'g')

/** Escapes C0 and C1 control characters as `\uXXXX` (log-injection safety). */
export function escapeControl(text: string): string {
  return text.replace(
    CONTROL_CHARACTERS,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}
