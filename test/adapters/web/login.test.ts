import type { IncomingMessage, Server } from 'node:http'
import { serve } from '@hono/node-server'
import { describe, expect, it } from 'vitest'
import {
  createRequestApi,
  protectLogin,
  sendLockout,
  trustedHeader,
} from '../../../src/adapters/web/index.js'
import { AxesError, createAxes } from '../../../src/index.js'
import {
  type AppSetup,
  browserMultipart,
  eachApp,
  playOwnLoginCode,
  runAdapterScenarios,
  startedServer,
  USER,
} from '../shared/scenarios.js'

/** What @hono/node-server passes a fetch handler after the request: Node's own request. */
type NodeEnv = { incoming: IncomingMessage }

/** The peer address on Node, as the application passes it (here through @hono/node-server). */
const nodeAddress = (_request: Request, env: NodeEnv) => env.incoming.socket.remoteAddress

/** A fetch-style handler served over real HTTP on Node. */
function listen(fetch: (request: Request, env: NodeEnv) => Response | Promise<Response>) {
  return startedServer(
    serve({
      fetch: (request, env) => fetch(request, env as NodeEnv),
      port: 0,
      hostname: '127.0.0.1',
    }) as Server,
  )
}

/** The login handler, as the docs show it. */
function webApp(setup: Pick<AppSetup, 'axes' | 'verify'>) {
  return protectLogin(setup.axes, (credentials) => setup.verify(credentials), {
    clientAddress: nodeAddress,
    onSuccess: (_request, login) => new Response(`welcome ${String(login.user)}`),
  })
}

runAdapterScenarios({
  name: 'web (fetch handlers)',
  hasViews: false,
  hasTrustProxy: false,
  // The application varies on Accept-Language (as an i18n layer around its handlers does): in the
  // fetch world it appends to the response node-axes returned, whose headers stay writable.
  start: async (setup) => {
    const app = webApp(setup)
    return listen(async (request, env) => {
      const response = await app(request, env)
      response.headers.append('vary', 'Accept-Language')
      return response
    })
  },
})

const form = (body: Record<string, string> | string, headers: Record<string, string> = {}) =>
  new Request('http://app.test/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: typeof body === 'string' ? body : new URLSearchParams(body),
  })

