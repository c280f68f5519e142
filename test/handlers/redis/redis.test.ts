import { Cluster } from 'ioredis'
import { createAxes } from 'node-axes'
import { conformanceInput } from 'node-axes/testing'
import { createCluster } from 'redis'
import { describe, expect, it } from 'vitest'
import type { Bucket, CountInput } from '../../../src/handlers/contract.js'
import { DECIDE_SHA, redisHandler } from '../../../src/handlers/redis/index.js'
import { redisClusterUrl, redisServerUrl } from '../../support/inject-servers.js'
import { keysUnder, testClients, uniquePrefix } from './clients.js'

// The Redis handler's own behaviour on the real servers: its key layout, TTLs, script reloading,
// resets and listings across a cluster's masters, and its options.
const url = redisServerUrl()
const cluster = redisClusterUrl()

const login = (ip: string, username: string) => ({
  method: 'POST',
  path: '/login',
  headers: {},
  socketAddress: ip,
  body: { username, password: 'wrong' },
})
const firstBucket = (input: CountInput): Bucket => input.buckets[0] as Bucket
const quiet = { logger: false as const, silencedChecks: ['axes.W002', 'axes.W003'] }

if (url === null || cluster === null) {
  describe.skip('redis handler: no redis-server (apt-get install redis-server redis-tools)', () => {
    it('needs a server', () => {})
  })
} else {
  const { io, nodeRedis, onCluster } = await testClients(url, cluster)

  describe('redis handler: keys', () => {
    it('names each field and escapes its value: username "10.1.1.1" never locks out IP 10.1.1.1', async () => {
      const prefix = uniquePrefix('collide')
      const axes = createAxes({
        ...quiet,
        handler: redisHandler({ client: io, prefix }),
        failureLimit: 3,
        lockoutParameters: ['username', 'ip_address'],
      })
      for (let i = 0; i < 3; i++) await axes.loginFailed(login(`198.51.100.${i}`, '10.1.1.1'))
      expect((await axes.isAllowed(login('198.51.100.9', '10.1.1.1'))).lockedOut).toBe(true)
      const victim = await axes.isAllowed(login('10.1.1.1', 'someone-else'))
      expect(victim).toMatchObject({ allowed: true, failures: 0 })
      const keys = await keysUnder(io, prefix)
      expect(keys).toContain(`${prefix}{all}:u8:10.1.1.1`)
      expect(keys).not.toContain(`${prefix}{all}:i8:10.1.1.1`)
      expect(keys.filter((k) => k.includes(':i'))).toHaveLength(3)
    })

    it("tags each bucket by its leading field with hashTag 'field', so that one client's keys share a slot", async () => {
      const prefix = uniquePrefix('tags')
      const handler = redisHandler({ client: io, prefix, hashTag: 'field' })
      const input = conformanceInput(
        { ipAddress: '10.0.0.7', username: 'a}b{c' },
        { parameters: ['ip_address', ['username', 'ip_address'], ['username', 'user_agent']] },
      )
      const keys = input.buckets.map((bucket) => handler.keyOf(bucket))
      expect(keys).toEqual([
        `${prefix}{i8:10.0.0.7}:i8:10.0.0.7`,
        `${prefix}{i8:10.0.0.7}:i8:10.0.0.7u5:a}b{c`,
        `${prefix}{u5:a)b{c}:u5:a}b{ca17:conformance-agent`,
      ])
      const slots = await Promise.all(keys.map((key) => onCluster.call('CLUSTER', 'KEYSLOT', key)))
      expect(slots[0]).toBe(slots[1])
      expect(slots[2]).not.toBe(slots[0])
    })

    it('sets each bucket to expire when the rule would forget it, and never when failures last until reset', async () => {
      const prefix = uniquePrefix('ttl')
      const handler = redisHandler({ client: io, prefix })
      const now = Date.now()
      const cooled = conformanceInput({}, { rule: { cooloffMs: 60_000 }, now })
      await handler.recordFailure(cooled)
      const ttl = Number(await io.pttl(handler.keyOf(firstBucket(cooled))))
      expect(ttl).toBeGreaterThan(55_000)
      expect(ttl).toBeLessThanOrEqual(60_000)
      const forever = conformanceInput(
        { ipAddress: '10.0.0.2' },
        { rule: { cooloffMs: null }, now },
      )
      await handler.recordFailure(forever)
      expect(await io.pttl(handler.keyOf(firstBucket(forever)))).toBe(-1)
      // A place held and never settled: the bucket lives as long as the reservation time.
      const held = conformanceInput(
        { ipAddress: '10.0.0.3' },
        { rule: { cooloffMs: 60_000, reservationTtlMs: 5_000 }, now },
      )
      expect((await handler.reserve(held)).outcome).toBe('reserved')
      const heldTtl = Number(await io.pttl(handler.keyOf(firstBucket(held))))
      expect(heldTtl).toBeGreaterThan(0)
      expect(heldTtl).toBeLessThanOrEqual(5_000)
    })
  })

  describe('redis handler: the script', () => {
    for (const [title, client, flush] of [
      ['standalone', io, () => io.script('FLUSH')],
      [
        'cluster',
        onCluster,
        () => Promise.all(onCluster.nodes('master').map((node) => node.script('FLUSH'))),
      ],
    ] as const) {
      it(`loads the script again after SCRIPT FLUSH, mid-run (${title})`, async () => {
        const handler = redisHandler({ client, prefix: uniquePrefix('noscript') })
        const at = (now: number) => conformanceInput({}, { now })
        const t0 = Date.now()
        expect((await handler.recordFailure(at(t0))).failures).toBe(1)
        await flush()
        const [exists] = (await io.script('EXISTS', DECIDE_SHA)) as number[]
        if (title === 'standalone') expect(exists).toBe(0)
        // Many calls at once on a flushed cache: every one succeeds, none counted twice.
        const results = await Promise.all(
          Array.from({ length: 50 }, () => handler.recordFailure(at(t0 + 1))),
        )
        expect(results.map((r) => r.failures).sort((a, b) => a - b)).toEqual(
          Array.from({ length: 50 }, (_, i) => i + 2),
        )
        expect((await handler.getFailures(at(t0 + 2))).failures).toBe(51)
      })
    }

    it('answers with one round trip per decision, whatever the number of buckets', async () => {
      const prefix = uniquePrefix('trips')
      const handler = redisHandler({ client: io, prefix })
      const input = conformanceInput(
        { ipAddress: '10.0.0.4', username: 'bob' },
        { parameters: ['ip_address', ['username', 'ip_address'], ['username', 'user_agent']] },
      )
      await handler.getFailures(input) // the script is loaded
      const monitor = await io.monitor()
      const seen: string[] = []
      // Commands from this handler (its prefix), sent by the client rather than run by a script.
      monitor.on('monitor', (_time: string, args: string[], source: string) => {
        if (source !== 'lua' && args.some((arg) => String(arg).startsWith(prefix))) {
          seen.push(String(args[0]))
        }
      })
      const reserved = await handler.reserve(input)
      await handler.settle({
        ...input,
        reservation: String(reserved.reservation),
        outcome: 'failure',
      })
      await new Promise((resolve) => setTimeout(resolve, 100))
      monitor.disconnect()
      expect(seen.map((c) => c.toUpperCase())).toEqual(['EVALSHA', 'EVALSHA'])
    })
  })

  describe('redis handler: resets and listings on a 3-master cluster', () => {
    const clients = Array.from({ length: 24 }, (_, i) => ({
      ipAddress: `10.${i}.0.1`,
      username: `user${i % 3}`,
    }))
    const parameters = ['ip_address', ['username', 'ip_address']] as const
    const fill = async (prefix: string) => {
      const handler = redisHandler({ client: onCluster, prefix, hashTag: 'field' })
      const now = Date.now()
      for (const client of clients) {
        await handler.recordFailure(conformanceInput(client, { parameters: [...parameters], now }))
      }
      return handler
    }
    const onEachMaster = async (prefix: string) =>
      Promise.all(
        onCluster.nodes('master').map(async (node) => {
          let cursor = '0'
          let count = 0
          do {
            const [next, batch] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
            cursor = next
            count += batch.filter((key) => !key.includes('}#r:')).length
          } while (cursor !== '0')
          return count
        }),
      )

    it("spreads clients over every master with hashTag 'field', and resets all of them", async () => {
      const prefix = uniquePrefix('cl-all')
      const handler = await fill(prefix)
      const perMaster = await onEachMaster(prefix)
      expect(perMaster).toHaveLength(3)
      expect(perMaster.every((n) => n > 0)).toBe(true)
      expect(perMaster.reduce((a, b) => a + b)).toBe(48)
      expect(await handler.listAttempts({ now: Date.now() })).toHaveLength(48)
      expect(await handler.resetAttempts({})).toBe(48)
      expect(await onEachMaster(prefix)).toEqual([0, 0, 0])
      expect(await handler.listAttempts({ now: Date.now() })).toEqual([])
    })

    it('resets by username, by IP, by both and by either on every master', async () => {
      const prefix = uniquePrefix('cl-some')
      const handler = await fill(prefix)
      // user0: clients 0, 3, …, 21 — their username+IP buckets only (8).
      expect(await handler.resetAttempts({ username: 'user0' })).toBe(8)
      // 10.1.0.1 (user1): its IP bucket and its username+IP bucket.
      expect(await handler.resetAttempts({ ipAddress: '10.1.0.1' })).toBe(2)
      // 10.2.0.1 with user2: both of its buckets; with user1 (AND): its IP bucket only.
      expect(await handler.resetAttempts({ ipAddress: '10.4.0.1', username: 'user1' })).toBe(2)
      expect(await handler.resetAttempts({ ipAddress: '10.5.0.1', username: 'user1' })).toBe(1)
      expect(
        await handler.resetAttempts({
          ipAddress: '10.6.0.1',
          username: 'user2',
          ipOrUsername: true,
        }),
      ).toBe(2 + 7)
      const left = await handler.listAttempts({ now: Date.now() })
      expect(left).toHaveLength(48 - 8 - 2 - 2 - 1 - 9)
      expect(left.some((a) => a.username === 'user0' || a.username === 'user2')).toBe(false)
      expect((await onEachMaster(prefix)).reduce((a, b) => a + b)).toBe(left.length)
    })

    it('lists attempts and lockouts, most recent first, with a limit', async () => {
      const prefix = uniquePrefix('cl-list')
      const handler = redisHandler({ client: onCluster, prefix })
      const t0 = Date.now()
      for (let i = 0; i < 3; i++) await handler.recordFailure(conformanceInput({}, { now: t0 + i }))
      await handler.recordFailure(conformanceInput({ ipAddress: '10.9.9.9' }, { now: t0 + 10 }))
      const list = await handler.listAttempts({ now: t0 + 20, limit: 2 })
      expect(list).toEqual([
        {
          ipAddress: '10.9.9.9',
          username: null,
          userAgent: null,
          failures: 1,
          attemptTime: new Date(t0 + 10),
          lockedUntil: null,
        },
        {
          ipAddress: '10.0.0.1',
          username: null,
          userAgent: null,
          failures: 3,
          attemptTime: new Date(t0 + 2),
          lockedUntil: t0 + 2 + 3_600_000,
        },
      ])
    })

    it("refuses, as a store error, buckets that share no field with hashTag 'field' on a cluster", async () => {
      const logged: string[] = []
      const axes = createAxes({
        handler: redisHandler({
          client: onCluster,
          prefix: uniquePrefix('cl-x'),
          hashTag: 'field',
        }),
        lockoutParameters: ['username', 'ip_address'],
        logger: {
          debug() {},
          info() {},
          warn() {},
          error: (message: string) => logged.push(message),
        },
        silencedChecks: ['axes.W002', 'axes.W003'],
      })
      const decision = await axes.isAllowed(login('10.0.0.1', 'alice'))
      expect(decision).toMatchObject({ allowed: false, reason: 'storeError' })
      expect(logged.join('\n')).toContain("hashTag: 'single'")
      // With the default, the same lockout parameters work on the cluster.
      const single = createAxes({
        ...quiet,
        handler: redisHandler({ client: onCluster, prefix: uniquePrefix('cl-s') }),
        lockoutParameters: ['username', 'ip_address'],
        failureLimit: 2,
      })
      await single.loginFailed(login('10.0.0.1', 'alice'))
      expect((await single.loginFailed(login('10.0.0.2', 'alice'))).lockedOut).toBe(true)
      expect((await single.isAllowed(login('10.0.0.3', 'alice'))).allowed).toBe(false)
    })
  })

  describe('redis handler: options', () => {
    it('refuses a prefix that would move the hash tag, a bad timeout or tag mode, and other clients', () => {
      expect(() => redisHandler({ client: io, prefix: 'a{b}' })).toThrow(/prefix/)
      expect(() => redisHandler({ client: io, timeoutMs: -1 })).toThrow(/timeoutMs/)
      expect(() => redisHandler({ client: io, hashTag: 'ip' as never })).toThrow(/hashTag/)
      expect(() => redisHandler({ client: {} as never })).toThrow(/ioredis/)
      const nodeCluster = createCluster({ rootNodes: [{ url: cluster }] })
      expect(() => redisHandler({ client: nodeCluster as never })).toThrow(/cluster client/)
    })

    it('escapes the prefix in SCAN patterns: a reset under "p*:" leaves "px:" alone', async () => {
      const base = uniquePrefix('glob').slice(0, -1)
      // Unescaped, the pattern "<base>*:{*" would match "<base>x:{…}" too.
      const star = redisHandler({ client: io, prefix: `${base}*:` })
      const plain = redisHandler({ client: io, prefix: `${base}x:` })
      const input = conformanceInput({}, { now: Date.now() })
      await star.recordFailure(input)
      await plain.recordFailure(input)
      expect(await star.listAttempts({ now: Date.now() })).toHaveLength(1)
      expect(await star.resetAttempts({})).toBe(1)
      expect((await plain.getFailures(input)).failures).toBe(1)
    })

    it('counts without a timeout when timeoutMs is 0', async () => {
      const handler = redisHandler({ client: io, prefix: uniquePrefix('no-timeout'), timeoutMs: 0 })
      const input = conformanceInput({}, { now: Date.now() })
      expect((await handler.recordFailure(input)).failures).toBe(1)
      expect((await handler.reserve(input)).outcome).toBe('reserved')
    })

    it('refuses to reset or list through a cluster client that knows no masters yet', async () => {
      const idle = new Cluster([{ host: '127.0.0.1', port: 1 }], {
        lazyConnect: true,
        clusterRetryStrategy: () => null,
      })
      const handler = redisHandler({ client: idle, prefix: uniquePrefix('idle') })
      await expect(handler.resetAttempts({})).rejects.toThrow(/knows no masters/)
      await expect(handler.listAttempts({ now: Date.now() })).rejects.toThrow(/knows no masters/)
      idle.disconnect()
    })

    it('works with a node-redis client end to end, through createAxes', async () => {
      const axes = createAxes({
        ...quiet,
        handler: redisHandler({ client: nodeRedis, prefix: uniquePrefix('nr-axes') }),
        failureLimit: 2,
      })
      const verify = async () => null
      expect((await axes.protect(login('10.0.0.8', 'x'), null, verify)).decision.failures).toBe(1)
      const second = await axes.protect(login('10.0.0.8', 'x'), null, verify)
      expect(second.decision).toMatchObject({ allowed: false, lockedOut: true, failures: 2 })
      expect(await axes.reset({ ip: '10.0.0.8' })).toBe(1)
      expect((await axes.isAllowed(login('10.0.0.8', 'x'))).allowed).toBe(true)
    })
  })
}
