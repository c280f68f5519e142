import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type StartedProcess, startProcess } from '../support/child-process.js'
import { pgServerUrl, redisServerUrl } from '../support/inject-servers.js'
import { createDatabase } from '../support/servers.js'

const pg = pgServerUrl()
const redis = redisServerUrl()
if (pg === null || redis === null) {
  console.warn(
    'examples/redis-postgres: skipped, no PostgreSQL or Redis server (install postgresql and redis-server, or set AXES_TEST_PG_URL and AXES_TEST_REDIS_URL)',
  )
}

/** Starts the example as its header says, with tsx. */
const startInstance = (env: Record<string, string>) =>
  startProcess(process.execPath, ['--import', 'tsx', 'examples/redis-postgres.ts'], env)

// The production-shaped example: two instances, users in PostgreSQL, attempts in Redis. A lockout
// earned on one instance is enforced by the other.
describe.skipIf(pg === null || redis === null)('examples/redis-postgres', () => {
  const instances: StartedProcess[] = []
  let a = ''
  let b = ''

  beforeAll(async () => {
    const env = {
      DATABASE_URL: await createDatabase(pg as string, 'postgres'),
      REDIS_URL: redis as string,
      AXES_REDIS_PREFIX: `example-${randomBytes(4).toString('hex')}:`,
    }
    // The first creates the users table; then the second starts on the same database.
    const first = await startInstance(env)
    instances.push(first)
    const second = await startInstance(env)
    instances.push(second)
    a = first.base
    b = second.base
  }, 60_000)

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()))
  })

  const login = (base: string, username: string, password: string) =>
    fetch(`${base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username, password }),
    })

  it('counts failures across both instances and locks out at the fifth', async () => {
    expect((await login(a, 'alice', 'wonderland')).status).toBe(200)
    const first = await login(a, 'alice', 'nope')
    expect(first.status).toBe(401)
    expect(await first.text()).toContain('4 attempts left')
    expect((await login(b, 'alice', 'nope')).status).toBe(401)
    expect((await login(a, 'alice', 'nope')).status).toBe(401)
    const fourth = await login(b, 'alice', 'nope')
    expect(await fourth.text()).toContain('1 attempt left')
    const fifth = await login(a, 'alice', 'nope')
    expect(fifth.status).toBe(429)
    expect(fifth.headers.get('retry-after')).toBe('900')
    // The right password is refused on both: the lockout lives in Redis.
    expect((await login(b, 'alice', 'wonderland')).status).toBe(429)
    expect((await login(a, 'alice', 'wonderland')).status).toBe(429)
    // bob, and a user who does not exist, are answered as usual.
    const bob = await login(b, 'bob', 'builder')
    expect(bob.status).toBe(200)
    expect(await bob.text()).toContain('Signed in as bob.')
    expect((await login(a, 'mallory', 'wonderland')).status).toBe(401)
  })
})
