import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { cli as runCli } from '../support/built-cli.js'
import { Database } from '../support/sqlite.js'

// The command line as a user runs it: the built binary in a separate process, its output and its
// exit code.
const dir = mkdtempSync(join(tmpdir(), 'node-axes-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: dir, env })

describe('node-axes migrate', () => {
  it('creates django-axes tables in the SQLite file --url names, then has nothing to do', async () => {
    const url = 'sqlite:axes.sqlite3'
    const first = await cli(['migrate', '--url', url])
    expect(first.code).toBe(0)
    // Which options and which store, on standard error; the result alone on standard output.
    expect(first.stderr).toBe(
      `node-axes: options: node-axes' defaults (no configuration file): 5 failures lock for 15 minutes, by username+ip_address\nnode-axes: store: sqlite:${join(dir, 'axes.sqlite3')} (--url)\n`,
    )
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
      'axes_wrongpassword',
    ])
    expect(await cli(['migrate', '--url', url])).toMatchObject({
      code: 0,
      stdout: 'No migrations to apply.\n',
    })
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
    expect(bad.stderr).toMatch(
      /^node-axes migrate: --url is not a store URL the command line knows \('mongodb:\/\/localhost'\)/,
    )
  })
})
