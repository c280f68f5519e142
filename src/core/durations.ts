/**
 * Durations: parsing the forms node-axes options accept (./durations/parse.ts), and formatting
 * them the way django-axes and Django do (./durations/format.ts).
 *
 * @packageDocumentation
 */

export {
  formatCooloffIso8601,
  formatDjangoDuration,
  formatDurationHuman,
} from './durations/format.js'
export {
  type DurationInput,
  type DurationObject,
  type DurationParseResult,
  MAX_DURATION_MS,
  parseDuration,
} from './durations/parse.js'
