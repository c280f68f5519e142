/**
 * Where the pages read attempts from: the handler's query (with details, filters and sorting), its
 * plain listing (only the latest `FALLBACK_LIMIT`, without details), or nothing.
 */

import type { Axes } from '../../compose/axes.js'

/** How many attempts the pages take from a handler that can only list them. */
export const FALLBACK_LIMIT = 1000

/** How a handler lets the pages read its attempts. */
export type AttemptSource = 'query' | 'list' | 'none'

/** How this instance's handler lets the pages read its attempts. */
export function attemptSource(axes: Axes): AttemptSource {
  if (axes.capabilities.browse) return 'query'
  if (axes.capabilities.list) return 'list'
  return 'none'
}
