import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAxes } from 'node-axes'
import { databaseHandler } from 'node-axes/database'
import { describe, expect, it } from 'vitest'
import { mysqlServerUrl, pgServerUrl } from '../../support/inject-servers.js'
import { createDatabase, type ServerKind } from '../../support/servers.js'

// The SQL tables against a flood an attacker controls, on SQLite, PostgreSQL and MariaDB. Before:
// once an IP was locked, every refused attempt with a new username still inserted a row (django-axes
// does the same), without a cool-off rows were kept for ever, and `cleanExpiredAttempts()` removed
// nothing. Now a refused attempt inserts no row (it extends the lock on the rows that hold it),
// expired rows go as the handler writes, and without a cool-off rows go `retentionMs` after their
// last failure.
const dir = mkdtempSync(join(tmpdir(), 'node-axes-bounded-'))
let n = 0
const targets: [string, ServerKind | 'sqlite', string | null][] = [
  ['SQLite', 'sqlite', 'file'],
  ['PostgreSQL', 'postgres', pgServerUrl()],
  ['MariaDB', 'mysql', mysqlServerUrl()],
]
const login = (ip: string, username: string) => ({
  method: 'POST',
  path: '/login',
  headers: {},
  socketAddress: ip,
  body: { username, password: 'wrong' },
})
const quiet = { logger: false as const, silencedChecks: ['axes.W002', 'axes.W003'] }
const FLOOD = 2_000

for (const [title, kind, server] of targets) {
  if (server === null) {
    describe.skip(`database handler (${title}): no server (apt-get install postgresql mariadb-server)`, () => {
      it('needs a server', () => {})
    })
    continue
  }
  // Without the lock cache: these cases are about what each refused attempt writes, and the cache
  // would answer most of a flood from memory (test/handlers/lock-cache/ tests that).
  const handlerOf = async (options: { retentionMs?: number } = {}) => {
    const url =
      kind === 'sqlite'
        ? `sqlite:${join(dir, `bounded-${++n}.sqlite3`)}`
        : await createDatabase(server, kind)
    const handler = databaseHandler({ url, lockCache: false, ...options })
    await handler.migrate()
    return handler
  }
  const rows = async (handler: Awaited<ReturnType<typeof handlerOf>>) =>
    (await handler.listAttempts({ limit: 1_000_000, now: Date.now() })).length

  describe(`database handler (${title}): storage an attacker can grow is bounded`, () => {
    it(`inserts no row for ${FLOOD.toLocaleString('en')} attempts refused by an IP's lock, with no cool-off`, async () => {
      const handler = await handlerOf()
      const axes = createAxes({
        ...quiet,
        handler,
        failureLimit: 5,
        cooloffTime: null,
        lockoutParameters: ['ip_address'],
      })
      const reasons: Record<string, number> = {}
      for (let i = 0; i < FLOOD; i += 20) {
        const batch = []
        for (let j = i; j < i + 20; j++) {
          batch.push(
            j % 2 === 0
              ? axes.loginFailed(login('203.0.113.66', `user-${j}`))
              : axes.reserve(login('203.0.113.66', `user-${j}`)).then((r) => r.decision),
          )
        }
        for (const decision of await Promise.all(batch)) {
          reasons[decision.reason] = (reasons[decision.reason] ?? 0) + 1
        }
      }
      expect(reasons.storeError).toBeUndefined()
      expect(reasons.lockedOut).toBeGreaterThan(FLOOD - 40)
      // The failures counted before the lock (reservations in flight may add a few): not one a
      // refused attempt.
      expect(await rows(handler)).toBeLessThanOrEqual(25)
      // The lock still holds and was extended (its failures still grow).
      const after = await axes.isAllowed(login('203.0.113.66', 'someone'))
      expect(after.reason).toBe('lockedOut')
      expect(after.failures).toBeGreaterThan(FLOOD / 2)
      await axes.close()
    }, 120_000)

    it('deletes expired rows as it writes, and rows past retentionMs without a cool-off, without an operator', async () => {
      for (const cooloffTime of ['1m', null] as const) {
        const handler = await handlerOf({ retentionMs: 3_600_000 })
        let now = Date.now()
        const axes = createAxes({
          ...quiet,
          handler,
          failureLimit: 5,
          cooloffTime,
          lockoutParameters: [['username', 'ip_address']],
          clock: () => now,
        })
        for (let i = 0; i < 500; i++) await axes.loginFailed(login('203.0.113.7', `old-${i}`))
        expect(await rows(handler)).toBe(500)
        // Later than the cool-off, and than the retention: the old rows no longer count.
        now += 2 * 3_600_000
        for (let i = 0; i < 500; i++) await axes.loginFailed(login('203.0.113.7', `new-${i}`))
        expect(await rows(handler)).toBeLessThan(600)
        await axes.close()
      }
    }, 120_000)

    it('cleanExpiredAttempts removes rows past retentionMs when there is no cool-off', async () => {
      const handler = await handlerOf({ retentionMs: 60_000 })
      let now = Date.now()
      const axes = createAxes({ ...quiet, handler, cooloffTime: null, clock: () => now })
      await axes.loginFailed(login('203.0.113.8', 'a'))
      now += 120_000
      expect(await axes.cleanExpiredAttempts()).toBe(1)
      await axes.close()
    })
  })
}
