/**
 * `node-axes/device-cookies`: signed device cookies (OWASP, "Slow Down Online Guessing Attacks
 * with Device Cookies"). `deviceCookies({ secrets })` makes the object the `deviceCookies` option
 * takes. The cookie holds a random nonce, an expiry and an HMAC-SHA-256 over both and the
 * username, with the application's secret; it holds neither the secret nor the username. Signing
 * uses Web Crypto (`globalThis.crypto.subtle`), so it runs on Node, Bun, Deno and workerd alike,
 * and it lives in its own subpath so that an application without device cookies does not carry it.
 */

import { AxesConfigError, type OptionIssue } from '../../ground/errors.js'
import { type DurationInput, parseDuration } from '../durations.js'
import { screenDevice } from './trust.js'
import type { DeviceCookies, IssuedDeviceCookie } from './types.js'

export { DEVICE_PREFIX, deviceBucket, deviceIdOf, trustedBuckets } from './trust.js'
export type { DeviceCookies, IssuedDeviceCookie } from './types.js'

/** Options of `deviceCookies`. */
export interface DeviceCookieOptions {
  /**
   * The secrets that sign device cookies, each at least 32 characters: the first signs, every one
   * verifies (add a new secret in front to rotate, drop the old one once its cookies have expired).
   * Keep them out of the code (an environment variable, a secret store).
   */
  secrets: string | readonly string[]
  /** The cookie's name. @default 'axes_device' */
  name?: string
  /** How long a device stays trusted after its last successful login. @default '30d' */
  maxAge?: DurationInput
  /** The cookie's `SameSite`. @default 'Lax' */
  sameSite?: 'Lax' | 'Strict' | 'None'
  /** The `Secure` attribute (turn it off only for plain-HTTP development). @default true */
  secure?: boolean
  /** The cookie's `Path`. @default '/' */
  path?: string
  /** The cookie's `Domain`; none (the host only) by default. */
  domain?: string
}

/** A Web Crypto key (typed from `subtle`, without the DOM library). */
type Key = Awaited<ReturnType<typeof globalThis.crypto.subtle.importKey>>

const VERSION = 'v1'
const MIN_SECRET = 32
const DAY = 86_400_000
const MAX_COOKIE = 200
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
/** Printable ASCII without `;`, `,` or spaces: what a cookie attribute's value may be. */
const ATTRIBUTE = /^[!-+\--:<-~]*$/

/** base64url without padding. */
function base64url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** Decodes base64url; null when it is not. */
function fromBase64url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'))
    return Uint8Array.from(binary, (c) => c.charCodeAt(0))
  } catch {
    return null
  }
}

/** The values of every cookie named `name` in a `Cookie` header (at most three). */
export function cookieValues(header: string, name: string): string[] {
  const values: string[] = []
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue
    values.push(part.slice(eq + 1).trim())
    if (values.length === 3) break
  }
  return values
}

function problems(options: DeviceCookieOptions): OptionIssue[] {
  const issues: OptionIssue[] = []
  const key = 'deviceCookies'
  const secrets = typeof options?.secrets === 'string' ? [options.secrets] : options?.secrets
  if (!Array.isArray(secrets) || secrets.length === 0) {
    issues.push({ key, message: 'needs secrets: a string or a non-empty list of strings' })
  } else if (secrets.some((s) => typeof s !== 'string' || s.length < MIN_SECRET)) {
    issues.push({
      key,
      message: `needs every secret to be a string of at least ${MIN_SECRET} characters`,
    })
  }
  if (
    options?.name !== undefined &&
    (typeof options.name !== 'string' || !TOKEN.test(options.name))
  ) {
    issues.push({ key, message: 'needs name to be a cookie name (letters, digits, _ and -)' })
  }
  const sameSite = options?.sameSite
  if (
    sameSite !== undefined &&
    sameSite !== 'Lax' &&
    sameSite !== 'Strict' &&
    sameSite !== 'None'
  ) {
    issues.push({ key, message: "needs sameSite to be 'Lax', 'Strict' or 'None'" })
  }
  if (sameSite === 'None' && options.secure === false) {
    issues.push({ key, message: "sameSite 'None' needs secure (browsers refuse it otherwise)" })
  }
  for (const attr of ['path', 'domain'] as const) {
    const value = options?.[attr]
    if (value !== undefined && (typeof value !== 'string' || !ATTRIBUTE.test(value))) {
      issues.push({ key, message: `needs ${attr} to be text without ';', ',' or spaces` })
    }
  }
  if (options?.maxAge !== undefined) {
    const parsed = parseDuration(options.maxAge)
    if (!parsed.ok || parsed.ms === null || parsed.ms <= 0) {
      issues.push({ key, message: "needs maxAge to be a positive duration such as '30d'" })
    }
  }
  return issues
}

