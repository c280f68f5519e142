// Clients for the Redis handler's tests: ioredis and node-redis on the standalone server, ioredis'
// Cluster on the 3-master cluster. Every handler gets a key prefix of its own, so test files (and
// tests) never see each other's keys on the shared servers.

import { randomBytes } from 'node:crypto'
import { Cluster, Redis } from 'ioredis'
import { createClient } from 'redis'
import { afterAll } from 'vitest'

/** A key prefix no other test uses. */
export function uniquePrefix(label = 'test'): string {
  return `axes-${label}-${process.pid}-${randomBytes(4).toString('hex')}:`
}

/** An ioredis client on a standalone server URL. */
export function ioredisClient(url: string): Redis {
  return new Redis(url, { lazyConnect: false })
}

/** A connected node-redis client on a standalone server URL. */
export async function nodeRedisClient(url: string) {
  const client = createClient({ url })
  client.on('error', () => {})
  return client.connect()
}

/** An ioredis Cluster client from one node's URL. */
export function clusterClient(url: string): Cluster {
  const { hostname, port } = new URL(url)
  return new Cluster([{ host: hostname, port: Number(port) }])
}

/** Every key under `prefix` on every master (SCAN), for tests that look at the layout. */
export async function keysUnder(client: Redis | Cluster, prefix: string): Promise<string[]> {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client]
  const keys: string[] = []
  for (const node of nodes) {
    let cursor = '0'
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
      cursor = next
      keys.push(...batch)
    } while (cursor !== '0')
  }
  return keys.sort()
}

/**
 * ioredis and node-redis on the standalone server and ioredis' Cluster on the cluster, closed
 * after the file's tests.
 */
export async function testClients(url: string, cluster: string) {
  const io = ioredisClient(url)
  const nodeRedis = await nodeRedisClient(url)
  const onCluster = clusterClient(cluster)
  afterAll(async () => {
    io.disconnect()
    await nodeRedis.close()
    onCluster.disconnect()
  })
  return { io, nodeRedis, onCluster }
}
