// `node-axes locked`, `unlock`, `reset-ip` and `reset` with issue 15's defences configured, run as a
// user runs them (the built binary, the application's own config module) on a SQLite file and on
// Redis: a source locked by spray detection and a trusted device that failed its own limit are
// listed, each lifted by one `unlock`; reset-ip and reset lift source locks and say so.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { type Axes, type AxesOptions, type AxesRequest, createAxes } from 'node-axes'
import { databaseHandler } from 'node-axes/database'
import { deviceCookies } from 'node-axes/device-cookies'
import { redisHandler } from 'node-axes/redis'
import { sprayDetection } from 'node-axes/spray-detection'
import { afterAll, describe, expect, it } from 'vitest'
import { cli } from '../support/built-cli.js'
import { redisServerUrl } from '../support/inject-servers.js'
import { ROOT } from '../support/root.js'

const dir = mkdtempSync(join(tmpdir(), 'node-axes-cli-defences-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const SECRET = 'a-device-cookie-secret-of-32-chars+'
const SPRAYER = '203.0.113.9'
const BASE = { failureLimit: 3, cooloffTime: '1h', lockoutParameters: ['username'], logger: false }
const DEFENCES = { usernames: 3, cooloff: '30m' }

/** The application's config module, as the command loads it, from node-axes' built package. */
function writeConfig(cwd: string, databaseUrl?: string): void {
  const dist = (path: string) => JSON.stringify(join(ROOT, 'dist', path))
  writeFileSync(
    join(cwd, 'node-axes.config.mjs'),
    `import { sprayDetection } from ${dist('spray-detection/index.js')}
import { deviceCookies } from ${dist('device-cookies/index.js')}
export default {
  ...${JSON.stringify({ ...BASE, ...(databaseUrl ? { databaseUrl } : {}) })},
  sprayDetection: sprayDetection(${JSON.stringify(DEFENCES)}),
  deviceCookies: deviceCookies({ secrets: ${JSON.stringify(SECRET)} }),
}
`,
  )
}

const request = (username: string, ip: string, cookie?: string): AxesRequest => ({
  method: 'POST',
  path: '/login',
  headers: cookie ? { cookie } : {},
  socketAddress: ip,
  body: { username, password: 'x' },
})

interface ListedLock {
  id: string
  kind: string
  fields: Record<string, string>
  usernames?: number
}

async function scenario(axes: Axes, cwd: string, extra: string[]): Promise<void> {
  const attempt = (username: string, ip: string, ok = false, cookie?: string) => {
    const req = request(username, ip, cookie)
    return axes.protect(req, req.body as Record<string, string>, () => (ok ? 'user' : null))
  }
  const spray = async (tag: string) => {
    for (let i = 0; i < 4; i++) await attempt(`${tag}${i}`, SPRAYER)
  }
  const run = (...args: string[]) => cli([...args, ...extra], { cwd })

  const cookie = ((await attempt('alice', '10.0.0.1', true)).decision.setCookie ?? '').split(';')[0]
  const nonce = (cookie as string).split('.')[1] as string
  for (let i = 0; i < 3; i++) await attempt('alice', '10.0.0.1', false, cookie)
  await spray('a')
  expect((await attempt('zed', SPRAYER)).decision.reason).toBe('sourceLocked')

  const listed = await run('locked', '--json')
  expect(listed.code).toBe(0)
  expect(listed.stdout).not.toContain(nonce)
  const locks = JSON.parse(listed.stdout) as ListedLock[]
  expect(locks.map((l) => l.kind).sort()).toEqual(['device', 'source'])
  const source = locks.find((l) => l.kind === 'source') as ListedLock
  const device = locks.find((l) => l.kind === 'device') as ListedLock
  expect(source).toMatchObject({ id: `source:${SPRAYER}`, usernames: 4 })

  const human = (await run('locked')).stdout
  expect(human).toContain('2 locks in force:')
  expect(human).toContain(`source lock: source ${SPRAYER} (4 usernames)`)
  expect(human).toContain(`lift it: node-axes unlock 'source:${SPRAYER}'`)
  expect(human).toMatch(/device lock: device [0-9a-f]{8}… of username alice\n/)
  expect(human).toMatch(/3 from (IP 10\.0\.0\.1, )?username alice \(device [0-9a-f]{8}…\)/)
  expect(human).not.toContain(nonce)

  expect((await run('unlock', source.id)).stdout).toBe(
    `Unlocked the source lock on source ${SPRAYER} (4 usernames): 1 attempt removed.\n`,
  )
  expect((await attempt('zed', SPRAYER)).decision.reason).not.toBe('sourceLocked')
  const unlockedDevice = await run('unlock', device.id)
  expect(unlockedDevice.code).toBe(0)
  expect(unlockedDevice.stdout).toMatch(
    /^Unlocked the device lock on device [0-9a-f]{8}… of username alice: 1 attempts? removed\.\n$/,
  )
  expect((await attempt('alice', '10.0.0.1', true, cookie)).decision.trustedDevice).toBe(true)
  expect((await run('locked')).stdout).toBe('No one is locked out.\n')

  // reset-ip and reset lift the source lock of the IP, and say so.
  await spray('b')
  const resetIp = await run('reset-ip', SPRAYER)
  expect(resetIp.code).toBe(0)
  expect(resetIp.stdout).toContain(`Lifted the source lock on source ${SPRAYER} (4 usernames).\n`)
  expect((await attempt('zed', SPRAYER)).decision.reason).not.toBe('sourceLocked')
  await spray('c')
  const all = await run('reset', '--yes', '--json')
  expect(JSON.parse(all.stdout).sources).toEqual([
    expect.objectContaining({ id: `source:${SPRAYER}`, kind: 'source', usernames: 4 }),
  ])
  expect((await attempt('zed', SPRAYER)).decision.reason).not.toBe('sourceLocked')
}

const options = (handler: AxesOptions['handler']): AxesOptions => ({
  ...(BASE as AxesOptions),
  handler,
  sprayDetection: sprayDetection(DEFENCES),
  deviceCookies: deviceCookies({ secrets: SECRET }),
})

// The test's own instance asks the store every time (lockCache: false): a reset made by another
// process reaches a lock cache within a second, which test/handlers/lock-cache/ tests.

describe('node-axes locked / unlock / reset-ip with spray detection and device cookies', () => {
  it('on a SQLite file', async () => {
    const cwd = mkdtempSync(join(dir, 'ws-'))
    const url = `sqlite:${join(cwd, 'axes.sqlite3')}`
    const axes = createAxes(options(databaseHandler({ url, lockCache: false })))
    try {
      writeConfig(cwd, url)
      await scenario(axes, cwd, [])
    } finally {
      await axes.close()
    }
  })

  const redis = redisServerUrl()
  it.skipIf(redis === null)('on Redis', async () => {
    const cwd = mkdtempSync(join(dir, 'ws-'))
    // Database 9 of the shared server, with the default prefix the command uses.
    const url = `${redis as string}/9`
    const client = new Redis(url)
    const axes = createAxes(options(redisHandler({ client, lockCache: false })))
    try {
      await client.flushdb()
      writeConfig(cwd)
      await scenario(axes, cwd, ['--url', url])
    } finally {
      await axes.close()
      client.disconnect()
    }
  })
})
