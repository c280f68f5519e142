/**
 * Options: every django-axes 8.3.1 setting as a camelCase option with django-axes' default, the
 * node-axes extensions, and the validation that `createAxes` runs. Each option is one row of the
 * table in ./options/ (see ./options/table.ts); this module resolves given options against it and
 * is what the rest of node-axes imports.
 */

import { AxesConfigError, type OptionIssue } from '../ground/errors.js'
import type { AxesOptions, ResolvedOptions } from './options/axes-options.js'
import type { GivenOptions, OptionSpec } from './options/spec.js'
import { DEPRECATED_OPTIONS, OPTION_NAMES, OPTION_TABLE } from './options/table.js'
import { show } from './options/validators.js'

export type { AxesOptions, ResolvedOptions } from './options/axes-options.js'
export {
  DEFAULT_COOLOFF_MESSAGE,
  DEFAULT_DATABASE_URL,
  DEFAULT_PERMALOCK_MESSAGE,
} from './options/handling.js'
export {
  type AxesLogger,
  type AxesLogRecord,
  asError,
  defaultLogger,
  logRecord,
  quiet,
} from './options/logger.js'
export { lockoutParametersFromDeprecatedFlags } from './options/resolvers.js'
export { DEPRECATED_OPTIONS, OPTION_NAMES } from './options/table.js'
export type {
  CooloffFunction,
  FailureLimitFunction,
  LockoutCallableDetails,
  LockoutTier,
  UsernameNormalization,
} from './options/types.js'
export { show } from './options/validators.js'

/** A row of the table as `resolveOptions` walks them. */
type AnyRow = OptionSpec<unknown, unknown> & { readonly deprecated?: true }

const ROWS = OPTION_TABLE as unknown as Readonly<Record<string, AnyRow>>

/** The closest known option name, for "did you mean" hints. */
function suggest(key: string): string | null {
  let best: string | null = null
  let bestDistance = Number.POSITIVE_INFINITY
  for (const name of OPTION_NAMES) {
    const d = editDistance(key.toLowerCase(), name.toLowerCase())
    if (d < bestDistance) {
      bestDistance = d
      best = name
    }
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 4)) ? best : null
}

function editDistance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Number.POSITIVE_INFINITY
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      )
    }
    previous = current
  }
  return previous[b.length] ?? Number.POSITIVE_INFINITY
}

/**
 * Validates options and fills in defaults. Throws one `AxesConfigError` naming every bad key.
 */
export function resolveOptions(options: AxesOptions = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new AxesConfigError([
      { key: '(options)', message: `expects an object, got ${show(options)}` },
    ])
  }
  const issues: OptionIssue[] = []
  const given = options as GivenOptions
  for (const key of Object.keys(given)) {
    const value = given[key]
    if (value === undefined) continue
    // Own keys only: a key such as `__proto__` (JSON.parse makes it an own property) is not an
    // option, whatever Object.prototype holds.
    const row = Object.hasOwn(ROWS, key) ? ROWS[key] : undefined
    if (!row) {
      const hint = suggest(key)
      issues.push({
        key,
        message: `is not a node-axes option${hint ? ` (did you mean '${hint}'?)` : ''}`,
      })
      continue
    }
    const problem = row.check(value)
    if (problem) issues.push({ key, message: problem })
  }
  if (issues.length > 0) throw new AxesConfigError(issues)

  const deprecatedGiven: string[] = DEPRECATED_OPTIONS.filter((name) => given[name] !== undefined)
  if (typeof given.logger === 'string') deprecatedGiven.push('logger')

  const resolved: Record<string, unknown> = {}
  for (const name of OPTION_NAMES) {
    const row = ROWS[name] as AnyRow
    if (row.deprecated) continue
    const value = given[name]
    // A default list is copied, so that no two instances share one.
    const fallback = Array.isArray(row.fallback) ? [...row.fallback] : row.fallback
    resolved[row.into ?? name] = row.resolve ? row.resolve(value, given) : (value ?? fallback)
  }
  resolved.deprecatedGiven = deprecatedGiven
  // Fifty properties added by name leave V8 with a slow dictionary-mode object, and the engine
  // reads these options on every login (measured: loginFailed ~20% slower). A spread copy has
  // fast properties again (test/core/options-shape.test.ts).
  return { ...resolved } as unknown as ResolvedOptions
}
