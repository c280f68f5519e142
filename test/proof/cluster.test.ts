// Many processes, one store: a node:cluster app with 4 workers behind one port, on each shared
// store (a SQLite file, PostgreSQL, MariaDB, Redis, a 3-master Redis Cluster). 2,000 parallel failed logins spread over 50
// usernames and 50 IPs, 40 each for 50 (username, IP) pairs, lockout by the pair at 10 failures:
// the verifier runs exactly 10 times a pair, and every pair's stored failures are exactly what
// django-axes' rules make them: the 10 wrong passwords, plus each attempt refused because the pair
// was locked that the store recorded (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT, on by
// default; the lock cache answers the rest of a flood from memory, and their decisions say
// `recorded: false`), and not the attempts refused because the last places were in flight. No
// request gets a 5xx.

import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { Agent, request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { Cluster, Redis } from 'ioredis'
import { databaseHandler } from 'node-axes/database'
import { redisHandler } from 'node-axes/redis'
import { afterAll, describe, expect, it } from 'vitest'
import {
  mysqlServerUrl,
  pgServerUrl,
  redisClusterUrl,
  redisServerUrl,
} from '../support/inject-servers.js'
import { createDatabase, runSql, type ServerKind } from '../support/servers.js'
import { Database } from '../support/sqlite.js'

const dir = mkdtempSync(join(tmpdir(), 'node-axes-cluster-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const WORKERS = 4
const LIMIT = 10
const PAIRS = 50
const REQUESTS = 2000

interface App {
  port: number
  stats(): Promise<{ verified: number; requests: number[] }>
  stop(): Promise<void>
  output: string[]
}

async function startApp(url: string, prefix: string): Promise<App> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'test/fixtures/cluster-app.ts',
      url,
      String(WORKERS),
      String(LIMIT),
      prefix,
    ],
    {
      cwd: process.cwd(),
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  )
  const output: string[] = []
  const waiting: ((line: string) => void)[] = []
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    output.push(line)
    for (const w of waiting.splice(0)) w(line)
  })
  const next = (prefix: string) =>
    new Promise<string>((resolve, reject) => {
      const found = output.find((line) => line.startsWith(prefix))
      if (found && prefix === 'ready') return resolve(found)
      const timer = setTimeout(
        () => reject(new Error(`no '${prefix}' line: ${output.join(' | ')}`)),
        60_000,
      )
      const wait = (line: string) => {
        if (line.startsWith(prefix)) {
          clearTimeout(timer)
          resolve(line)
        } else waiting.push(wait)
      }
      waiting.push(wait)
    })
  const ready = await next('ready')
  return {
    port: Number(ready.split(' ')[1]),
    output,
    async stats() {
      const line = next('stats')
      child.stdin?.write('stats\n')
      return JSON.parse((await line).slice('stats '.length))
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.stdin?.end()
      await exited
    },
  }
}

type Kind = ServerKind | 'sqlite' | 'redis' | 'redis-cluster'
const TARGETS: { name: string; kind: Kind; server: string | null }[] = [
  { name: 'SQLite file', kind: 'sqlite', server: 'sqlite' },
  { name: 'PostgreSQL', kind: 'postgres', server: pgServerUrl() },
  { name: 'MariaDB', kind: 'mysql', server: mysqlServerUrl() },
  { name: 'Redis', kind: 'redis', server: redisServerUrl() },
  { name: 'Redis Cluster', kind: 'redis-cluster', server: redisClusterUrl() },
]

