/**
 * The types `AxesOptions` (what `createAxes` accepts) and `ResolvedOptions` (what the engine
 * reads), mapped from the options table: an option's type and doc comment are written once, in
 * its row.
 */

import type { InputsOf, OutputsOf } from './spec.js'
import type { OptionTable } from './table.js'

/**
 * The options of `createAxes`. Each django-axes setting `AXES_X_Y` is the option `xY`, with
 * django-axes 8.3.1's default; where Django takes a dotted path, node-axes takes a function.
 *
 * @example
 * ```ts
 * import { createAxes } from 'node-axes'
 *
 * const axes = createAxes({
 *   failureLimit: 5,
 *   cooloffTime: '15m',
 *   lockoutParameters: [['username', 'ip_address']],
 * })
 * ```
 */
export interface AxesOptions extends InputsOf<OptionTable> {}

/** Options after validation and defaults; what the engine reads. */
export interface ResolvedOptions extends Omit<OutputsOf<OptionTable>, 'reservationTimeout'> {
  /** `reservationTimeout` in milliseconds. */
  reservationTimeoutMs: number
  /** The deprecated options that were given (for check axes.W004), as option names. */
  deprecatedGiven: readonly string[]
}
