// The Web adapter's examples (examples/web/) on the real runtimes, each started as a process on a
// free port and played over HTTP: Bun (`Bun.serve`, the address from `server.requestIP`), Deno
// (`Deno.serve`, `info.remoteAddr`) and Cloudflare's workerd (a bundled Worker, the address from
// the `cf-connecting-ip` header the edge writes) and Next.js (`next dev`, the route handler, the
// address from Vercel's `x-real-ip`). node-axes comes from the built dist/ (the integration
// project's global setup builds it), as the package's users get it.

import { describe, expect, it } from 'vitest'
import { nextSite, startNext } from '../support/next-site.js'
import {
  eachRunning,
  login,
  playSocketClients,
  playTwoClients,
  printed,
  RIGHT,
  start,
  startWorkerd,
} from '../support/runtime-server.js'
import { type RuntimeName, runtimeBinary } from '../support/runtimes.js'

/** The runtimes' commands, each running its example on node-axes from dist/. */
const SOCKET_RUNTIMES: { name: RuntimeName; args: (port: number) => string[] }[] = [
  { name: 'bun', args: () => ['examples/web/bun.ts'] },
  {
    name: 'deno',
    args: () => [
      'run',
      '--config',
      'examples/web/deno.json',
      '--allow-net',
      '--allow-env',
      'examples/web/deno.ts',
    ],
  },
]

for (const runtime of SOCKET_RUNTIMES) {
  const binary = runtimeBinary(runtime.name)
  describe.skipIf(binary === null)(`examples/web on ${runtime.name}`, () => {
    const servers = eachRunning()

    it("locks out over HTTP, counting the runtime's own peer address (two addresses, two buckets)", async () => {
      const running = servers.use(await start(binary as string, runtime.args))
      await playSocketClients(running.base)
      // node-axes ran from the build, not from src/.
      expect(await printed(running, 'AXES: BEGIN version')).toContain('AXES: BEGIN version')
    })
  })
}

const workerd = runtimeBinary('workerd')
describe.skipIf(workerd === null)('examples/web on workerd (a Cloudflare Worker)', () => {
  const servers = eachRunning()

  it('locks out over HTTP, counting the address in cf-connecting-ip, and refuses a request without one', async () => {
    const running = servers.use(
      await startWorkerd(
        workerd as string,
        'examples/web/worker.ts',
        '.scratch/worker.js',
        'examples/web/workerd.capnp',
      ),
    )
    const { base } = running
    const from = (ip: string) => ({ headers: { 'cf-connecting-ip': ip } })
    await playTwoClients(base, (client) => from(client === 'first' ? '203.0.113.5' : '203.0.113.6'))
    const v6 = await login(base, { username: 'alice', password: 'nope' }, from('2001:db8::7'))
    expect(v6.status).toBe(401)
    // No address: not one shared bucket, a loud failure.
    const none = await login(base, RIGHT)
    expect(none.status).toBe(500)
    expect(await printed(running, 'gave no IP address')).toContain('gave no IP address')
  })
})

const next = runtimeBinary('next')
describe.skipIf(next === null)('examples/web/next-route on Next.js (a route handler)', () => {
  const servers = eachRunning()

  it('locks out over HTTP, counting the address in x-real-ip, and refuses a request without one', async () => {
    // A Next.js app beside the installed next: app/login/route.js is the example.
    const site = nextSite('next-site', {
      'app/login/route.js': 'examples/web/next-route.ts',
      'app/demo.js': 'examples/demo.ts',
    })
    const running = servers.use(await startNext(next as string, site))
    const { base } = running
    const from = (ip: string) => ({ headers: { 'x-real-ip': ip } })
    const wrong = { username: 'alice', password: 'nope' }
    const first = await login(base, wrong, from('203.0.113.5'))
    expect(first.status, running.output()).toBe(401)
    expect(JSON.parse(first.body)).toEqual({
      error: 'Wrong username or password. 2 attempts left.',
    })
    expect((await login(base, wrong, from('203.0.113.5'))).status).toBe(401)
    const third = await login(base, wrong, from('203.0.113.5'))
    expect(third.status).toBe(429)
    expect(third.headers['retry-after']).toBe('60')
    expect(third.body).toContain('Too many failed sign-ins for alice.')
    expect((await login(base, RIGHT, from('203.0.113.5'))).status).toBe(429)
    const elsewhere = await login(base, RIGHT, from('203.0.113.6'))
    expect(elsewhere.status, running.output()).toBe(200)
    expect(JSON.parse(elsewhere.body)).toEqual({ user: 'alice' })
    const none = await login(base, RIGHT)
    expect(none.status).toBe(500)
    expect(await printed(running, 'gave no IP address')).toContain('gave no IP address')
  }, 150_000)
})
