import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_PATH, createExampleServer } from '../../examples/admin-pages.js'
import { createAxes } from '../support/axes.js'

// The admin example over real HTTP: a lockout made on the login page, seen and deleted in the admin.
describe('examples/admin-pages', () => {
  const axes = createAxes({
    failureLimit: 3,
    cooloffTime: '1m',
    lockoutParameters: [['username', 'ip_address']],
    logger: false,
  })
  const server = createExampleServer(axes, 'example-secret')
  let base = ''
  const basic = `Basic ${Buffer.from('admin:example-secret').toString('base64')}`

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve))
  })

  it('asks for credentials, shows the lockout, and deletes it', async () => {
    for (let i = 0; i < 3; i++) {
      await fetch(`${base}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: 'alice', password: 'nope' }),
      })
    }
    const anonymous = await fetch(`${base}${ADMIN_PATH}/attempts`)
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toContain('Basic')
    const wrong = await fetch(`${base}${ADMIN_PATH}/attempts`, {
      headers: { authorization: `Basic ${Buffer.from('admin:guess').toString('base64')}` },
    })
    expect(wrong.status).toBe(401)

    const page = await fetch(`${base}${ADMIN_PATH}/attempts`, { headers: { authorization: basic } })
    const text = await page.text()
    expect(text).toContain('alice')
    expect(text).toContain('Locked out')
    const cookie = (page.headers.getSetCookie()[0] ?? '').split(';')[0] as string
    const csrf = /name="csrf" value="([^"]+)"/.exec(text)?.[1] as string
    const id = /name="id" value="([^"]+)"/.exec(text)?.[1] as string
    const done = await fetch(`${base}${ADMIN_PATH}/attempts/delete`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        authorization: basic,
        cookie,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ id, csrf, confirm: 'yes' }),
    })
    expect(done.status).toBe(303)
    const login = await fetch(`${base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'alice', password: 'wonderland' }),
    })
    expect(await login.text()).toContain('Signed in as alice')
  })
})
