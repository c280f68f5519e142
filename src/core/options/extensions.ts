/**
 * The options table, last part: node-axes' own options (django-axes has no setting for them),
 * declared as ./lockout.ts declares its part.
 */

import type { DurationInput } from '../durations.js'
import { type AxesLogger, defaultLogger } from './logger.js'
import { resolveReservation } from './resolvers.js'
import { nodeOption, option } from './spec.js'
import type { UsernameNormalization } from './types.js'
import * as v from './validators.js'

/** node-axes' extensions, and the logger (`AXES_LOGGER` is deprecated in django-axes). */
export const NODE_AXES_OPTIONS = {
  /**
   * Group IPv6 clients by this prefix length, so that one host rotating addresses inside its /64
   * counts as one client. The network address is what is counted and stored. Null counts every
   * address on its own, as django-axes does.
   * @default null
   * @example
   * ```ts
   * createAxes({ ipv6Prefix: 64 })
   * ```
   */
  ipv6Prefix: nodeOption<number | null>(v.ipv6Prefix, null),
  /**
   * Normalise usernames before counting: `'nfkc'` (Unicode compatibility form), `'casefold'`,
   * `'nfkc-casefold'` (both, so `Bob`, `BOB` and `ｂｏｂ` share a bucket), or a function.
   * django-axes does not normalise.
   * @default false
   */
  usernameNormalization: nodeOption<UsernameNormalization>(v.usernameNormalization, false),
  /**
   * What to do when the store fails: `'failClosed'` refuses the login (HTTP 503) rather than let it
   * through unprotected; `'failOpen'` lets it through. Every occurrence is logged.
   * @default 'failClosed'
   */
  onStoreError: nodeOption<'failClosed' | 'failOpen'>(v.onStoreError, 'failClosed'),
  /**
   * Sends the IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers-11) with the
   * adapters' answers to a wrong password and to a lockout: `RateLimit-Policy: "axes";q=<failure
   * limit>;w=<cool-off seconds>` and `RateLimit: "axes";r=<attempts left>;t=<seconds until they
   * reset or the lock lifts>`, beside `Retry-After`.
   * @default false
   */
  rateLimitHeaders: nodeOption<boolean>(v.bool, false),
  /**
   * What to do with a login whose client IP cannot be determined (no peer address, as on
   * serverless and edge runtimes, or proxy options that do not match) while the lockout parameters
   * count by IP: `'refuse'` throws an `AxesError` (`AXES_NO_CLIENT_IP`) and counts nothing;
   * `'shareBucket'` counts every such client in one shared IP bucket, as django-axes does, where
   * one attacker locks all of them out. Check axes.W012 reports either the first time.
   * `fromDjangoSettings` sets `'shareBucket'`.
   * @default 'refuse'
   */
  unknownClientIp: option<'refuse' | 'shareBucket'>({
    check: v.unknownClientIp,
    fallback: 'refuse',
    djangoDefault: () => 'shareBucket',
  }),
  /**
   * How long a reservation (an attempt whose credentials are being verified) holds its place if the
   * application never settles it.
   * @default '30s'
   */
  reservationTimeout: option<DurationInput, number>({
    check: v.duration(false, false),
    resolve: resolveReservation,
    into: 'reservationTimeoutMs',
  }),
  /**
   * Check codes not to report, e.g. `['axes.W006']`.
   * @default []
   */
  silencedChecks: nodeOption<readonly string[]>(v.strList, []),
  /**
   * Where node-axes logs; `false` for nowhere. The default writes warnings and errors to the
   * console and drops `info` (each failure, login and logout) and `debug`; pass `console` or your
   * own logger to see them. A string is django-axes' deprecated `AXES_LOGGER` (ignored, check
   * axes.W004).
   * @default warnings and errors to the console
   */
  logger: option<AxesLogger | false | string, AxesLogger | false>({
    check: v.logger,
    resolve: (given) => (given === undefined || typeof given === 'string' ? defaultLogger : given),
    django: true,
    djangoKind: 'deprecatedLogger',
  }),
  /**
   * The clock, in milliseconds since the epoch (for tests).
   * @default Date.now
   */
  clock: option<() => number>({ check: v.clock, fallback: Date.now }),
}
