import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type AxesHandler, createAxes } from 'node-axes'
import { databaseHandler } from 'node-axes/database'
import { describeHandlerConformance } from 'node-axes/testing'
import { afterAll, describe, expect, it } from 'vitest'
import { Database } from '../../support/sqlite.js'

const dir = mkdtempSync(join(tmpdir(), 'node-axes-sqlite-'))
let n = 0
afterAll(() => rmSync(dir, { recursive: true, force: true }))

// The file each handler was opened on, for the lock cache's cases' second handler.
const urls = new WeakMap<AxesHandler, string>()
describeHandlerConformance({
  name: 'database handler (SQLite file)',
  create: () => {
    const url = `sqlite:${join(dir, `axes-${++n}.sqlite3`)}`
    const handler = databaseHandler({ url })
    urls.set(handler, url)
    return handler
  },
  sameStore: (handler) => databaseHandler({ url: urls.get(handler) as string, lockCache: false }),
})

describe('database handler (SQLite file): the connection', () => {
  it('opens WAL and checkpoints every 10,000 WAL pages, not every 1,000', async () => {
    const file = join(dir, 'wal.sqlite3')
    const axes = createAxes({
      handler: databaseHandler({ url: `sqlite:${file}` }),
      failureLimit: 1_000_000,
      logger: false,
    })
    // Each failure commits a few 4 KiB pages: 2,000 of them write well over 1,000 pages.
    for (let i = 0; i < 2000; i++) {
      await axes.loginFailed({
        method: 'POST',
        path: '/login',
        headers: { 'user-agent': 'UA' },
        socketAddress: `10.0.${i >> 8}.${i & 255}`,
        body: { username: `user${i % 100}`, password: 'x' },
      })
    }
    const db = new Database(file, { readonly: true })
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    } finally {
      db.close()
    }
    // With SQLite's default, the WAL would start over after 1,000 pages (about 4 MB).
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(1000 * 4096 * 1.5)
    await axes.close()
  })
})
