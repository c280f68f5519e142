// The command line cannot mislead: it works with the application's own options (a configuration
// module, TypeScript included, on Node 20 through tsx or esbuild and on Node 22 by itself), says on
// standard error which options and which store it uses, refuses to create a database or to guess
// one, and asks before removing everything. The built binary in its own process, on SQLite files,
// and on PostgreSQL for the masked password.

import { spawn } from 'node:child_process'
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { type AxesOptions, type AxesRequest, createAxes } from 'node-axes'
import { databaseHandler } from 'node-axes/database'
import { afterAll, describe, expect, it } from 'vitest'
import { CLI, cli } from '../support/built-cli.js'
import { pgServerUrl } from '../support/inject-servers.js'
import { ROOT } from '../support/root.js'
import { runtimeBinary } from '../support/runtimes.js'
import { createDatabase } from '../support/servers.js'
import { Database } from '../support/sqlite.js'

const dir = mkdtempSync(join(tmpdir(), 'node-axes-cli-config-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const DIST = pathToFileURL(join(ROOT, 'dist')).href
const MINUTE = 60_000
/** A line of a stack trace. */
const STACK = /\n\s+at /

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

/** Writes failures into `url` with node-axes in this process (migrating it first). */
async function seed(url: string, options: AxesOptions, failures: [string, string][]) {
  const axes = createAxes({ handler: databaseHandler({ url }), logger: false, ...options })
  for (const [username, ip] of failures) await axes.loginFailed(request(username, ip))
  await axes.close()
}

const count = (file: string) => {
  const db = new Database(file, { readonly: true })
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM axes_accessattempt').get() as { n: number }).n
  } finally {
    db.close()
  }
}

const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}Z`

describe('the options it works with are the configuration’s, and it says which', () => {
  it('shows a 15-minute lockout’s real end, and prints options and store on standard error', async () => {
    const { cwd, url, file } = workspace()
    const lastFailure = Date.now() - MINUTE
    await seed(url, { failureLimit: 3, cooloffTime: '15m', clock: () => lastFailure }, [
      ['alice', '192.0.2.1'],
      ['alice', '192.0.2.1'],
      ['alice', '192.0.2.1'],
    ])
    const config = join(cwd, 'node-axes.config.mjs')
    writeFileSync(
      config,
      `export default { databaseUrl: ${JSON.stringify(url)}, failureLimit: 3, cooloffTime: '15m' }\n`,
    )
    const json = await cli(['list-attempts', '--json'], { cwd })
    expect(json.code).toBe(0)
    expect(json.stderr).toBe(
      `node-axes: options: ${config}: 3 failures lock for 15 minutes, by username+ip_address\nnode-axes: store: sqlite:${file}\n`,
    )
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({
        username: 'alice',
        failures: 3,
        locked: true,
        lockedUntil: new Date(lastFailure + 15 * MINUTE).toISOString(),
      }),
    ])
    const human = await cli(['list-attempts'], { cwd })
    const [head, row] = human.stdout.split('\n')
    expect(head).toMatch(/^IP ADDRESS +USERNAME +FAILURES +LAST ATTEMPT +LOCKED UNTIL +USER AGENT$/)
    expect(row).toContain(`${utc(lastFailure + 15 * MINUTE)} (in 1`)
    expect(row).toMatch(/\(in 1[34] minutes( \d+ seconds?)?\)/)

    // The same store by --url alone: node-axes' defaults (5 failures), said so, and no lock.
    rmSync(config)
    const bare = await cli(['list-attempts', '--json', '--url', url], { cwd })
    expect(bare.stderr).toBe(
      `node-axes: options: node-axes' defaults (no configuration file): 5 failures lock for 15 minutes, by username+ip_address\nnode-axes: store: sqlite:${file} (--url)\n`,
    )
    expect(JSON.parse(bare.stdout)).toEqual([
      expect.objectContaining({ locked: false, lockedUntil: null }),
    ])
    // With the configuration back, --url is only the store: its options still apply.
    writeFileSync(config, "export default { failureLimit: 3, cooloffTime: '1h' }\n")
    const both = await cli(['list-attempts', '--json', '--url', url], { cwd })
    expect(both.stderr).toContain(`options: ${config}: 3 failures lock for 1 hour`)
    expect(JSON.parse(both.stdout)[0].lockedUntil).toBe(
      new Date(lastFailure + 60 * MINUTE).toISOString(),
    )
  })

  it('checks the application’s options only: without a configuration, check refuses', async () => {
    const { cwd, url } = workspace()
    await seed(url, {}, [])
    const refused = await cli(['check', '--url', url], { cwd })
    expect(refused.code).toBe(1)
    expect(refused.stdout).toBe('')
    expect(refused.stderr).toMatch(
      /^node-axes check: needs the application's options, and there is no configuration file in .*--config FILE/,
    )
    writeFileSync(join(cwd, 'app.config.mjs'), 'export default { onlyUserFailures: true }\n')
    const checked = await cli(['check', '--config', 'app.config.mjs'], { cwd })
    expect(checked.code).toBe(0)
    expect(checked.stdout).toContain('axes.W004:')
    expect(checked.stderr).toContain(`node-axes: options: ${join(cwd, 'app.config.mjs')}: `)
  })
})

