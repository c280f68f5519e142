import { createAxes } from 'node-axes'
import { describe, expect, it } from 'vitest'
import { redisHandler } from '../../../src/handlers/redis/index.js'
import { redisClusterUrl, redisServerUrl } from '../../support/inject-servers.js'
import { keysUnder, testClients, uniquePrefix } from './clients.js'

// Redis against what an attacker controls. A flood: one IP, a new username each time. Before, with
// no cool-off every bucket was kept for ever (no TTL), and every attempt refused by the IP's lock
// still created a username+IP bucket: 200,000 usernames added 267 MB. Now a refused attempt
// creates no key, and every key has a TTL whatever the cool-off (`retentionMs` without one).
// And no client input may cause a store error (which `onStoreError: 'failOpen'` lets through): on
// a Redis Cluster with `hashTag: 'field'` and lockout parameters given as a function, a client that
// sent a username made its buckets span slots; each decision failed as a store error, and with
// 'failOpen' every guess reached the password check uncounted. It is a configuration error now.
const url = redisServerUrl()
const cluster = redisClusterUrl()

const login = (ip: string, username: string) => ({
  method: 'POST',
  path: '/login',
  headers: {},
  socketAddress: ip,
  body: { username, password: 'wrong' },
})
const quiet = { logger: false as const, silencedChecks: ['axes.W002', 'axes.W003'] }
const USERNAMES = 200_000

if (url === null || cluster === null) {
  describe.skip('redis handler: no redis-server (apt-get install redis-server redis-tools)', () => {
    it('needs a server', () => {})
  })
} else {
  const { io, onCluster } = await testClients(url, cluster)
  const usedMemory = async () => {
    const info = await io.info('memory')
    return Number(/used_memory:(\d+)/.exec(info)?.[1])
  }
  const flood = async (axes: ReturnType<typeof createAxes>, count: number) => {
    const reasons: Record<string, number> = {}
    for (let i = 0; i < count; i += 64) {
      const batch = []
      for (let j = i; j < Math.min(count, i + 64); j++) {
        batch.push(axes.loginFailed(login('203.0.113.66', `user-${j}-${'ж'.repeat(20)}`)))
      }
      for (const decision of await Promise.all(batch)) {
        reasons[decision.reason] = (reasons[decision.reason] ?? 0) + 1
      }
    }
    return reasons
  }
  const ttls = async (keys: string[]) => Promise.all(keys.map((key) => io.pttl(key)))

  describe('redis handler: storage an attacker can grow is bounded', () => {
    it(`keeps memory bounded under ${USERNAMES.toLocaleString('en')} usernames from one IP, with no cool-off`, async () => {
      const prefix = uniquePrefix('flood')
      const axes = createAxes({
        ...quiet,
        handler: redisHandler({ client: io, prefix }),
        cooloffTime: null,
        lockoutParameters: ['ip_address', ['username', 'ip_address']],
      })
      const before = await usedMemory()
      const started = Date.now()
      const reasons = await flood(axes, USERNAMES)
      const after = await usedMemory()
      const keys = await keysUnder(io, prefix)
      console.log(
        `redis flood: ${USERNAMES} usernames in ${Date.now() - started} ms, used_memory ${before} -> ${after} (+${after - before} bytes), ${keys.length} keys`,
      )
      expect(reasons.storeError).toBeUndefined()
      expect(reasons.lockedOut).toBeGreaterThan(USERNAMES - 64)
      // The IP's bucket and the username+IP buckets counted before the lock: a handful of keys.
      expect(keys.length).toBeLessThanOrEqual(64 + 1)
      expect(after - before).toBeLessThan(1024 * 1024)
      // Even without a cool-off, every key has a TTL.
      for (const ttl of await ttls(keys)) expect(ttl).toBeGreaterThan(0)
      // A new client is admitted and counted.
      expect(await axes.loginFailed(login('192.0.2.10', 'newcomer'))).toMatchObject({
        reason: 'allowed',
        failures: 1,
      })
      await axes.close()
    }, 300_000)

    it('gives every key a TTL without a cool-off (retentionMs, 30 days by default), reservations too', async () => {
      const prefix = uniquePrefix('retention')
      const axes = createAxes({
        ...quiet,
        handler: redisHandler({ client: io, prefix }),
        cooloffTime: null,
        lockoutParameters: [['username', 'ip_address']],
      })
      await flood(axes, 500)
      const attempt = await axes.reserve(login('192.0.2.11', 'held'))
      const keys = await keysUnder(io, prefix)
      expect(keys.length).toBe(502)
      const month = 30 * 24 * 3_600_000
      for (const ttl of await ttls(keys)) {
        expect(ttl).toBeGreaterThan(0)
        expect(ttl).toBeLessThanOrEqual(month + 3_600_000 + 2000)
      }
      await attempt.release()
      await axes.close()
    })
  })

  describe('redis handler: client input never causes a store error', () => {
    it("refuses lockout parameters (a function) that span slots with hashTag 'field' as a configuration error, never fail-open", async () => {
      const prefix = uniquePrefix('spans')
      const axes = createAxes({
        ...quiet,
        handler: redisHandler({ client: onCluster, prefix, hashTag: 'field' }),
        onStoreError: 'failOpen',
        failureLimit: 3,
        // The username bucket is tagged by the username, the IP bucket by the IP: two slots.
        lockoutParameters: (_request, credentials) =>
          credentials?.username ? ['ip_address', 'username'] : ['ip_address'],
      })
      let reachedCheck = 0
      let configErrors = 0
      for (let i = 0; i < 50; i++) {
        try {
          const attempt = await axes.reserve(login('203.0.113.5', 'alice'), {
            username: `alice${i}`,
          })
          if (attempt.decision.allowed) {
            reachedCheck++
            await attempt.failed()
          }
        } catch (error) {
          expect(error).toMatchObject({ code: 'AXES_INVALID_OPTIONS' })
          expect(String((error as Error).message)).toMatch(/hashTag 'field'/)
          configErrors++
        }
      }
      expect(reachedCheck).toBe(0)
      expect(configErrors).toBe(50)
      // A request whose buckets fit is counted as usual.
      const fits = await axes.loginFailed(login('203.0.113.6', 'bob'))
      expect(fits).toMatchObject({ reason: 'allowed', failures: 1 })
      await axes.close()
    })

    it("keeps a client's keys in one slot whatever the username: braces, empty, long, multi-byte", async () => {
      const prefix = uniquePrefix('slots')
      // Every bucket tagged by the username: what the client sends decides the slot.
      const axes = createAxes({
        ...quiet,
        handler: redisHandler({ client: onCluster, prefix, hashTag: 'field' }),
        failureLimit: 3,
        lockoutParameters: ['username', ['username', 'user_agent']],
      })
      const names = [
        '{',
        '}',
        '{}',
        '}{',
        'a{b}c',
        '',
        ' ',
        'ж'.repeat(300),
        '{{{{x}}}}',
        '\\u0000',
      ]
      for (const username of names) {
        for (const agent of ['{a}', '}', 'plain']) {
          const request = { ...login('203.0.113.7', username), headers: { 'user-agent': agent } }
          const decision = await axes.loginFailed(request, { username })
          expect(decision.reason).not.toBe('storeError')
        }
      }
      await axes.close()
    })
  })
}
