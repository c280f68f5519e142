/**
 * The options table: every option `createAxes` accepts, each declared once in one of its parts,
 * in the order of django-axes' settings then node-axes' extensions. Add an option by adding a row
 * to the part it belongs to; its type, default, validation and Django setting follow.
 */

import { DEFENCE_OPTIONS } from './defences.js'
import { DEPRECATED_SETTINGS } from './deprecated.js'
import { NODE_AXES_OPTIONS } from './extensions.js'
import { HANDLING_OPTIONS } from './handling.js'
import { LOCKOUT_OPTIONS } from './lockout.js'

/**
 * The table's type, from which `AxesOptions` and `ResolvedOptions` are mapped: an intersection of
 * the parts (not the spread's type), so that declaration files keep each row's doc comment.
 */
export type OptionTable = typeof LOCKOUT_OPTIONS &
  typeof HANDLING_OPTIONS &
  typeof DEPRECATED_SETTINGS &
  typeof NODE_AXES_OPTIONS &
  typeof DEFENCE_OPTIONS

/** Every option, by name. */
export const OPTION_TABLE: OptionTable = {
  ...LOCKOUT_OPTIONS,
  ...HANDLING_OPTIONS,
  ...DEPRECATED_SETTINGS,
  ...NODE_AXES_OPTIONS,
  ...DEFENCE_OPTIONS,
}

/** An option's name. */
export type OptionName = keyof OptionTable

/** Every option name `createAxes` accepts. */
export const OPTION_NAMES: readonly string[] = Object.keys(OPTION_TABLE)

/** The deprecated option names, in django-axes' W004 order. */
export const DEPRECATED_OPTIONS = Object.keys(
  DEPRECATED_SETTINGS,
) as readonly (keyof typeof DEPRECATED_SETTINGS)[]
