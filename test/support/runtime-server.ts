// Runtimes' servers started as processes and played over HTTP (test/examples/web-runtimes.test.ts,
// hono-runtimes.test.ts, authjs-next.test.ts): start one on a free port, post logins from a chosen
// client address, and play the demo's lockout flow.

import { type ChildProcess, spawn } from 'node:child_process'
import { request as httpRequest } from 'node:http'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { build } from 'esbuild'
import { afterEach, expect } from 'vitest'
import { freePort, ROOT } from './child-process.js'

/** A started server. */
export interface Running {
  base: string
  output: () => string
  stop(): Promise<void>
}

/**
 * What the process has printed once it contains `text`, waiting up to five seconds: a runtime may
 * answer the request before its log line reaches the pipe (workerd does).
 */
export async function printed(running: Running, text: string): Promise<string> {
  const deadline = Date.now() + 5_000
  while (!running.output().includes(text) && Date.now() < deadline) await sleep(50)
  return running.output()
}

/**
 * Starts `binary args` (in `cwd`, the repository's root by default) with PORT set; ready once
 * `GET /` answers 200 (or anything, with `anyAnswer`).
 */
export async function start(
  binary: string,
  args: (port: number) => string[],
  options: { cwd?: string; anyAnswer?: boolean; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<Running> {
  const port = await freePort()
  const child: ChildProcess = spawn(binary, args(port), {
    cwd: options.cwd ?? ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      NO_COLOR: '1',
      NEXT_TELEMETRY_DISABLED: '1',
      ...options.env,
    },
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

/** An HTTP answer. */
export interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** `POST /login` over a connection from `localAddress` (127.0.0.x: another client address). */
export function login(
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
export async function playLockout(base: string, options: Parameters<typeof login>[2] = {}) {
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

/** The demo's right password. */
export const RIGHT = { username: 'alice', password: 'wonderland' }

/** The servers a test starts, each stopped after it (call in a `describe`). */
export function eachRunning(): { use(running: Running): Running } {
  const started: Running[] = []
  afterEach(async () => {
    await Promise.all(started.splice(0).map((running) => running.stop()))
  })
  return {
    use(running) {
      started.push(running)
      return running
    },
  }
}

/**
 * A Worker example on workerd: `entry` bundled as its comment builds it (node-axes from dist/, as
 * it is) to `bundle` (under .scratch/, embedded by `capnp`), then `workerd serve capnp`.
 */
export async function startWorkerd(
  workerd: string,
  entry: string,
  bundle: string,
  capnp: string,
): Promise<Running> {
  await build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    format: 'esm',
    platform: 'node',
    absWorkingDir: ROOT,
    outfile: join(ROOT, bundle),
    logLevel: 'silent',
  })
  return start(workerd, (port) => ['serve', capnp, '--socket-addr', `http=127.0.0.1:${port}`])
}

/**
 * The lockout flow from two client addresses: `from(first)` plays `playLockout`, and alice still
 * gets in from `from(second)`, another client.
 */
export async function playTwoClients(
  base: string,
  from: (client: 'first' | 'second') => Parameters<typeof login>[2],
): Promise<void> {
  await playLockout(base, from('first'))
  const elsewhere = await login(base, RIGHT, from('second'))
  expect(elsewhere.status).toBe(200)
  expect(elsewhere.body).toContain('Signed in as alice.')
}

/**
 * `playTwoClients` over connections from 127.0.0.1 and 127.0.0.2 (the runtime's own peer
 * address), then a forwarded header the example does not trust, which changes nothing.
 */
export async function playSocketClients(base: string): Promise<void> {
  await playTwoClients(base, (client) => ({
    localAddress: client === 'first' ? '127.0.0.1' : '127.0.0.2',
  }))
  const spoofed = await login(base, RIGHT, {
    localAddress: '127.0.0.1',
    headers: { 'x-forwarded-for': '198.51.100.1', 'cf-connecting-ip': '198.51.100.1' },
  })
  expect(spoofed.status).toBe(429)
}