describe('web: the client address', () => {
  it('must be said: protectLogin and createRequestApi refuse to start without a clientAddress source', () => {
    const axes = createAxes({ handler: 'memory', logger: false })
    const verify = () => null
    const onSuccess = () => new Response('in')
    // @ts-expect-error clientAddress is required
    expect(() => protectLogin(axes, verify, { onSuccess })).toThrow(
      expect.objectContaining({ code: 'AXES_INVALID_ARGUMENT' }),
    )
    // @ts-expect-error clientAddress is required
    expect(() => createRequestApi(axes, {})).toThrow(/clientAddress/)
  })

  it('fails loudly, verifying and counting nothing, when the source gives no address', async () => {
    const axes = createAxes({ handler: 'memory', failureLimit: 2, logger: false })
    let verified = 0
    const login = protectLogin(
      axes,
      () => {
        verified++
        return null
      },
      { clientAddress: trustedHeader('cf-connecting-ip'), onSuccess: () => new Response('in') },
    )
    const cases: Record<string, string>[] = [
      {},
      { 'cf-connecting-ip': '' },
      { 'cf-connecting-ip': 'nonsense' },
    ]
    for (const headers of cases) {
      const error = await login(form({ username: 'alice', password: 'x' }, headers)).catch(
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(AxesError)
      expect(error).toMatchObject({ code: 'AXES_NO_CLIENT_ADDRESS' })
      expect(String((error as Error).message)).toMatch(/cf-connecting-ip/)
    }
    // A list of addresses is not one address: no guessing which one is the client's.
    await expect(
      login(form({ username: 'alice', password: 'x' }, { 'cf-connecting-ip': '1.2.3.4, 5.6.7.8' })),
    ).rejects.toMatchObject({ code: 'AXES_NO_CLIENT_ADDRESS' })
    expect(verified).toBe(0)
    expect(axes.check().map((c) => c.id)).not.toContain('axes.W012')
  })

  it('counts two addresses from a trusted header as two buckets', async () => {
    const axes = createAxes({
      handler: 'memory',
      failureLimit: 2,
      lockoutParameters: ['ip_address'],
      logger: false,
    })
    const login = protectLogin(axes, ({ password }) => password === USER.password && 'alice', {
      clientAddress: trustedHeader('cf-connecting-ip'),
      onSuccess: () => new Response('in'),
    })
    const from = (ip: string, password: string) =>
      login(form({ username: 'alice', password }, { 'cf-connecting-ip': ip }))
    expect((await from('203.0.113.1', 'x')).status).toBe(401)
    expect((await from('203.0.113.1', 'x')).status).toBe(429)
    expect((await from('203.0.113.1', USER.password)).status).toBe(429)
    expect((await from('203.0.113.2', USER.password)).status).toBe(200)
    expect((await from('2001:db8::1', 'x')).status).toBe(401)
  })

  it('wraps a failing source as AXES_CALLABLE_FAILED', async () => {
    const axes = createAxes({ handler: 'memory', logger: false })
    const login = protectLogin(axes, () => null, {
      clientAddress: () => {
        throw new Error('boom')
      },
      onSuccess: () => new Response('in'),
    })
    await expect(login(form(USER))).rejects.toMatchObject({ code: 'AXES_CALLABLE_FAILED' })
  })
})

describe('web: the credentials', () => {
  it('are read once, and the identity counted is the one the password check received', async () => {
    const axes = createAxes({ handler: 'memory', failureLimit: 1, logger: false })
    const seen: string[] = []
    const login = protectLogin(
      axes,
      ({ username }) => {
        seen.push(username)
        return null
      },
      { clientAddress: () => '198.51.100.7', onSuccess: () => new Response('in') },
    )
    // A repeated username is refused before any password check: neither name is half-read.
    const repeated = await login(
      form('username=mallory&username=alice&password=x', { accept: 'application/json' }),
    )
    expect(repeated.status).toBe(400)
    expect(seen).toEqual([])
    const res = await login(form('username=alice&password=x', { accept: 'application/json' }))
    expect(res.status).toBe(429)
    const context = (await res.json()) as { username: string }
    expect(seen).toEqual([context.username])
  })

  it('hands onSuccess a request whose body can be read again', async () => {
    const axes = createAxes({ handler: 'memory', logger: false })
    const login = protectLogin(axes, ({ username }) => username, {
      clientAddress: () => '198.51.100.7',
      onSuccess: async (request, result) =>
        Response.json({ user: result.user, body: await request.json() }),
    })
    const res = await login(
      new Request('http://app.test/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'alice', password: 'p', extra: 1 }),
      }),
    )
    expect(await res.json()).toEqual({
      user: 'alice',
      body: { username: 'alice', password: 'p', extra: 1 },
    })
  })
})

describe('web: multipart', () => {
  it("reads a browser's multipart form (its boundary is mixed-case)", async () => {
    const axes = createAxes({ handler: 'memory', logger: false })
    const login = protectLogin(axes, ({ username, password }) => password === 'p' && username, {
      clientAddress: () => '198.51.100.7',
      onSuccess: (_request, { user }) => new Response(String(user)),
    })
    const { type, body } = browserMultipart({ username: 'alice', password: 'p' })
    const res = await login(
      new Request('http://app.test/login', {
        method: 'POST',
        headers: { 'content-type': type },
        body,
      }),
    )
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('alice')
  })
})

describe('web: the per-request API', () => {
  const apps = eachApp()

  it('gives login code of its own the API, and sendLockout renders refusals', async () => {
    const axes = createAxes({ handler: 'memory', failureLimit: 2, logger: false })
    const axesFor = createRequestApi(axes, { clientAddress: nodeAddress })
    const started = apps.use(
      await listen(async (request, env) => {
        const api = axesFor(request, env)
        const body = Object.fromEntries(await request.formData()) as Record<string, string>
        const reservation = await api.reserve(body)
        if (!reservation.decision.allowed) return sendLockout(api, reservation.decision)
        if (body.password === USER.password) {
          await reservation.succeeded(body.username)
          return new Response('in')
        }
        const after = await reservation.failed()
        if (!after.allowed) return sendLockout(api, after)
        return new Response(`${after.remaining} left`, { status: 401 })
      }),
    )
    await playOwnLoginCode(started.base, axes)
  })
})
