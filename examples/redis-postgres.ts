/**
 * A production shape: several instances of an Express app behind a load balancer, the users in
 * PostgreSQL, node-axes' attempts in Redis.
 *
 *   DATABASE_URL=postgres://… REDIS_URL=redis://… npx tsx examples/redis-postgres.ts
 *
 * Why this split:
 * - The users (and their scrypt password hashes) live in the application's PostgreSQL, as they
 *   would anyway. The example creates an `app_user` table and two demo users (alice / wonderland,
 *   bob / builder) when the table is empty.
 * - node-axes counts in Redis (`node-axes/redis`): every instance shares the same counters, a
 *   decision is one Lua script call, and the limit holds across instances, so a guess sent to
 *   instance A counts against the same budget as one sent to instance B. Start two instances on
 *   two ports against the same Redis and see one's lockout on the other.
 * - Had you rather keep an audit trail in SQL (access logs, access failure logs, the admin pages'
 *   every page), use node-axes' database handler on this same PostgreSQL instead:
 *   `createAxes({ databaseUrl: process.env.DATABASE_URL })`, then `npx node-axes migrate`.
 *
 * Five wrong passwords for one username from one IP lock that pair out for 15 minutes. Behind a
 * load balancer, the socket address is the balancer's: tell node-axes which header to trust
 * (docs/client-ip.md), or every client shares the balancer's IP. PORT (default 3000) says where it
 * listens; AXES_REDIS_PREFIX (default `axes:`) keeps two applications apart on one Redis.
 */

import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'
import type express from 'express'
import { Redis } from 'ioredis'
import { type Axes, createAxes } from 'node-axes'
import { redisHandler } from 'node-axes/redis'
import pg from 'pg'
import { isMain } from './demo.js'
import { createApp as createLoginApp } from './express-login.js'

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  length: number,
) => Promise<Buffer>

/** `salt:hash` in hex, scrypt with Node's default cost. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  return `${salt.toString('hex')}:${(await scryptAsync(password, salt, 32)).toString('hex')}`
}

// Checked for unknown usernames too, so that they take as long as known ones.
const UNKNOWN_USER_HASH = hashPassword(randomBytes(16).toString('hex'))

/** The users table, and the two demo users when it is empty. */
export async function setupUsers(pool: pg.Pool): Promise<void> {
  await pool.query(
    'CREATE TABLE IF NOT EXISTS app_user (username text PRIMARY KEY, password_hash text NOT NULL)',
  )
  const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM app_user')
  if (rows[0]?.n !== '0') return
  for (const [username, password] of [
    ['alice', 'wonderland'],
    ['bob', 'builder'],
  ] as const) {
    await pool.query(
      'INSERT INTO app_user (username, password_hash) VALUES ($1, $2) ON CONFLICT DO NOTHING',
      [username, await hashPassword(password)],
    )
  }
}

/** The user's name when the password is right, else null. */
export async function verifyPassword(
  pool: pg.Pool,
  username: string,
  password: string,
): Promise<string | null> {
  const { rows } = await pool.query<{ password_hash: string }>(
    'SELECT password_hash FROM app_user WHERE username = $1',
    [username],
  )
  const [saltHex, hashHex] = (rows[0]?.password_hash ?? (await UNKNOWN_USER_HASH)).split(':')
  const expected = Buffer.from(hashHex ?? '', 'hex')
  const given = await scryptAsync(password, Buffer.from(saltHex ?? '', 'hex'), 32)
  return rows[0] !== undefined &&
    given.length === expected.length &&
    timingSafeEqual(given, expected)
    ? username
    : null
}

/** node-axes on Redis: the options this example would deploy with. */
export function createRedisAxes(redis: Redis, prefix = 'axes:'): Axes {
  return createAxes({
    handler: redisHandler({ client: redis, prefix }),
    failureLimit: 5,
    cooloffTime: '15m',
    lockoutParameters: [['username', 'ip_address']],
    enableRetryAfterHeader: true,
    // Redis down: refuse logins (the default) rather than let guesses through uncounted.
    onStoreError: 'failClosed',
  })
}

/** The Express app (examples/express-login.ts'), its password check reading PostgreSQL. */
export function createApp(axes: Axes, pool: pg.Pool): express.Express {
  return createLoginApp(axes, (username, password) => verifyPassword(pool, username, password))
}

if (isMain(import.meta.url)) {
  const { DATABASE_URL, REDIS_URL } = process.env
  if (!DATABASE_URL || !REDIS_URL) {
    console.error('Set DATABASE_URL (postgres://…) and REDIS_URL (redis://…).')
    process.exit(1)
  }
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 })
  const redis = new Redis(REDIS_URL)
  const axes = createRedisAxes(redis, process.env.AXES_REDIS_PREFIX ?? 'axes:')
  await setupUsers(pool)
  const port = Number(process.env.PORT ?? 3000)
  const server = createApp(axes, pool).listen(port, () => {
    console.log(`node-axes on Redis, users in PostgreSQL: http://localhost:${port}`)
  })
  const stop = () => {
    server.close()
    void Promise.allSettled([axes.close(), pool.end(), redis.quit()])
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
