import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { cli as runCli } from '../support/built-cli.js'

// The command line as a user runs it: the built binary in a separate process, its output and its
// exit code.
const dir = mkdtempSync(join(tmpdir(), 'node-axes-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: dir, env })

describe('node-axes migrate', () => {
  it('creates django-axes tables in the default SQLite file, then has nothing to do', async () => {
    const first = await cli(['migrate'])
    expect(first).toMatchObject({ code: 0, stderr: '' })
    expect(first.stdout).toContain('Applied 0001_django_axes_8_3_1_tables.')
    const file = join(dir, 'axes.sqlite3')
    expect(existsSync(file)).toBe(true)
    const db = new Database(file, { readonly: true })
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'axes_%' ORDER BY name",
      )
      .all()
      .map((row) => (row as { name: string }).name)
    db.close()
    expect(tables).toEqual([
      'axes_accessattempt',
      'axes_accessattemptexpiration',
      'axes_accessfailurelog',
      'axes_accesslog',
      'axes_migration',
      'axes_reservation',
      'axes_source',
    ])
    expect(await cli(['migrate'])).toMatchObject({ code: 0, stdout: 'No migrations to apply.\n' })
  })

  it('takes the database from --url, else AXES_DATABASE_URL, and prints JSON for scripts', async () => {
    const byFlag = await cli(['migrate', '--url', `sqlite:${join(dir, 'flag.sqlite3')}`, '--json'])
    expect(byFlag.code).toBe(0)
    expect(JSON.parse(byFlag.stdout)).toMatchObject({ applied: expect.any(Array), adopted: 1 })
    const byEnv = await cli(['migrate'], {
      AXES_DATABASE_URL: `sqlite:${join(dir, 'env.sqlite3')}`,
    })
    expect(byEnv.code).toBe(0)
    expect(existsSync(join(dir, 'env.sqlite3'))).toBe(true)
  })

  it('answers usage errors with exit code 2 and failures with 1 and one line', async () => {
    expect((await cli(['--help'])).code).toBe(0)
    expect((await cli(['--help'])).stdout).toContain('usage: node-axes <command>')
    expect((await cli([])).code).toBe(2)
    expect((await cli(['frobnicate'])).code).toBe(2)
    expect((await cli(['migrate', '--bogus'])).code).toBe(2)
    const bad = await cli(['migrate', '--url', 'mongodb://localhost'])
    expect(bad.code).toBe(1)
    expect(bad.stderr.trim().split('\n')).toHaveLength(1)
    expect(bad.stderr).toMatch(/^node-axes migrate: .*unsupported URL scheme 'mongodb:'/)
  })
})
