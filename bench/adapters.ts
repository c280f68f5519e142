/**
 * The adapters' part of `npm run bench -- --adapters`: login-route requests per second with
 * autocannon, the route bare and guarded by `protectLogin`, on Express, Fastify, Koa and Hono, with
 * the memory handler and with SQLite; on Express also the bare route behind express-rate-limit
 * (its defaults, a limit never reached), the contender `protectLogin` is compared with. Each app runs in its own process (bench/adapter-server.ts) on the
 * build in dist/ (built first when missing; rebuild after changing src/); autocannon runs here.
 *
 * Two workloads: every request a failed login of a new username (a new client each time, so the
 * failure is recorded, not only checked), and every request a successful login of one user (the
 * access log written). The configurations run in interleaved rounds and each keeps its best round,
 * so that another tenant's burst on this shared machine does not land on one side only.
 *
 * Two password checks: a map lookup (no hashing: node-axes' share of the time as large as it can
 * be), and, for the failed logins, a scrypt hash at Node's default cost, as a real login route
 * checks a password.
 */

import { type ChildProcess, execFileSync, fork } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'

/** One figure. */
export interface AdapterRow {
  framework: (typeof FRAMEWORKS)[number]
  workload: 'failed login, new client each' | 'successful login'
  /** How the route checks the password: a map lookup, or a scrypt hash. */
  verifier: 'map' | 'scrypt'
  mode: (typeof MODES)[number]
  requestsPerSecond: number
  /** Requests per second as a share of the bare route's. */
  ofBare: number
  /** Microseconds node-axes adds to a request: 1/protected − 1/bare. */
  addedMicroseconds: number
  /** The app process' CPU time (user + system) per request, in microseconds. */
  cpuMicrosecondsPerRequest: number
  /** Bare CPU per request over this one's: the share of bare throughput when CPU-bound. */
  cpuOfBare: number
  non2xx4xx: number
}

const SERVER = fileURLToPath(new URL('./adapter-server.ts', import.meta.url))
const FRAMEWORKS = ['express', 'fastify', 'koa', 'hono'] as const
const MODES = ['bare', 'memory', 'sqlite', 'express-rate-limit'] as const
/** The modes measured on a framework: express-rate-limit is an Express middleware. */
const modesOf = (framework: string) =>
  MODES.filter((mode) => mode !== 'express-rate-limit' || framework === 'express')
const WORKLOADS = ['failed login, new client each', 'successful login'] as const
/** The (workload, verifier) pairs measured: scrypt only where the failure is recorded. */
const CASES = [
  { workload: WORKLOADS[0], verifier: 'map' },
  { workload: WORKLOADS[1], verifier: 'map' },
  { workload: WORKLOADS[0], verifier: 'scrypt' },
] as const

async function startServer(
  framework: string,
  mode: string,
  dir: string,
  verifier: string,
): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(SERVER, [framework, mode, dir, verifier], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port))
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)))
  })
  return { child, port }
}

function cpuOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (m: unknown) => {
      const cpu = (m as { cpu?: NodeJS.CpuUsage }).cpu
      if (!cpu) return
      child.off('message', onMessage)
      resolve(cpu.user + cpu.system)
    }
    child.on('message', onMessage)
    child.send('cpu')
  })
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
}

function load(
  port: number,
  workload: (typeof WORKLOADS)[number],
  seconds: number,
): Promise<autocannon.Result> {
  let n = 0
  const body =
    workload === 'successful login'
      ? () => 'username=alice&password=wonderland'
      : () => `username=user${n++}&password=wrong`
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: 32,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: '/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        setupRequest: (request) => ({ ...request, body: body() }),
      },
    ],
  })
}

/**
 * Runs the adapter benchmark and prints its table; `only` names the frameworks to measure (all when
 * empty), for a quicker run of one of them.
 */
