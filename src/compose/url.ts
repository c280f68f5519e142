/**
 * The composition root for a store named by URL (the command line's `--url`, `AXES_DATABASE_URL`,
 * `AXES_REDIS_URL`): a `sqlite:`, `postgres:` or `mysql:` URL opens the database handler, a
 * `redis://` or `rediss://` URL the Redis handler (default prefix `axes:`) on a client of its own,
 * ioredis if installed, else node-redis, which the handler closes when it is closed.
 */

import type { AxesHandler } from '../ground/contract.js'
import { AxesStoreError } from '../ground/errors.js'
import { databaseHandlerFor } from './handler.js'

/** The handler for a store URL; a Redis handler owns its client and closes it on `close()`. */
export async function handlerForUrl(url: string): Promise<AxesHandler> {
  if (!/^rediss?:\/\//i.test(url)) return databaseHandlerFor(url)
  const client = await redisClient(url)
  try {
    const { redisHandler } = await import('../handlers/redis/index.js')
    const handler = redisHandler({ client: client.handle })
    const close = async () => {
      try {
        await handler.close?.()
      } finally {
        await client.quit()
      }
    }
    // The handler may be a class instance with private fields: wrap it, do not copy it.
    const owning = new Proxy(handler, {
      get(target, key) {
        if (key === 'close') return close
        const value = Reflect.get(target, key, target)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    return owning
  } catch (error) {
    await client.quit()
    throw error
  }
}

interface OwnRedisClient {
  // biome-ignore lint/suspicious/noExplicitAny: whichever client library is installed
  handle: any
  quit(): Promise<void>
}

/** A connected client for `url`: ioredis if installed, else node-redis. */
async function redisClient(url: string): Promise<OwnRedisClient> {
  const io = await import('ioredis').catch(() => null)
  if (io) {
    const Redis = (io as unknown as { default: new (url: string, options: object) => IoredisLike })
      .default
    // Fail fast rather than retry for ever: this is a one-shot command.
    return connect(
      url,
      new Redis(url, {
        lazyConnect: true,
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
        retryStrategy: () => null,
        connectTimeout: 5000,
      }),
    )
  }
  const nodeRedis = await import('redis').catch(() => null)
  if (!nodeRedis) {
    throw new AxesStoreError(
      `${redactUrl(url)} needs a Redis client: npm install ioredis (or redis)`,
    )
  }
  const { createClient } = nodeRedis as unknown as {
    createClient: (options: object) => IoredisLike
  }
  return connect(
    url,
    createClient({ url, socket: { reconnectStrategy: false, connectTimeout: 5000 } }),
  )
}

/** Connects either library's client, saying which URL refused and why. */
async function connect(url: string, client: IoredisLike): Promise<OwnRedisClient> {
  let last: unknown
  client.on('error', (error) => {
    last = error
  })
  await client.connect().catch((error: unknown) => {
    throw new AxesStoreError(
      `could not connect to ${redactUrl(url)}: ${messageOf(last ?? error)}`,
      {
        cause: last ?? error,
      },
    )
  })
  const quit = () =>
    client.quit().then(
      () => undefined,
      () => undefined,
    )
  return { handle: client, quit }
}

interface IoredisLike {
  connect(): Promise<unknown>
  quit(): Promise<unknown>
  on(event: 'error', listener: (error: unknown) => void): unknown
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** A URL without its password, for messages. */
function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')
}