describe('it refuses to create a database or to guess one', () => {
  const COMMANDS = [
    ['list-attempts'],
    ['reset-username', 'alice'],
    ['reset', '--yes'],
    ['reset-logs'],
    ['migrate'],
    ['check'],
  ]

  it('in an empty folder: exit 1, the folder and files it looked for, no stack trace, nothing created', async () => {
    const { cwd } = workspace()
    for (const args of COMMANDS) {
      const result = await cli(args, { cwd })
      expect({ args, code: result.code, stdout: result.stdout }).toEqual({
        args,
        code: 1,
        stdout: '',
      })
      expect(result.stderr).toBe(
        `node-axes ${args[0]}: no configuration in ${cwd}: looked for node-axes.config.js, node-axes.config.mjs, node-axes.config.cjs, node-axes.config.ts, node-axes.config.json, and neither AXES_DATABASE_URL nor AXES_REDIS_URL is set. Name the application's configuration with --config FILE, or the store with --url URL. Nothing was opened or created.\n`,
      )
    }
    expect(readdirSync(cwd)).toEqual([])
  })

  it('an unknown URL form, from --url or the environment: exit 1 naming it, nothing created', async () => {
    const { cwd } = workspace()
    for (const url of [
      'sqllite:axes.sqlite',
      'axes.sqlite3',
      'http://127.0.0.1/axes',
      'postgres:axes',
      'sqlite:',
      'sqlite::memory:',
    ]) {
      for (const args of [['list-attempts'], ['migrate']]) {
        const result = await cli([...args, '--url', url], { cwd })
        expect({ url, args, code: result.code }).toEqual({ url, args, code: 1 })
        expect(result.stderr).toContain(`node-axes ${args[0]}: --url `)
        expect(result.stderr).toContain(`'${url}'`)
        expect(result.stderr).not.toMatch(STACK)
      }
    }
    const fromEnv = await cli(['list-attempts'], {
      cwd,
      env: { AXES_DATABASE_URL: 'mongodb://axes:secret@127.0.0.1/axes' },
    })
    expect(fromEnv.code).toBe(1)
    expect(fromEnv.stderr).toBe(
      "node-axes list-attempts: AXES_DATABASE_URL is not a store URL the command line knows ('mongodb://axes:***@127.0.0.1/axes'): use sqlite:PATH, postgres://…, mysql://… or redis://…\n",
    )
    // A known form naming a file that is not there: the absolute path it tried.
    const typo = await cli(['list-attempts', '--url', 'sqlite:axes.sqlite'], { cwd })
    expect(typo.code).toBe(1)
    expect(typo.stderr).toContain(`no database at ${join(cwd, 'axes.sqlite')} (from --url)`)
    // A --config that is not there: the absolute path it tried (a usage mistake, exit 2).
    const config = await cli(['list-attempts', '--config', 'conf/axes.mjs'], { cwd })
    expect(config.code).toBe(2)
    expect(config.stderr).toBe(
      `node-axes list-attempts: --config: no such file: ${join(cwd, 'conf/axes.mjs')}\n`,
    )
    expect(readdirSync(cwd)).toEqual([])
  })
})

