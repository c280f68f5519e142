/**
 * The admin mounted in a framework, through real HTTP: a page, the CSRF-protected delete
 * (urlencoded forms read whether or not the application parses bodies itself), the application's
 * own routes left alone, and odd methods and malformed requests answered with a clean 4xx before
 * `authorize`. Each framework's test/adapters/<framework>/admin.test.ts runs these with its mounts.
 */

import { request as httpRequest, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Axes, createAxes } from 'node-axes'
import { type AdminHandler, createAdminHandler } from 'node-axes/admin'
import { afterEach, describe, expect, it } from 'vitest'
import { BASE, Client, DEMO_COOKIE, fail, selectedIds } from './support.js'

export { BASE }

/** A started application: its URL, and how to stop it. */
export type Started = { url: string; close: () => Promise<void> }

/** Listens on a free loopback port. */
export async function listen(server: Server): Promise<Started> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** An application with the admin mounted at BASE and `the app` at `/`. */
export interface AdminMount {
  name: string
  start: (admin: AdminHandler) => Promise<Started>
}

/** One raw HTTP/1.1 request (fetch refuses TRACE): its status. */
function rawStatus(url: string, method: string, path: string, host?: string): Promise<number> {
  const { port } = new URL(url)
  return new Promise((resolve) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: false,
        setHost: host === undefined,
        headers: host === undefined ? {} : { host },
      },
      (response) => {
        response.resume()
        response.on('end', () => resolve(response.statusCode ?? 0))
      },
    )
    // A connection the server closes without an answer counts as no clean answer.
    request.on('error', () => resolve(-1))
    request.end()
  })
}

/** Registers the admin-mount cases for each of `mounts`. */
export function describeAdminMounts(mounts: readonly AdminMount[]): void {
  describe.each(mounts)('admin mounted in $name', ({ start }) => {
    let axes: Axes
    let started: Started

    afterEach(async () => {
      await started?.close()
      await axes?.close()
    })

    it('serves the pages, deletes with a CSRF token, and leaves the app alone', async () => {
      axes = createAxes({ handler: 'memory', failureLimit: 3 })
      await fail(axes, { ip: '203.0.113.7', username: 'alice' }, 3)
      await fail(axes, { ip: '198.51.100.2', username: 'bob' }, 1)
      const admin = createAdminHandler({
        axes,
        basePath: BASE,
        authorize: (request) => (request.headers.get('cookie') ?? '').includes(DEMO_COOKIE),
      })
      started = await start(admin)
      const client = new Client(started.url)

      const list = await client.get(`${BASE}/attempts?q=203.0`)
      expect(list.status).toBe(200)
      expect(list.response.headers.get('content-type')).toContain('text/html')
      expect(list.response.headers.get('content-security-policy')).toContain("default-src 'none'")
      expect(list.text).toContain('203.0.113.7')
      expect(list.response.headers.getSetCookie().join()).toContain('SameSite=Strict')
      const ids = selectedIds(list.text)
      expect(ids).toHaveLength(1)

      const refused = await client.post(`${BASE}/attempts/delete`, [
        ['id', ids[0] as string],
        ['confirm', 'yes'],
      ])
      expect(refused.status).toBe(403)
      const done = await client.post(`${BASE}/attempts/delete`, [
        ['id', ids[0] as string],
        ['csrf', Client.token(list.text)],
        ['confirm', 'yes'],
      ])
      expect(done.status).toBe(303)
      expect(done.response.headers.get('location')).toBe(`${BASE}/attempts?done=deleted%3A1`)
      const after = await client.get(done.response.headers.get('location') as string)
      expect(after.text).toContain('1 attempt removed.')
      expect(after.text).not.toContain('203.0.113.7')
      expect(after.text).toContain('198.51.100.2')

      const anonymous = new Client(started.url)
      anonymous.cookies.clear()
      expect((await anonymous.get(`${BASE}/`)).status).toBe(403)
      expect((await anonymous.get('/')).text).toBe('the app')
      expect((await client.get(`${BASE}/`)).text).toContain('Failures over time')
    })
  })

  describe.each(mounts)(
    'admin mounted in $name, odd methods and malformed requests',
    ({ start }) => {
      let axes: Axes
      let started: Started

      afterEach(async () => {
        await started?.close()
        await axes?.close()
      })

      it('answers a clean 4xx before authorize, never a 500', async () => {
        axes = createAxes({ handler: 'memory' })
        let authorizations = 0
        const admin = createAdminHandler({
          axes,
          basePath: BASE,
          authorize: () => {
            authorizations++
            return false
          },
        })
        started = await start(admin)
        const statuses: Record<string, number> = {}
        for (const method of ['TRACE', 'TRACK', 'PROPFIND', 'PURGE']) {
          statuses[method] = await rawStatus(started.url, method, `${BASE}/`)
        }
        statuses['bad host'] = await rawStatus(started.url, 'GET', `${BASE}/`, '[::1')
        statuses['bad host, POST'] = await rawStatus(
          started.url,
          'POST',
          `${BASE}/attempts/delete`,
          'a b',
        )
        // Every answer a 4xx: the list of the others is empty.
        expect(
          Object.entries(statuses).filter(([, status]) => status < 400 || status >= 500),
        ).toEqual([])
        // None of them reached authorize.
        expect(authorizations).toBe(0)
      })
    },
  )
}
