import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { databaseHandler } from '../../../src/handlers/database/index.js'
import { redisHandler } from '../../../src/handlers/redis/index.js'
import { createAxes } from '../../../src/index.js'
import { cli, ensureBuilt } from '../../support/built-cli.js'
import {
  alice,
  countPgQueries,
  FLOOD_OPTIONS,
  flood,
  lockOut as lockAlice,
  redisCommands,
} from '../../support/flood.js'
import { pgServerUrl } from '../../support/inject-servers.js'
import { createDatabase, type RedisTestServer, startRedis } from '../../support/servers.js'

// The lock cache on real stores, through createAxes (which wraps the database and Redis handlers
// with it): a flood of one locked client costs PostgreSQL and Redis at most 0.01 operations per
// refused request (counted: the queries this process's pg clients send, Redis' own
// commandstats on a server of its own); a reset made by another process (the command line) or
// another instance is honoured within a second; a lock made elsewhere is never let through.

type Instance = ReturnType<typeof createAxes>

/** Locks alice out, and checks the store says so. */
async function lockOut(axes: Instance): Promise<void> {
  await lockAlice(axes)
  expect((await axes.isAllowed({ ...alice })).allowed).toBe(false)
}

/**
 * Floods `axes` with alice's requests, resets her through `reset` half a second in, and returns
 * how long after the reset returned the first request was let through (its start).
 */
async function honouredAfter(axes: Instance, reset: () => Promise<unknown>): Promise<number> {
  await flood(axes, alice, 500)
  await reset()
  const resetAt = performance.now()
  for (;;) {
    const started = performance.now()
    const reservation = await axes.reserve({ ...alice })
    if (reservation.decision.allowed) {
      await reservation.release()
      return started - resetAt
    }
    if (started - resetAt > 5000) throw new Error('the reset was never honoured')
  }
}

/** Checks, many times over, that whenever the store says locked, the cached instance refuses. */
async function neverAdmitsALockedClient(cached: Instance, other: Instance): Promise<void> {
  for (let round = 0; round < 20; round++) {
    // A reset through an instance is honoured by it at once (by the other within a second: both
    // reset here, so that the other's failures below reach the store).
    await other.reset({ username: 'alice' })
    await cached.reset({ username: 'alice' })
    const open = await cached.reserve({ ...alice })
    expect(open.decision.allowed).toBe(true)
    await open.release()
    // Locked by the other instance: the cached one refuses at once, though it answered "open"
    // a moment ago and floods are answered from its memory.
    await lockOut(other)
    expect((await cached.reserve({ ...alice })).decision.allowed).toBe(false)
    expect((await cached.isAllowed({ ...alice })).allowed).toBe(false)
  }
}

const pgUrl = pgServerUrl()

describe.skipIf(pgUrl === null)('lock cache on PostgreSQL', () => {
  let url: string
  let axes: Instance
  let other: Instance
  beforeAll(async () => {
    ensureBuilt()
    url = await createDatabase(pgUrl as string, 'postgres')
    await databaseHandler({ url }).migrate()
    axes = createAxes({ ...FLOOD_OPTIONS, handler: databaseHandler({ url }) })
    other = createAxes({ ...FLOOD_OPTIONS, handler: databaseHandler({ url }) })
  }, 120_000)
  afterAll(async () => {
    await axes?.close()
    await other?.close()
  })

  it('costs at most 0.01 queries per refused request in a flood', async () => {
    await axes.reset()
    await lockOut(axes)
    const queries = countPgQueries()
    let result: Awaited<ReturnType<typeof flood>>
    try {
      result = await flood(axes, alice, 2500)
    } finally {
      queries.restore()
    }
    expect(result.refused).toBe(result.requests)
    expect(result.verified).toBe(0)
    // Refreshed about once a second: a few queries in all, for thousands of requests.
    expect(queries.count()).toBeGreaterThan(0)
    expect(queries.count() / result.requests).toBeLessThanOrEqual(0.01)
  }, 30_000)

  it('honours a reset made by another instance within a second', async () => {
    await axes.reset()
    await lockOut(axes)
    const after = await honouredAfter(axes, () => other.reset({ username: 'alice' }))
    expect(after).toBeLessThanOrEqual(1000)
  }, 30_000)

  it('honours a reset made by the command line (another process) within a second', async () => {
    await axes.reset()
    await lockOut(axes)
    const cwd = mkdtempSync(join(tmpdir(), 'node-axes-flood-'))
    try {
      const after = await honouredAfter(axes, async () => {
        const run = await cli(['reset-username', 'alice', '--url', url], { cwd })
        expect(run.code, run.stderr).toBe(0)
      })
      expect(after).toBeLessThanOrEqual(1000)
    } finally {
      rmSync(cwd, { recursive: true, force: true })
    }
  }, 60_000)

  it('never lets through a client another instance has locked', async () => {
    await neverAdmitsALockedClient(axes, other)
  }, 60_000)
})

describe('lock cache on Redis (a server of its own, so that its counters are the flood’s)', () => {
  let server: RedisTestServer | null
  let client: Redis
  let second: Redis
  let axes: Instance
  let other: Instance
  beforeAll(async () => {
    ensureBuilt()
    server = await startRedis({ ownServer: true })
    if (server === null) return
    client = new Redis(server.url)
    second = new Redis(server.url)
    axes = createAxes({ ...FLOOD_OPTIONS, handler: redisHandler({ client }) })
    other = createAxes({ ...FLOOD_OPTIONS, handler: redisHandler({ client: second }) })
  }, 120_000)
  afterAll(async () => {
    await axes?.close()
    await other?.close()
    client?.disconnect()
    second?.disconnect()
    await server?.stop()
  })

  it('costs at most 0.01 commands per refused request in a flood', async (context) => {
    if (server === null) context.skip()
    await axes.reset()
    await lockOut(axes)
    const before = await redisCommands(second)
    const result = await flood(axes, alice, 2500)
    const commands = (await redisCommands(second)) - before
    expect(result.refused).toBe(result.requests)
    expect(result.verified).toBe(0)
    expect(commands).toBeGreaterThan(0)
    expect(commands / result.requests).toBeLessThanOrEqual(0.01)
  }, 30_000)

  it('honours a reset made by another instance within a second', async (context) => {
    if (server === null) context.skip()
    await axes.reset()
    await lockOut(axes)
    const after = await honouredAfter(axes, () => other.reset({ username: 'alice' }))
    expect(after).toBeLessThanOrEqual(1000)
  }, 30_000)

  it('honours a reset made by the command line (another process) within a second', async (context) => {
    if (server === null) context.skip()
    await axes.reset()
    await lockOut(axes)
    const cwd = mkdtempSync(join(tmpdir(), 'node-axes-flood-'))
    try {
      const after = await honouredAfter(axes, async () => {
        const run = await cli(
          ['reset-username', 'alice', '--url', (server as RedisTestServer).url],
          {
            cwd,
          },
        )
        expect(run.code, run.stderr).toBe(0)
      })
      expect(after).toBeLessThanOrEqual(1000)
    } finally {
      rmSync(cwd, { recursive: true, force: true })
    }
  }, 60_000)

  it('never lets through a client another instance has locked', async (context) => {
    if (server === null) context.skip()
    await neverAdmitsALockedClient(axes, other)
  }, 60_000)
})
