// The command line's verbs as a user runs them: the built binary in its own process, on a SQLite
// file and on PostgreSQL, with the configuration found the ways the docs promise. The data is
// written by node-axes in this process, and read back with SQL after each command.

import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Redis } from 'ioredis'
import { type Axes, type AxesOptions, type AxesRequest, createAxes } from 'node-axes'
import { databaseHandler } from 'node-axes/database'
import { redisHandler } from 'node-axes/redis'
import { afterAll, describe, expect, it } from 'vitest'
import { type CliRun, cli as runCli } from '../support/built-cli.js'
import { pgServerUrl, redisServerUrl } from '../support/inject-servers.js'
import { createDatabase, runSql } from '../support/servers.js'
import { Database } from '../support/sqlite.js'

const dir = mkdtempSync(join(tmpdir(), 'node-axes-cli-verbs-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const DAY = 86_400_000
const DIST = pathToFileURL(join(process.cwd(), 'dist')).href

/**
 * The binary's run, without the header it prints on standard error (which options, which store:
 * test/cli/config.test.ts checks it), so that what remains there is the command's own output.
 */
async function cli(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<CliRun> {
  const run = await runCli(args, options)
  return { ...run, stderr: run.stderr.replace(/^node-axes: (options|store): .*\n/gm, '') }
}

/** A fresh working directory with its own SQLite file. */
function workspace(): { cwd: string; url: string; file: string } {
  const cwd = mkdtempSync(join(dir, 'ws-'))
  const file = join(cwd, 'attempts.sqlite3')
  return { cwd, url: `sqlite:${file}`, file }
}

const request = (username: string, ip: string): AxesRequest => ({
  method: 'POST',
  path: '/login',
  headers: { 'user-agent': 'cli-test' },
  socketAddress: ip,
  body: { username, password: 'wrong' },
})

/** node-axes on `url`, in this process, to write what the commands then act on. */
function writer(url: string, options: AxesOptions = {}): Axes {
  return createAxes({
    handler: databaseHandler({ url }),
    failureLimit: 100,
    logger: false,
    ...options,
  })
}

async function seedAttempts(url: string): Promise<void> {
  const axes = writer(url)
  let now = Date.UTC(2030, 0, 1)
  const at = writer(url, { clock: () => now })
  for (const [username, ip, times] of [
    ['alice', '192.0.2.1', 3],
    ['bob', '192.0.2.1', 1],
    ['alice', '192.0.2.2', 2],
    ['carol', '192.0.2.3', 1],
  ] as const) {
    for (let i = 0; i < times; i++) await at.loginFailed(request(username, ip))
    now += 1000
  }
  await Promise.all([axes.close(), at.close()])
}

const sqliteCount = (file: string, table: string) => {
  const db = new Database(file, { readonly: true })
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n
  } finally {
    db.close()
  }
}

describe('node-axes reset, reset-ip, reset-username, reset-ip-username, list-attempts (SQLite)', () => {
  it('lists attempts most recent first in a table with a header, and as JSON', async () => {
    const { cwd, url } = workspace()
    await seedAttempts(url)
    const listed = await cli(['list-attempts', '--url', url], { cwd })
    expect(listed).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'IP ADDRESS  USERNAME  FAILURES  LAST ATTEMPT          LOCKED UNTIL  USER AGENT',
        '192.0.2.3   carol     1         2030-01-01 00:00:03Z  -             cli-test',
        '192.0.2.2   alice     2         2030-01-01 00:00:02Z  -             cli-test',
        '192.0.2.1   bob       1         2030-01-01 00:00:01Z  -             cli-test',
        '192.0.2.1   alice     3         2030-01-01 00:00:00Z  -             cli-test',
        '',
      ].join('\n'),
    })
    const limited = await cli(['list-attempts', '--url', url, '--limit', '1'], { cwd })
    expect(limited.stdout.split('\n').slice(1)).toEqual([
      '192.0.2.3   carol     1         2030-01-01 00:00:03Z  -             cli-test',
      '',
    ])
    expect(limited.stderr).toBe('node-axes: the 1 most recent shown; --limit N for more\n')
    // With django-axes' defaults (3 failures, no cool-off) given in a configuration, alice's row
    // from 192.0.2.1 is locked until reset.
    const config = join(cwd, 'django-defaults.json')
    writeFileSync(config, JSON.stringify({ databaseUrl: url, failureLimit: 3, cooloffTime: null }))
    const json = await cli(['list-attempts', '--config', config, '--json'], { cwd })
    expect(json.code).toBe(0)
    const rows = JSON.parse(json.stdout) as Record<string, unknown>[]
    expect(rows).toHaveLength(4)
    expect(rows[3]).toEqual({
      ipAddress: '192.0.2.1',
      username: 'alice',
      userAgent: 'cli-test',
      failures: 3,
      attemptTime: new Date(Date.UTC(2030, 0, 1)).toISOString(),
      locked: true,
      lockedUntil: null,
    })
    expect(rows[0]).toMatchObject({ username: 'carol', failures: 1, locked: false })
    // Under node-axes' defaults (--url: 5 failures), 3 failures lock nothing.
    const own = await cli(['list-attempts', '--url', url, '--json'], { cwd })
    const ownRows = JSON.parse(own.stdout) as Record<string, unknown>[]
    expect(ownRows[3]).toMatchObject({ username: 'alice', failures: 3, locked: false })
  })

  it("removes attempts by IP, by username, by both, and all, in django-axes' words", async () => {
    const { cwd, url, file } = workspace()
    await seedAttempts(url)
    const run = (...args: string[]) => cli([...args, '--url', url], { cwd })
    expect(await run('reset-ip-username', '192.0.2.1', 'bob')).toEqual({
      code: 0,
      stdout: '1 attempts removed.\n',
      stderr: '',
    })
    expect((await run('reset-ip-username', '192.0.2.1', 'bob')).stdout).toBe('No attempts found.\n')
    // Several IPs (or usernames) at once: the counts add up.
    expect((await run('reset-ip', '192.0.2.3', '192.0.2.9')).stdout).toBe('1 attempts removed.\n')
    expect(sqliteCount(file, 'axes_accessattempt')).toBe(2)
    expect((await run('reset-username', 'alice')).stdout).toBe('2 attempts removed.\n')
    expect((await run('reset-username', 'alice', 'nobody')).stdout).toBe('No attempts found.\n')
    await seedAttempts(url)
    expect(await run('reset', '--json', '--yes')).toEqual({
      code: 0,
      stdout: '{"removed":4,"sources":[],"remaining":[]}\n',
      stderr: '',
    })
    expect((await run('reset', '-y')).stdout).toBe('No attempts found.\n')
    expect(sqliteCount(file, 'axes_accessattempt')).toBe(0)
  })

  it('reads IPv6 addresses as the store keeps them, and hostile usernames as plain values', async () => {
    const { cwd, url, file } = workspace()
    const axes = writer(url)
    await axes.loginFailed(request('x\ty\nz\u001b[2J', '2001:db8::1'))
    await axes.loginFailed(request("'; DROP TABLE axes_accessattempt; --", '192.0.2.7'))
    await axes.close()
    // A tab, a line break or an escape sequence in a value cannot forge a column or a line, nor
    // reach the terminal.
    const listed = await cli(['list-attempts', '--url', url], { cwd })
    const lines = listed.stdout.split('\n')
    expect(lines).toHaveLength(4)
    expect(lines[1]).toMatch(/^192\.0\.2\.7 +'; DROP TABLE axes_accessattempt; -- +1 /)
    expect(lines[2]).toMatch(/^2001:db8::1 +x\\ty\\nz\\x1b\[2J +1 /)
    expect(listed.stdout).not.toContain('\u001b')
    expect(
      (await cli(['reset-username', "'; DROP TABLE axes_accessattempt; --", '--url', url], { cwd }))
        .stdout,
    ).toBe('1 attempts removed.\n')
    // The uncompressed spelling of the same address finds the row.
    expect(
      (await cli(['reset-ip', '2001:0db8:0:0:0:0:0:0001', '--url', url], { cwd })).stdout,
    ).toBe('1 attempts removed.\n')
    expect(sqliteCount(file, 'axes_accessattempt')).toBe(0)
  })
})

describe('node-axes reset-logs and reset-failure-logs (SQLite)', () => {
  it('removes logs at least --age days old, 30 by default, 0 for all', async () => {
    const { cwd, url, file } = workspace()
    const now = Date.now()
    for (const days of [40, 20, 10, 0]) {
      const axes = writer(url, { clock: () => now - days * DAY, enableAccessFailureLog: true })
      await axes.loggedIn(request(`u${days}`, '192.0.2.1'))
      await axes.loginFailed(request(`u${days}`, '192.0.2.1'))
      await axes.close()
    }
    const run = (...args: string[]) => cli([...args, '--url', url], { cwd })
    expect(await run('reset-logs')).toEqual({ code: 0, stdout: '1 logs removed.\n', stderr: '' })
    expect((await run('reset-logs')).stdout).toBe('No logs found.\n')
    expect((await run('reset-logs', '--age', '15')).stdout).toBe('1 logs removed.\n')
    // --age 0 removes every log: it asks first, and --yes answers where nobody can.
    expect((await run('reset-logs', '--age=0', '--json')).code).toBe(2)
    expect(sqliteCount(file, 'axes_accesslog')).toBe(2)
    expect((await run('reset-logs', '--age=0', '--json', '--yes')).stdout).toBe('{"removed":2}\n')
    expect(sqliteCount(file, 'axes_accesslog')).toBe(0)
    // Failure logs are their own table and their own command.
    expect(sqliteCount(file, 'axes_accessfailurelog')).toBe(4)
    expect((await run('reset-failure-logs', '--age', '5')).stdout).toBe('3 logs removed.\n')
    expect((await run('reset-failure-logs', '--age', '0', '--yes')).stdout).toBe(
      '1 logs removed.\n',
    )
    expect((await run('reset-failure-logs')).stdout).toBe('No logs found.\n')
    expect(sqliteCount(file, 'axes_accessattempt')).toBe(4)
  })
})

describe('node-axes: where the configuration comes from', () => {
  it('takes a node-axes.config.mjs in the working directory, and --config over it, and --url for the store', async () => {
    const { cwd, url } = workspace()
    const other = workspace()
    await seedAttempts(url)
    writeFileSync(
      join(cwd, 'node-axes.config.mjs'),
      `import { databaseHandler } from '${DIST}/database/index.js'\nexport default { handler: databaseHandler({ url: ${JSON.stringify(url)} }) }\n`,
    )
    expect((await cli(['list-attempts'], { cwd })).stdout.split('\n')).toHaveLength(6)
    // --config: a CommonJS file exporting a ready instance, from node-axes' CommonJS build.
    const cjs = join(cwd, 'other.config.cjs')
    writeFileSync(
      cjs,
      `const { createAxes } = require(${JSON.stringify(join(process.cwd(), 'dist/index.cjs'))})\nmodule.exports = createAxes({ databaseUrl: ${JSON.stringify(other.url)}, logger: false })\n`,
    )
    // Its database does not exist: the command says so, and creates nothing.
    const missing = await cli(['list-attempts', '--config', cjs], { cwd })
    expect(missing).toMatchObject({ code: 1, stdout: '' })
    expect(missing.stderr).toContain(`no database at ${other.file}`)
    // --url cannot replace the store of an instance the configuration built.
    const instance = await cli(['reset', '--config', cjs, '--url', url, '--yes'], { cwd })
    expect(instance.code).toBe(2)
    expect(instance.stderr).toContain(
      `--url cannot replace the store of the Axes instance that ${cjs} exports`,
    )
    // With options, --url is the store and the configuration's options apply to it.
    expect((await cli(['reset', '--url', url, '--yes'], { cwd })).stdout).toBe(
      '4 attempts removed.\n',
    )
  })

  it('reads AXES_* settings from node-axes.config.json, and a TypeScript config through tsx', async () => {
    const { cwd } = workspace()
    writeFileSync(
      join(cwd, 'node-axes.config.json'),
      JSON.stringify({ AXES_FAILURE_LIMIT: 2, AXES_ONLY_USER_FAILURES: true }),
    )
    // The Django settings become options: the deprecated flag is reported by the check command.
    const checked = await cli(['check'], { cwd })
    expect(checked.code).toBe(0)
    expect(checked.stdout).toContain('axes.W004:')
    // Each check ends with the link to its section of docs/checks.md.
    expect(checked.stdout).toMatch(
      /\tHINT: .*\n\tSEE: node_modules\/node-axes\/docs\/checks\.md#axesw004\n/,
    )
    expect(checked.stdout).toMatch(/System check identified \d+ issues?\.\n$/)
    expect((await cli(['check', '--fail-level', 'WARNING'], { cwd })).code).toBe(1)
    const json = JSON.parse((await cli(['check', '--json'], { cwd })).stdout) as { id: string }[]
    expect(json.map((c) => c.id)).toContain('axes.W004')

    const ts = workspace()
    writeFileSync(
      join(ts.cwd, 'node-axes.config.ts'),
      `import type { AxesOptions } from '${DIST}/index.js'\nconst options: AxesOptions = { databaseUrl: ${JSON.stringify(ts.url)}, failureLimit: 7 }\nexport default async () => options\n`,
    )
    await seedAttempts(ts.url)
    expect((await cli(['reset-username', 'carol'], { cwd: ts.cwd })).stdout).toBe(
      '1 attempts removed.\n',
    )
  })

  it('takes AXES_DATABASE_URL when there is no file, and says there are no issues when there are none', async () => {
    const { cwd, url } = workspace()
    await seedAttempts(url)
    expect(
      (await cli(['reset-ip', '192.0.2.1'], { cwd, env: { AXES_DATABASE_URL: url } })).stdout,
    ).toBe('2 attempts removed.\n')
    writeFileSync(join(cwd, 'node-axes.config.json'), JSON.stringify({ databaseUrl: url }))
    expect(await cli(['check'], { cwd })).toEqual({
      code: 0,
      stdout: 'System check identified no issues.\n',
      stderr: '',
    })
  })
})

describe('node-axes: usage and failures', () => {
  it('answers --help for the command and each verb with exit 0', async () => {
    const { cwd } = workspace()
    const top = await cli(['--help'], { cwd })
    expect(top.code).toBe(0)
    for (const verb of [
      'reset',
      'reset-ip',
      'reset-username',
      'reset-ip-username',
      'list-attempts',
      'reset-logs',
      'reset-failure-logs',
      'migrate',
      'check',
    ]) {
      expect(top.stdout).toContain(`  ${verb}`)
      const help = await cli([verb, '--help'], { cwd })
      expect(help.code).toBe(0)
      expect(help.stdout).toMatch(new RegExp(`^usage: node-axes ${verb}\\b`))
    }
  })

  it('answers usage mistakes with exit 2 before touching any database', async () => {
    const { cwd } = workspace()
    const cases: [string[], RegExp][] = [
      [['reset-ip'], /needs at least one argument/],
      [['reset-ip-username', '192.0.2.1'], /takes 2 arguments/],
      [['reset', 'everything'], /takes no arguments/],
      [['reset-logs', '--age', 'old'], /--age takes a whole number of days/],
      [['reset-logs', '--age', '-3'], /--age takes a whole number of days/],
      [['list-attempts', '--limit', '0'], /--limit takes a whole number/],
      [['reset', '--age', '3'], /--age does not apply/],
      [['check', '--fail-level', 'INFO'], /--fail-level takes ERROR or WARNING/],
      [['reset', '--url'], /--url needs a value/],
      [['reset-ip', '192.0.2.1', '--config', 'nowhere.mjs'], /no such file: .*nowhere\.mjs/],
      [['reset'], /not a terminal.*add --yes to confirm/],
      [['reset-logs', '--age', '0'], /not a terminal.*add --yes/],
      [['reset', '--yes=1'], /--yes takes no value|unknown option/],
      [['reset', '--frobnicate'], /unknown option '--frobnicate'/],
    ]
    for (const [args, message] of cases) {
      const result = await cli(args, { cwd })
      expect({ args, code: result.code }).toEqual({ args, code: 2 })
      expect(result.stderr).toMatch(message)
      expect(result.stdout).toBe('')
    }
    // Nothing was created: no database was opened.
    expect(readdirSync(cwd)).toEqual([])
  })

  it('fails with exit 1 and one line: a broken configuration, a database that is not there', async () => {
    const { cwd } = workspace()
    writeFileSync(join(cwd, 'node-axes.config.mjs'), 'export default 42\n')
    const wrong = await cli(['reset', '--yes'], { cwd })
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toMatch(/^node-axes reset: .*must export an Axes instance.*\n$/)
    writeFileSync(join(cwd, 'node-axes.config.mjs'), 'export default { failureLimit: -1 }\n')
    const invalid = await cli(['reset', '--yes'], { cwd })
    expect(invalid.code).toBe(1)
    expect(invalid.stderr.split('\n')).toHaveLength(2)
    expect(invalid.stderr).toContain('failureLimit')
    rmSync(join(cwd, 'node-axes.config.mjs'))
    writeFileSync(join(cwd, 'node-axes.config.json'), '{ "databaseUrl": ')
    const broken = await cli(['reset', '--yes'], { cwd })
    expect(broken.code).toBe(1)
    expect(broken.stderr).toMatch(/is not valid JSON/)
    rmSync(join(cwd, 'node-axes.config.json'))
    // A server that is not listening: refused at once, one line.
    const down = await cli(['reset', '-y', '--url', 'postgres://axes:axes@127.0.0.1:1/none'], {
      cwd,
    })
    expect(down.code).toBe(1)
    expect(down.stderr.split('\n')).toHaveLength(2)
    expect(down.stderr).toMatch(/^node-axes reset: /)
  })
})

describe('node-axes never creates a database it was only asked to read or reset', () => {
  const READERS: string[][] = [
    ['reset', '--yes'],
    ['reset-ip', '192.0.2.1'],
    ['reset-username', 'alice'],
    ['reset-ip-username', '192.0.2.1', 'alice'],
    ['list-attempts'],
    ['reset-logs'],
    ['reset-failure-logs'],
  ]

  it('fails with exit 1 and the paths it looked at, in a folder with no configuration', async () => {
    const { cwd } = workspace()
    for (const args of [...READERS, ['migrate'], ['check']]) {
      const result = await cli(args, { cwd })
      expect({ args, code: result.code, stdout: result.stdout }).toEqual({
        args,
        code: 1,
        stdout: '',
      })
      expect(result.stderr).toContain(`no configuration in ${cwd}: looked for node-axes.config.js`)
      expect(result.stderr).toContain('--config FILE')
      expect(result.stderr.split('\n')).toHaveLength(2)
    }
    // Nothing was created.
    expect(readdirSync(cwd)).toEqual([])
  })

  it('does not create the file a mistyped --url names', async () => {
    const { cwd } = workspace()
    const result = await cli(['reset-username', 'alice', '--url', 'sqlite:axes.sqlite'], { cwd })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`no database at ${join(cwd, 'axes.sqlite')}`)
    expect(readdirSync(cwd)).toEqual([])
  })

  it('does not create the file a configuration names either', async () => {
    const { cwd } = workspace()
    const missing = join(cwd, 'elsewhere.sqlite3')
    writeFileSync(
      join(cwd, 'node-axes.config.mjs'),
      `import { createAxes } from '${DIST}/index.js'\nexport default createAxes({ databaseUrl: ${JSON.stringify(`sqlite:${missing}`)}, logger: false })\n`,
    )
    const result = await cli(['list-attempts'], { cwd })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`no database at ${missing}`)
    expect(readdirSync(cwd)).toEqual(['node-axes.config.mjs'])
  })

  it('refuses a SQLite file without node-axes tables, and leaves it as it was', async () => {
    const { cwd, file, url } = workspace()
    const db = new Database(file)
    db.exec('CREATE TABLE unrelated (id INTEGER)')
    db.close()
    for (const args of READERS) {
      const result = await cli([...args, '--url', url], { cwd })
      expect({ args, code: result.code }).toEqual({ args, code: 1 })
      expect(result.stderr).toContain(`${file} has no node-axes tables`)
    }
    const after = new Database(file, { readonly: true })
    const tables = after.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()
    after.close()
    expect(tables).toEqual([{ name: 'unrelated' }])
  })

  it('still creates the database with migrate, after which the readers work on it', async () => {
    const { cwd } = workspace()
    writeFileSync(join(cwd, 'node-axes.config.json'), '{}')
    const migrated = await cli(['migrate'], { cwd })
    expect(migrated.code).toBe(0)
    expect(readdirSync(cwd)).toContain('axes.sqlite3')
    expect(await cli(['reset-username', 'alice'], { cwd })).toEqual({
      code: 0,
      stdout: 'No attempts found.\n',
      stderr: '',
    })
  })
})

