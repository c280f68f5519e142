/**
 * How hard the property tests and the parallel bursts push: thorough under CI (`CI` set, as
 * .ci/run sets it, or `AXES_TEST_THOROUGH=1`), quick otherwise, so that `npm run test:unit` on a
 * laptop takes seconds while CI keeps the full figures. The quick figures still exercise every
 * property and still exceed every limit they test; CI runs ten times as many cases.
 */

const env = process.env

/** True when the suite runs with the full figures (CI, or `AXES_TEST_THOROUGH=1`). */
export const THOROUGH =
  env.AXES_TEST_THOROUGH === '1' ||
  (env.AXES_TEST_THOROUGH !== '0' && env.CI !== undefined && env.CI !== '' && env.CI !== 'false')

/** fast-check runs for a property: `full` under CI, a tenth of it (at least 100) otherwise. */
export function propertyRuns(full: number): number {
  return THOROUGH ? full : Math.max(100, Math.round(full / 10))
}

/** Parallel requests in a burst through a framework: `full` under CI, a fifth (at least 50) otherwise. */
export function burstSize(full: number): number {
  return THOROUGH ? full : Math.max(50, Math.round(full / 5))
}
