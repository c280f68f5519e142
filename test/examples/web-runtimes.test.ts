// The Web adapter's examples (examples/web/) on the real runtimes, each started as a process on a
// free port and played over HTTP: Bun (`Bun.serve`, the address from `server.requestIP`), Deno
// (`Deno.serve`, `info.remoteAddr`) and Cloudflare's workerd (a bundled Worker, the address from
// the `cf-connecting-ip` header the edge writes) and Next.js (`next dev`, the route handler, the
// address from Vercel's `x-real-ip`). node-axes comes from the built dist/ (the integration
// project's global setup builds it), as the package's users get it.

import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { build } from 'esbuild'
import ts from 'typescript'
import { afterEach, describe, expect, it } from 'vitest'
import { freePort, ROOT } from '../support/child-process.js'
import { RUNTIMES_DIR, type RuntimeName, runtimeBinary } from '../support/runtimes.js'

interface Running {
  base: string
  output: () => string
  stop(): Promise<void>
}

/**
 * What the process has printed once it contains `text`, waiting up to five seconds: a runtime may
 * answer the request before its log line reaches the pipe (workerd does).
 */
async function printed(running: Running, text: string): Promise<string> {
  const deadline = Date.now() + 5_000
  while (!running.output().includes(text) && Date.now() < deadline) await sleep(50)
  return running.output()
}

/**
 * Starts `binary args` (in `cwd`, the repository's root by default) with PORT set; ready once
 * `GET /` answers 200 (or anything, with `anyAnswer`).
 */
