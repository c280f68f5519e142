// Which test files are unit tests and which are integration tests, decided by what each file
// uses (itself or through the helpers under test/ it imports); vitest.config.ts builds its two
// projects from this. A file is an integration test when it asks for a server
// (test/support/inject-servers.ts: PostgreSQL, MariaDB, Redis, Redis Cluster, or a server of its
// own from test/support/servers.ts), runs the build (test/support/built-cli.ts, dist/), or starts
// other processes (node:child_process, examples started with startProcess, a browser), or uses what
// scripts/install-runtimes.sh installs (test/support/runtimes.ts). Every other file is a
// unit test: one process, no server, no build. test/support/test-kinds.test.ts checks the split.

import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

/**
 * What makes a file an integration test, each with the reason it gives. (Written so that this
 * file does not match them itself: `[_]`, `\.`.)
 */
export const INTEGRATION_MARKERS: readonly (readonly [RegExp, string])[] = [
  [/support\/inject-servers\.js'/, 'asks for a shared server (inject-servers.ts)'],
  [/support\/servers\.js'/, 'starts a server of its own (servers.ts)'],
  [/support\/(built-cli|global-build)\.js'/, 'runs the build (dist/)'],
  [/\bstartProcess\(/, 'starts an example or an application (startProcess)'],
  [/from 'node:child[_]process'/, 'starts other processes (node:child_process)'],
  [/from 'playwright[-]core'/, 'drives a browser (playwright-core)'],
  [/support\/runtimes\.js'/, 'uses a runtime or driver installed into .runtimes/ (runtimes.ts)'],
]

const RELATIVE_IMPORT = /from '(\.{1,2}\/[^']+)\.js'/g

/**
 * Why a file under test/ is an integration test (a marker in it, or in a helper under test/ that
 * it imports), or null for a unit test.
 */
export function integrationReason(file: string, seen = new Set<string>()): string | null {
  if (seen.has(file)) return null
  seen.add(file)
  const source = readFileSync(file, 'utf8')
  for (const [marker, reason] of INTEGRATION_MARKERS) if (marker.test(source)) return reason
  const testDir = resolve(dirname(file).split('/test/')[0] ?? '', 'test')
  for (const [, path] of source.matchAll(RELATIVE_IMPORT)) {
    const helper = resolve(dirname(file), `${path}.ts`)
    if (!helper.startsWith(`${testDir}/`) || !existsSync(helper)) continue
    const reason = integrationReason(helper, seen)
    if (reason !== null) return `${reason}, through ${relative(testDir, helper)}`
  }
  return null
}

/** Every test file under `root`/test, relative to `root`, with `/` separators, sorted. */
export function testFiles(root: string): string[] {
  return readdirSync(join(root, 'test'), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.test.ts'))
    .map((name) => `test/${name.split('\\').join('/')}`)
    .sort()
}

/** The test files (relative to `root`) split into the unit and the integration project. */
export function testKinds(root: string): { unit: string[]; integration: string[] } {
  const unit: string[] = []
  const integration: string[] = []
  for (const file of testFiles(root)) {
    ;(integrationReason(join(root, file)) === null ? unit : integration).push(file)
  }
  return { unit, integration }
}
