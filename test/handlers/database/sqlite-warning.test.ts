// node:sqlite prints "ExperimentalWarning: SQLite is an experimental feature" when first loaded on
// Node 22 (Node 24 no longer does). The database handler loads it without that one warning, and
// lets every other warning through. Each case runs in a fresh process of this Node, on the built
// package (dist/), as an application would.

import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../../support/root.js'

/** Runs an ES module script in a fresh process of this Node; its stdout and stderr. */
function run(script: string): { stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  })
  if (result.status !== 0) throw new Error(`exit ${result.status}: ${result.stderr}`)
  return { stdout: result.stdout, stderr: result.stderr }
}

const entry = JSON.stringify(join(ROOT, 'dist/database/index.js'))

describe('node:sqlite without its experimental warning', () => {
  it('prints nothing on stderr when the SQLite handler opens, migrates and writes', () => {
    const { stdout, stderr } = run(`
      import { databaseHandler } from ${entry}
      const handler = databaseHandler({ url: 'sqlite::memory:' })
      await handler.migrate()
      await handler.close()
      console.log('ok')
    `)
    expect(stdout.trim()).toBe('ok')
    expect(stderr).toBe('')
  })

  it('lets other warnings through, and prints this one where Node does, when loaded directly', () => {
    const { stderr } = run(`
      import { databaseHandler } from ${entry}
      const handler = databaseHandler({ url: 'sqlite::memory:' })
      process.emitWarning('another warning', 'ExperimentalWarning')
      await handler.migrate()
      process.emitWarning('after it', 'DeprecationWarning')
      await handler.close()
    `)
    expect(stderr).toContain('another warning')
    expect(stderr).toContain('after it')
    expect(stderr).not.toContain('SQLite is an experimental feature')
    // The control: loaded directly, node:sqlite warns before Node 24 (so the first case means
    // something there), and no longer on Node 24.
    const direct = run(`await import('node:sqlite')`).stderr
    const major = Number(process.versions.node.split('.')[0])
    if (major < 24) expect(direct).toContain('SQLite is an experimental feature')
    else expect(direct).not.toContain('SQLite is an experimental feature')
  })
})