export async function adaptersBench(
  quick: boolean,
  only: readonly string[] = [],
): Promise<AdapterRow[]> {
  const unknown = only.filter((name) => !(FRAMEWORKS as readonly string[]).includes(name))
  if (unknown.length > 0) throw new Error(`--frameworks: unknown ${unknown.join(', ')}`)
  const frameworks = FRAMEWORKS.filter((name) => only.length === 0 || only.includes(name))
  // The apps load node-axes from the build, as applications do.
  if (!existsSync(fileURLToPath(new URL('../dist/fastify/index.js', import.meta.url)))) {
    execFileSync('npm', ['run', 'build'], { stdio: 'inherit' })
  }
  const seconds = quick ? 3 : 5
  const rounds = quick ? 1 : 3
  const best = new Map<string, { rps: number; odd: number; cpu: number }>()
  const key = (f: string, w: string, v: string, m: string) => `${f}|${w}|${v}|${m}`
  for (let round = 0; round < rounds; round++) {
    for (const framework of frameworks) {
      for (const { workload, verifier } of CASES) {
        // A hash takes milliseconds: a longer run for enough requests.
        const duration = verifier === 'scrypt' ? seconds * 2 : seconds
        for (const mode of modesOf(framework)) {
          const dir = mkdtempSync(join(tmpdir(), 'axes-bench-adapters-'))
          const { child, port } = await startServer(framework, mode, dir, verifier)
          try {
            await load(port, workload, 1) // warm-up: JIT, SQLite pages
            const cpuBefore = await cpuOf(child)
            const result = await load(port, workload, duration)
            const cpu = ((await cpuOf(child)) - cpuBefore) / result.requests.total
            const expected = workload === 'successful login' ? '2xx' : '4xx'
            const odd = result.requests.total - (result[expected] as number)
            const k = key(framework, workload, verifier, mode)
            const previous = best.get(k)
            const rps = result.requests.total / duration
            if (!previous || rps > previous.rps)
              best.set(k, { rps, odd, cpu: previous?.cpu ?? cpu })
            const kept = best.get(k) as { rps: number; odd: number; cpu: number }
            kept.cpu = Math.min(kept.cpu, cpu)
          } finally {
            await stopServer(child)
            rmSync(dir, { recursive: true, force: true })
          }
        }
      }
    }
  }
  const rows: AdapterRow[] = []
  for (const framework of frameworks) {
    for (const { workload, verifier } of CASES) {
      const bare = best.get(key(framework, workload, verifier, 'bare'))?.rps ?? Number.NaN
      const bareCpu = best.get(key(framework, workload, verifier, 'bare'))?.cpu ?? Number.NaN
      for (const mode of modesOf(framework)) {
        const figure = best.get(key(framework, workload, verifier, mode))
        rows.push({
          framework,
          workload,
          verifier,
          mode,
          requestsPerSecond: figure?.rps ?? Number.NaN,
          ofBare: (figure?.rps ?? Number.NaN) / bare,
          addedMicroseconds: 1e6 / (figure?.rps ?? Number.NaN) - 1e6 / bare,
          cpuMicrosecondsPerRequest: figure?.cpu ?? Number.NaN,
          cpuOfBare: bareCpu / (figure?.cpu ?? Number.NaN),
          non2xx4xx: figure?.odd ?? 0,
        })
      }
    }
  }
  console.log(
    `\nLogin route with autocannon (32 connections, best of ${rounds} × ${seconds} s; the app in its own process): requests/s, and the app's CPU time per request`,
  )
  for (const r of rows) {
    const route =
      r.mode === 'bare'
        ? 'bare route'
        : r.mode === 'express-rate-limit'
          ? 'express-rate-limit'
          : `protectLogin, ${r.mode} handler`
    const label = `${r.framework} · ${r.workload}${r.verifier === 'scrypt' ? ' (scrypt)' : ''} · ${route}`
    const cpu = `${r.cpuMicrosecondsPerRequest.toFixed(0).padStart(5)} µs CPU`
    const share =
      r.mode === 'bare'
        ? cpu
        : `${cpu}  ${(r.ofBare * 100).toFixed(1).padStart(5)}% of bare req/s, ${(r.cpuOfBare * 100).toFixed(1).padStart(5)}% by CPU`
    const odd = r.non2xx4xx > 0 ? `  (${r.non2xx4xx} unexpected statuses)` : ''
    console.log(
      `  ${label.padEnd(70)} ${Math.round(r.requestsPerSecond).toLocaleString('en').padStart(8)} /s  ${share}${odd}`,
    )
  }
  for (const { workload, verifier } of CASES) {
    const find = (mode: string) =>
      rows.find(
        (r) =>
          r.framework === 'express' &&
          r.workload === workload &&
          r.verifier === verifier &&
          r.mode === mode,
      )
    const ours = find('memory')
    const theirs = find('express-rate-limit')
    if (!ours || !theirs) continue
    console.log(
      `  express · ${workload}${verifier === 'scrypt' ? ' (scrypt)' : ''}: protectLogin (memory) ÷ express-rate-limit = ${(ours.requestsPerSecond / theirs.requestsPerSecond).toFixed(3)} by req/s, ${(theirs.cpuMicrosecondsPerRequest / ours.cpuMicrosecondsPerRequest).toFixed(3)} by CPU`,
    )
  }
  return rows
}
