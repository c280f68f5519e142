import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { databaseHandler } from 'node-axes/database'
import { describeHandlerConformance } from 'node-axes/testing'
import { describe, expect, it } from 'vitest'
import type { AxesHandler } from '../../../src/ground/contract.js'
import { mysqlServerUrl, pgServerUrl } from '../../support/inject-servers.js'
import { createDatabase, type ServerKind } from '../../support/servers.js'

const run = promisify(execFile)

// The database handler on the test servers: the conformance suite, a two-process burst, and
// concurrent migrations, on PostgreSQL and on MariaDB.
const servers: [string, ServerKind, string | null][] = [
  ['PostgreSQL', 'postgres', pgServerUrl()],
  ['MariaDB', 'mysql', mysqlServerUrl()],
]

for (const [title, kind, server] of servers) {
  if (server === null) {
    describe.skip(`database handler (${title}): no server (apt-get install postgresql mariadb-server)`, () => {
      it('needs a server', () => {})
    })
    continue
  }

  // The database each handler was made on, and a second handler on it (another process's, without
  // the lock cache), for the lock cache's cases.
  const urls = new WeakMap<AxesHandler, string>()
  const secondHandler = (url: string) =>
    databaseHandler({ url, poolSize: 4, timeoutMs: 60_000, lockCache: false })
  describeHandlerConformance({
    name: `database handler (${title})`,
    create: async () => {
      // The suite's 1,000 parallel failures of one client queue on one lock, the last for longer
      // than the default 5 s deadline on a loaded machine (deadlines.test.ts tests the deadline).
      const url = await createDatabase(server, kind)
      const handler = databaseHandler({ url, poolSize: 20, timeoutMs: 60_000 })
      await handler.migrate()
      urls.set(handler, url)
      return handler
    },
    sameStore: (handler) => secondHandler(urls.get(handler) as string),
  })
  // The whole contract without the lock cache (\`lockCache: false\`), as before it.
  describeHandlerConformance({
    name: `database handler (${title}) without the lock cache`,
    create: async () => {
      const url = await createDatabase(server, kind)
      const handler = databaseHandler({ url, poolSize: 20, timeoutMs: 60_000, lockCache: false })
      await handler.migrate()
      urls.set(handler, url)
      return handler
    },
    sameStore: (handler) => secondHandler(urls.get(handler) as string),
  })

  describe(`database handler (${title}): two processes, one database`, () => {
    it('lets 1,000 parallel wrong passwords reach the verifier exactly failureLimit times', async () => {
      const url = await createDatabase(server, kind)
      await databaseHandler({ url }).migrate()
      const burst = async () => {
        const { stdout } = await run(
          process.execPath,
          ['--import', 'tsx', 'test/fixtures/burst.ts', url, '500', '5'],
          { cwd: process.cwd(), env: { ...process.env, NODE_OPTIONS: '' }, maxBuffer: 1 << 20 },
        )
        return JSON.parse(stdout) as { verified: number; outcomes: Record<string, number> }
      }
      const [a, b] = await Promise.all([burst(), burst()])
      expect(a.verified + b.verified).toBe(5)
      const errors = [...Object.keys(a.outcomes), ...Object.keys(b.outcomes)].filter((k) =>
        k.startsWith('error'),
      )
      expect(errors).toEqual([])
    }, 120_000)

    it('migrates twice, from two processes at once, without error', async () => {
      const url = await createDatabase(server, kind)
      const results = await Promise.all([
        databaseHandler({ url }).migrate(),
        databaseHandler({ url }).migrate(),
      ])
      expect(results.map((r) => r.applied.length).sort()).toEqual([0, 4])
    })
  })
}
