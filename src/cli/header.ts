/**
 * The header a command prints on standard error before it works: which options (the
 * configuration file, or node-axes' defaults) and which store, so that nobody reads a result
 * about the wrong database or settings. Standard output stays the result alone.
 */

import { formatDurationHuman } from '../core/durations.js'
import type { ResolvedOptions } from '../core/options.js'

/** The lockout the options describe, in a few words: `5 failures lock for 15 minutes, by username+ip_address`. */
export function lockoutSummary(options: Readonly<ResolvedOptions>): string {
  const tiers = options.lockoutTiers
  let rule: string
  if (tiers.length > 0) {
    rule = `tiers: ${tiers.map((t) => `${t.failures} failures lock for ${formatDurationHuman(t.cooloffMs)}`).join(', ')}`
  } else {
    const limit =
      typeof options.failureLimit === 'number'
        ? `${options.failureLimit} failures`
        : 'a failure limit by request'
    const cooloff = options.cooloffTime
    const lasts =
      cooloff === null
        ? 'lock until reset'
        : typeof cooloff === 'number'
          ? `lock for ${formatDurationHuman(cooloff)}`
          : 'lock for a cool-off by request'
    rule = `${limit} ${lasts}`
  }
  const parameters = options.lockoutParameters
  const by =
    typeof parameters === 'function'
      ? 'parameters by request'
      : parameters.map((p) => (typeof p === 'string' ? p : p.join('+'))).join(', ')
  return `${rule}, by ${by}`
}

/** The two header lines: the options' source and lockout, and the store. */
export function header(
  options: Readonly<ResolvedOptions>,
  optionsFrom: string | null,
  store: string,
  storeFrom: string,
): string {
  const source = optionsFrom ?? "node-axes' defaults (no configuration file)"
  const from = storeFrom === '--url' || storeFrom.startsWith('AXES_') ? ` (${storeFrom})` : ''
  return `node-axes: options: ${source}: ${lockoutSummary(options)}\nnode-axes: store: ${store}${from}\n`
}