describe('removing everything asks on a terminal, and needs --yes elsewhere', () => {
  const shellQuote = (word: string) => `'${word.replace(/'/g, "'\\''")}'`

  /** Runs the command on a pseudo-terminal (util-linux `script`), typing `answer`. */
  function onTerminal(args: string[], cwd: string, answer: string) {
    const command = [process.execPath, CLI, ...args].map(shellQuote).join(' ')
    return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const child = spawn('script', ['-qec', command, '/dev/null'], {
        cwd,
        env: { ...process.env, NODE_OPTIONS: '' },
      })
      let output = ''
      child.stdout.on('data', (chunk) => {
        output += String(chunk)
      })
      child.on('error', reject)
      child.on('close', (code) => resolve({ code, output }))
      child.stdin.end(`${answer}\n`)
    })
  }

  async function seeded() {
    const ws = workspace()
    await seed(ws.url, { failureLimit: 100 }, [
      ['alice', '192.0.2.1'],
      ['bob', '192.0.2.2'],
      ['carol', '192.0.2.3'],
    ])
    return ws
  }

  it('refuses without --yes where nobody can answer, before opening anything', async () => {
    const { cwd, url, file } = await seeded()
    const refused = await cli(['reset', '--url', url], { cwd })
    expect(refused).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'node-axes reset: remove every attempt: standard input is not a terminal, so nobody can be asked; add --yes to confirm\n',
    })
    expect(count(file)).toBe(3)
    // Before opening anything: a database that is not there is not even looked at.
    const before = readdirSync(cwd).sort()
    const missing = await cli(['reset', '--url', `sqlite:${join(cwd, 'nothing.sqlite3')}`], { cwd })
    expect(missing.code).toBe(2)
    expect(readdirSync(cwd).sort()).toEqual(before)
    // A filtered reset needs no confirmation.
    expect((await cli(['reset-ip', '192.0.2.1', '--url', url], { cwd })).stdout).toBe(
      '1 attempts removed.\n',
    )
    expect((await cli(['reset', '--url', url, '--yes'], { cwd })).stdout).toBe(
      '2 attempts removed.\n',
    )
  })

  it('asks on a terminal, naming the store: no keeps every attempt, yes removes them', async () => {
    const { cwd, url, file } = await seeded()
    const declined = await onTerminal(['reset', '--url', url], cwd, 'n')
    expect(declined.output).toContain(`Remove every attempt in sqlite:${file}? [y/N] `)
    expect(declined.output).toContain('node-axes reset: not confirmed; nothing was removed.')
    expect(declined.code).toBe(1)
    expect(count(file)).toBe(3)
    // Enter alone is no.
    expect((await onTerminal(['reset', '--url', url], cwd, '')).code).toBe(1)
    expect(count(file)).toBe(3)
    const accepted = await onTerminal(['reset', '--url', url], cwd, 'y')
    expect(accepted.output).toContain('3 attempts removed.')
    expect(accepted.code).toBe(0)
    expect(count(file)).toBe(0)
    // A filtered command does not ask.
    const filtered = await onTerminal(['reset-username', 'alice', '--url', url], cwd, 'n')
    expect(filtered.output).not.toContain('[y/N]')
    expect(filtered.code).toBe(0)
  })
})

