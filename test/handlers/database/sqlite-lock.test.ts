import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { databaseHandler } from 'node-axes/database'
import { conformanceInput } from 'node-axes/testing'
import { afterAll, describe, expect, it } from 'vitest'
import { Database } from '../../support/sqlite.js'

// Another process (here: another connection) holding SQLite's write lock: node-axes waits for it
// without freezing the event loop, and gives up after timeoutMs (busyTimeoutMs, its older name)
// with a store error, not a hang.
const dir = mkdtempSync(join(tmpdir(), 'node-axes-sqlite-lock-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('database handler on SQLite: the write lock held elsewhere', () => {
  it('waits asynchronously: timers keep running, and the write lands once the lock is free', async () => {
    const file = join(dir, 'held.sqlite3')
    const handler = databaseHandler({ url: `sqlite:${file}` })
    await handler.migrate()
    const other = new Database(file)
    other.exec('BEGIN IMMEDIATE')
    let ticks = 0
    const timer = setInterval(() => ticks++, 5)
    // A synchronous wait (SQLite's own busy timeout) would hold the event loop for the whole 5 s
    // timeout, the lock's holder being this same process: starting the write and sleeping 200 ms
    // would then take that long.
    const start = Date.now()
    const pending = handler.recordFailure(conformanceInput({}, { now: Date.now() }))
    await new Promise((resolve) => setTimeout(resolve, 200))
    const slept = Date.now() - start
    const ticksWhileHeld = ticks
    other.exec('COMMIT')
    const state = await pending
    clearInterval(timer)
    other.close()
    expect(slept).toBeLessThan(2000)
    expect(ticksWhileHeld).toBeGreaterThan(0)
    expect(state.failures).toBe(1)
    await handler.close()
  })

  it('fails after busyTimeoutMs (timeoutMs) when the lock is never released', async () => {
    const file = join(dir, 'stuck.sqlite3')
    const handler = databaseHandler({ url: `sqlite:${file}`, busyTimeoutMs: 150 })
    await handler.migrate()
    const other = new Database(file)
    other.exec('BEGIN IMMEDIATE')
    const started = Date.now()
    await expect(
      handler.recordFailure(conformanceInput({}, { now: Date.now() })),
    ).rejects.toMatchObject({ code: 'AXES_STORE_UNAVAILABLE' })
    const waited = Date.now() - started
    expect(waited).toBeGreaterThanOrEqual(140)
    expect(waited).toBeLessThan(1000)
    other.exec('ROLLBACK')
    other.close()
    await handler.close()
  })

  it('waits for ever with timeoutMs: 0, and refuses a timeoutMs that is not a number of ms ≥ 0', async () => {
    const file = join(dir, 'forever.sqlite3')
    const handler = databaseHandler({ url: `sqlite:${file}`, timeoutMs: 0 })
    await handler.migrate()
    const other = new Database(file)
    other.exec('BEGIN IMMEDIATE')
    let settled = false
    const pending = handler.recordFailure(conformanceInput({}, { now: Date.now() }))
    void pending.then(() => {
      settled = true
    })
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(settled).toBe(false)
    other.exec('COMMIT')
    other.close()
    expect((await pending).failures).toBe(1)
    await handler.close()
    for (const timeoutMs of [-1, Number.NaN, '5000']) {
      expect(() =>
        databaseHandler({ url: 'sqlite::memory:', timeoutMs: timeoutMs as number }),
      ).toThrow(expect.objectContaining({ code: 'AXES_INVALID_OPTIONS' }))
    }
  })
})
