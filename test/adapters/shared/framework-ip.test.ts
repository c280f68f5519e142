// `clientIp: 'framework'`: the adapters take the address the framework resolved with its own
// trust-proxy setting (Express `trust proxy` / `req.ip`, Fastify `trustProxy` / `request.ip`, Koa
// `app.proxy` / `ctx.ip`), so a site configures its proxies once. Tested behind a real reverse
// proxy (node:http, appending the peer address to X-Forwarded-For as nginx's
// `$proxy_add_x_forwarded_for` does): clients connect to it from distinct loopback addresses, it
// connects to the app from 127.0.0.1.

import { createServer, request as httpRequest, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import formbody from '@fastify/formbody'
import { bodyParser } from '@koa/bodyparser'
import express from 'express'
import Fastify from 'fastify'
import Koa from 'koa'
import { afterEach, describe, expect, it } from 'vitest'
import { protectLogin as expressLogin } from '../../../src/adapters/express/index.js'
import { axesPlugin, protectLogin as fastifyLogin } from '../../../src/adapters/fastify/index.js'
import { protectLogin as koaLogin } from '../../../src/adapters/koa/index.js'
import type { ClientIpSource } from '../../../src/adapters/shared/proxy-check.js'
import { type Axes, type AxesOptions, createAxes } from '../../../src/index.js'
import { listenNode } from './login-apps.js'
import type { StartedApp } from './scenarios.js'

type Verify = (c: { username: string; password: string }) => string | null

interface Framework {
  name: string
  /** Starts the app trusting the proxy at 127.0.0.1 in the framework's own setting. */
  start(axes: Axes, verify: Verify, clientIp: ClientIpSource): Promise<StartedApp>
}

const FRAMEWORKS: Framework[] = [
  {
    name: "Express (app.set('trust proxy', '127.0.0.1'), req.ip)",
    start: async (axes, verify, clientIp) => {
      const app = express()
      app.set('trust proxy', '127.0.0.1')
      app.use(express.urlencoded({ extended: false }))
      app.post('/login', expressLogin(axes, verify, { clientIp }), (_req, res) => {
        res.send('in')
      })
      return listenNode(app.listen(0, '127.0.0.1'))
    },
  },
  {
    name: "Fastify (trustProxy: '127.0.0.1', request.ip)",
    start: async (axes, verify, clientIp) => {
      const app = Fastify({ trustProxy: '127.0.0.1' })
      await app.register(formbody)
      await app.register(axesPlugin, { axes, clientIp })
      app.post('/login', { preHandler: fastifyLogin(axes, verify) }, async () => 'in')
      await app.listen({ port: 0, host: '127.0.0.1' })
      const { port } = app.server.address() as AddressInfo
      return { base: `http://127.0.0.1:${port}`, close: () => app.close() }
    },
  },
  {
    // maxIpsCount: 1 reads only the address the proxy appended; without it Koa takes the
    // leftmost, which the client writes.
    name: 'Koa (proxy: true, maxIpsCount: 1, ctx.ip)',
    start: async (axes, verify, clientIp) => {
      const app = new Koa({ proxy: true, maxIpsCount: 1 })
      app.use(bodyParser())
      const login = koaLogin(axes, verify, { clientIp })
      app.use(async (ctx, next) => {
        if (ctx.path !== '/login') return next()
        await login(ctx, async () => {
          ctx.body = 'in'
        })
      })
      return listenNode(app.listen(0, '127.0.0.1'))
    },
  },
]

/** A reverse proxy in front of `target`: appends the peer address to X-Forwarded-For. */
async function startProxy(target: string): Promise<{ base: string; close(): Promise<void> }> {
  const upstream = new URL(target)
  const server: Server = createServer((req, res) => {
    const peer = req.socket.remoteAddress ?? ''
    const prior = req.headers['x-forwarded-for']
    const headers = { ...req.headers, 'x-forwarded-for': prior ? `${prior}, ${peer}` : peer }
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers,
        localAddress: '127.0.0.1',
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    forward.on('error', () => res.writeHead(502).end())
    req.pipe(forward)
  })
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve))
  const { port } = server.address() as AddressInfo
  return {
    base: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A login through the proxy from `localAddress`, with an X-Forwarded-For of the client's own. */
function login(
  base: string,
  from: string,
  password: string,
  spoofed?: string,
): Promise<{ status: number; body: string }> {
  const url = new URL('/login', base)
  const body = new URLSearchParams({ username: 'alice', password }).toString()
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress: from,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          ...(spoofed ? { 'x-forwarded-for': spoofed } : {}),
        },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          text += chunk
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

const verify: Verify = ({ username, password }) =>
  username === 'alice' && password === 'wonderland' ? username : null

describe.each(FRAMEWORKS)('$name behind a reverse proxy', (framework) => {
  let app: StartedApp | null = null
  let proxy: { base: string; close(): Promise<void> } | null = null
  afterEach(async () => {
    await proxy?.close()
    await app?.close()
    app = proxy = null
  })

  async function started(clientIp: ClientIpSource, extra: AxesOptions = {}) {
    const warnings: string[] = []
    const axes = createAxes({
      handler: 'memory',
      failureLimit: 3,
      cooloffTime: '1m',
      lockoutParameters: ['ip_address'],
      logger: {
        info: () => {},
        warn: (line: unknown) => warnings.push(logText(line)),
        error: () => {},
      },
      ...extra,
    })
    app = await framework.start(axes, verify, clientIp)
    proxy = await startProxy(app.base)
    return { axes, warnings, base: proxy.base }
  }

  it("counts each client by the framework's resolved IP with clientIp: 'framework'", async () => {
    const { axes, warnings, base } = await started('framework')
    // The third failure reaches the limit and is answered with the lockout.
    for (let i = 0; i < 2; i++) expect((await login(base, '127.0.0.2', 'nope')).status).toBe(401)
    expect((await login(base, '127.0.0.2', 'nope')).status).toBe(429)
    expect((await login(base, '127.0.0.2', 'wonderland')).status).toBe(429)
    // Another client behind the same proxy is not locked out.
    expect((await login(base, '127.0.0.3', 'wonderland')).status).toBe(200)
    // A client writing its own X-Forwarded-For is still counted by its real address.
    expect((await login(base, '127.0.0.2', 'wonderland', '198.51.100.7')).status).toBe(429)
    const ips = (await axes.listAttempts()).map((a) => a.ipAddress)
    expect(ips).toEqual(['127.0.0.2'])
    // One place configures the proxy: no disagreement reported, no untrusted-header warning.
    expect(warnings.filter((w) => /axes\.W0(09|13|17)/.test(w))).toEqual([])
  })

  it("shares the proxy's IP by default (node-axes' own proxy options unset) and says so (axes.W013)", async () => {
    const { warnings, base } = await started('axes')
    for (let i = 0; i < 2; i++) expect((await login(base, '127.0.0.2', 'nope')).status).toBe(401)
    expect((await login(base, '127.0.0.2', 'nope')).status).toBe(429)
    // Every client behind the proxy is one IP to node-axes: the next one is locked out too.
    expect((await login(base, '127.0.0.3', 'wonderland')).status).toBe(429)
    expect(warnings.some((w) => w.startsWith('axes.W013'))).toBe(true)
  })

  it("reports axes.W017 when node-axes' proxy options are set as well", async () => {
    const { warnings, base } = await started('framework', {
      ipwareMetaPrecedenceOrder: ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'],
    })
    await login(base, '127.0.0.2', 'nope')
    const w017 = warnings.filter((w) => w.startsWith('axes.W017'))
    expect(w017).toHaveLength(1)
    expect(w017[0]).toContain('ipware* options are set too, and not used')
  })
})

describe('the clientIp option', () => {
  it('refuses anything but axes or framework, when the middleware is made', () => {
    const axes = createAxes({ handler: 'memory', logger: false })
    const bad = { clientIp: 'x-real-ip' as ClientIpSource }
    expect(() => expressLogin(axes, verify, bad)).toThrow(/clientIp must be 'axes' or 'framework'/)
    expect(() => koaLogin(axes, verify, bad)).toThrow(/clientIp must be 'axes' or 'framework'/)
    expect(() => fastifyLogin(axes, verify, bad)).toThrow(/clientIp must be 'axes' or 'framework'/)
  })
})

/** A log call's text: the record's message (node-axes logs records), or the line itself. */
function logText(line: unknown): string {
  return typeof line === 'object' && line !== null && 'msg' in line
    ? String((line as { msg: unknown }).msg)
    : String(line)
}