/**
 * node-axes installed alone: its dist/ and package.json in node_modules/node-axes of a folder of
 * its own, beside links to only `packages` (from the project's node_modules), so that what the
 * command can find is what the test says.
 */
function install(packages: readonly string[]): string {
  const root = mkdtempSync(join(dir, 'install-'))
  const pkg = join(root, 'node_modules', 'node-axes')
  mkdirSync(pkg, { recursive: true })
  cpSync(join(ROOT, 'dist'), join(pkg, 'dist'), { recursive: true })
  copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'))
  for (const name of packages) {
    symlinkSync(join(ROOT, 'node_modules', name), join(root, 'node_modules', name), 'dir')
  }
  const binary = join(pkg, 'dist', 'cli.js')
  const resolvable = (name: string) => {
    try {
      createRequire(binary).resolve(`${name}/package.json`)
      return true
    } catch {
      return false
    }
  }
  for (const tool of ['tsx', 'esbuild']) {
    expect({ tool, found: resolvable(tool) }).toEqual({ tool, found: packages.includes(tool) })
  }
  return binary
}

/** A TypeScript configuration that imports another TypeScript module, as Node's rules allow. */
function typeScriptConfig(cwd: string, options: string): void {
  writeFileSync(join(cwd, 'limits.ts'), 'export const failureLimit: number = 4\n')
  writeFileSync(
    join(cwd, 'node-axes.config.ts'),
    [
      `import type { AxesOptions } from '${DIST}/index.js'`,
      "import { failureLimit } from './limits.ts'",
      `const options: AxesOptions = { failureLimit, ${options} }`,
      'export default options',
      '',
    ].join('\n'),
  )
}

/**
 * Node 22 as 22.13 to 22.17 are (the supported floor): no type stripping of its own, and
 * node:sqlite unflagged.
 */
const node22 = runtimeBinary('node22')
const noStripping = {
  node: node22 ?? process.execPath,
  env: { NODE_OPTIONS: '--no-experimental-strip-types' },
}

describe('a TypeScript configuration on a plain Node', () => {
  it.skipIf(node22 === null)(
    'on a Node that does not strip types, with esbuild installed (and no tsx): types stripped as it loads, nothing written',
    async () => {
      const binary = install(['kysely', 'esbuild'])
      const { cwd, url } = workspace()
      await seed(url, { failureLimit: 100 }, [['alice', '192.0.2.1']])
      typeScriptConfig(cwd, `databaseUrl: ${JSON.stringify(url)}`)
      const before = readdirSync(cwd).sort()
      const listed = await cli(['list-attempts', '--json'], { cwd, binary, ...noStripping })
      expect(listed.stderr).toContain(`options: ${join(cwd, 'node-axes.config.ts')}: 4 failures`)
      expect(listed.code).toBe(0)
      expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ username: 'alice' })])
      expect(readdirSync(cwd).sort()).toEqual(before)
    },
  )

  it.skipIf(node22 === null)(
    'on a Node that does not strip types, with neither tsx nor esbuild: exit 1 saying how, in one line',
    async () => {
      const binary = install(['kysely'])
      const { cwd, url } = workspace()
      typeScriptConfig(cwd, `databaseUrl: ${JSON.stringify(url)}`)
      const before = readdirSync(cwd).sort()
      const result = await cli(['list-attempts'], { cwd, binary, ...noStripping })
      expect(result.code).toBe(1)
      expect(result.stdout).toBe('')
      expect(result.stderr.split('\n')).toHaveLength(2)
      expect(result.stderr).toContain(join(cwd, 'node-axes.config.ts'))
      expect(result.stderr).toContain('Node 22.18 or later')
      expect(result.stderr).toContain('npm install --save-dev tsx')
      expect(result.stderr).toContain('.mjs')
      expect(readdirSync(cwd).sort()).toEqual(before)
    },
  )

  describe.skipIf(node22 === null)('on Node 22.18+, which strips types itself', () => {
    it('loads it with neither tsx nor esbuild installed, and says what Node cannot strip', async () => {
      const binary = install([])
      const { cwd } = workspace()
      // The memory handler: this install has no SQLite driver (and the project's is built for
      // Node 20); check reads no store.
      typeScriptConfig(cwd, "handler: 'memory', onlyUserFailures: true")
      const checked = await cli(['check', '--json'], { cwd, binary, node: node22 as string })
      expect(checked.stderr).toContain(`options: ${join(cwd, 'node-axes.config.ts')}: 4 failures`)
      expect(checked.code).toBe(0)
      expect((JSON.parse(checked.stdout) as { id: string }[]).map((c) => c.id)).toContain(
        'axes.W004',
      )
      writeFileSync(
        join(cwd, 'node-axes.config.ts'),
        "enum Handler { Memory = 'memory' }\nexport default { handler: Handler.Memory }\n",
      )
      const enumConfig = await cli(['check'], { cwd, binary, node: node22 as string })
      expect(enumConfig.code).toBe(1)
      expect(enumConfig.stderr).toMatch(/uses TypeScript that Node cannot strip/)
      expect(enumConfig.stderr).not.toMatch(STACK)
    })
  })
})

