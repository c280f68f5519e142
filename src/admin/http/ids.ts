/**
 * Attempt ids in the admin's URLs and forms: encoded so that any id (a memory bucket key holds the
 * client's values) travels unchanged, and decoded back.
 */

import { HttpProblem } from './responses.js'

/**
 * An attempt id as it travels in URLs and forms: a plain id (a database row's number) as it is,
 * anything else (a memory bucket key, which holds the client's values) as `~` and its UTF-8 in
 * base64url, so that no character of it is changed on the way.
 */
export function encodeId(id: string): string {
  return /^[A-Za-z0-9_-]{1,64}$/.test(id) ? id : `~${Buffer.from(id, 'utf8').toString('base64url')}`
}

/** The id back from `encodeId`'s form (a URL segment may also arrive percent-encoded). */
export function decodeId(token: string): string {
  let text = token
  if (text.includes('%')) {
    try {
      text = decodeURIComponent(text)
    } catch {
      throw new HttpProblem(404, 'Not found.')
    }
  }
  return text.startsWith('~') ? Buffer.from(text.slice(1), 'base64url').toString('utf8') : text
}
