// Debian's chromium for the browser tests (driven by playwright-core): where it is, and whether a
// suite runs. Missing on CI is an error; missing elsewhere skips the suite with a warning.

import { existsSync } from 'node:fs'

/** Debian's chromium. */
export const CHROMIUM = '/usr/bin/chromium'

/** Whether chromium is installed; throws on CI when it is not, warns (naming `suite`) elsewhere. */
export function chromiumPresent(suite: string): boolean {
  if (existsSync(CHROMIUM)) return true
  if (process.env.CI === 'true') {
    throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (see .ci/run)`)
  }
  console.warn(
    `${suite}: skipped, ${CHROMIUM} is missing (apt-get install --no-install-recommends chromium)`,
  )
  return false
}
