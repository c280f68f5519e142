import { Cluster } from 'ioredis'
import { type AxesLogRecord, createAxes } from 'node-axes'
import { conformanceInput } from 'node-axes/testing'
import { createCluster } from 'redis'
import { describe, expect, it } from 'vitest'
import type { Bucket } from '../../../src/ground/buckets.js'
import type { CountInput } from '../../../src/ground/contract.js'
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

    it('sets each bucket to expire when the rule would forget it (plus an eighth), and after retentionMs when failures last until reset', async () => {
      const prefix = uniquePrefix('ttl')
      const handler = redisHandler({ client: io, prefix })
      const now = Date.now()
      const cooled = conformanceInput({}, { rule: { cooloffMs: 60_000 }, now })
      await handler.recordFailure(cooled)
      const ttl = Number(await io.pttl(handler.keyOf(firstBucket(cooled))))
      // The cool-off, plus its eighth of slack, plus the 2 s that cover the server clock's
      // rounding up (see scripts.ts).
      expect(ttl).toBeGreaterThan(60_000)
      expect(ttl).toBeLessThanOrEqual(60_000 + 7_500 + 2_000 + 1)
      const forever = conformanceInput(
        { ipAddress: '10.0.0.2' },
        { rule: { cooloffMs: null }, now },
      )
      await handler.recordFailure(forever)
      // No cool-off: the key lives 30 days after the last failure (retentionMs), plus the slack.
      const month = 30 * 24 * 3_600_000
      const foreverTtl = Number(await io.pttl(handler.keyOf(firstBucket(forever))))
      expect(foreverTtl).toBeGreaterThan(month)
      expect(foreverTtl).toBeLessThanOrEqual(month + 3_600_000 + 2_000 + 1)
      // A place held and never settled: the bucket lives as long as the reservation time.
      const held = conformanceInput(
        { ipAddress: '10.0.0.3' },
        { rule: { cooloffMs: 60_000, reservationTtlMs: 5_000 }, now },
      )
      expect((await handler.reserve(held)).outcome).toBe('reserved')
      const heldTtl = Number(await io.pttl(handler.keyOf(firstBucket(held))))
      expect(heldTtl).toBeGreaterThan(5_000)
      expect(heldTtl).toBeLessThanOrEqual(5_000 + 1_000 + 2_000 + 1)
    })

    it("keeps a key's expiry while it covers the rule, and pushes it later before it could fall short", async () => {
      const prefix = uniquePrefix('ttl-lazy')
      const handler = redisHandler({ client: io, prefix })
      const rule = { cooloffMs: 8_000 }
      const key = handler.keyOf(firstBucket(conformanceInput({}, { rule })))
      const monitor = await io.monitor()
      const writes: string[] = []
      // The commands the script runs on this key.
      monitor.on('monitor', (_time: string, args: string[], source: string) => {
        if (source === 'lua' && args[1] === key) writes.push(String(args[0]).toUpperCase())
      })
      const fail = () => handler.recordFailure(conformanceInput({}, { rule, now: Date.now() }))
      await fail()
      const first = Number(await io.pttl(key))
      expect(first).toBeGreaterThan(8_000)
      // A failure right after: the value is rewritten in place (SETRANGE), its expiry kept, as
      // that still covers a cool-off from now.
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect((await fail()).failures).toBe(2)
      expect(Number(await io.pttl(key))).toBeGreaterThan(8_000)
      // Two seconds on, the expiry left would no longer cover a full cool-off: it moves later
      // (SET … PX).
      await new Promise((resolve) => setTimeout(resolve, 2_100))
      expect((await fail()).failures).toBe(3)
      expect(Number(await io.pttl(key))).toBeGreaterThan(8_000)
      await new Promise((resolve) => setTimeout(resolve, 100))
      monitor.disconnect()
      expect(writes).toEqual(['MGET', 'SET', 'MGET', 'SETRANGE', 'MGET', 'SET'])
    })

    it("never lets an application server whose clock is off shorten a key's life", async () => {
      const prefix = uniquePrefix('ttl-skew')
      const handler = redisHandler({ client: io, prefix })
      const rule = { cooloffMs: 60_000 }
      const hour = 3_600_000
      const key = handler.keyOf(firstBucket(conformanceInput({}, { rule })))
      // One server an hour ahead writes first, then one an hour behind, then one on time: every
      // write leaves at least the cool-off, in Redis' own time, before the key expires.
      for (const skew of [hour, -hour, 0]) {
        await handler.recordFailure(conformanceInput({}, { rule, now: Date.now() + skew }))
        expect(Number(await io.pttl(key))).toBeGreaterThan(59_000)
      }
    })

    it('reads a bucket in the earlier six-double layout (48 bytes) and sets its expiry on the next write', async () => {
      const prefix = uniquePrefix('legacy')
      const handler = redisHandler({ client: io, prefix })
      const now = Date.now()
      const input = conformanceInput({}, { rule: { cooloffMs: 60_000 }, now })
      const key = handler.keyOf(firstBucket(input))
      const old = Buffer.alloc(48)
      // failures 2, the last 1 s ago, nothing held, not locked, expiring with the cool-off
      for (const [i, value] of [2, now - 1_000, 0, 0, 0, now + 59_000].entries()) {
        old.writeDoubleLE(value, i * 8)
      }
      await io.set(key, old, 'PX', 59_000)
      expect((await handler.getFailures(input)).failures).toBe(2)
      expect((await handler.recordFailure(input)).failures).toBe(3)
      expect((await io.getBuffer(key))?.length).toBe(56)
      expect(Number(await io.pttl(key))).toBeGreaterThan(60_000)
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

  describe('redis handler: decisions of one tick share a call', () => {
    /** The EVALSHA/EVAL calls that clients send with this prefix while `run` runs. */
    const callsDuring = async (prefix: string, run: () => Promise<unknown>) => {
      const monitor = await io.monitor()
      const seen: string[] = []
      monitor.on('monitor', (_time: string, args: string[], source: string) => {
        if (source !== 'lua' && args.some((arg) => String(arg).startsWith(prefix))) {
          seen.push(String(args[0]).toUpperCase())
        }
      })
      await run()
      await new Promise((resolve) => setTimeout(resolve, 100))
      monitor.disconnect()
      return seen
    }

    it('answers a decision with no bucket at once, as the memory handler does, without a call', async () => {
      const prefix = uniquePrefix('batch-none')
      const handler = redisHandler({ client: io, prefix })
      const input = { ...conformanceInput({}), buckets: [] }
      const calls = await callsDuring(prefix, async () => {
        expect(await handler.recordFailure(input)).toEqual({ failures: 0, lockedUntil: null })
        expect(await handler.getFailures(input)).toEqual({ failures: 0, lockedUntil: null })
        const reserved = await handler.reserve(input)
        expect(reserved).toMatchObject({ outcome: 'reserved', failures: 0, recorded: false })
        expect(
          await handler.settle({
            ...input,
            reservation: String(reserved.reservation),
            outcome: 'failure',
          }),
        ).toEqual({ failures: 0, lockedUntil: null })
      })
      expect(calls).toEqual([])
    })

    it('sends them in calls of at most 16 decisions, each decided in turn', async () => {
      const prefix = uniquePrefix('batch')
      const handler = redisHandler({ client: io, prefix })
      const at = (now: number) => conformanceInput({ ipAddress: '10.9.9.9' }, { now })
      await handler.getFailures(at(Date.now())) // the script is loaded
      const now = Date.now()
      let results: { failures: number }[] = []
      const calls = await callsDuring(prefix, async () => {
        results = await Promise.all(
          Array.from({ length: 40 }, () => handler.recordFailure(at(now))),
        )
      })
      expect(calls).toEqual(['EVALSHA', 'EVALSHA', 'EVALSHA'])
      // Each failure saw the ones before it, in the order asked: none lost, none counted twice.
      expect(results.map((r) => r.failures)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
      expect((await handler.getFailures(at(now))).failures).toBe(40)
    })

    it('mixes reads, reservations, settlements and failures of many clients in one call', async () => {
      const prefix = uniquePrefix('batch-mixed')
      const handler = redisHandler({ client: io, prefix })
      const now = Date.now()
      const rule = { failureLimit: 3, cooloffMs: 60_000 }
      const client = (i: number) => conformanceInput({ ipAddress: `10.8.0.${i}` }, { rule, now })
      // Clients 1 and 2 have 2 failures; client 2 holds a place.
      for (const i of [1, 2]) {
        await handler.recordFailure(client(i))
        await handler.recordFailure(client(i))
      }
      const held = await handler.reserve(client(2))
      expect(held.outcome).toBe('reserved')
      let answers: unknown[] = []
      const calls = await callsDuring(prefix, async () => {
        answers = await Promise.all([
          handler.getFailures(client(1)),
          handler.reserve(client(1)), // the last place
          handler.reserve(client(1)), // none left while it is held
          handler.settle({
            ...client(2),
            reservation: String(held.reservation),
            outcome: 'failure',
          }),
          handler.getFailures(client(2)), // locked out by the failure just settled
          handler.recordFailure(client(3)),
        ])
      })
      expect(calls).toEqual(['EVALSHA'])
      expect(answers).toMatchObject([
        { failures: 2, lockedUntil: null },
        { outcome: 'reserved', failures: 2 },
        { outcome: 'busy', failures: 2 },
        { failures: 3, lockedUntil: now + 60_000 },
        { failures: 3, lockedUntil: now + 60_000 },
        { failures: 1, lockedUntil: null },
      ])
    })

    it('keeps decisions under different rules, or in different hash slots, in calls of their own', async () => {
      const prefix = uniquePrefix('batch-apart')
      const handler = redisHandler({ client: io, prefix })
      const now = Date.now()
      const strict = conformanceInput({ ipAddress: '10.7.0.1' }, { rule: { failureLimit: 1 }, now })
      const lenient = conformanceInput(
        { ipAddress: '10.7.0.1' },
        { rule: { failureLimit: 9 }, now },
      )
      const calls = await callsDuring(prefix, async () => {
        const [a, b] = await Promise.all([
          handler.recordFailure(strict),
          handler.recordFailure(lenient),
        ])
        expect(a.lockedUntil).not.toBeNull()
        expect(b).toMatchObject({ failures: 2, lockedUntil: null })
      })
      expect(calls).toEqual(['EVALSHA', 'EVALSHA'])
      // A standalone server is one slot: clients with different tags ('field') share calls.
      const tagged = redisHandler({ client: io, prefix, hashTag: 'field' })
      const shared = await callsDuring(prefix, () =>
        Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            tagged.recordFailure(conformanceInput({ ipAddress: `10.5.${i}.1` }, { now })),
          ),
        ),
      )
      expect(shared).toEqual(['EVALSHA', 'EVALSHA'])
      // On a cluster with hashTag 'field', clients on different masters: one call each, and
      // every one answered.
      const spread = redisHandler({ client: onCluster, prefix, hashTag: 'field' })
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          spread.recordFailure(conformanceInput({ ipAddress: `10.6.${i}.1` }, { now })),
        ),
      )
      expect(results.every((r) => r.failures === 1)).toBe(true)
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

    it("refuses at createAxes lockout parameters whose buckets share no field with hashTag 'field' on a cluster", async () => {
      const tagged = (client: typeof onCluster | typeof io) =>
        redisHandler({ client, prefix: uniquePrefix('cl-x'), hashTag: 'field' })
      for (const lockoutParameters of [
        ['username', 'ip_address'],
        ['ip_address', ['username', 'user_agent']],
      ] as const) {
        expect(() =>
          createAxes({ ...quiet, handler: tagged(onCluster), lockoutParameters }),
        ).toThrow(
          expect.objectContaining({
            code: 'AXES_INVALID_OPTIONS',
            message: expect.stringContaining("hashTag: 'single'"),
          }),
        )
        // A standalone server is one slot: any parameters fit there.
        expect(() => createAxes({ ...quiet, handler: tagged(io), lockoutParameters })).not.toThrow()
      }
      // Parameters that fit: every item holds the IP, or none does and every one the username.
      for (const lockoutParameters of [
        ['ip_address', ['username', 'ip_address']],
        [['username', 'user_agent'], 'username'],
      ] as const) {
        expect(() =>
          createAxes({ ...quiet, handler: tagged(onCluster), lockoutParameters }),
        ).not.toThrow()
      }
      // Parameters given as a function can only be checked at each decision: a misfit is then a
      // configuration error, thrown (never a store error, which 'failOpen' lets through).
      const logged: string[] = []
      const axes = createAxes({
        handler: tagged(onCluster),
        lockoutParameters: () => ['username', 'ip_address'],
        logger: {
          debug() {},
          info() {},
          warn() {},
          error: (record: AxesLogRecord) => logged.push(record.msg),
        },
        silencedChecks: ['axes.W002', 'axes.W003'],
      })
      await expect(axes.isAllowed(login('10.0.0.1', 'alice'))).rejects.toMatchObject({
        code: 'AXES_INVALID_OPTIONS',
        message: expect.stringContaining("hashTag: 'single'"),
      })
      expect(logged).toEqual([])
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
