import { describeHandlerConformance } from 'node-axes/testing'
import { afterAll, describe, it } from 'vitest'
import type { AxesHandler } from '../../../src/ground/contract.js'
import { redisHandler } from '../../../src/handlers/redis/index.js'
import { redisClusterUrl, redisServerUrl } from '../../support/inject-servers.js'
import { ioredisClient, testClients, uniquePrefix } from './clients.js'

// The conformance suite on a standalone Redis with ioredis and with node-redis, and on a 3-master
// Redis Cluster with ioredis' Cluster: one fresh key prefix per test.
const url = redisServerUrl()
const cluster = redisClusterUrl()

if (url === null || cluster === null) {
  describe.skip('redis handler: no redis-server (apt-get install redis-server redis-tools)', () => {
    it('needs a server', () => {})
  })
} else {
  const { io, nodeRedis, onCluster } = await testClients(url, cluster)

  // The prefix each handler was made with, for the lock cache's cases' second handler (another
  // process's, on its own connection, without the lock cache).
  const prefixes = new WeakMap<AxesHandler, string>()
  const second = ioredisClient(url)
  afterAll(() => second.quit())
  const secondHandler = (prefix: string | undefined) =>
    redisHandler({ client: second, prefix, lockCache: false })
  describeHandlerConformance({
    name: 'redis handler (ioredis, standalone)',
    create: () => {
      const prefix = uniquePrefix('io')
      const handler = redisHandler({ client: io, prefix })
      prefixes.set(handler, prefix)
      return handler
    },
    sameStore: (handler) => secondHandler(prefixes.get(handler)),
  })
  // The whole contract without the lock cache (\`lockCache: false\`), as before it.
  describeHandlerConformance({
    name: 'redis handler (ioredis, standalone) without the lock cache',
    create: () => {
      const prefix = uniquePrefix('nc')
      const handler = redisHandler({ client: io, prefix, lockCache: false })
      prefixes.set(handler, prefix)
      return handler
    },
    sameStore: (handler) => secondHandler(prefixes.get(handler)),
  })
  describeHandlerConformance({
    name: 'redis handler (node-redis, standalone)',
    create: () => redisHandler({ client: nodeRedis, prefix: uniquePrefix('nr') }),
  })
  describeHandlerConformance({
    name: 'redis handler (ioredis, 3-master cluster)',
    create: () => redisHandler({ client: onCluster, prefix: uniquePrefix('cl') }),
  })
  // hashTag 'field' on the cluster, where it spreads clients over the masters: the suite's one
  // case whose items share no field (['username', 'ip_address']) is refused there by design (see
  // redis.test.ts), and passes on a standalone server.
  describeHandlerConformance({
    name: "redis handler (ioredis, standalone, hashTag 'field')",
    create: () => redisHandler({ client: io, prefix: uniquePrefix('iof'), hashTag: 'field' }),
  })
}
