/**
 * The flood part of `npm run bench` (`-- --flood`): one locked client's requests at full speed
 * (one after the other, `protect` with a verifier that is never reached), against the memory
 * handler, PostgreSQL and Redis. For the two shared stores: how many store operations the flood
 * cost per refused request (the queries this process's pg clients sent; Redis' INFO commandstats
 * on a server of its own) and how fast refused requests are answered beside the memory handler.
 * Beside them, the same two stores with `lockCache: false` (asked on every request). node-axes
 * runs from its built package (dist/), as users run it; the rounds are interleaved (memory,
 * PostgreSQL, …, memory, …) and each figure is the median round.
 */

import { Redis } from 'ioredis'
import { ensureBuilt } from '../test/support/built-cli.js'
import {
  alice,
  countPgQueries,
  FLOOD_OPTIONS,
  flood,
  lockOut,
  redisCommands,
} from '../test/support/flood.js'
import { createDatabase, startPostgres, startRedis } from '../test/support/servers.js'

/** One store's figures. */
export interface FloodRow {
  handler: string
  /** Refused requests answered per second (median round). */
  refusedPerSecond: number
  /** Refused requests per second, over the memory handler's. */
  speedVsMemory: number
  /** Store operations per refused request, over every round (null for the memory handler). */
  storeOpsPerRequest: number | null
  /** Refused requests over every round. */
  requests: number
  /** Store operations over every round. */
  storeOps: number | null
}

async function builtPackage() {
  ensureBuilt()
  const dist = '../dist/'
  const core = (await import(`${dist}index.js`)) as typeof import('../src/index.js')
  const database = (await import(
    `${dist}database/index.js`
  )) as typeof import('../src/handlers/database/index.js')
  const redis = (await import(
    `${dist}redis/index.js`
  )) as typeof import('../src/handlers/redis/index.js')
  return { core, database, redis }
}

type Instance = ReturnType<typeof import('../src/index.js')['createAxes']>

interface Contender {
  name: string
  axes: Instance
  /** The store operations so far, or null for the memory handler. */
  ops: (() => Promise<number>) | null
  rates: number[]
  requests: number
  storeOps: number
}

/** Runs the flood benchmark; prints as it goes and returns the figures. */
export async function floodBench(quick: boolean): Promise<FloodRow[]> {
  const { core, database, redis } = await builtPackage()
  const roundMs = quick ? 1000 : 3000
  const rounds = quick ? 3 : 5
  console.log(
    `\nFlood: one locked client's requests at full speed through protect (lockoutParameters [['username', 'ip_address']]), ${rounds} interleaved rounds of ${roundMs / 1000} s`,
  )
  const [pgServer, redisServer] = await Promise.all([
    startPostgres(),
    startRedis({ ownServer: true }),
  ])
  const client = redisServer ? new Redis(redisServer.url) : null
  const counter = redisServer ? new Redis(redisServer.url) : null
  const pgQueries = countPgQueries()
  const contenders: Contender[] = []
  const add = (name: string, axes: Instance, ops: Contender['ops']) =>
    contenders.push({ name, axes, ops, rates: [], requests: 0, storeOps: 0 })
  try {
    add('memory', core.createAxes({ ...FLOOD_OPTIONS, handler: 'memory' }), null)
    if (pgServer) {
      const url = await createDatabase(pgServer.url, 'postgres')
      const handler = database.databaseHandler({ url })
      await handler.migrate()
      add('PostgreSQL', core.createAxes({ ...FLOOD_OPTIONS, handler }), async () =>
        pgQueries.count(),
      )
      // The same store asked on every request, for comparison.
      const uncached = database.databaseHandler({ url, lockCache: false })
      add(
        'PostgreSQL, lockCache: false',
        core.createAxes({ ...FLOOD_OPTIONS, handler: uncached }),
        async () => pgQueries.count(),
      )
    } else {
      console.log('  PostgreSQL skipped: no server (apt-get install postgresql)')
    }
    if (client && counter) {
      const handler = redis.redisHandler({ client, prefix: 'bench-flood:' })
      add('Redis', core.createAxes({ ...FLOOD_OPTIONS, handler }), () => redisCommands(counter))
      const uncached = redis.redisHandler({ client, prefix: 'bench-flood-nc:', lockCache: false })
      add('Redis, lockCache: false', core.createAxes({ ...FLOOD_OPTIONS, handler: uncached }), () =>
        redisCommands(counter),
      )
    } else {
      console.log('  Redis skipped: no redis-server (apt-get install redis-server)')
    }
    for (const c of contenders) {
      await lockOut(c.axes)
      await flood(c.axes, alice, 300)
    }
    for (let round = 0; round < rounds; round++) {
      for (const c of contenders) {
        const before = c.ops ? await c.ops() : 0
        const result = await flood(c.axes, alice, roundMs)
        const after = c.ops ? await c.ops() : 0
        if (result.refused !== result.requests || result.verified !== 0) {
          throw new Error(`${c.name}: a locked client's request was let through`)
        }
        c.rates.push((result.refused * 1000) / result.ms)
        c.requests += result.requests
        c.storeOps += after - before
      }
    }
  } finally {
    pgQueries.restore()
    for (const c of contenders) await c.axes.close()
    client?.disconnect()
    counter?.disconnect()
    await Promise.all([pgServer?.stop(), redisServer?.stop()])
  }
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN
  const memoryRate = median(contenders[0]?.rates ?? [])
  const rows = contenders.map(
    (c): FloodRow => ({
      handler: c.name,
      refusedPerSecond: median(c.rates),
      speedVsMemory: median(c.rates) / memoryRate,
      storeOpsPerRequest: c.ops ? c.storeOps / c.requests : null,
      requests: c.requests,
      storeOps: c.ops ? c.storeOps : null,
    }),
  )
  for (const r of rows) {
    const ops =
      r.storeOpsPerRequest === null
        ? ''
        : `  ${r.storeOps} store operations for ${r.requests.toLocaleString('en')} requests: ${r.storeOpsPerRequest.toExponential(1)} a request`
    console.log(
      `  ${r.handler.padEnd(30)} ${Math.round(r.refusedPerSecond).toLocaleString('en').padStart(9)} refused/s  ${r.speedVsMemory.toFixed(2)}× memory${ops}`,
    )
  }
  return rows
}
