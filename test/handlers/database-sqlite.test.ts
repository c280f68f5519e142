import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { databaseHandler } from 'node-axes/database'
import { describeHandlerConformance } from 'node-axes/testing'
import { afterAll } from 'vitest'

const dir = mkdtempSync(join(tmpdir(), 'node-axes-sqlite-'))
let n = 0
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describeHandlerConformance({
  name: 'database handler (SQLite file)',
  create: () => databaseHandler({ url: `sqlite:${join(dir, `axes-${++n}.sqlite3`)}` }),
})
