// Faults: the database server is killed (SIGKILL, its child processes too) in the middle of a burst
// of logins and started again. Each store-failure policy holds while it is down (failClosed
// refuses with a store error, failOpen lets through with one), nothing throws and no promise is
// left unhandled, service returns within 2 s of the server's return without a restart of the
// application, and no lockout recorded before the crash is lost. Each test starts its own server:
// the shared test servers must not be killed under the other test files.

import { type Axes, type AxesRequest, createAxes, type LockoutDecision } from 'node-axes'
import { databaseHandler } from 'node-axes/database'
import { afterAll, describe, expect, it } from 'vitest'
import {
  createDatabase,
  type ServerKind,
  startMariadb,
  startPostgres,
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

const KINDS: { name: string; kind: ServerKind; start: () => Promise<TestServer | null> }[] = [
  { name: 'PostgreSQL', kind: 'postgres', start: () => startPostgres({ durable: true }) },
  { name: 'MariaDB', kind: 'mysql', start: () => startMariadb() },
]

describe.each(KINDS)('$name killed with SIGKILL in the middle of a burst', ({ kind, start }) => {
  const fromEnv =
    kind === 'postgres' ? process.env.AXES_TEST_PG_URL : process.env.AXES_TEST_MYSQL_URL
  it.skipIf(Boolean(fromEnv))(
    'holds each store-failure policy, recovers within 2 s of its return, and loses no lockout',
    async () => {
      const server = await start()
      if (server === null) throw new Error(`no ${kind} server (see test/support/servers.ts)`)
      started.push(server)
      const url = await createDatabase(server, kind)
      const options = {
        failureLimit: 3,
        cooloffTime: '1h',
        lockoutParameters: [['username', 'ip_address']] as ['username', 'ip_address'][],
        logger: false as const,
      }
      const migrated = databaseHandler({ url })
      await migrated.migrate()
      await migrated.close()
      const closed = createAxes({ ...options, handler: databaseHandler({ url }) })
      const open = createAxes({
        ...options,
        handler: databaseHandler({ url }),
        onStoreError: 'failOpen',
      })
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

      // The lockout recorded before the crash is still there, for both instances.
      expect((await closed.isAllowed(request('victim', '203.0.113.66'))).reason).toBe('lockedOut')
      expect((await open.isAllowed(request('victim', '203.0.113.66'))).reason).toBe('lockedOut')
      await Promise.all([closed.close(), open.close()])
    },
    120_000,
  )
})
