/**
 * Lockout parameters → buckets. django-axes' `AXES_LOCKOUT_PARAMETERS` is a list whose items are
 * OR-ed; an inner list's names are AND-ed. Each item becomes one bucket of the client.
 */

import { AxesConfigError } from './errors.js'
import type { AxesRequest, ClientIdentity, Credentials } from './request.js'

/** A field a client can be locked out by (django-axes' names). */
export type LockoutParameter = 'ip_address' | 'username' | 'user_agent'

/**
 * One lockout-parameter bucket: the values of the fields it is keyed on. `['ip_address',
 * ['username', 'ip_address']]` gives two buckets per client: its IP, and its username-and-IP pair.
 */
export interface Bucket {
  /**
   * The bucket's canonical key. Fields appear in the order ip_address, username, user_agent, each
   * as a tag (`i`, `u`, `a`) followed by `-` for null or by the value's length, `:` and the value:
   * `i8:10.1.1.1`, `i8:10.1.1.1u5:alice`. The encoding names its fields and delimits its values,
   * so no two different buckets share a key (django-axes' cache keys collide: a username
   * `10.1.1.1` hits the IP bucket of 10.1.1.1).
   */
  readonly key: string
  /**
   * The fields and their values; a field absent here is not part of the bucket. As the core gives
   * them: `ip_address` is an IP in canonical text (or null), and no value holds a NUL or a lone
   * surrogate.
   */
  readonly fields: Readonly<Partial<Record<LockoutParameter, string | null>>>
}

/** The names a lockout parameter may take. */
export const LOCKOUT_PARAMETER_NAMES: readonly LockoutParameter[] = [
  'ip_address',
  'username',
  'user_agent',
]

/** One item of `lockoutParameters`: a name, or a list of names that must all match. */
export type LockoutParameterItem = LockoutParameter | readonly LockoutParameter[]

/** Lockout parameters computed per request (django-axes' callable `AXES_LOCKOUT_PARAMETERS`). */
export type LockoutParametersFunction = (
  request: AxesRequest,
  credentials: Credentials | null,
) => readonly LockoutParameterItem[]

const TAGS: Record<LockoutParameter, string> = { ip_address: 'i', username: 'u', user_agent: 'a' }
const FIELD_BY_TAG: Record<string, LockoutParameter> = {
  i: 'ip_address',
  u: 'username',
  a: 'user_agent',
}

/** The allowed names in django-axes' order, as its error message lists them. */
const DJANGO_ALLOWED = 'username, ip_address, user_agent'

/**
 * Checks a lockout-parameter list and returns the problems found (empty when valid), with
 * django-axes' wording for unknown names.
 */
export function lockoutParameterProblems(value: unknown): string[] {
  if (!Array.isArray(value)) {
    return ['must be a list such as ["ip_address", ["username", "ip_address"]], or a function']
  }
  if (value.length === 0) return ['must name at least one parameter']
  const problems: string[] = []
  for (const item of value) {
    const names: unknown[] = Array.isArray(item) ? item : [item]
    if (Array.isArray(item) && item.length === 0) problems.push('an inner list must not be empty')
    for (const name of names) {
      if (typeof name !== 'string' || !LOCKOUT_PARAMETER_NAMES.includes(name as LockoutParameter)) {
        problems.push(
          `'${String(name)}' lockout parameter is not allowed. Allowed parameters: ${DJANGO_ALLOWED}`,
        )
      }
    }
  }
  return problems
}

/** Throws an `AxesConfigError` unless `value` is a valid lockout-parameter list. */
export function assertLockoutParameters(value: unknown, key = 'lockoutParameters'): void {
  const problems = lockoutParameterProblems(value)
  if (problems.length > 0) {
    throw new AxesConfigError(problems.map((message) => ({ key, message })))
  }
}

/** Encodes one bucket's key (see `Bucket.key`). */
export function encodeBucketKey(
  fields: Readonly<Partial<Record<LockoutParameter, string | null>>>,
): string {
  let key = ''
  for (const name of LOCKOUT_PARAMETER_NAMES) {
    if (!(name in fields)) continue
    const value = fields[name]
    key +=
      value === null || value === undefined
        ? `${TAGS[name]}-`
        : `${TAGS[name]}${value.length}:${value}`
  }
  return key
}

/** Decodes a bucket key back into its fields; null when the key is not a valid encoding. */
export function decodeBucketKey(
  key: string,
): Partial<Record<LockoutParameter, string | null>> | null {
  const fields: Partial<Record<LockoutParameter, string | null>> = {}
  let at = 0
  while (at < key.length) {
    // Stryker disable next-line StringLiteral: at < key.length, so key[at] is never undefined (the fallback is for the type checker)
    const field = FIELD_BY_TAG[key[at] ?? '']
    if (field === undefined || field in fields) return null
    at += 1
    if (key[at] === '-') {
      fields[field] = null
      at += 1
      continue
    }
    const colon = key.indexOf(':', at)
    // Stryker disable next-line EqualityOperator: at colon === at the digits are empty, and the digit test below refuses them
    if (colon <= at) return null
    const digits = key.slice(at, colon)
    if (!/^\d+$/.test(digits)) return null
    const length = Number(digits)
    const end = colon + 1 + length
    if (end > key.length) return null
    fields[field] = key.slice(colon + 1, end)
    at = end
  }
  return fields
}

/**
 * The client's buckets for a lockout-parameter list: one per item, deduplicated by key (django-axes
 * counts a duplicated key twice). A bucket made of `username` alone is skipped when the request has
 * no username: it would otherwise gather every anonymous attempt into one global bucket
 * (django-axes' issue #261; django-axes skips it for `["username"]` only).
 */
export function bucketsFor(
  parameters: readonly LockoutParameterItem[],
  client: Pick<ClientIdentity, 'ipAddress' | 'username' | 'userAgent'>,
): Bucket[] {
  const buckets: Bucket[] = []
  for (const item of parameters) {
    let ip = false
    let user = false
    let agent = false
    for (const name of typeof item === 'string' ? [item] : item) {
      if (name === 'ip_address') ip = true
      else if (name === 'username') user = true
      else if (name === 'user_agent') agent = true
    }
    if (user && !ip && !agent && client.username === null) continue
    // Fields in canonical order, so that every bucket of one kind has one shape and one key form.
    const fields: Partial<Record<LockoutParameter, string | null>> = {}
    let key = ''
    if (ip) {
      fields.ip_address = client.ipAddress
      key += keyPart('i', client.ipAddress)
    }
    if (user) {
      fields.username = client.username
      key += keyPart('u', client.username)
    }
    if (agent) {
      fields.user_agent = client.userAgent
      key += keyPart('a', client.userAgent)
    }
    if (key === '' || buckets.some((bucket) => bucket.key === key)) continue
    buckets.push({ key, fields })
  }
  return buckets
}

function keyPart(tag: string, value: string | null): string {
  return value === null ? `${tag}-` : `${tag}${value.length}:${value}`
}
