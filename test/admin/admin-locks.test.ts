// The Locked out page over HTTP (memory handler, no server needed): Unlock is a POST that needs the
// CSRF token and the same origin, refuses what is not a lock id, escapes hostile values, and says
// so when the handler cannot list locks.

import { type Axes, createAxes, lockedOut, memoryHandler } from 'node-axes'
import { afterEach, describe, expect, it } from 'vitest'
import { type AdminServer, BASE, Client, fail, loginRequest, serveAdmin } from './support.js'

describe('the Locked out page', () => {
  let axes: Axes
  let admin: AdminServer
  afterEach(async () => {
    await admin?.close()
    await axes?.close()
  })

  const start = async (options = {}) => {
    axes = createAxes({
      handler: memoryHandler(),
      failureLimit: 2,
      lockoutParameters: ['ip_address', ['username', 'ip_address']],
      logger: false,
      ...options,
    })
    admin = await serveAdmin(axes)
    return new Client(admin.url)
  }

  it('lists each lock, unlocks with the CSRF token only, and says what went', async () => {
    const client = await start()
    await fail(axes, { ip: '192.0.2.1', username: '<b>eve</b>' }, 2)
    const list = await client.get(`${BASE}/locks`)
    expect(list.status).toBe(200)
    expect(list.text).toContain('&lt;b&gt;eve&lt;/b&gt;')
    expect(list.text).not.toContain('<b>eve</b>')
    // Two locks: the IP, and the username with the IP.
    expect(list.text.match(/>Unlock<\/button>/g)).toHaveLength(2)
    const ids = [...list.text.matchAll(/name="id" value="([^"]+)"/g)].map((m) => m[1] as string)
    const token = Client.token(list.text)

    expect((await client.request(`${BASE}/locks/unlock`)).status).toBe(405)
    const forged = await client.post(`${BASE}/locks/unlock`, [['id', ids[0] as string]])
    expect(forged.status).toBe(403)
    const crossSite = await client.post(
      `${BASE}/locks/unlock`,
      [
        ['csrf', token],
        ['id', ids[0] as string],
      ],
      { origin: 'https://evil.example' },
    )
    expect(crossSite.status).toBe(403)
    expect(await lockedOut(axes)).toHaveLength(2)
    const bad = await client.post(`${BASE}/locks/unlock`, [
      ['csrf', token],
      ['id', 'nonsense'],
    ])
    expect(bad.status).toBe(400)

    for (const id of ids) {
      const done = await client.post(`${BASE}/locks/unlock`, [
        ['csrf', token],
        ['id', id],
      ])
      expect(done.status).toBe(303)
      const after = await client.get(done.response.headers.get('location') as string)
      expect(after.text).toMatch(
        /Unlocked the (ip|pair) lock on IP 192\.0\.2\.1[^:]*: 1 attempt removed\./,
      )
    }
    expect(await lockedOut(axes)).toEqual([])
    const eve = loginRequest({ ip: '192.0.2.1', username: '<b>eve</b>' })
    expect((await axes.isAllowed(eve)).allowed).toBe(true)
    expect((await client.get(`${BASE}/locks`)).text).toContain('No one is locked out.')
  })

  it('says when the handler cannot list the locks in force', async () => {
    axes = createAxes({ handler: 'dummy', logger: false })
    admin = await serveAdmin(axes)
    const page = await new Client(admin.url).get(`${BASE}/locks`)
    expect(page.status).toBe(200)
    expect(page.text).toContain('cannot list the locks in force')
  })
})
