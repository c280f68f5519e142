import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAxes, fromDjangoSettings } from 'node-axes'
import { databaseHandler } from 'node-axes/database'
import { afterAll, describe, expect, it } from 'vitest'

const dir = mkdtempSync(join(tmpdir(), 'node-axes-default-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const request = () => ({
  method: 'POST',
  path: '/login',
  headers: { 'user-agent': 'default-test' },
  socketAddress: '192.0.2.44',
  body: { username: 'alice', password: 'nope' },
})
const quiet = { logger: false as const, silencedChecks: ['axes.W002', 'axes.W003'] }

describe('the embedded default: django-axes tables in a SQLite file', () => {
  it('is the database handler on ./axes.sqlite3, opened only when first used', async () => {
    const axes = createAxes(quiet)
    expect(axes.handler).toMatchObject({ name: 'database', kind: 'database', shared: true })
    expect(axes.options.databaseUrl).toBe('sqlite:axes.sqlite3')
    await axes.close()
  })

  it('persists lockouts in the configured file across instances', async () => {
    const file = join(dir, 'default.sqlite3')
    const options = { ...quiet, failureLimit: 2, cooloffTime: '1h', databaseUrl: `sqlite:${file}` }
    const first = createAxes(options)
    await first.loginFailed(request())
    expect((await first.loginFailed(request())).reason).toBe('lockedOut')
    await first.close()
    expect(existsSync(file)).toBe(true)
    const second = createAxes(options)
    expect(await second.isAllowed(request())).toMatchObject({ allowed: false, failures: 2 })
    expect(await second.reset({ ip: '192.0.2.44' })).toBe(1)
    expect((await second.isAllowed(request())).allowed).toBe(true)
    await second.close()
  })

  it('says before it loads what it can do once loaded (one declaration of its capabilities)', async () => {
    const axes = createAxes({ ...quiet, databaseUrl: `sqlite:${join(dir, 'supports.sqlite3')}` })
    const loaded = databaseHandler({ url: `sqlite:${join(dir, 'supports.sqlite3')}` })
    expect(axes.handler.supports).toEqual(loaded.supports)
    expect(Object.isFrozen(loaded.supports)).toBe(true)
    expect(axes.capabilities).toEqual({ ...loaded.supports })
    await axes.close()
    await loaded.close()
  })

  it('is what a Django project configured with the database handler gets', () => {
    const options = fromDjangoSettings({
      AXES_HANDLER: 'axes.handlers.database.AxesDatabaseHandler',
    })
    expect(createAxes({ ...quiet, ...options }).handler.kind).toBe('database')
  })

  it('refuses a databaseUrl that is not a database URL', () => {
    expect(() => createAxes({ ...quiet, databaseUrl: 'redis://localhost' })).toThrow(
      /databaseUrl: expects a sqlite:, postgres: or mysql: URL/,
    )
  })

  it('answers a store error (failClosed) when the file cannot be opened', async () => {
    const axes = createAxes({
      ...quiet,
      databaseUrl: `sqlite:${join(dir, 'missing', 'x.sqlite3')}`,
    })
    const decision = await axes.isAllowed(request())
    expect(decision).toMatchObject({ allowed: false, reason: 'storeError' })
    const response = await axes.lockoutResponse(request(), decision)
    expect(response.status).toBe(503)
    await axes.close()
  })
})
