/**
 * Hono's own connection-info helpers (`getConnInfo` of each runtime's adapter) as the source of
 * the peer address: `protectLogin(axes, verify, { connInfo: getConnInfo })`. Over real HTTP on
 * @hono/node-server (two client addresses, two buckets), and through `app.request()` with the
 * header-reading helpers of Cloudflare Workers and Vercel. Without any address, check axes.W012
 * says, in Hono's words, what happens to those clients and which helper to pass. The same on Bun,
 * Deno and workerd: test/examples/hono-runtimes.test.ts.
 */

import type { Server } from 'node:http'
import { request as httpRequest } from 'node:http'
import { serve } from '@hono/node-server'
import { getConnInfo as nodeConnInfo } from '@hono/node-server/conninfo'
import { Hono } from 'hono'
import { getConnInfo as cloudflareConnInfo } from 'hono/cloudflare-workers'
import { getConnInfo as vercelConnInfo } from 'hono/vercel'
import { describe, expect, it } from 'vitest'
import {
  type AxesVariables,
  axesMiddleware,
  type HonoProtectLoginOptions,
  protectLogin,
} from '../../../src/adapters/hono/index.js'
import { type AxesOptions, createAxes } from '../../../src/index.js'
import { eachApp, startedServer } from '../shared/scenarios.js'

const RIGHT = { username: 'alice', password: 'wonderland' }
const WRONG = { username: 'alice', password: 'nope' }

function site(axesOptions: AxesOptions, options: HonoProtectLoginOptions = {}) {
  const axes = createAxes({ handler: 'memory', logger: false, failureLimit: 2, ...axesOptions })
  const app = new Hono<{ Variables: AxesVariables }>()
  app.post(
    '/login',
    protectLogin(
      axes,
      ({ username, password }) => password === 'wonderland' && username === 'alice' && username,
      options,
    ),
    (c) => c.text('welcome'),
  )
  app.onError((error, c) => c.text(`${(error as { code?: string }).code}: ${error.message}`, 500))
  const login = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
    app.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields).toString(),
    })
  const w012 = () => axes.check().find((c) => c.id === 'axes.W012')
  return { axes, app, login, w012 }
}

