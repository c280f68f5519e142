import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { redisHandler } from '../../../src/handlers/redis/index.js'
import { redisServerUrl } from '../../support/inject-servers.js'
import { ioredisClient, uniquePrefix } from './clients.js'

const run = promisify(execFile)
const url = redisServerUrl()

if (url === null) {
  describe.skip('redis handler: no redis-server (apt-get install redis-server redis-tools)', () => {
    it('needs a server', () => {})
  })
} else {
  const io = ioredisClient(url)
  afterAll(() => io.disconnect())

  describe('redis handler: two processes, one Redis', () => {
    it('lets 1,000 parallel wrong passwords over 2 processes reach the verifier exactly failureLimit times', async () => {
      const prefix = uniquePrefix('burst')
      const burst = async () => {
        const { stdout } = await run(
          process.execPath,
          ['--import', 'tsx', 'test/fixtures/burst.ts', url, '500', '5', prefix],
          { cwd: process.cwd(), env: { ...process.env, NODE_OPTIONS: '' }, maxBuffer: 1 << 20 },
        )
        return JSON.parse(stdout) as { verified: number; outcomes: Record<string, number> }
      }
      const [a, b] = await Promise.all([burst(), burst()])
      expect(a.verified + b.verified).toBe(5)
      const outcomes: Record<string, number> = { ...a.outcomes }
      for (const [k, v] of Object.entries(b.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v
      expect(Object.keys(outcomes).filter((k) => k.startsWith('error'))).toEqual([])
      expect(outcomes.storeError).toBeUndefined()
      expect(Object.values(outcomes).reduce((x, y) => x + y)).toBe(1000)
      // The client's bucket (its username with its IP) holds the 5 verified failures (4 answered
      // allowed, the 5th lockedOut) and one for each attempt refused while locked
      // (recordLockedAttempts, django-axes' default): nothing lost, nothing counted twice.
      const handler = redisHandler({ client: io, prefix })
      const list = await handler.listAttempts({ now: Date.now() })
      expect(list.map((a) => [a.username, a.ipAddress, a.failures])).toEqual([
        ['victim', '203.0.113.9', (outcomes.allowed ?? 0) + (outcomes.lockedOut ?? 0)],
      ])
      expect(list.every((a) => a.lockedUntil !== null)).toBe(true)
    }, 120_000)
  })
}
