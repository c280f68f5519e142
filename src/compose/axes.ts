/**
 * What an application gets: `createAxes(options)` and the `Axes` class, the engine with its
 * handler chosen from the options by the composition root (`handlerFor`).
 */

import { AxesInstance } from '../core/instance.js'
import type { AxesOptions } from '../core/options.js'
import { handlerFor } from './handler.js'

export type { ProtectResult, Reservation } from '../core/reservation.js'

/**
 * A node-axes instance. Adapters and applications call its per-request API; operators call its
 * resets. Create one with `createAxes` (or `new Axes(options)`, the same).
 */
export class Axes extends AxesInstance {
  /**
   * Validates `options` (a bad option throws one `AxesConfigError` naming every bad key) and
   * opens the handler they name (the default: the database handler on a SQLite file, connected on
   * first use).
   */
  constructor(options: AxesOptions = {}) {
    super(options, handlerFor)
  }
}

/**
 * Creates a node-axes instance. Options are validated at once: a bad option throws one
 * `AxesConfigError` naming every bad key and what it accepts.
 *
 * @example
 * ```ts
 * import { createAxes } from 'node-axes'
 *
 * const axes = createAxes({ failureLimit: 5, cooloffTime: '15m' })
 * const result = await axes.protect(request, credentials, (c) => users.verify(c))
 * ```
 */
export function createAxes(options: AxesOptions = {}): Axes {
  return new Axes(options)
}
