// axes.ready(): a handler that cannot start fails loud, at start-up, with AXES_HANDLER_NOT_READY
// saying what is missing and how to fix it; one cause per test, each real (a driver that is not
// installed, a file that cannot be created, a port nobody listens on).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify from 'fastify'
import { Redis } from 'ioredis'
import { AxesError, createAxes } from 'node-axes'
import { databaseHandler } from 'node-axes/database'
import { axesPlugin } from 'node-axes/fastify'
import { redisHandler } from 'node-axes/redis'
import { afterAll, describe, expect, it } from 'vitest'

const dir = mkdtempSync(join(tmpdir(), 'node-axes-ready-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A loopback port nobody listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** What `axes.ready()` rejected with. */
async function notReady(axes: { ready(): Promise<void>; close(): Promise<void> }) {
  const error = await axes.ready().then(
    () => null,
    (e: unknown) => e,
  )
  await axes.close()
  expect(error).toBeInstanceOf(AxesError)
  expect(error).toMatchObject({ code: 'AXES_HANDLER_NOT_READY' })
  return (error as Error).message
}

describe('axes.ready()', () => {
  it('resolves when the default SQLite handler can start, having made its tables', async () => {
    const file = join(dir, 'fine.sqlite3')
    const axes = createAxes({ databaseUrl: `sqlite:${file}`, logger: false })
    await axes.ready()
    expect((await axes.listAttempts()).length).toBe(0)
    await axes.close()
    const memory = createAxes({ handler: 'memory', logger: false })
    await expect(memory.ready()).resolves.toBeUndefined()
  })

  it('driver missing: names the package and how to install it', async () => {
    // better-sqlite3 is an optional peer, not installed in this project.
    const message = await notReady(
      createAxes({
        handler: databaseHandler({ url: 'sqlite::memory:', sqliteDriver: 'better-sqlite3' }),
        logger: false,
      }),
    )
    expect(message).toMatch(/cannot start: its driver cannot load/)
    expect(message).toMatch(/npm install better-sqlite3/)
    // A runtime's own that is not this runtime's.
    expect(
      await notReady(
        createAxes({
          handler: databaseHandler({ url: 'sqlite::memory:', sqliteDriver: 'bun:sqlite' }),
          logger: false,
        }),
      ),
    ).toMatch(/needs bun:sqlite.*built into Bun/)
  })

  it('file not writable: names the file and the folder to make writable', async () => {
    // Its folder is a regular file: SQLite cannot create it (whoever runs the test, root too).
    const blocker = join(dir, 'not-a-folder')
    writeFileSync(blocker, '')
    const file = join(blocker, 'axes.sqlite3')
    const message = await notReady(createAxes({ databaseUrl: `sqlite:${file}`, logger: false }))
    expect(message).toContain(`the SQLite file ${file} cannot be opened for writing`)
    expect(message).toContain(`make ${blocker} (and the file) writable`)
    expect(message).toContain('AXES_DATABASE_URL')
  })

  it('server unreachable at start-up: PostgreSQL, MySQL and Redis say so, by their deadline', async () => {
    const port = await closedPort()
    const pg = await notReady(
      createAxes({
        handler: databaseHandler({ url: `postgres://axes:secret@127.0.0.1:${port}/axes` }),
        logger: false,
      }),
    )
    expect(pg).toContain(`the PostgreSQL server at postgres://axes:***@127.0.0.1:${port}/axes`)
    expect(pg).toContain('cannot be reached')
    expect(pg).not.toContain('secret')
    const mysql = await notReady(
      createAxes({
        handler: databaseHandler({ url: `mysql://axes@127.0.0.1:${port}/axes` }),
        logger: false,
      }),
    )
    expect(mysql).toContain('the MySQL server at')
    const client = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: true,
      retryStrategy: () => null,
    })
    client.on('error', () => {})
    const redis = await notReady(createAxes({ handler: redisHandler({ client }), logger: false }))
    expect(redis).toMatch(/the Redis handler cannot start: Redis does not answer/)
    client.disconnect()
  })

  it("fails Fastify's start when registered with a handler that cannot start", async () => {
    const app = Fastify()
    app.register(axesPlugin, {
      axes: createAxes({
        handler: databaseHandler({ url: 'sqlite::memory:', sqliteDriver: 'better-sqlite3' }),
        logger: false,
      }),
    })
    await expect(app.ready()).rejects.toMatchObject({ code: 'AXES_HANDLER_NOT_READY' })
    await app.close()
  })
})
