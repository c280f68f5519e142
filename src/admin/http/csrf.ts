/**
 * CSRF protection for the admin's forms: a signed double-submit token. The browser holds a random
 * value in an HttpOnly, SameSite=Strict cookie; each form carries the HMAC-SHA256 of that value under
 * the admin's secret. A POST passes only with both, matching, and (when the browser says where it
 * comes from) from the same host. A page on another site can neither read the cookie nor compute
 * the token, and a cookie planted by a sibling subdomain is useless without the secret.
 */

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/** The cookie's name. */
export const CSRF_COOKIE = 'axes_admin_csrf'
/** The form field's name. */
export const CSRF_FIELD = 'csrf'

const COOKIE_VALUE = /^[A-Za-z0-9_-]{43}$/

/** Signs and checks tokens under one secret. */
export class Csrf {
  readonly #secret: Buffer

  constructor(secret: string | Uint8Array | undefined) {
    this.#secret =
      secret === undefined
        ? randomBytes(32)
        : typeof secret === 'string'
          ? Buffer.from(secret, 'utf8')
          : Buffer.from(secret)
  }

  /** A fresh cookie value: 32 random bytes, base64url. */
  newCookieValue(): string {
    return randomBytes(32).toString('base64url')
  }

  /** The cookie's value from a Cookie header, when it has the right shape. */
  cookieValue(cookieHeader: string | null): string | null {
    if (!cookieHeader) return null
    for (const part of cookieHeader.split(';')) {
      const eq = part.indexOf('=')
      if (eq < 0 || part.slice(0, eq).trim() !== CSRF_COOKIE) continue
      const value = part.slice(eq + 1).trim()
      if (COOKIE_VALUE.test(value)) return value
    }
    return null
  }

  /** The form token for a cookie value. */
  token(cookieValue: string): string {
    return createHmac('sha256', this.#secret).update(cookieValue).digest('base64url')
  }

  /** Whether `token` is the token of `cookieValue` (compared in constant time). */
  verify(cookieValue: string | null, token: string | null): boolean {
    if (cookieValue === null || token === null) return false
    const expected = Buffer.from(this.token(cookieValue))
    const given = Buffer.from(token)
    return given.length === expected.length && timingSafeEqual(given, expected)
  }

  /** The Set-Cookie header for a cookie value. */
  setCookie(value: string, path: string, secure: boolean): string {
    return `${CSRF_COOKIE}=${value}; Path=${path}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`
  }
}
