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
 * node-axes' default `lockoutParameters`: one username from one IP. Neither a whole NAT nor a
 * user from elsewhere is locked out by someone guessing (docs/configuration.md, "node-axes'
 * defaults"); django-axes' is `['ip_address']`.
 */
export const DEFAULT_LOCKOUT_PARAMETERS: readonly LockoutParameterItem[] = [
  ['username', 'ip_address'],
]

/** node-axes' default `cooloffTime`, 15 minutes (django-axes' is null, a lock until reset). */
export const DEFAULT_COOLOFF = 15 * 60_000

const DEPRECATED_FLAGS = [
  'onlyUserFailures',
  'lockOutByUserOrIp',
  'lockOutByCombinationUserAndIp',
  'useUserAgent',
] as const

/**
 * `lockoutParameters`: as given; else, when any deprecated flag is given, django-axes' mapping of
 * the flags; else node-axes' default.
 */
export function resolveLockoutParameters(
  given: readonly LockoutParameterItem[] | LockoutParametersFunction | undefined,
  all: GivenOptions,
): readonly LockoutParameterItem[] | LockoutParametersFunction {
  if (given !== undefined) return given
  if (DEPRECATED_FLAGS.some((flag) => all[flag] !== undefined)) {
    return lockoutParametersFromDeprecatedFlags(all)
  }
  return DEFAULT_LOCKOUT_PARAMETERS.map((item) => (typeof item === 'string' ? item : [...item]))
}

/**
 * `cooloffTime`: a function as is, a duration in milliseconds, null until reset; node-axes'
 * default when not given.
 */
export function resolveCooloff(
  given: DurationInput | CooloffFunction | null | undefined,
): number | CooloffFunction | null {
  if (typeof given === 'function') return given
  if (given === undefined) return DEFAULT_COOLOFF
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