const pg = pgServerUrl()
describe.skipIf(pg === null)('node-axes on PostgreSQL', () => {
  it('migrates, lists and resets a server database given by AXES_DATABASE_URL', async () => {
    const { cwd } = workspace()
    const url = await createDatabase(pg as string, 'postgres')
    const env = { AXES_DATABASE_URL: url }
    // Before migrate, a clear failure rather than a stack trace.
    const early = await cli(['list-attempts'], { cwd, env })
    expect(early.code).toBe(1)
    expect(early.stderr).toMatch(/^node-axes list-attempts: .*axes_accessattempt/)
    expect(early.stderr).not.toContain(':axes@')
    expect((await cli(['migrate'], { cwd, env })).code).toBe(0)
    await seedAttempts(url)
    expect((await cli(['list-attempts'], { cwd, env })).stdout.split('\n')[1]).toMatch(
      /^192\.0\.2\.3 +carol +1 /,
    )
    expect((await cli(['reset-ip-username', '192.0.2.2', 'alice'], { cwd, env })).stdout).toBe(
      '1 attempts removed.\n',
    )
    expect((await cli(['reset-username', 'alice'], { cwd, env })).stdout).toBe(
      '1 attempts removed.\n',
    )
    expect((await cli(['reset', '--yes'], { cwd, env })).stdout).toBe('2 attempts removed.\n')
    expect(await runSql(url, 'SELECT COUNT(*) FROM axes_accessattempt;')).toMatch(/\b0\b/)
  })
})

