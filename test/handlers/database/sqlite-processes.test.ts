import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { createAxes } from 'node-axes'
import { databaseHandler } from 'node-axes/database'
import { afterAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const dir = mkdtempSync(join(tmpdir(), 'node-axes-sqlite-proc-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const burst = async (url: string, attempts: number, limit: number) => {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'test/fixtures/burst.ts', url, String(attempts), String(limit)],
    { cwd: process.cwd(), env: { ...process.env, NODE_OPTIONS: '' }, maxBuffer: 1 << 20 },
  )
  return JSON.parse(stdout) as { verified: number; outcomes: Record<string, number> }
}

describe('database handler on one SQLite file shared by two processes', () => {
  it('lets 1,000 parallel wrong passwords over 2 processes reach the verifier exactly failureLimit times', async () => {
    const url = `sqlite:${join(dir, 'shared.sqlite3')}`
    // Create the tables first so the two processes race only on counting.
    await databaseHandler({ url }).migrate()
    const [a, b] = await Promise.all([burst(url, 500, 5), burst(url, 500, 5)])
    expect(a.verified + b.verified).toBe(5)
    const outcomes = { ...a.outcomes }
    for (const [k, v] of Object.entries(b.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v
    expect(Object.keys(outcomes).filter((k) => k.startsWith('error'))).toEqual([])
    expect(
      (outcomes.tooManyInFlight ?? 0) + (outcomes.lockedOut ?? 0) + (outcomes.allowed ?? 0),
    ).toBe(1000)
  }, 120_000)

  it('keeps a lockout across a restart', async () => {
    const url = `sqlite:${join(dir, 'restart.sqlite3')}`
    const options = {
      failureLimit: 2,
      cooloffTime: '1h',
      logger: false as const,
      silencedChecks: ['axes.W002', 'axes.W003'],
    }
    const request = () => ({
      method: 'POST',
      path: '/login',
      headers: {},
      socketAddress: '198.51.100.4',
      body: { username: 'alice' },
    })
    const first = createAxes({ ...options, handler: databaseHandler({ url }) })
    await first.loginFailed(request())
    expect((await first.loginFailed(request())).lockedOut).toBe(true)
    await first.close()
    const second = createAxes({ ...options, handler: databaseHandler({ url }) })
    const decision = await second.isAllowed(request())
    expect(decision).toMatchObject({ allowed: false, reason: 'lockedOut', failures: 2 })
    await second.close()
  })
})
