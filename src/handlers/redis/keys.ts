/**
 * The Redis handler's key layout: `<prefix>{<tag>}:<bucket key>`, the hash tag that places a
 * bucket in a Redis Cluster slot (`{all}`, or the bucket's leading field), the SCAN pattern that
 * finds node-axes' keys, and the check that a client's buckets can share a slot.
 */

import { LOCKOUT_PARAMETER_NAMES, type LockoutParameterItem } from '../../ground/buckets.js'

/** How keys are named under one prefix and hash-tag mode. */
export class KeyLayout {
  /**
   * @param prefix what every key starts with (no `{` or `}`)
   * @param single `hashTag: 'single'`: every key has the tag `{all}`
   */
  constructor(
    readonly prefix: string,
    readonly single: boolean,
  ) {}

  /** `<prefix>{<tag>}`: the tag Redis Cluster hashes, from the bucket's leading field. */
  tagOf(bucketKey: string): string {
    if (this.single) return `${this.prefix}{all}`
    // Redis hashes what lies between the first { and the next }: a } in a value would cut it
    // short (harmless for identity, which the full key keeps), but keep the tag whole anyway.
    const field = leadingField(bucketKey)
    return `${this.prefix}{${field.includes('}') ? field.replaceAll('}', ')') : field}}`
  }

  /** The Redis key of a bucket, from its canonical key. */
  keyOf(bucketKey: string): string {
    return `${this.tagOf(bucketKey)}:${bucketKey}`
  }

  /**
   * The bucket key inside a Redis key under the prefix, or null when the key is not a bucket's
   * (a reservation's `<prefix>{<tag>}#r:…`, say).
   */
  bucketKeyOf(redisKey: string): string | null {
    const close = redisKey.indexOf('}', this.prefix.length)
    if (close < 0 || redisKey[close + 1] !== ':') return null
    return redisKey.slice(close + 2)
  }

  /** The SCAN MATCH pattern of every key of node-axes under the prefix. */
  scanPattern(): string {
    return `${globEscape(this.prefix)}{*`
  }
}

/** Escapes a string for a SCAN MATCH pattern. */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&')
}

/** The leading field of a bucket key (`i8:10.1.1.1` of `i8:10.1.1.1u5:alice`), for its hash tag. */
function leadingField(key: string): string {
  if (key[1] === '-') return key.slice(0, 2)
  const colon = key.indexOf(':')
  const end = colon + 1 + Number(key.slice(1, colon))
  return key.slice(0, end)
}

/** The field that tags an item's buckets with `hashTag: 'field'`: its IP, else username, else user agent. */
export function leadingParameter(item: LockoutParameterItem): string {
  const names: readonly string[] = typeof item === 'string' ? [item] : item
  for (const name of LOCKOUT_PARAMETER_NAMES) if (names.includes(name)) return name
  return ''
}

/** A lockout-parameter item as an error message names it (`username+ip_address`). */
export function describeItem(item: LockoutParameterItem): string {
  return typeof item === 'string' ? item : item.join('+')
}

/** Why buckets of these shapes cannot share a hash slot with `hashTag: 'field'`. */
export function fieldTagMisfit(shapes: readonly string[]): string {
  return (
    "redis handler: with hashTag 'field' every bucket of a client must have the same leading " +
    'field (its IP, say) to share a hash slot on Redis Cluster, and these do not: ' +
    `${shapes.join(', ')}. Use redisHandler({ hashTag: 'single' }), or ` +
    "lockout parameters whose every item holds the IP, such as ['ip_address', ['username', 'ip_address']]"
  )
}