const pg = pgServerUrl()
describe.skipIf(pg === null)('the store named on PostgreSQL', () => {
  it('masks the password in the header, and standard output stays JSON', async () => {
    const { cwd } = workspace()
    const url = await createDatabase(pg as string, 'postgres')
    const env = { AXES_DATABASE_URL: url }
    expect((await cli(['migrate'], { cwd, env })).code).toBe(0)
    const listed = await cli(['list-attempts', '--json'], { cwd, env })
    expect(listed.code).toBe(0)
    expect(JSON.parse(listed.stdout)).toEqual([])
    const masked = new URL(url)
    masked.password = '***'
    expect(listed.stderr).toBe(
      `node-axes: options: node-axes' defaults (no configuration file): 5 failures lock for 15 minutes, by username+ip_address\nnode-axes: store: ${masked.href} (AXES_DATABASE_URL)\n`,
    )
    expect(listed.stderr).not.toContain(`:${new URL(url).password}@`)
  })
})

describe("the demo's configuration (examples/node-axes.config.ts)", () => {
  const config = join(ROOT, 'examples', 'node-axes.config.ts')

  it("lists the demo's attempts under the demo's lockout: 3 failures lock alice for 1 minute", async () => {
    const { cwd } = workspace()
    const url = `sqlite:${join(cwd, 'axes.sqlite3')}`
    const last = Date.now()
    await seed(url, { failureLimit: 3, cooloffTime: '1m', clock: () => last }, [
      ['alice', '192.0.2.1'],
      ['alice', '192.0.2.1'],
      ['alice', '192.0.2.1'],
    ])
    const listed = await cli(['list-attempts', '--json', '--config', config], { cwd })
    expect(listed.stderr).toBe(
      `node-axes: options: ${config}: 3 failures lock for 1 minute, by username+ip_address\nnode-axes: store: sqlite:${join(cwd, 'axes.sqlite3')}\n`,
    )
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({
        username: 'alice',
        locked: true,
        lockedUntil: new Date(last + MINUTE).toISOString(),
      }),
    ])
  })

  const node22 = runtimeBinary('node22')
  it.skipIf(node22 === null)(
    'loads on Node 22 too, through tsx where Node finds ./demo.js missing (it is ./demo.ts)',
    async () => {
      const { cwd } = workspace()
      const checked = await cli(['check', '--json', '--config', config], {
        cwd,
        node: node22 as string,
      })
      expect(checked.stderr).toContain(`options: ${config}: 3 failures lock for 1 minute`)
      expect(checked.code).toBe(0)
      expect(JSON.parse(checked.stdout)).toEqual(expect.any(Array))
    },
  )
})
