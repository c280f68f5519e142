// The PostgreSQL driver's connections: statements outside a transaction travel on a few pipelined
// connections, many in flight on each. The server dropping those connections (a restart, a
// failover, an administrator's pg_terminate_backend) fails what was in flight with a store error,
// never crashes the process, and the next statements reconnect by themselves.

import { type Axes, createAxes } from 'node-axes'
import { databaseHandler } from 'node-axes/database'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { pgServerUrl } from '../../support/inject-servers.js'
import { createDatabase, runSql } from '../../support/servers.js'

const server = pgServerUrl()

const request = (i: number) => ({
  method: 'POST',
  path: '/login',
  headers: { 'user-agent': 'UA/1.0' },
  socketAddress: `198.51.100.${i % 200}`,
  body: { username: `user${i}`, password: 'wrong' },
})

/** Ends every other session on the database, as a server restart would. */
async function terminateSessions(url: string): Promise<void> {
  const database = new URL(url).pathname.slice(1)
  await runSql(
    url,
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database}' AND pid <> pg_backend_pid();`,
  )
}

describe.skipIf(server === null)('database handler (PostgreSQL): pipelined connections', () => {
  const open = async (): Promise<{ axes: Axes; url: string; storeErrors: string[] }> => {
    const url = await createDatabase(server as string, 'postgres')
    const handler = databaseHandler({ url })
    await handler.migrate()
    const axes = createAxes({ handler, failureLimit: 1000, logger: false })
    const storeErrors: string[] = []
    axes.on('storeError', ({ operation }) => storeErrors.push(operation))
    return { axes, url, storeErrors }
  }

  it('records 500 failures of one client in flight at once, none lost, the last reporting 500', async () => {
    const { axes } = await open()
    const decisions = await Promise.all(
      Array.from({ length: 500 }, () => axes.loginFailed(request(7))),
    )
    expect(decisions.every((d) => d.reason === 'allowed')).toBe(true)
    // None lost, and the last failure to commit knows it: a failure whose row another failure
    // changed meanwhile reads the buckets again, so the highest count reported is the stored one.
    // (Failures committed at the same moment may report the same count.)
    expect(Math.max(...decisions.map((d) => d.failures))).toBe(500)
    expect((await axes.isAllowed(request(7))).failures).toBe(500)
    await axes.close()
  })

  it("counts a failure another writer commits while this one's statement waits on the row", async () => {
    const { axes, url } = await open()
    for (let i = 0; i < 3; i++) await axes.loginFailed(request(7))
    // Another writer (a Django process, say) adds a failure to the same row and holds it.
    const other = new pg.Client({ connectionString: url })
    await other.connect()
    try {
      await other.query('BEGIN')
      await other.query(
        "UPDATE axes_accessattempt SET failures_since_start = failures_since_start + 1 WHERE username = 'user7'",
      )
      // node-axes' statement takes its snapshot now, then waits for the row.
      const pending = axes.loginFailed(request(7))
      await new Promise((resolve) => setTimeout(resolve, 300))
      await other.query('COMMIT')
      const decision = await pending
      expect(decision.reason).toBe('allowed')
      // 3 + the other writer's 1 + this one: read again, not the snapshot's 3 + 1.
      expect(decision.failures).toBe(5)
      expect((await axes.isAllowed(request(7))).failures).toBe(5)
    } finally {
      await other.end()
      await axes.close()
    }
  })

  it('answers with store errors while the server drops its connections, then reconnects alone', async () => {
    const { axes, url, storeErrors } = await open()
    for (let i = 0; i < 3; i++) await axes.loginFailed(request(1))
    // Connections killed while idle, and again in the middle of a burst.
    await terminateSessions(url)
    // The second time while statements are in flight: 64 lanes keep failing logins until the
    // sessions have been ended under them and 200 more have been answered.
    const decisions: Awaited<ReturnType<Axes['loginFailed']>>[] = []
    let killedAt: number | null = null
    let killed: Promise<void> | null = null
    let i = 0
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (killedAt === null || decisions.length < killedAt + 200) {
          decisions.push(await axes.loginFailed(request(100 + (i++ % 1000))))
          if (decisions.length === 50) {
            killed = terminateSessions(url).then(() => {
              killedAt = decisions.length
            })
          }
        }
      }),
    )
    await killed
    expect(storeErrors.length).toBeGreaterThan(0)
    // Every call got a decision (never a rejection): allowed, or refused under failClosed.
    for (const d of decisions) expect(['allowed', 'storeError']).toContain(d.reason)
    expect(decisions.filter((d) => d.reason === 'storeError').length).toBe(
      storeErrors.filter((operation) => operation === 'recordFailure').length,
    )
    // Back without a restart: the next failures are recorded and the earlier ones are still there.
    let decision = await axes.loginFailed(request(1))
    for (let tries = 0; decision.reason !== 'allowed' && tries < 5; tries++) {
      decision = await axes.loginFailed(request(1))
    }
    expect(decision.reason).toBe('allowed')
    expect(decision.failures).toBeGreaterThanOrEqual(4)
    const after = await axes.isAllowed(request(1))
    expect(after.failures).toBe(decision.failures)
    await axes.close()
  })
})
