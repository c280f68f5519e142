/** The types of `node-axes/device-cookies`: the object `deviceCookies()` makes, and its cookies. */

import type { LoginDefence } from '../defence.js'

/** A device cookie issued after a successful login. */
export interface IssuedDeviceCookie {
  /** The device's nonce (random, 128 bits, base64url): what its bucket is keyed on. */
  readonly nonce: string
  /** The value of the `Set-Cookie` header to send. */
  readonly setCookie: string
}

/**
 * Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): what the option
 * `deviceCookies` takes, made by `deviceCookies()` from `node-axes/device-cookies`.
 */
export interface DeviceCookies extends LoginDefence {
  /** The cookie's name. */
  readonly name: string
  /**
   * The nonce of a valid device cookie for `username` in the request's `Cookie` header, or null:
   * null for no cookie, a forged or tampered one, an expired one, and one issued for another
   * username. Never throws for a bad cookie.
   */
  verify(cookieHeader: string | undefined, username: string, now: number): Promise<string | null>
  /** A new device cookie for `username`, valid from `now`. */
  issue(username: string, now: number): Promise<IssuedDeviceCookie>
}