describe.each(TARGETS)('4 cluster workers on one $name', ({ kind, server }) => {
  it.skipIf(server === null)(
    `lets 2,000 parallel failed logins over 50 usernames and 50 IPs reach the verifier exactly ${LIMIT} times a pair, with no 5xx`,
    async () => {
      let url: string
      const prefix = `axes-cluster-proof-${process.pid}-${Date.now()}:`
      if (kind === 'sqlite') url = `sqlite:${join(dir, 'cluster.sqlite3')}`
      else if (kind === 'redis') url = server as string
      else if (kind === 'redis-cluster')
        url = (server as string).replace('redis://', 'redis-cluster://')
      else url = await createDatabase(server as string, kind)
      if (kind !== 'redis' && kind !== 'redis-cluster') {
        const migrated = databaseHandler({ url })
        await migrated.migrate()
        await migrated.close()
      }
      const app = await startApp(url, prefix)
      // 2,000 requests issued at once, over 200 keep-alive connections.
      const agent = new Agent({ keepAlive: true, maxSockets: 200 })
      try {
        const results = await Promise.all(
          Array.from({ length: REQUESTS }, (_, i) => {
            const pair = i % PAIRS
            return post(app.port, agent, `198.51.100.${pair}`, `user${pair}`)
          }),
        )
        const byStatus: Record<number, number> = {}
        for (const { status } of results) byStatus[status] = (byStatus[status] ?? 0) + 1
        // Each pair: LIMIT - 1 wrong passwords answered 401, the LIMIT-th answered with the
        // lockout (429), and every attempt beyond refused before the verifier (429).
        expect(byStatus).toEqual({ 401: PAIRS * (LIMIT - 1), 429: REQUESTS - PAIRS * (LIMIT - 1) })
        // What each pair's stored count must be.
        const expected = new Map<string, number>()
        for (const r of results) {
          const counted = r.verified || (r.reason === 'lockedOut' && r.recorded) ? 1 : 0
          if (r.verified || r.reason === 'lockedOut' || r.reason === 'tooManyInFlight') {
            expected.set(r.pair, (expected.get(r.pair) ?? 0) + counted)
          } else throw new Error(`unexpected decision ${r.reason} (${r.status})`)
        }
        const verifiedPerPair = new Map<string, number>()
        for (const r of results.filter((r) => r.verified)) {
          verifiedPerPair.set(r.pair, (verifiedPerPair.get(r.pair) ?? 0) + 1)
        }
        expect([...verifiedPerPair.values()]).toEqual(Array(PAIRS).fill(LIMIT))
        const stats = await app.stats()
        expect(stats.verified).toBe(PAIRS * LIMIT)
        // The work really was spread: every worker answered some of the burst.
        expect(stats.requests.reduce((a, b) => a + b, 0)).toBe(REQUESTS)
        expect(stats.requests.filter((n) => n > 0)).toHaveLength(WORKERS)
        expect(app.output.filter((line) => line.startsWith('worker-died'))).toEqual([])

        const perPair = await failuresPerPair(kind, url, server as string, prefix)
        expect(perPair.size).toBe(PAIRS)
        for (const [pair, failures] of perPair) {
          expect({ pair, failures }).toEqual({ pair, failures: expected.get(pair) })
          expect(failures).toBeGreaterThanOrEqual(LIMIT)
        }
      } finally {
        agent.destroy()
        await app.stop()
      }
    },
    180_000,
  )
})

interface Outcome {
  pair: string
  status: number
  reason: string
  recorded: boolean
  verified: boolean
}

/** One failed login through the app: its status, and how the app says it ended. */
function post(port: number, agent: Agent, ip: string, username: string): Promise<Outcome> {
  const body = JSON.stringify({ username, password: 'wrong' })
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/login',
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'x-forwarded-for': ip,
          'user-agent': 'cluster-proof',
        },
      },
      (res) => {
        res.resume()
        res.on('end', () =>
          resolve({
            pair: `${username}|${ip}`,
            status: res.statusCode ?? 0,
            reason: String(res.headers['x-axes-reason']),
            recorded: res.headers['x-axes-recorded'] === '1',
            verified: res.headers['x-verified'] === '1',
          }),
        )
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

/**
 * `username|ip` → its failures: the sum of its rows' failures_since_start, read with the dialect's
 * own tools; on Redis, its bucket's failures as the handler lists them.
 */
async function failuresPerPair(
  kind: Kind,
  url: string,
  server: string,
  prefix: string,
): Promise<Map<string, number>> {
  if (kind === 'redis' || kind === 'redis-cluster') {
    const node = new URL(server)
    const client =
      kind === 'redis'
        ? new Redis(server)
        : new Cluster([{ host: node.hostname, port: Number(node.port) }])
    try {
      // A cluster client learns its masters once connected.
      if (client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve))
      const listed = await redisHandler({ client, prefix }).listAttempts?.({ now: Date.now() })
      return new Map((listed ?? []).map((a) => [`${a.username}|${a.ipAddress}`, a.failures]))
    } finally {
      client.disconnect()
    }
  }
  const sql =
    'SELECT username, ip_address, SUM(failures_since_start) AS failures FROM axes_accessattempt GROUP BY username, ip_address'
  const out = new Map<string, number>()
  if (kind === 'sqlite') {
    const db = new Database(url.slice('sqlite:'.length), { readonly: true })
    try {
      for (const row of db.prepare(sql).all() as {
        username: string
        ip_address: string
        failures: number
      }[]) {
        out.set(`${row.username}|${row.ip_address}`, Number(row.failures))
      }
    } finally {
      db.close()
    }
    return out
  }
  const text = await runSql(url, `${sql};`)
  for (const line of text.split('\n')) {
    const m = /(user\d+)\s*[|\t]\s*([\d.]+)\s*[|\t]\s*(\d+)/.exec(line)
    if (m) out.set(`${m[1]}|${m[2]}`, Number(m[3]))
  }
  return out
}
