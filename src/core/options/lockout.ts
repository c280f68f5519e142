/**
 * The options table, first part: when a client is locked out, for how long, and who is exempt.
 * Each option is declared once: its doc comment, what it accepts, its check, its default and its
 * django-axes setting. ./table.ts joins the parts; `AxesOptions`, `ResolvedOptions`,
 * `resolveOptions` and `fromDjangoSettings` derive from it.
 */

import type { LockoutParameterItem, LockoutParametersFunction } from '../../ground/buckets.js'
import type { AxesRequest, Credentials } from '../../ground/request.js'
import type { DurationInput } from '../durations.js'
import {
  lockoutParametersFromDeprecatedFlags,
  resolveCooloff,
  resolveLockoutParameters,
  resolveTiers,
} from './resolvers.js'
import { nodeOption, option, pathSetting, setting } from './spec.js'
import type { CooloffFunction, FailureLimitFunction, LockoutTier } from './types.js'
import * as v from './validators.js'

/** The deprecated flags `lockoutParametersFromDeprecatedFlags` reads. */
type DeprecatedFlags = Parameters<typeof lockoutParametersFromDeprecatedFlags>[0]

/** django-axes' lockout settings (and node-axes' `adminPath`), in django-axes' order. */
export const LOCKOUT_OPTIONS = {
  /**
   * Master switch (`AXES_ENABLED`). When false, every request is allowed and nothing is recorded.
   * @default true
   */
  enabled: setting<boolean>(v.bool, true),
  /**
   * Failures at which a client is locked out (`AXES_FAILURE_LIMIT`): a number, or a function of the
   * request and credentials. Ignored when `lockoutTiers` is set (the lowest tier's count applies).
   * django-axes' default is 3 (`fromDjangoSettings` keeps it).
   * @default 5
   */
  failureLimit: option<number | FailureLimitFunction>({
    check: v.failureLimit,
    fallback: 5,
    django: true,
    djangoKind: 'valueOrPath',
    djangoDefault: () => 3,
  }),
  /**
   * Whether reaching the limit locks the client out (`AXES_LOCK_OUT_AT_FAILURE`). When false,
   * failures are still counted but nobody is locked.
   * @default true
   */
  lockOutAtFailure: setting<boolean>(v.bool, true),
  /**
   * What identifies a client (`AXES_LOCKOUT_PARAMETERS`): a list of `ip_address`, `username`,
   * `user_agent`; items are OR-ed, an inner list's names AND-ed. Or a function of the request and
   * credentials returning such a list. When it is not given, the deprecated flags decide if any is
   * given (as in django-axes), else node-axes' default; django-axes' default is `['ip_address']`
   * (`fromDjangoSettings` keeps it).
   * @default [['username', 'ip_address']]
   * @example
   * ```ts
   * createAxes({ lockoutParameters: ['ip_address', ['username', 'ip_address']] })
   * ```
   */
  lockoutParameters: option<readonly LockoutParameterItem[] | LockoutParametersFunction>({
    check: v.lockoutParameters,
    resolve: resolveLockoutParameters,
    django: true,
    djangoKind: 'valueOrPath',
    djangoDefault: (converted) =>
      lockoutParametersFromDeprecatedFlags(converted as DeprecatedFlags),
  }),
  /**
   * How long failures count and a lockout lasts (`AXES_COOLOFF_TIME`): a number of hours, a string
   * with a unit (`'15m'`, `'2h'`, `'1d'`), an object (`{ minutes: 15 }`), an ISO 8601 duration, or
   * a function of the request. Null locks out until reset and never forgets a failure (check
   * axes.W014). django-axes' default is null (`fromDjangoSettings` keeps it).
   * @default '15m'
   */
  cooloffTime: option<DurationInput | CooloffFunction | null, number | CooloffFunction | null>({
    check: v.duration(true, true),
    resolve: resolveCooloff,
    django: true,
    djangoKind: 'cooloff',
    djangoDefault: () => null,
  }),
  /**
   * Store an expiry per attempt row (`AXES_USE_ATTEMPT_EXPIRATION`, database handler).
   * @default false
   */
  useAttemptExpiration: setting<boolean>(v.bool, false),
  /**
   * Progressive lockouts (`AXES_LOCKOUT_TIERS`): the lock lasts longer as failures grow. Unlike
   * django-axes, whose tiers only change the message, every node-axes handler honours them.
   * @default null
   * @example
   * ```ts
   * createAxes({ lockoutTiers: [{ failures: 3, cooloff: '1m' }, { failures: 6, cooloff: '1h' }] })
   * ```
   */
  lockoutTiers: option<
    readonly LockoutTier[] | null,
    readonly { failures: number; cooloffMs: number }[]
  >({ check: v.tiers, resolve: resolveTiers, django: true, djangoKind: 'tiers' }),
  /**
   * Delete the client's failures when it logs in successfully (`AXES_RESET_ON_SUCCESS`).
   * @default false
   */
  resetOnSuccess: setting<boolean>(v.bool, false),
  /**
   * Record attempts refused during a lockout as failures, which restarts the cool-off
   * (`AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT`).
   * @default true
   */
  resetCoolOffOnFailureDuringLockout: setting<boolean>(v.bool, true),
  /**
   * Protect only the admin site (`AXES_ONLY_ADMIN_SITE`): requests outside `adminPath` are allowed
   * and not recorded.
   * @default false
   */
  onlyAdminSite: setting<boolean>(v.bool, false),
  /**
   * The admin site's path prefix, for `onlyAdminSite` (Django's `reverse('admin:index')`).
   * @default '/admin/'
   */
  adminPath: nodeOption<string>(v.path, '/admin/'),
  /**
   * Never lock out GET requests (`AXES_NEVER_LOCKOUT_GET`).
   * @default false
   */
  neverLockoutGet: setting<boolean>(v.bool, false),
  /**
   * Never lock out IPs in `ipWhitelist` (`AXES_NEVER_LOCKOUT_WHITELIST`).
   * @default false
   */
  neverLockoutWhitelist: setting<boolean>(v.bool, false),
  /**
   * Allow only IPs in `ipWhitelist`; every other IP is refused (`AXES_ONLY_WHITELIST`).
   * @default false
   */
  onlyWhitelist: setting<boolean>(v.bool, false),
  /**
   * IPs that are never locked out (with `neverLockoutWhitelist`) or the only ones allowed (with
   * `onlyWhitelist`) (`AXES_IP_WHITELIST`). Exact IPs or CIDR ranges (`10.0.0.0/8`).
   * @default null
   */
  ipWhitelist: setting<readonly string[] | null>(v.ipList, null),
  /**
   * IPs that are always refused (`AXES_IP_BLACKLIST`); takes precedence over the whitelist. Exact
   * IPs or CIDR ranges.
   * @default null
   */
  ipBlacklist: setting<readonly string[] | null>(v.ipList, null),
  /**
   * A function deciding that an attempt is whitelisted: never locked, never recorded
   * (`AXES_WHITELIST_CALLABLE`).
   * @default null
   */
  whitelistCallable:
    pathSetting<
      (request: AxesRequest, credentials: Credentials | null) => boolean | Promise<boolean>
    >(),
}
