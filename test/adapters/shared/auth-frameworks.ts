/**
 * What the auth frameworks' tests (NestJS, better-auth, Auth.js) share: the instance they lock out
 * with, the messages node-axes answers, and the size of the parallel burst.
 */

import { type AxesOptions, createAxes } from '../../../src/index.js'
import { burstSize } from '../../support/thoroughness.js'

/** node-axes' default cool-off message. */
export const COOLOFF_MESSAGE = 'Account locked: too many login attempts. Please try again later.'

/** The message of the 400 for a field that is not one text value. */
export const MALFORMED = 'Malformed login: send each field once, as text.'

/** Parallel wrong passwords in the exactness case: 200 under CI. */
export const BURST = burstSize(200)

/** A memory-handler instance: 3 failures, a minute's cool-off, `Retry-After`, no logging. */
export function lockoutAxes(options: AxesOptions = {}) {
  return createAxes({
    handler: 'memory',
    failureLimit: 3,
    cooloffTime: '1m',
    enableRetryAfterHeader: true,
    logger: false,
    ...options,
  })
}