const redis = redisServerUrl()
describe.skipIf(redis === null)('node-axes on Redis', () => {
  it('lists and resets the Redis handler given by --url or AXES_REDIS_URL, and has nothing to migrate', async () => {
    const { cwd } = workspace()
    // Database 7 of the shared server: the command uses the default prefix, which no other test
    // file uses on database 0.
    const url = `${redis as string}/7`
    const client = new Redis(url)
    try {
      await client.flushdb()
      const axes = createAxes({
        handler: redisHandler({ client }),
        failureLimit: 100,
        lockoutParameters: [['username', 'ip_address']],
        logger: false,
      })
      for (const [username, ip] of [
        ['alice', '192.0.2.1'],
        ['alice', '192.0.2.1'],
        ['bob', '192.0.2.1'],
        ['carol', '2001:db8::7'],
      ]) {
        await axes.loginFailed(request(username as string, ip as string))
      }
      await axes.close()
      const listed = await cli(['list-attempts', '--url', url, '--json'], { cwd })
      expect(listed.code).toBe(0)
      const rows = JSON.parse(listed.stdout) as {
        ipAddress: string
        username: string
        failures: number
      }[]
      expect(rows.map((r) => `${r.ipAddress} ${r.username} ${r.failures}`).sort()).toEqual([
        '192.0.2.1 alice 2',
        '192.0.2.1 bob 1',
        '2001:db8::7 carol 1',
      ])
      const env = { AXES_REDIS_URL: url }
      expect((await cli(['reset-ip-username', '192.0.2.1', 'alice'], { cwd, env })).stdout).toBe(
        '1 attempts removed.\n',
      )
      expect((await cli(['reset-username', 'nobody'], { cwd, env })).stdout).toBe(
        'No attempts found.\n',
      )
      expect((await cli(['migrate'], { cwd, env })).stdout).toBe(
        'The redis handler keeps no tables: nothing to migrate.\n',
      )
      // Reset all: django-axes' cache handler cannot; this one can.
      expect((await cli(['reset', '--yes'], { cwd, env })).stdout).toBe('2 attempts removed.\n')
      expect(await client.dbsize()).toBe(0)
      const both = await cli(['reset', '--yes'], {
        cwd,
        env: { AXES_REDIS_URL: url, AXES_DATABASE_URL: 'sqlite:x.sqlite3' },
      })
      expect(both.code).toBe(2)
      expect(both.stderr).toMatch(/both AXES_DATABASE_URL and AXES_REDIS_URL/)
    } finally {
      client.disconnect()
    }
  })

  it("ends when done, though the configuration's own Redis client is left open", async () => {
    const { cwd } = workspace()
    const ioredis = pathToFileURL(
      createRequire(join(process.cwd(), 'package.json')).resolve('ioredis'),
    )
    writeFileSync(
      join(cwd, 'node-axes.config.mjs'),
      [
        `import { Redis } from ${JSON.stringify(ioredis.href)}`,
        `import { redisHandler } from '${DIST}/redis/index.js'`,
        // The application's client: its handler does not close it, nor does the command.
        `const client = new Redis(${JSON.stringify(`${redis as string}/7`)})`,
        'export default { handler: redisHandler({ client }) }',
        '',
      ].join('\n'),
    )
    const listed = await cli(['list-attempts', '--json'], { cwd, timeoutMs: 10_000 })
    expect(listed).toMatchObject({ code: 0, stderr: '' })
    expect(JSON.parse(listed.stdout)).toEqual(expect.any(Array))
  })

  it('fails in one line when Redis is not there', async () => {
    const { cwd } = workspace()
    const down = await cli(['reset', '--yes', '--url', 'redis://127.0.0.1:1'], { cwd })
    expect(down.code).toBe(1)
    expect(down.stderr.split('\n')).toHaveLength(2)
    expect(down.stderr).toMatch(
      /^node-axes reset: could not connect to redis:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/,
    )
  })
})
