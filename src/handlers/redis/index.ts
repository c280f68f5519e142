/**
 * `node-axes/redis`: the cache handler on Redis, for a fleet of application servers that share
 * lockouts (django-axes' cache handler). It takes the application's own client: an ioredis
 * `Redis` or `Cluster`, or a node-redis (v4 or later) client.
 *
 * Each decision is one pass of a Lua script (EVALSHA, loaded again on NOSCRIPT): it reads, checks
 * and writes every lockout-parameter bucket of the client in one atomic step and one round trip.
 * Decisions asked for in the same tick travel together, up to 16 to a script call.
 *
 * This file checks the options and puts the handler together: client.ts adapts the two client
 * libraries and sends with the timeout (deadlines.ts) and the NOSCRIPT retry, keys.ts names the
 * keys and their hash tags, batch.ts gathers a tick's decisions into script calls, store.ts is
 * the counting store, queries.ts the listing and admin queries, scripts.ts the Lua.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis'
 * import { createAxes } from 'node-axes'
 * import { redisHandler } from 'node-axes/redis'
 *
 * const axes = createAxes({ handler: redisHandler({ client: new Redis(process.env.REDIS_URL) }) })
 * ```
 *
 * @packageDocumentation
 */

import { AxesError } from '../../ground/errors.js'
import { type LockCacheOptions, lockCacheFor } from '../lock-cache/index.js'
import { connectionOf, type IoredisClient, type NodeRedisClient, RedisCommands } from './client.js'
import { KeyLayout } from './keys.js'
import { type RedisHandler, RedisStore } from './store.js'

export type { IoredisClient, NodeRedisClient } from './client.js'
export { DECIDE_SCRIPT, DECIDE_SHA, READ_SCRIPT, READ_SHA } from './scripts.js'
export type { RedisHandler } from './store.js'

/** Options of `redisHandler`. */
export interface RedisHandlerOptions {
  /**
   * The application's client: an ioredis `Redis` or `Cluster`, or a node-redis client (connected
   * by the application: `await createClient({ url }).connect()`). The handler never closes it.
   */
  client: IoredisClient | NodeRedisClient
  /**
   * What every key starts with, so that node-axes' keys can share a database with others and two
   * applications can keep apart. No `{` or `}` (they would move the hash tag).
   * @default 'axes:'
   */
  prefix?: string
  /**
   * How long one Redis command may take before the call fails as a store error (and
   * `onStoreError` answers: by default the login is refused with 503). A disconnected client
   * queues commands rather than failing them, so without this a login would wait for Redis to
   * come back. A command fails `timeoutMs` after it was sent, plus up to a tenth of that (5 ms
   * at least). `0` (or `Infinity`) waits for ever.
   * @default 1000 (ms)
   */
  timeoutMs?: number
  /**
   * How keys are placed in a Redis Cluster's hash slots (a standalone server has one slot for all,
   * and only sees the tag in the key's name). One script can only touch keys of one slot, so every
   * bucket of one client must share a tag, and a bucket must always get the same tag whichever
   * client it is counted for.
   * - `'single'`: every key has the tag `{all}`: one slot, so one master holds all of node-axes'
   *   keys. Works with every lockout-parameter list. A login costs one round trip either way; one
   *   Redis master serves well over 50,000 of them a second.
   * - `'field'`: each bucket is tagged by its leading field — its IP when it holds one, else its
   *   username, else its user agent — so different clients spread over the masters. Every item of
   *   `lockoutParameters` must then hold that same field: `['ip_address', ['username',
   *   'ip_address']]` fits (every bucket holds the IP); `['username', 'ip_address']` or
   *   `['ip_address', ['username', 'user_agent']]` do not: on a cluster `createAxes` refuses them
   *   with an `AxesError` saying so (lockout parameters given as a function are checked at each
   *   decision, which then rejects with that `AxesError`: a configuration error, never a store
   *   error that `onStoreError: 'failOpen'` would let through).
   * @default 'single'
   */
  hashTag?: 'field' | 'single'
  /**
   * How long a bucket is kept after its last failure when the rule never expires failures (no
   * cool-off): every key gets a TTL, so that what an attacker writes cannot fill Redis for ever.
   * A lockout without a cool-off thus lasts until reset, or until no attempt has come for this
   * long (each refused attempt extends it, with `resetCoolOffOnFailureDuringLockout`). With a
   * cool-off, a bucket is kept until its failures expire, as before.
   * @default 2_592_000_000 (30 days)
   */
  retentionMs?: number
  /**
   * The lock cache (`withLockCache`): a client Redis says is locked is answered from this
   * process's memory for up to a second (`maxStaleMs`), so that a flood of its requests costs
   * Redis one command a second, and a reset made elsewhere is honoured within that second (one
   * made through this handler at once). `false` asks Redis every time; an object sets its options.
   * @default true
   */
  lockCache?: boolean | LockCacheOptions
}

/**
 * Creates the Redis handler over the application's client.
 *
 * Keys name their fields and escape their values (the bucket's canonical key, e.g.
 * `axes:{all}:i8:10.1.1.1u5:alice`), so that a username `10.1.1.1` never shares a key
 * with the IP 10.1.1.1. A failed or slow command (see `timeoutMs`) rejects with an
 * `AxesStoreError`, which the core answers with `onStoreError`; the next call tries Redis again,
 * so the handler recovers by itself when Redis comes back. It comes through the lock cache (see
 * `lockCache`).
 */
export function redisHandler(options: RedisHandlerOptions): RedisHandler {
  const connection = connectionOf(options.client)
  const prefix = options.prefix ?? 'axes:'
  if (typeof prefix !== 'string' || /[{}]/.test(prefix) || prefix.length > 200) {
    throw new AxesError(
      'AXES_INVALID_OPTIONS',
      'redisHandler: prefix must be a string of at most 200 characters without { or }',
    )
  }
  const timeoutMs = options.timeoutMs ?? 1000
  if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0)) {
    throw new AxesError(
      'AXES_INVALID_OPTIONS',
      'redisHandler: timeoutMs must be a number of milliseconds ≥ 0',
    )
  }
  const hashTag = options.hashTag ?? 'single'
  if (hashTag !== 'field' && hashTag !== 'single') {
    throw new AxesError('AXES_INVALID_OPTIONS', "redisHandler: hashTag must be 'field' or 'single'")
  }
  const retentionMs = options.retentionMs ?? 30 * 24 * 3_600_000
  if (!(Number.isInteger(retentionMs) && retentionMs >= 1000)) {
    throw new AxesError(
      'AXES_INVALID_OPTIONS',
      'redisHandler: retentionMs must be a whole number of milliseconds ≥ 1000',
    )
  }
  const store = new RedisStore(
    new RedisCommands(connection, Number.isFinite(timeoutMs) ? timeoutMs : 0),
    new KeyLayout(prefix, hashTag === 'single'),
    retentionMs,
  )
  return lockCacheFor<RedisHandler>(store, options.lockCache)
}
