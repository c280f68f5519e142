/**
 * What a device cookie does to an attempt: a valid cookie for the attempt's username, from a device
 * that is not itself locked, moves the attempt out of the username-wide bucket into the device's
 * own; a successful login gets a new cookie.
 */

import { type Bucket, encodeBucketKey } from '../../ground/buckets.js'
import { deviceUsername } from '../../ground/devices.js'
import { sha256Hex128 } from '../../ground/digest.js'
import type { AxesRequest } from '../../ground/request.js'
import { LazyAttemptRecord } from '../attempt-record.js'
import type { InstanceContext } from '../context.js'
import type { Counted, Prepared } from '../preparation.js'
import type { DeviceCookies } from './types.js'

export { DEVICE_PREFIX } from '../../ground/devices.js'

/**
 * A device's id: SHA-256 (Web Crypto) over its cookie's nonce, the first 16 bytes in hex. What its
 * bucket, the admin, the command line and the `deviceTrusted` event name it by: no part of the
 * cookie is stored or shown.
 */
export function deviceIdOf(nonce: string): Promise<string> {
  return sha256Hex128(nonce)
}

/**
 * The bucket of a trusted device. It is stored as a username of its own
 * (`axes-device:<id>:<username>`, which no real username shares unless it knows the device id, a
 * hash of 128 random bits), so that every handler counts it apart from the username-wide bucket
 * (the database handler sums a username's rows), and the admin can say whose device it is.
 */
export function deviceBucket(deviceId: string, username: string): Bucket {
  const fields = { username: deviceUsername(deviceId, username) }
  return { key: encodeBucketKey(fields), fields }
}

/**
 * The buckets of an attempt from a trusted device: its buckets that do not hold the username
 * (an IP bucket still applies), and the device's bucket instead of those that do.
 */
export function trustedBuckets(buckets: readonly Bucket[], device: Bucket): Bucket[] {
  const kept = buckets.filter((bucket) => !('username' in bucket.fields))
  kept.push(device)
  return kept
}

/**
 * Screens an attempt: counted in its device's bucket when it presents a valid device cookie for
 * its username and the device is not locked (a device that has failed its own limit is an
 * untrusted client again); unchanged otherwise.
 */
export async function screenDevice(
  cookies: DeviceCookies,
  context: InstanceContext,
  request: AxesRequest,
  counted: Counted,
): Promise<Prepared> {
  const username = counted.client.username
  const header = request.headers?.cookie
  const cookie = typeof header === 'string' ? header : header?.join('; ')
  if (username === null || !cookie) return counted
  const now = counted.input.now
  const nonce = await cookies.verify(cookie, username, now)
  if (nonce === null) return counted
  const rule = counted.rule
  const deviceId = await deviceIdOf(nonce)
  const device = deviceBucket(deviceId, username)
  const own = [device]
  const state = await context.handler.getFailures({
    buckets: own,
    rule,
    attempt: counted.input.attempt,
    now,
  })
  if (state.lockedUntil !== null) return counted
  const client = { ...counted.client, username: device.fields.username as string }
  const attempt = new LazyAttemptRecord(client, request, context.sensitive, now)
  const buckets = trustedBuckets(counted.buckets, device)
  context.events.emit('deviceTrusted', { request, client: counted.client, device: deviceId })
  return { ...counted, buckets, input: { buckets, rule, attempt, now }, device: deviceId }
}
