/**
 * How the options whose engine value is computed resolve: durations to milliseconds, tiers sorted,
 * the deprecated django-axes flags and proxy settings as fallbacks of their successors.
 */

import type { LockoutParameterItem, LockoutParametersFunction } from '../../ground/buckets.js'
import { type DurationInput, parseDuration } from '../durations.js'
import type { GivenOptions } from './spec.js'
import type { CooloffFunction, LockoutTier } from './types.js'

/**
 * django-axes' `conf.py` mapping of the deprecated flags onto lockout parameters, used only when
 * `lockoutParameters` is not given.
 */
export function lockoutParametersFromDeprecatedFlags(flags: {
  onlyUserFailures?: boolean | undefined
  lockOutByUserOrIp?: boolean | undefined
  lockOutByCombinationUserAndIp?: boolean | undefined
  useUserAgent?: boolean | undefined
}): LockoutParameterItem[] {
  let params: LockoutParameterItem[]
  if (flags.onlyUserFailures) params = ['username']
  else if (flags.lockOutByUserOrIp) params = ['username', 'ip_address']
  else if (flags.lockOutByCombinationUserAndIp) params = [['username', 'ip_address']]
  else params = ['ip_address']
  if (flags.useUserAgent) {
    const first = params[0] as LockoutParameterItem
    params[0] = typeof first === 'string' ? [first, 'user_agent'] : [...first, 'user_agent']
  }
  return params
}

/**
 * `lockoutParameters`: as given; else, when any deprecated flag is given, django-axes' mapping of
 * the flags; else node-axes' default, one username from one IP, so that neither a whole NAT nor a
 * user from elsewhere is locked out by someone guessing (docs/configuration.md, "node-axes'
 * defaults"; django-axes' default is `['ip_address']`).
 */
export function resolveLockoutParameters(
  given: readonly LockoutParameterItem[] | LockoutParametersFunction | undefined,
  all: GivenOptions,
): readonly LockoutParameterItem[] | LockoutParametersFunction {
  if (given !== undefined) return given
  const flag =
    all.onlyUserFailures ??
    all.lockOutByUserOrIp ??
    all.lockOutByCombinationUserAndIp ??
    all.useUserAgent
  return flag === undefined
    ? [['username', 'ip_address']]
    : lockoutParametersFromDeprecatedFlags(all)
}

/**
 * `cooloffTime`: a function as is, a duration in milliseconds, null until reset; node-axes'
 * default when not given.
 */
export function resolveCooloff(
  given: DurationInput | CooloffFunction | null | undefined,
): number | CooloffFunction | null {
  if (typeof given === 'function') return given
  // node-axes' default, 15 minutes (django-axes': null, a lock until reset).
  if (given === undefined) return 900_000
  if (given === null) return null
  const parsed = parseDuration(given)
  return parsed.ok ? parsed.ms : null
}

/** `lockoutTiers`: in milliseconds, by failures; none when not given. */
export function resolveTiers(
  given: readonly LockoutTier[] | null | undefined,
): readonly { failures: number; cooloffMs: number }[] {
  return (given ?? [])
    .map((tier) => {
      const parsed = parseDuration(tier.cooloff)
      return { failures: tier.failures, cooloffMs: parsed.ok ? parsed.ms : 0 }
    })
    .sort((a, b) => a.failures - b.failures)
}

/** `reservationTimeout` in milliseconds. */
export function resolveReservation(given: DurationInput | undefined): number {
  const reservation = parseDuration(given ?? '30s')
  return reservation.ok ? reservation.ms : 30_000
}

/**
 * `ipwareMetaPrecedenceOrder`, else the deprecated `metaPrecedenceOrder` when not empty, else the
 * socket address only.
 */
export function resolvePrecedenceOrder(
  given: readonly string[] | undefined,
  all: GivenOptions,
): readonly string[] {
  const old = all.metaPrecedenceOrder as readonly string[] | undefined
  return given ?? (old && old.length > 0 ? old : null) ?? ['REMOTE_ADDR']
}
