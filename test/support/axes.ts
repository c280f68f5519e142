import { type AxesOptions, createAxes as create } from '../../src/index.js'

/**
 * `createAxes` for the engine's tests: the memory handler unless a test names another, so that
 * tests do not share the embedded default's SQLite file (./axes.sqlite3). Tests of the default
 * itself call the real `createAxes`.
 */
export function createAxes(options: AxesOptions = {}) {
  // Anything but an options object goes through untouched, for the validation tests.
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    return create(options)
  }
  return create({ handler: 'memory', ...options })
}
