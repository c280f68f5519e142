/**
 * The same wrong password counts once (node-axes/repeat-passwords), end to end: real HTTP through
 * every adapter's login apps (Express, Fastify, Koa and Hono, with protectLogin and with the docs'
 * own login code, and the Passport example) on every handler (memory, SQLite, PostgreSQL, MariaDB,
 * Redis). Ten tries of one wrong password count once, different wrong passwords count each, and
 * what the store keeps is a keyed hash: neither a password nor its SHA-256.
 */

import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type PasswordBook, repeatPasswords } from '../../../src/core/repeat-passwords/index.js'
import { databaseHandler } from '../../../src/handlers/database/index.js'
import { redisHandler } from '../../../src/handlers/redis/index.js'
import { type AxesHandler, createAxes, memoryHandler } from '../../../src/index.js'
import { ioredisClient, keysUnder, uniquePrefix } from '../../handlers/redis/clients.js'
import { mysqlServerUrl, pgServerUrl, redisServerUrl } from '../../support/inject-servers.js'
import { createDatabase, runSql } from '../../support/servers.js'
import { APPS, checker } from './login-apps.js'
import { USER } from './scenarios.js'

const SECRET = 'a-repeat-password-secret-of-32-chars'
const TRIED = ['old-password', 'typo-a', 'typo-b']

const redisUrl = redisServerUrl()
const redis = redisUrl === null ? null : ioredisClient(redisUrl)
const work = mkdtempSync(join(tmpdir(), 'axes-repeat-'))
afterAll(() => {
  redis?.disconnect()
  rmSync(work, { recursive: true, force: true })
})

/** A fresh store, and a reader of everything it keeps of wrong passwords, as raw text. */
interface Store {
  handler: AxesHandler
  kept(repeats: ReturnType<typeof repeatPasswords>): Promise<string[]>
}

let files = 0

const HANDLERS: [string, (() => Promise<Store>) | null][] = [
  [
    'memory',
    async () => {
      const handler = memoryHandler()
      return {
        handler,
        kept: async (repeats) =>
          (repeats.storeFor(handler) as PasswordBook).entries().flatMap(([b, h]) => [b, ...h]),
      }
    },
  ],
  [
    'SQLite',
    async () => {
      const file = join(work, `axes-${++files}.sqlite3`)
      const handler = databaseHandler({ url: `sqlite:///${file}` })
      await handler.migrate()
      return {
        handler,
        kept: async () => {
          const { DatabaseSync } = await import('node:sqlite')
          const db = new DatabaseSync(file, { readOnly: true })
          try {
            const rows = db.prepare('SELECT bucket, hash FROM axes_wrongpassword').all()
            return rows.flatMap((row) => [String(row.bucket), String(row.hash)])
          } finally {
            db.close()
          }
        },
      }
    },
  ],
  ...(
    [
      ['PostgreSQL', 'postgres', pgServerUrl()],
      ['MariaDB', 'mysql', mysqlServerUrl()],
    ] as const
  ).map(([title, kind, server]): [string, (() => Promise<Store>) | null] => [
    title,
    server === null
      ? null
      : async () => {
          const url = await createDatabase(server, kind)
          const handler = databaseHandler({ url, timeoutMs: 60_000 })
          await handler.migrate()
          return {
            handler,
            kept: async () =>
              (await runSql(url, 'SELECT bucket, hash FROM axes_wrongpassword'))
                .split(/[\t\n]/)
                .filter((text) => text.trim() !== ''),
          }
        },
  ]),
  [
    'Redis',
    redis === null
      ? null
      : async () => {
          const prefix = uniquePrefix('rp')
          const handler = redisHandler({ client: redis, prefix })
          return {
            handler,
            kept: async () => {
              const keys = (await keysUnder(redis, prefix)).filter((key) => key.includes('}#w:'))
              const texts: string[] = []
              for (const key of keys) texts.push(key, ...Object.keys(await redis.hgetall(key)))
              return texts.filter((text) => text !== '~')
            },
          }
        },
  ],
]

async function post(base: string, password: string): Promise<number> {
  const response = await fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: USER.username, password }).toString(),
    redirect: 'manual',
  })
  await response.arrayBuffer()
  return response.status
}

for (const [title, create] of HANDLERS) {
  if (create === null) {
    describe.skip(`repeat passwords on ${title}: no server (apt-get install postgresql mariadb-server redis-server)`, () => {
      it('needs a server', () => {})
    })
    continue
  }
  describe(`repeat passwords on ${title}`, () => {
    for (const app of APPS) {
      it(`${app.name}: ten tries of one wrong password count once, other wrong passwords each`, async () => {
        const { handler, kept } = await create()
        const repeats = repeatPasswords({ secret: SECRET })
        const axes = createAxes({
          handler,
          logger: false,
          failureLimit: 3,
          cooloffTime: '1h',
          lockoutParameters: [['username', 'ip_address']],
          repeatPasswords: repeats,
        })
        const started = await app.start(axes, checker().verify)
        try {
          // The phone retrying alice's old password: ten failures, one counted.
          for (let i = 0; i < 10; i++) {
            const status = await post(started.base, 'old-password')
            expect(status, `try ${i + 1}`).not.toBe(429)
            expect(status).toBeLessThan(500)
          }
          // A typo twice: one more (2 of 3).
          expect(await post(started.base, 'typo-a')).not.toBe(429)
          expect(await post(started.base, 'typo-a')).not.toBe(429)
          // Another wrong password: the third, which locks.
          expect(await post(started.base, 'typo-b')).toBe(429)
          expect(await post(started.base, USER.password)).toBe(429)
          // The store keeps keyed hashes: no password, no plain SHA-256 of one.
          const texts = await kept(repeats)
          expect(texts.length).toBeGreaterThan(0)
          for (const password of TRIED) {
            const sha = createHash('sha256').update(password).digest('hex')
            for (const text of texts) {
              expect(text).not.toContain(password)
              expect(sha.includes(text)).toBe(false)
            }
          }
          expect(texts.filter((text) => /^[0-9a-f]{32}$/.test(text))).toHaveLength(TRIED.length)
        } finally {
          await started.close()
          await handler.close?.()
        }
      })
    }
  })
}
