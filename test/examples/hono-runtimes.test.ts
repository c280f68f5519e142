// The Hono examples on the real runtimes, each started as a process on a free port and played over
// HTTP, the peer address taken by Hono's own `getConnInfo` of that runtime: Node
// (examples/hono-login.ts on @hono/node-server, `@hono/node-server/conninfo`), Bun (`hono/bun`),
// Deno (`hono/deno`) and Cloudflare's workerd (`hono/cloudflare-workers`, the `cf-connecting-ip`
// header the edge writes). Two client addresses are two buckets, and node-axes' log lines name the
// address each connection came from. node-axes comes from the built dist/ (the integration
// project's global setup builds it), as the package's users get it.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ROOT } from '../support/child-process.js'
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

/** The runtimes whose peer address is the connection's own, each running its Hono example. */
const SOCKET_RUNTIMES: {
  name: RuntimeName | 'node'
  binary: () => string | null
  args: (port: number) => string[]
  cwd?: () => string
}[] = [
  {
    // tsx, as the example's comment runs it, from a directory of its own: no tsconfig paths there,
    // so `node-axes` is the package itself (dist/), and the default SQLite file lands there too.
    name: 'node',
    binary: () => process.execPath,
    args: () => [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'examples/hono-login.ts')],
    cwd: () => mkdtempSync(join(tmpdir(), 'axes-hono-node-')),
  },
  { name: 'bun', binary: () => runtimeBinary('bun'), args: () => ['examples/hono/bun.ts'] },
  {
    name: 'deno',
    binary: () => runtimeBinary('deno'),
    args: () => [
      'run',
      '--config',
      'examples/hono/deno.json',
      '--allow-net',
      '--allow-env',
      '--allow-read',
      'examples/hono/deno.ts',
    ],
  },
]

for (const runtime of SOCKET_RUNTIMES) {
  const binary = runtime.binary()
  describe.skipIf(binary === null)(`examples/hono on ${runtime.name}`, () => {
    const servers = eachRunning()
    let cwd: string | null = null
    afterEach(() => {
      if (cwd) rmSync(cwd, { recursive: true, force: true })
      cwd = null
    })

    it("locks out over HTTP, counting the peer address Hono's getConnInfo reports (two addresses, two buckets)", async () => {
      cwd = runtime.cwd?.() ?? null
      const running = servers.use(await start(binary as string, runtime.args, cwd ? { cwd } : {}))
      await playSocketClients(running.base)
      // The addresses node-axes counted are the connections' own (the example's own lines:
      // node-axes' mask addresses).
      const output = await printed(running, 'Signed in: alice from')
      expect(output).toContain('AXES: BEGIN version')
      expect(output).toContain('Locked out: alice from 127.0.0.1\n')
      expect(output).toContain('Signed in: alice from 127.0.0.2\n')
      expect(output).not.toContain('198.51.100.1')
      expect(output).not.toContain('axes.W012')
    })
  })
}

const workerd = runtimeBinary('workerd')
describe.skipIf(workerd === null)('examples/hono on workerd (a Cloudflare Worker)', () => {
  const servers = eachRunning()

  it('locks out over HTTP, counting the address in cf-connecting-ip, and refuses a request without one (axes.W012 names connInfo)', async () => {
    const running = servers.use(
      await startWorkerd(
        workerd as string,
        'examples/hono/worker.ts',
        '.scratch/hono-worker.js',
        'examples/hono/workerd.capnp',
      ),
    )
    const { base } = running
    const from = (ip: string) => ({ headers: { 'cf-connecting-ip': ip } })
    await playTwoClients(base, (client) => from(client === 'first' ? '203.0.113.5' : '203.0.113.6'))
    const output = await printed(running, 'Signed in: alice from')
    expect(output).toContain('Locked out: alice from 203.0.113.5\n')
    expect(output).toContain('Signed in: alice from 203.0.113.6\n')
    // No address: not one shared bucket, a refusal, and a warning that says why.
    const none = await login(base, RIGHT)
    expect(none.status).toBe(500)
    expect(await printed(running, 'connInfo gave none')).toContain(
      'Hono found no peer address on this runtime (connInfo gave none), so every login counted by IP is refused',
    )
  })
})