/** `POST /login` over a new connection from `localAddress`. */
function loginFrom(base: string, localAddress: string, fields: Record<string, string>) {
  const body = new URLSearchParams(fields).toString()
  return new Promise<number>((resolve, reject) => {
    const req = httpRequest(
      `${base}/login`,
      {
        method: 'POST',
        agent: false,
        localAddress,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

describe("Hono's connInfo option", () => {
  const apps = eachApp()

  it('counts the peer address @hono/node-server reports: two client addresses, two buckets', async () => {
    const { axes, app } = site({ lockoutParameters: ['ip_address'] }, { connInfo: nodeConnInfo })
    const seen: (string | null)[] = []
    axes.on('loginFailed', ({ client }) => {
      seen.push(client.ipAddress)
    })
    const { base } = apps.use(
      await startedServer(serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server),
    )
    expect(await loginFrom(base, '127.0.0.1', WRONG)).toBe(401)
    expect(await loginFrom(base, '127.0.0.1', WRONG)).toBe(429)
    expect(await loginFrom(base, '127.0.0.1', RIGHT)).toBe(429)
    // Another address is another client.
    expect(await loginFrom(base, '127.0.0.2', RIGHT)).toBe(200)
    // Each failure (and the refusal while locked out) counted 127.0.0.1's address.
    expect(seen.length).toBeGreaterThanOrEqual(2)
    expect(new Set(seen)).toEqual(new Set(['127.0.0.1']))
    const ips = (await axes.listAttempts()).map((a) => a.ipAddress)
    expect(ips).toEqual(['127.0.0.1'])
    expect(axes.check().map((c) => c.id)).not.toContain('axes.W012')
  })

  it("reads the edge's header through hono/cloudflare-workers' and hono/vercel's helpers", async () => {
    for (const [connInfo, header] of [
      [cloudflareConnInfo, 'cf-connecting-ip'],
      [vercelConnInfo, 'x-real-ip'],
    ] as const) {
      const { login, axes } = site({ lockoutParameters: ['ip_address'] }, { connInfo })
      expect((await login(WRONG, { [header]: '203.0.113.5' })).status).toBe(401)
      expect((await login(WRONG, { [header]: '203.0.113.5' })).status).toBe(429)
      expect((await login(RIGHT, { [header]: '203.0.113.6' })).status).toBe(200)
      expect((await axes.listAttempts()).map((a) => a.ipAddress)).toEqual(['203.0.113.5'])
    }
  })

  it('without an address from it, refuses the login and says connInfo gave none (axes.W012)', async () => {
    const { login, w012 } = site({}, { connInfo: cloudflareConnInfo })
    const res = await login(RIGHT)
    expect(res.status).toBe(500)
    expect(await res.text()).toMatch(/^AXES_NO_CLIENT_IP/)
    expect(w012()?.message).toBe(
      'The client IP of a request could not be determined: Hono found no peer address on this runtime (connInfo gave none), so every login counted by IP is refused (AXES_NO_CLIENT_IP) (see unknownClientIp).',
    )
    expect(w012()?.hint).toContain('hono/cloudflare-workers reads cf-connecting-ip')
  })

  it("the helper of another runtime fails with a clear error, not Hono's TypeError", async () => {
    // @hono/node-server's helper under app.request() (no Node request in c.env), as on Bun.
    const { login, axes } = site({}, { connInfo: nodeConnInfo })
    const res = await login(RIGHT)
    expect(res.status).toBe(500)
    expect(await res.text()).toMatch(
      /^AXES_INVALID_ARGUMENT: \[node-axes\] connInfo failed \(.+\): pass the getConnInfo of the runtime this app runs on$/,
    )
    expect(await axes.listAttempts()).toEqual([])
  })

  it('refuses two address sources, or one that is not a function, when the route is built', () => {
    const axes = createAxes({ handler: 'memory', logger: false })
    const verify = () => null
    expect(() =>
      protectLogin(axes, verify, { connInfo: nodeConnInfo, socketAddress: () => '192.0.2.1' }),
    ).toThrow('connInfo and socketAddress both name the peer address: pass one')
    expect(() =>
      axesMiddleware(axes, { connInfo: 'getConnInfo' as unknown as typeof nodeConnInfo }),
    ).toThrow('connInfo must be a function, not string')
  })
})

describe('no peer address and no connInfo: check axes.W012 in Hono words', () => {
  it('says every login counted by IP is refused, and names getConnInfo per runtime', async () => {
    const { login, w012 } = site({})
    expect((await login(RIGHT)).status).toBe(500)
    expect(w012()?.message).toBe(
      'The client IP of a request could not be determined: Hono found no peer address on this runtime, so every login counted by IP is refused (AXES_NO_CLIENT_IP) (see unknownClientIp).',
    )
    expect(w012()?.hint).toBe(
      "Check the adapter passes the socket address and the proxy options. On Hono, pass the runtime's getConnInfo: protectLogin(axes, verify, { connInfo: getConnInfo }), from hono/cloudflare-workers, hono/vercel, hono/bun, hono/deno or @hono/node-server/conninfo.",
    )
  })

  it("with unknownClientIp: 'shareBucket', says all those clients share one bucket (and they do)", async () => {
    const { login, w012 } = site({
      unknownClientIp: 'shareBucket',
      lockoutParameters: ['ip_address'],
    })
    await login({ username: 'mallory', password: 'x' })
    await login({ username: 'mallory', password: 'x' })
    expect((await login(RIGHT)).status).toBe(429)
    expect(w012()?.message).toContain(
      'so all such clients share one IP bucket, and one attacker locks all of them out',
    )
  })

  it("through axesMiddleware too; the core's own W012 keeps its plain text elsewhere", async () => {
    const { axes } = site({})
    const app = new Hono<{ Variables: AxesVariables }>()
    app.use(axesMiddleware(axes))
    app.get('/', (c) => c.text('ok'))
    await app.request('/')
    expect(axes.check().find((c) => c.id === 'axes.W012')?.message).toContain('Hono found no peer')
    const plain = createAxes({ handler: 'memory', logger: false, unknownClientIp: 'shareBucket' })
    await plain.loginFailed({ method: 'POST', path: '/', headers: {} }, { username: 'a' })
    const check = plain.check().find((c) => c.id === 'axes.W012')
    expect(check?.message).toBe(
      'The client IP of a request could not be determined (see unknownClientIp).',
    )
    expect(check?.hint).toBe('Check the adapter passes the socket address and the proxy options.')
  })

  it('is not reported when node-axes reads the address from a header the application trusts', async () => {
    const { login, w012 } = site({
      ipwareMetaPrecedenceOrder: ['HTTP_CF_CONNECTING_IP'],
      lockoutParameters: ['ip_address'],
    })
    expect((await login(RIGHT, { 'cf-connecting-ip': '203.0.113.9' })).status).toBe(200)
    expect(w012()).toBeUndefined()
  })
})
