/**
 * What a device cookie does to an attempt: a valid cookie for the attempt's username, from a device
 * that is not itself locked, moves the attempt out of the username-wide bucket into the device's
 * own; a successful login gets a new cookie.
 */

import { type Bucket, encodeBucketKey } from '../../ground/buckets.js'
import type { AxesRequest } from '../../ground/request.js'
import { LazyAttemptRecord } from '../attempt-record.js'
import type { InstanceContext } from '../context.js'
import type { Counted, Prepared } from '../preparation.js'
import type { DeviceCookies } from './types.js'

/** What a device bucket's username field holds: this prefix and the device's nonce. */
export const DEVICE_PREFIX = 'axes-device:'

/**
 * The bucket of a trusted device. It is stored as a username of its own (`axes-device:<nonce>`,
 * which no real username shares: the nonce is 128 random bits), so that every handler counts it
 * apart from the username-wide bucket (the database handler sums a username's rows).
 */
export function deviceBucket(nonce: string): Bucket {
  const fields = { username: DEVICE_PREFIX + nonce }
  return { key: encodeBucketKey(fields), fields }
}

/**
 * The buckets of an attempt from a trusted device: its buckets that do not hold the username
 * (an IP bucket still applies), and the device's bucket instead of those that do.
 */
export function trustedBuckets(buckets: readonly Bucket[], nonce: string): Bucket[] {
  const kept = buckets.filter((bucket) => !('username' in bucket.fields))
  kept.push(deviceBucket(nonce))
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
  const own = [deviceBucket(nonce)]
  const state = await context.handler.getFailures({
    buckets: own,
    rule,
    attempt: counted.input.attempt,
    now,
  })
  if (state.lockedUntil !== null) return counted
  const client = { ...counted.client, username: DEVICE_PREFIX + nonce }
  const attempt = new LazyAttemptRecord(client, request, context.sensitive, now)
  const buckets = trustedBuckets(counted.buckets, nonce)
  context.events.emit('deviceTrusted', { request, client: counted.client, device: nonce })
  return { ...counted, buckets, input: { buckets, rule, attempt, now }, device: nonce }
}
