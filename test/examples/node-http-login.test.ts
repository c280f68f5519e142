import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLoginServer } from '../../examples/node-http-login.js'
import { createAxes } from '../support/axes.js'

// The README's quickest example, played over real HTTP.
describe('examples/node-http-login', () => {
  const axes = createAxes({
    failureLimit: 3,
    cooloffTime: '1m',
    lockoutParameters: [['username', 'ip_address']],
    enableRetryAfterHeader: true,
    logger: false,
  })
  const server = createLoginServer(axes)
  let base = ''

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve))
  })

  const login = (username: string, password: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({ username, password }),
    })

  it('serves the login page', async () => {
    const res = await fetch(`${base}/`)
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('<form class="login" method="post" action="/login">')
  })

  it('counts down, locks out at the third failure, and refuses even the right password', async () => {
    const first = await login('alice', 'nope')
    expect(first.status).toBe(401)
    expect(await first.text()).toContain('2 attempts left')
    expect((await login('alice', 'nope')).status).toBe(401)
    const third = await login('alice', 'nope')
    expect(third.status).toBe(429)
    expect(third.headers.get('retry-after')).toBe('60')
    expect(await third.text()).toBe(
      'Account locked: too many login attempts. Please try again later.',
    )
    expect((await login('alice', 'wonderland')).status).toBe(429)
    const json = await login('alice', 'wonderland', { 'x-requested-with': 'XMLHttpRequest' })
    expect(json.status).toBe(429)
    expect(await json.json()).toMatchObject({
      failure_limit: 3,
      username: 'alice',
      cooloff_time: 'PT1M',
    })
  })

  it('keeps other users of the same IP out of the lockout', async () => {
    const res = await login('bob', 'builder')
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('Signed in as bob.')
  })

  it('answers bad input cleanly', async () => {
    const malformed = await fetch(`${base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"username": ',
    })
    expect(malformed.status).toBe(400)
    const huge = await fetch(`${base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `username=${'a'.repeat(1024 * 1024)}&password=x`,
    })
    expect(huge.status).toBe(413)
    const bytes = await fetch(`${base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.from([0x75, 0x73, 0x65, 0x72, 0x6e, 0x61, 0x6d, 0x65, 0x3d, 0xff, 0xfe, 0x00]),
    })
    expect(bytes.status).toBe(401)
    const missing = await fetch(`${base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'password=x',
    })
    expect(missing.status).toBe(401)
  })
})
