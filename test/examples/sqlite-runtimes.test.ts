// The embedded default on Bun and Deno: node-axes from the build (dist/) keeps its lockouts in a
// SQLite file through the runtime's own SQLite (bun:sqlite on Bun, node:sqlite on Deno), with
// django-axes' tables exactly as Node writes them, and a Node process on the same file counts on
// from what the runtime wrote. The runtimes come from .runtimes/ (npm run runtimes).

import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAxes } from 'node-axes'
import { databaseHandler } from 'node-axes/database'
import { afterAll, describe, expect, it } from 'vitest'
import { ROOT } from '../support/root.js'
import { type RuntimeName, runtimeBinary } from '../support/runtimes.js'
import { Database, schemaOf } from '../support/sqlite.js'

const dir = mkdtempSync(join(tmpdir(), 'node-axes-sqlite-runtimes-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const FIXTURE = 'test/fixtures/sqlite-runtime.mjs'

/** alice's wrong password from 192.0.2.44, as the runtime and then Node play it. */
const REQUEST = {
  method: 'POST',
  path: '/login',
  headers: { 'user-agent': 'runtime-test' },
  socketAddress: '192.0.2.44',
  body: { username: 'alice', password: 'nope' },
}

/** How each runtime runs the fixture on a file, and the library it should choose. */
const RUNTIMES: { name: RuntimeName; args: (file: string) => string[]; driver: string }[] = [
  { name: 'bun', args: (file) => [FIXTURE, file, JSON.stringify(REQUEST)], driver: 'bun:sqlite' },
  {
    name: 'deno',
    args: (file) => [
      'run',
      '--allow-read',
      '--allow-write',
      '--allow-env',
      FIXTURE,
      file,
      JSON.stringify(REQUEST),
    ],
    driver: 'node:sqlite',
  },
]

/** The schema Node's own handler writes. */
async function nodeSchema(): Promise<Record<string, string>> {
  const file = join(dir, 'node.sqlite3')
  const handler = databaseHandler({ url: `sqlite:${file}` })
  await handler.migrate()
  await handler.close()
  return schemaOf(file)
}

for (const runtime of RUNTIMES) {
  const binary = runtimeBinary(runtime.name)
  describe.skipIf(binary === null)(`the SQLite default on ${runtime.name}`, () => {
    it(`locks out through ${runtime.driver}, in django-axes' tables as Node writes them, which Node then counts on`, async () => {
      const file = join(dir, `${runtime.name}.sqlite3`)
      const run = spawnSync(binary as string, runtime.args(file), {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
        timeout: 60_000,
      })
      expect(run.stderr).toBe('')
      expect(run.status).toBe(0)
      expect(JSON.parse(run.stdout)).toEqual({
        decisions: [
          { failures: 1, lockedOut: false },
          { failures: 2, lockedOut: false },
          { failures: 3, lockedOut: true },
        ],
        allowedAfter: false,
        handler: 'database',
        driver: runtime.driver,
      })
      expect(schemaOf(file)).toEqual(await nodeSchema())
      const db = new Database(file, { readonly: true })
      const rows = db
        .prepare('SELECT username, ip_address, failures_since_start FROM axes_accessattempt')
        .all()
      db.close()
      expect(rows).toEqual([
        { username: 'alice', ip_address: '192.0.2.44', failures_since_start: 3 },
      ])
      // Node on the same file, the same options: alice's fourth failure, still locked out.
      const axes = createAxes({ databaseUrl: `sqlite:${file}`, failureLimit: 3, logger: false })
      const fourth = await axes.loginFailed(REQUEST, REQUEST.body)
      await axes.close()
      expect(fourth).toMatchObject({ failures: 4, lockedOut: true })
    })
  })
}
