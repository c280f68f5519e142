// `node-axes locked` and `node-axes unlock ID`, and what reset-ip / reset-username say of the locks
// that remain, run as a user runs them (the built binary in its own process) on SQLite, PostgreSQL
// and Redis, with the demo's settings: 3 failures, a 1-minute cool-off, per username and IP.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { type Axes, type AxesOptions, type AxesRequest, createAxes } from 'node-axes'
import { databaseHandler } from 'node-axes/database'
import { redisHandler } from 'node-axes/redis'
import { afterAll, describe, expect, it } from 'vitest'
import { cli } from '../support/built-cli.js'
import { pgServerUrl, redisServerUrl } from '../support/inject-servers.js'
import { createDatabase } from '../support/servers.js'

const dir = mkdtempSync(join(tmpdir(), 'node-axes-cli-locks-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** The demo's settings (examples/demo.ts). */
const DEMO: AxesOptions = {
  failureLimit: 3,
  cooloffTime: '1m',
  lockoutParameters: [['username', 'ip_address']],
  logger: false,
}

const login = (username: string, ip: string, agent: string): AxesRequest => ({
  method: 'POST',
  path: '/login',
  headers: { 'user-agent': agent },
  socketAddress: ip,
  body: { username, password: 'wrong' },
})

/** alice locked by her username and IP from two user agents: two rows on a database. */
async function lockAlice(axes: Axes): Promise<void> {
  await axes.loginFailed(login('alice', '192.0.2.1', 'Firefox'))
  await axes.loginFailed(login('alice', '192.0.2.1', 'Firefox'))
  await axes.loginFailed(login('alice', '192.0.2.1', 'curl/8'))
  await axes.loginFailed(login('bob', '192.0.2.1', 'Firefox'))
}

// The test's own instance asks the store every time (lockCache: false): a reset made by another
// process reaches a lock cache within a second, which test/handlers/lock-cache/ tests.

/** Locks alice, unlocks her with one `node-axes unlock`, and checks she may log in again. */
async function lockAndUnlock(axes: Axes, cwd: string, source: string[]): Promise<void> {
  await lockAlice(axes)
  const browser = login('alice', '192.0.2.1', 'Firefox')
  expect((await axes.isAllowed(browser)).allowed).toBe(false)

  const listed = await cli(['locked', ...source, '--json'], { cwd })
  expect(listed.code).toBe(0)
  const locks = JSON.parse(listed.stdout) as {
    id: string
    kind: string
    fields: Record<string, string>
    failures: number
    until: string
    sources: { userAgent: string | null; failures: number }[]
  }[]
  expect(locks).toHaveLength(1)
  const lock = locks[0] as (typeof locks)[number]
  expect(lock).toMatchObject({
    kind: 'pair',
    fields: { ip_address: '192.0.2.1', username: 'alice' },
    failures: 3,
  })
  expect(Date.parse(lock.until)).toBeGreaterThan(Date.now())

  const human = await cli(['locked', ...source], { cwd })
  expect(human.stdout).toContain('1 lock in force:')
  expect(human.stdout).toContain('pair lock: IP 192.0.2.1, username alice')
  expect(human.stdout).toContain(`lift it: node-axes unlock '${lock.id}'`)

  const unlocked = await cli(['unlock', lock.id, ...source], { cwd })
  expect(unlocked.code).toBe(0)
  expect(unlocked.stdout).toMatch(
    /^Unlocked the pair lock on IP 192\.0\.2\.1, username alice: \d+ attempts? removed\.\n$/,
  )
  expect((await axes.isAllowed(browser)).allowed).toBe(true)
  expect((await axes.isAllowed(login('alice', '192.0.2.1', 'curl/8'))).allowed).toBe(true)
  expect((await cli(['locked', ...source], { cwd })).stdout).toBe('No one is locked out.\n')
  // bob's failure locked nothing and stays.
  expect((await axes.listAttempts()).some((a) => a.username === 'bob')).toBe(true)

  const again = await cli(['unlock', lock.id, ...source], { cwd })
  expect(again).toMatchObject({
    code: 1,
    stdout: `No lock '${lock.id}' was in force: 0 attempts removed.\n`,
  })
  const bad = await cli(['unlock', 'not a lock', ...source], { cwd })
  expect(bad.code).toBe(1)
  // After the header lines (which options, which store), one line saying why.
  expect(bad.stderr.split('\n').at(-2)).toBe(
    'node-axes unlock: unlock: "not a lock" is not a lock id',
  )
  expect(bad.stderr).not.toMatch(/\n\s+at /)
}

/** Where a test runs the command: a SQLite file, a PostgreSQL server or a Redis database's URL. */
type Store = 'sqlite' | { postgres: string } | { redis: string }

/**
 * Runs `test` in a folder of its own with the test's instance on `store` with `options` (asking
 * the store every time, as said above), and the command-line arguments that name the same store:
 * a database's URL goes with `options` to node-axes.config.json in the folder, a Redis database
 * (emptied first) is named with `--url`. Closes the instance (and the Redis client) after.
 */
async function onStore(
  store: Store,
  options: AxesOptions,
  test: (axes: Axes, cwd: string, source: string[]) => Promise<void>,
): Promise<void> {
  const cwd = mkdtempSync(join(dir, 'ws-'))
  if (typeof store === 'object' && 'redis' in store) {
    const client = new Redis(store.redis)
    const axes = createAxes({ ...options, handler: redisHandler({ client, lockCache: false }) })
    try {
      await client.flushdb()
      await test(axes, cwd, ['--url', store.redis])
    } finally {
      await axes.close()
      client.disconnect()
    }
    return
  }
  const url =
    store === 'sqlite'
      ? `sqlite:${join(cwd, 'axes.sqlite3')}`
      : await createDatabase(store.postgres, 'postgres')
  const axes = createAxes({
    ...options,
    handler: databaseHandler({ url, autoMigrate: true, lockCache: false }),
  })
  try {
    writeFileSync(
      join(cwd, 'node-axes.config.json'),
      JSON.stringify({ ...options, databaseUrl: url }),
    )
    await test(axes, cwd, [])
  } finally {
    await axes.close()
  }
}

/** The demo's settings, locking an IP on its own as well as a username with its IP. */
const IP_TOO: AxesOptions = {
  ...DEMO,
  lockoutParameters: ['ip_address', ['username', 'ip_address']],
}

describe('node-axes locked / unlock on SQLite', () => {
  it('lists alice locked from two user agents as one lock, and one unlock lets her in', async () => {
    await onStore('sqlite', DEMO, lockAndUnlock)
  })

  it('says after reset-username which lock remains through the IP, and how to lift it', async () => {
    await onStore('sqlite', IP_TOO, async (axes, cwd) => {
      // eve's failures keep the IP locked once bob's row is gone.
      for (const user of ['bob', 'eve', 'eve', 'eve']) {
        await axes.loginFailed(login(user, '192.0.2.9', 'Firefox'))
      }
      const reset = await cli(['reset-username', 'bob'], { cwd })
      expect(reset.code).toBe(0)
      expect(reset.stdout).toContain(
        '1 attempts removed.\nStill locked out, through another lockout parameter:\n',
      )
      expect(reset.stdout).toContain('ip lock: IP 192.0.2.9')
      expect(reset.stdout).toContain("lift it: node-axes unlock 'i9:192.0.2.9'")
      expect((await axes.isAllowed(login('bob', '192.0.2.9', 'Firefox'))).allowed).toBe(false)
      expect((await cli(['unlock', 'i9:192.0.2.9'], { cwd })).stdout).toBe(
        'Unlocked the ip lock on IP 192.0.2.9: 1 attempt removed.\n',
      )
      expect((await axes.isAllowed(login('bob', '192.0.2.9', 'Firefox'))).allowed).toBe(true)
    })
  })
})

const pg = pgServerUrl()
describe.skipIf(pg === null)('node-axes locked / unlock on PostgreSQL', () => {
  it('lists alice locked from two user agents as one lock, and one unlock lets her in', async () => {
    await onStore({ postgres: pg as string }, DEMO, lockAndUnlock)
  })
})

const redis = redisServerUrl()
describe.skipIf(redis === null)('node-axes locked / unlock on Redis', () => {
  // Database 8 of the shared server, with the default prefix the command uses.
  const store = () => ({ redis: `${redis as string}/8` })

  it('lists alice locked from two user agents as one lock, and one unlock lets her in', async () => {
    await onStore(store(), DEMO, lockAndUnlock)
  })

  it('says after reset-username that the IP still locks bob, and unlock lifts it', async () => {
    await onStore(store(), IP_TOO, async (axes, cwd, source) => {
      for (let i = 0; i < 3; i++) await axes.loginFailed(login('bob', '192.0.2.7', 'Firefox'))
      const reset = await cli(['reset-username', 'bob', ...source], { cwd })
      expect(reset.code).toBe(0)
      expect(reset.stdout).toContain(
        '1 attempts removed.\nStill locked out, through another lockout parameter:\n',
      )
      expect(reset.stdout).toContain('ip lock: IP 192.0.2.7')
      const id = /node-axes unlock '([^']+)'/.exec(reset.stdout)?.[1] as string
      expect((await axes.isAllowed(login('bob', '192.0.2.7', 'Firefox'))).allowed).toBe(false)
      expect((await cli(['unlock', id, ...source], { cwd })).code).toBe(0)
      expect((await axes.isAllowed(login('bob', '192.0.2.7', 'Firefox'))).allowed).toBe(true)
      const json = await cli(['reset-ip', '192.0.2.7', ...source, '--json'], { cwd })
      expect(JSON.parse(json.stdout)).toEqual({ removed: 0, sources: [], remaining: [] })
    })
  })
})
