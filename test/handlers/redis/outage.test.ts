import { Redis } from 'ioredis'
import type { AxesRequest, StoreErrorEvent } from 'node-axes'
import { createAxes } from 'node-axes'
import { createClient } from 'redis'
import { afterAll, describe, expect, it } from 'vitest'
import { redisHandler } from '../../../src/handlers/redis/index.js'
import { recordingLogger } from '../../support/recording-logger.js'
import { type RedisTestServer, startRedis } from '../../support/servers.js'
import { uniquePrefix } from './clients.js'

// Redis goes away in the middle of a run and comes back: a redis-server of this file's own (the
// shared one must stay up), stopped and started again on the same port. failClosed refuses with
// 503, failOpen lets through, both log and emit; the same instances recover without a restart.
const first = await startRedis({ ownServer: true })

const request = (ip: string): AxesRequest => ({
  method: 'POST',
  path: '/login',
  headers: {},
  socketAddress: ip,
  body: { username: 'alice', password: 'wrong' },
})

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 20_000) {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await read()
    if (ok(value) || Date.now() > deadline) return value
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

if (first === null) {
  describe.skip('redis handler: no redis-server (apt-get install redis-server redis-tools)', () => {
    it('needs a server', () => {})
  })
} else {
  let server: RedisTestServer = first
  afterAll(() => server.stop())

  const clients = {
    ioredis: async (url: string) => {
      const client = new Redis(url)
      client.on('error', () => {})
      return { client, close: () => client.disconnect() }
    },
    'node-redis': async (url: string) => {
      const client = createClient({ url, socket: { reconnectStrategy: () => 100 } })
      client.on('error', () => {})
      await client.connect()
      return { client, close: () => client.destroy() }
    },
  }

  describe('redis handler: Redis stops and starts again mid-run', () => {
    for (const [name, connect] of Object.entries(clients)) {
      it(`refuses (failClosed) or lets through (failOpen) while it is down, logs and emits each, and recovers (${name})`, async () => {
        const { client, close } = await connect(server.url)
        try {
          const prefix = uniquePrefix('outage')
          const make = (policy: 'failClosed' | 'failOpen') => {
            const { logger, lines } = recordingLogger()
            const events: StoreErrorEvent[] = []
            const axes = createAxes({
              handler: redisHandler({ client, prefix, timeoutMs: 300 }),
              onStoreError: policy,
              failureLimit: 3,
              logger,
              silencedChecks: ['axes.W002', 'axes.W003'],
            })
            axes.on('storeError', (event) => {
              events.push(event)
            })
            return { axes, lines, events }
          }
          const closed = make('failClosed')
          const open = make('failOpen')
          let verified = 0
          const verify = async () => {
            verified++
            return null
          }

          const before = await closed.axes.protect(request('10.0.0.1'), null, verify)
          expect(before.decision).toMatchObject({ reason: 'allowed', failures: 1 })
          expect(verified).toBe(1)

          await server.stop()

          const refused = await closed.axes.protect(request('10.0.0.1'), null, verify)
          expect(refused.decision).toMatchObject({ allowed: false, reason: 'storeError' })
          expect(verified).toBe(1)
          const response = await closed.axes.lockoutResponse(request('10.0.0.1'), refused.decision)
          expect(response.status).toBe(503)
          expect(closed.events.map((e) => [e.operation, e.policy])).toEqual([
            ['reserve', 'failClosed'],
          ])
          expect(closed.events[0]?.error.message).toMatch(/redis handler: reserve failed/)
          const errors = closed.lines.filter((line) => line.level === 'error')
          expect(errors).toHaveLength(1)
          expect(errors[0]?.message).toMatch(
            /redis handler: reserve failed.*onStoreError: failClosed/,
          )

          const through = await open.axes.protect(request('10.0.0.2'), null, verify)
          expect(verified).toBe(2)
          expect(through.decision.reason).not.toBe('lockedOut')
          expect(open.events[0]).toMatchObject({ operation: 'reserve', policy: 'failOpen' })
          expect(open.lines.some((l) => l.level === 'error' && /failOpen/.test(l.message))).toBe(
            true,
          )

          // Back on the same port, empty (no persistence) and without the script: the same
          // instances and client carry on once the client has reconnected.
          const port = server.port
          server = (await startRedis({ port, ownServer: true })) as RedisTestServer
          const back = await until(
            () => closed.axes.isAllowed(request('10.0.0.3')),
            (d) => d.reason !== 'storeError',
          )
          expect(back).toMatchObject({ allowed: true, reason: 'allowed' })
          const after = await closed.axes.protect(request('10.0.0.3'), null, verify)
          expect(after.decision).toMatchObject({ reason: 'allowed', failures: 1 })
          expect(verified).toBe(3)
          const openAfter = await open.axes.protect(request('10.0.0.4'), null, verify)
          expect(openAfter.decision).toMatchObject({ reason: 'allowed', failures: 1 })
        } finally {
          close()
        }
      }, 60_000)
    }

    it('fails a call that gets no answer within timeoutMs (a paused server), and carries on after', async () => {
      const client = new Redis(server.url)
      const admin = new Redis(server.url)
      try {
        const events: StoreErrorEvent[] = []
        const axes = createAxes({
          handler: redisHandler({ client, prefix: uniquePrefix('paused'), timeoutMs: 200 }),
          logger: false,
          silencedChecks: ['axes.W002', 'axes.W003'],
        })
        axes.on('storeError', (event) => {
          events.push(event)
        })
        expect((await axes.isAllowed(request('10.0.0.5'))).reason).toBe('allowed')
        await admin.call('CLIENT', 'PAUSE', '1500', 'ALL')
        const started = Date.now()
        const paused = await axes.isAllowed(request('10.0.0.5'))
        expect(Date.now() - started).toBeLessThan(1_000)
        expect(paused).toMatchObject({ allowed: false, reason: 'storeError' })
        expect(events[0]?.error.message).toMatch(/no answer from Redis within 200 ms/)
        const back = await until(
          () => axes.isAllowed(request('10.0.0.5')),
          (d) => d.reason !== 'storeError',
        )
        expect(back.reason).toBe('allowed')
      } finally {
        client.disconnect()
        admin.disconnect()
      }
    })
  })
}
