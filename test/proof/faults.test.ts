// Faults: the database or Redis server is killed (SIGKILL, its child processes too) in the middle
// of a burst of logins and started again. Each store-failure policy holds while it is down
// (failClosed refuses with a store error, failOpen lets through with one), nothing throws and no
// promise is left unhandled, service returns within 2 s of the server's return without a restart
// of the application, and no lockout recorded in a database before the crash is lost (a Redis
// without persistence forgets, by its nature). Each test starts its own server: the shared test
// servers must not be killed under the other test files.

import { Redis } from 'ioredis'
import {
  type Axes,
  type AxesHandler,
  type AxesRequest,
  createAxes,
  type LockoutDecision,
} from 'node-axes'
import { databaseHandler } from 'node-axes/database'
import { redisHandler } from 'node-axes/redis'
import { afterAll, describe, expect, it } from 'vitest'
import {
  createDatabase,
  type ServerKind,
  startMariadb,
  startPostgres,
  startRedis,
  type TestServer,
} from '../support/servers.js'

const started: TestServer[] = []
afterAll(async () => {
  await Promise.all(started.map((server) => server.stop()))
})

const request = (username: string, ip: string): AxesRequest => ({
  method: 'POST',
  path: '/login',
  headers: { 'user-agent': 'fault-proof' },
  socketAddress: ip,
  body: { username, password: 'wrong' },
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Logins from many clients, one after another on `lanes` lanes, until `stop()`. */
function burst(axes: Axes, lanes: number) {
  const decisions: { at: number; decision: LockoutDecision }[] = []
  const thrown: unknown[] = []
  let running = true
  let n = 0
  const done = Promise.all(
    Array.from({ length: lanes }, async () => {
      while (running) {
        const i = n++
        try {
          const client = request(`user${i % 200}`, `198.51.100.${i % 200}`)
          const decision =
            i % 2 === 0
              ? await axes.loginFailed(client)
              : (await axes.protect(client, null, async () => null)).decision
          decisions.push({ at: Date.now(), decision })
        } catch (error) {
          thrown.push(error)
        }
        // Keep the burst from spinning on instant store errors while the server is down.
        await sleep(2)
      }
    }),
  )
  return {
    decisions,
    thrown,
    async stop() {
      running = false
      await done
    },
  }
}

type Kind = ServerKind | 'redis'
const KINDS: { name: string; kind: Kind; start: () => Promise<TestServer | null> }[] = [
  { name: 'PostgreSQL', kind: 'postgres', start: () => startPostgres({ durable: true }) },
  { name: 'MariaDB', kind: 'mysql', start: () => startMariadb() },
  { name: 'Redis', kind: 'redis', start: () => startRedis({ ownServer: true }) },
]

describe.each(KINDS)('$name killed with SIGKILL in the middle of a burst', ({ kind, start }) => {
  const fromEnv =
    kind === 'postgres'
      ? process.env.AXES_TEST_PG_URL
      : kind === 'mysql'
        ? process.env.AXES_TEST_MYSQL_URL
        : undefined
  const keeps = kind !== 'redis'
  it.skipIf(Boolean(fromEnv))(
    `holds each store-failure policy, recovers within 2 s of its return${keeps ? ', and loses no lockout' : ''}`,
    async () => {
      const server = await start()
      if (server === null) throw new Error(`no ${kind} server (see test/support/servers.ts)`)
      started.push(server)
      const options = {
        failureLimit: 3,
        cooloffTime: '1h',
        lockoutParameters: [['username', 'ip_address']] as ['username', 'ip_address'][],
        logger: false as const,
      }
      const clients: Redis[] = []
      let handler: () => AxesHandler
      if (kind === 'redis') {
        handler = () => {
          const client = new Redis(server.url)
          client.on('error', () => {})
          clients.push(client)
          return redisHandler({ client, timeoutMs: 300 })
        }
      } else {
        const url = await createDatabase(server, kind)
        const migrated = databaseHandler({ url })
        await migrated.migrate()
        await migrated.close()
        handler = () => databaseHandler({ url })
      }
      const closed = createAxes({ ...options, handler: handler() })
      const open = createAxes({ ...options, handler: handler(), onStoreError: 'failOpen' })
      const storeErrors: string[] = []
      closed.on('storeError', ({ operation }) => storeErrors.push(operation))

      // Locked out before the crash: this must survive it.
      for (let i = 0; i < 3; i++) await closed.loginFailed(request('victim', '203.0.113.66'))
      expect((await closed.isAllowed(request('victim', '203.0.113.66'))).reason).toBe('lockedOut')

      const closedBurst = burst(closed, 8)
      const openBurst = burst(open, 8)
      await sleep(500)
      const crashedAt = Date.now()
      await server.crash?.()
      await sleep(1000)
      await server.restart?.()
      const backAt = Date.now()
      await sleep(2500)
      await Promise.all([closedBurst.stop(), openBurst.stop()])

      // Nothing thrown out of the API, whatever the store did.
      expect(closedBurst.thrown).toEqual([])
      expect(openBurst.thrown).toEqual([])
      const during = (list: typeof closedBurst.decisions) =>
        list.filter((d) => d.at > crashedAt + 50 && d.at < backAt).map((d) => d.decision)
      // While the server was down: failClosed refused, failOpen let through, both saying why.
      const closedDown = during(closedBurst.decisions)
      const openDown = during(openBurst.decisions)
      expect(closedDown.filter((d) => d.reason === 'storeError').length).toBeGreaterThan(0)
      expect(openDown.filter((d) => d.reason === 'storeError').length).toBeGreaterThan(0)
      for (const d of closedDown.filter((d) => d.reason === 'storeError'))
        expect(d.allowed).toBe(false)
      for (const d of openDown.filter((d) => d.reason === 'storeError'))
        expect(d.allowed).toBe(true)
      expect(storeErrors.length).toBeGreaterThan(0)

      // Back within 2 s of the server's return, and from then on no more store errors.
      for (const list of [closedBurst.decisions, openBurst.decisions]) {
        const after = list.filter((d) => d.at > backAt)
        const firstGood = after.find((d) => d.decision.reason !== 'storeError')
        expect(firstGood).toBeDefined()
        expect((firstGood?.at ?? Number.POSITIVE_INFINITY) - backAt).toBeLessThan(2000)
        const settled = after.filter((d) => d.at > backAt + 2000)
        expect(settled.length).toBeGreaterThan(0)
        expect(settled.filter((d) => d.decision.reason === 'storeError')).toEqual([])
      }

      // The lockout recorded in a database before the crash is still there, for both instances.
      if (keeps) {
        expect((await closed.isAllowed(request('victim', '203.0.113.66'))).reason).toBe('lockedOut')
        expect((await open.isAllowed(request('victim', '203.0.113.66'))).reason).toBe('lockedOut')
      }
      await Promise.all([closed.close(), open.close()])
      for (const client of clients) client.disconnect()
    },
    120_000,
  )
})