async function start(
  binary: string,
  args: (port: number) => string[],
  options: { cwd?: string; anyAnswer?: boolean; timeoutMs?: number } = {},
): Promise<Running> {
  const port = await freePort()
  const child: ChildProcess = spawn(binary, args(port), {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, PORT: String(port), NO_COLOR: '1', NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const base = `http://127.0.0.1:${port}`
  const running: Running = {
    base,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await exited
    },
  }
  const timeoutMs = options.timeoutMs ?? 30_000
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${binary} exited (${child.exitCode}):\n${output}`)
    try {
      const res = await fetch(`${base}/`)
      await res.arrayBuffer()
      if (res.status === 200 || options.anyAnswer) return running
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await running.stop()
      throw new Error(`${binary} did not answer on ${base} within ${timeoutMs} ms:\n${output}`)
    }
    await sleep(100)
  }
}

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** `POST /login` over a connection from `localAddress` (127.0.0.x: another client address). */
function login(
  base: string,
  fields: Record<string, string>,
  options: { localAddress?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const url = new URL('/login', base)
  const body = new URLSearchParams(fields).toString()
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        // A new connection per request, from the address asked for.
        agent: false,
        localAddress: options.localAddress,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          connection: 'close',
          ...options.headers,
        },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          text += chunk
        })
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
        )
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

/**
 * The lockout flow every example must play: two wrong passwords answered 401 with the attempts
 * left, the third answered with the lockout page (429, Retry-After), the right password refused
 * while locked out.
 */
async function playLockout(base: string, options: Parameters<typeof login>[2] = {}) {
  const wrong = { username: 'alice', password: 'nope' }
  const first = await login(base, wrong, options)
  expect(first.status).toBe(401)
  expect(first.body).toContain('2 attempts left')
  const second = await login(base, wrong, options)
  expect(second.status).toBe(401)
  expect(second.body).toContain('1 attempt left')
  const third = await login(base, wrong, options)
  expect(third.status).toBe(429)
  expect(third.headers['retry-after']).toBe('60')
  expect(third.body).toContain('Too many failed sign-ins for alice.')
  const right = await login(base, { username: 'alice', password: 'wonderland' }, options)
  expect(right.status).toBe(429)
  const json = await login(
    base,
    { username: 'alice', password: 'wonderland' },
    {
      ...options,
      headers: { ...options.headers, accept: 'application/json' },
    },
  )
  expect(json.status).toBe(429)
  expect(JSON.parse(json.body)).toMatchObject({ username: 'alice', failure_limit: 3 })
}

const RIGHT = { username: 'alice', password: 'wonderland' }

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
    let running: Running | null = null
    afterEach(async () => {
      await running?.stop()
      running = null
    })

    it("locks out over HTTP, counting the runtime's own peer address (two addresses, two buckets)", async () => {
      running = await start(binary as string, runtime.args)
      const { base } = running
      await playLockout(base, { localAddress: '127.0.0.1' })
      // Another address (a connection from 127.0.0.2) is another client: alice gets in from there.
      const elsewhere = await login(base, RIGHT, { localAddress: '127.0.0.2' })
      expect(elsewhere.status).toBe(200)
      expect(elsewhere.body).toContain('Signed in as alice.')
      // A forwarded header the example does not trust changes nothing.
      const spoofed = await login(base, RIGHT, {
        localAddress: '127.0.0.1',
        headers: { 'x-forwarded-for': '198.51.100.1', 'cf-connecting-ip': '198.51.100.1' },
      })
      expect(spoofed.status).toBe(429)
      // node-axes ran from the build, not from src/.
      expect(await printed(running, 'AXES: BEGIN version')).toContain('AXES: BEGIN version')
    })
  })
}

const workerd = runtimeBinary('workerd')
describe.skipIf(workerd === null)('examples/web on workerd (a Cloudflare Worker)', () => {
  let running: Running | null = null
  afterEach(async () => {
    await running?.stop()
    running = null
  })

  it('locks out over HTTP, counting the address in cf-connecting-ip, and refuses a request without one', async () => {
    // The bundle the example's comment builds: node-axes from dist/, as it is.
    await build({
      entryPoints: [join(ROOT, 'examples/web/worker.ts')],
      bundle: true,
      format: 'esm',
      platform: 'node',
      absWorkingDir: ROOT,
      outfile: join(ROOT, '.scratch/worker.js'),
      logLevel: 'silent',
    })
    running = await start(workerd as string, (port) => [
      'serve',
      'examples/web/workerd.capnp',
      '--socket-addr',
      `http=127.0.0.1:${port}`,
    ])
    const { base } = running
    const from = (ip: string) => ({ headers: { 'cf-connecting-ip': ip } })
    await playLockout(base, from('203.0.113.5'))
    const elsewhere = await login(base, RIGHT, from('203.0.113.6'))
    expect(elsewhere.status).toBe(200)
    expect(elsewhere.body).toContain('Signed in as alice.')
    const v6 = await login(base, { username: 'alice', password: 'nope' }, from('2001:db8::7'))
    expect(v6.status).toBe(401)
    // No address: not one shared bucket, a loud failure.
    const none = await login(base, RIGHT)
    expect(none.status).toBe(500)
    expect(await printed(running, 'gave no IP address')).toContain('gave no IP address')
  })
})

/** TypeScript to JavaScript, file by file, as written (Next.js reads `export const runtime`). */
function transpile(source: string, target: string): void {
  const text = readFileSync(join(ROOT, source), 'utf8')
  const { outputText } = ts.transpileModule(text, {
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
    },
  })
  writeFileSync(target, outputText)
}

const next = runtimeBinary('next')
describe.skipIf(next === null)('examples/web/next-route on Next.js (a route handler)', () => {
  let running: Running | null = null
  afterEach(async () => {
    await running?.stop()
    running = null
  })

  it('locks out over HTTP, counting the address in x-real-ip, and refuses a request without one', async () => {
    // A Next.js app beside the installed next: app/login/route.js is the example, node-axes the
    // package itself (dist/, through its exports), linked into .runtimes/node_modules.
    const site = join(RUNTIMES_DIR, 'next-site')
    rmSync(site, { recursive: true, force: true })
    mkdirSync(join(site, 'app/login'), { recursive: true })
    transpile('examples/web/next-route.ts', join(site, 'app/login/route.js'))
    transpile('examples/demo.ts', join(site, 'app/demo.js'))
    writeFileSync(join(site, 'package.json'), '{ "type": "module", "private": true }\n')
    // Turbopack compiles nothing outside its root: '/' takes in the package behind the symlink and
    // a node_modules that is itself a symlink (as in a git worktree). jsconfig.json keeps it from
    // following the repository's tsconfig paths into src/.
    writeFileSync(
      join(site, 'next.config.mjs'),
      `export default ${JSON.stringify({ turbopack: { root: '/' } })}\n`,
    )
    writeFileSync(join(site, 'jsconfig.json'), '{ "compilerOptions": {} }\n')
    const link = join(RUNTIMES_DIR, 'node_modules/node-axes')
    rmSync(link, { force: true })
    symlinkSync(ROOT, link)
    running = await start(
      process.execPath,
      (port) => [next as string, 'dev', '--port', String(port), '--hostname', '127.0.0.1'],
      { cwd: site, anyAnswer: true, timeoutMs: 90_000 },
    )
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