/**
 * Makes the device cookies that the `deviceCookies` option takes. Throws an `AxesConfigError` for
 * a missing or short secret or a bad attribute.
 * @example
 * ```ts
 * import { createAxes } from 'node-axes'
 * import { deviceCookies } from 'node-axes/device-cookies'
 *
 * const axes = createAxes({
 *   lockoutParameters: ['username'],
 *   deviceCookies: deviceCookies({ secrets: [process.env.AXES_DEVICE_SECRET ?? ''] }),
 * })
 * ```
 */
export function deviceCookies(options: DeviceCookieOptions): DeviceCookies {
  const issues = problems(options)
  if (issues.length > 0) throw new AxesConfigError(issues)
  const secrets = typeof options.secrets === 'string' ? [options.secrets] : [...options.secrets]
  const name = options.name ?? 'axes_device'
  const maxAgeMs =
    options.maxAge === undefined ? 30 * DAY : (parseDuration(options.maxAge) as { ms: number }).ms
  let attributes = `; Path=${options.path ?? '/'}`
  if (options.domain !== undefined) attributes += `; Domain=${options.domain}`
  attributes += `; Max-Age=${Math.floor(maxAgeMs / 1000)}; HttpOnly`
  if (options.secure !== false) attributes += '; Secure'
  attributes += `; SameSite=${options.sameSite ?? 'Lax'}`

  const encoder = new TextEncoder()
  let keys: Promise<Key[]> | null = null
  const keysOf = (): Promise<Key[]> => {
    keys ??= Promise.all(
      secrets.map((secret) =>
        globalThis.crypto.subtle.importKey(
          'raw',
          encoder.encode(secret),
          { name: 'HMAC', hash: 'SHA-256' },
          false,
          ['sign', 'verify'],
        ),
      ),
    )
    return keys
  }
  const signed = (nonce: string, expires: string, username: string): Uint8Array =>
    encoder.encode(`${VERSION}.${nonce}.${expires}.${username}`)

  const verifyOne = async (
    value: string,
    username: string,
    now: number,
  ): Promise<string | null> => {
    if (value.length > MAX_COOKIE) return null
    const [version, nonce, expires, mac, ...rest] = value.split('.')
    if (version !== VERSION || rest.length > 0 || !nonce || !expires || !mac) return null
    if (!/^[A-Za-z0-9_-]{22}$/.test(nonce) || !/^[0-9a-z]{1,12}$/.test(expires)) return null
    if (Number.parseInt(expires, 36) * 1000 <= now) return null
    const signature = fromBase64url(mac)
    if (signature === null || signature.length !== 32) return null
    const data = signed(nonce, expires, username)
    for (const key of await keysOf()) {
      if (await globalThis.crypto.subtle.verify('HMAC', key, signature, data)) return nonce
    }
    return null
  }

  const cookies: DeviceCookies = {
    name,
    screen: (context, request, counted) => screenDevice(cookies, context, request, counted),
    async succeeded(context, decision) {
      const username = decision.client.username
      if (username === null) return
      decision.setCookie = (await cookies.issue(username, context.options.clock())).setCookie
    },
    async verify(cookieHeader, username, now) {
      if (!cookieHeader) return null
      for (const value of cookieValues(cookieHeader, name)) {
        const nonce = await verifyOne(value, username, now)
        if (nonce !== null) return nonce
      }
      return null
    },
    async issue(username, now): Promise<IssuedDeviceCookie> {
      const nonce = base64url(globalThis.crypto.getRandomValues(new Uint8Array(16)))
      const expires = Math.floor((now + maxAgeMs) / 1000).toString(36)
      const [key] = await keysOf()
      const mac = await globalThis.crypto.subtle.sign(
        'HMAC',
        key as Key,
        signed(nonce, expires, username),
      )
      const value = `${VERSION}.${nonce}.${expires}.${base64url(new Uint8Array(mac))}`
      return { nonce, setCookie: `${name}=${value}${attributes}` }
    },
  }
  return cookies
}
