/**
 * The Redis handler's part of `npm run bench`: decisions per second at 1 and at 64 in flight on a
 * redis-server of its own (Debian's package, started as the tests start it), side by side in one
 * run with rate-limiter-flexible on the same server and the same ioredis client, and with
 * redis-benchmark (C, no Node in the way) as the ceiling for one round trip. node-axes runs from
 * its built package (dist/), as users run it.
 *
 * Contenders, each over 1,000 distinct clients, each a failed login:
 * - node-axes `loginFailed` with lockoutParameters ['ip_address', ['username', 'ip_address']]:
 *   record the failure and decide over both buckets (one round trip; decisions of one tick share
 *   an EVALSHA);
 * - node-axes `protect` whose verifier says no: reserve → verify → settle, the race-free path (two
 *   round trips);
 * - rate-limiter-flexible `RateLimiterRedis.consume` on one key (one EVALSHA of its own script);
 * - rate-limiter-flexible's "login endpoint protection" recipe: a limiter of consecutive failures
 *   by username and IP and one of failures per day by IP; a failed login reads both (`get`, in
 *   parallel) and then consumes both (in parallel), as its guide does;
 * - ioredis `PING`: one round trip with no work on either side, the floor for anything that makes
 *   one from Node through this client;
 * - redis-benchmark: `EVAL "return 1" 0` (a round trip with a script and nothing in it, from C).
 */

import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { Redis } from 'ioredis'
import { RateLimiterRedis } from 'rate-limiter-flexible'
import type { AxesRequest } from '../src/index.js'
import { ensureBuilt } from '../test/support/built-cli.js'
import { startRedis } from '../test/support/servers.js'
import { rate } from './rate.js'

const run = promisify(execFile)

/** One figure. */
export interface RedisRow {
  name: string
  inFlight: number
  ops: number
  opsPerSecond: number
}

const CLIENTS = 1000
const ROUNDS = 5
const IN_FLIGHT = [1, 64] as const

/**
 * Interleaved rounds (A B C … A B C …), each contender's median round (five: on a VM one round at 1
 * in flight can be 15% off another).
 */
async function compare(
  ops: number,
  inFlight: number,
  candidates: { name: string; op: (i: number) => Promise<unknown> }[],
): Promise<RedisRow[]> {
  const timings = candidates.map(() => [] as number[])
  const cycling = candidates.map((candidate) => (i: number) => candidate.op(i % CLIENTS))
  for (const op of cycling) await rate(Math.min(ops, 2_000), inFlight, op)
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, op] of cycling.entries()) {
      timings[index]?.push(await rate(ops, inFlight, op))
    }
  }
  return candidates.map((candidate, index) => {
    const sorted = [...(timings[index] ?? [])].sort((a, b) => a - b)
    return {
      name: candidate.name,
      inFlight,
      ops: ops * ROUNDS,
      opsPerSecond: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN,
    }
  })
}

/** redis-benchmark's requests per second for one command line at `clients` connections. */
async function redisBenchmark(port: number, clients: number, n: number, command: string[]) {
  const { stdout } = await run('redis-benchmark', [
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-c',
    String(clients),
    '-n',
    String(n),
    '-r',
    String(CLIENTS),
    '-q',
    '--csv',
    ...command,
  ])
  const line = stdout.trim().split('\n').at(-1) ?? ''
  return Number(line.split(',')[1]?.replaceAll('"', ''))
}

function requestOf(i: number): AxesRequest {
  return {
    method: 'POST',
    path: '/login',
    headers: { 'user-agent': 'bench/1.0' },
    socketAddress: `10.2.${i >> 8}.${i & 255}`,
    body: { username: `user${i}`, password: 'wrong' },
  }
}

/**
 * node-axes as users run it: the built package (dist/, rebuilt when older than src/), as
 * rate-limiter-flexible runs from its own built JavaScript. Running src/ through tsx would measure
 * esbuild's keepNames wrapper around every closure as well (about a microsecond a decision).
 */
async function builtPackage() {
  ensureBuilt()
  const dist = '../dist/'
  const core = (await import(`${dist}index.js`)) as typeof import('../src/index.js')
  const redis = (await import(
    `${dist}redis/index.js`
  )) as typeof import('../src/handlers/redis/index.js')
  return { createAxes: core.createAxes, redisHandler: redis.redisHandler }
}

/** Runs the Redis benchmark; prints as it goes and returns the figures. */
export async function redisBench(quick: boolean): Promise<RedisRow[]> {
  const { createAxes, redisHandler } = await builtPackage()
  console.log(
    "\nRedis handler (a redis-server of its own; 1,000 clients; lockoutParameters ['ip_address', ['username', 'ip_address']])",
  )
  const server = await startRedis({ ownServer: true })
  if (!server) {
    console.log('  skipped: no redis-server (apt-get install redis-server redis-tools)')
    return []
  }
  const client = new Redis(server.url)
  const rows: RedisRow[] = []
  try {
    const common = {
      lockoutParameters: ['ip_address', ['username', 'ip_address']] as const,
      failureLimit: 1_000_000_000,
      cooloffTime: '1h',
      logger: false as const,
      silencedChecks: ['axes.W002', 'axes.W003'],
    }
    const recorder = createAxes({
      ...common,
      lockoutParameters: [...common.lockoutParameters],
      handler: redisHandler({ client, prefix: 'bench-f:' }),
    })
    const guarded = createAxes({
      ...common,
      lockoutParameters: [...common.lockoutParameters],
      handler: redisHandler({ client, prefix: 'bench-p:' }),
    })
    const consume = new RateLimiterRedis({
      storeClient: client,
      keyPrefix: 'bench-rlf',
      points: 1_000_000_000,
      duration: 3600,
    })
    // The recipe's two limiters (its guide's numbers, raised so that nobody is blocked here).
    const byUsernameAndIp = new RateLimiterRedis({
      storeClient: client,
      keyPrefix: 'bench_login_fail_consecutive_username_and_ip',
      points: 1_000_000_000,
      duration: 60 * 60 * 24 * 90,
      blockDuration: 60 * 60,
    })
    const slowBruteByIp = new RateLimiterRedis({
      storeClient: client,
      keyPrefix: 'bench_login_fail_ip_per_day',
      points: 1_000_000_000,
      duration: 60 * 60 * 24,
      blockDuration: 60 * 60 * 24,
    })
    const requests = Array.from({ length: CLIENTS }, (_, i) => requestOf(i))
    const no = () => null
    const candidates = [
      {
        name: 'node-axes loginFailed (2 buckets, 1 round trip)',
        op: (i: number) => recorder.loginFailed({ ...(requests[i] as AxesRequest) }),
      },
      {
        name: 'node-axes protect, verify says no (2 buckets, 2 round trips)',
        op: (i: number) => guarded.protect({ ...(requests[i] as AxesRequest) }, null, no),
      },
      {
        // The floor of any one round trip from Node through this client: nothing to do on either
        // side but the trip.
        name: 'ioredis PING (one round trip, no work)',
        op: () => client.ping(),
      },
      {
        name: 'rate-limiter-flexible RateLimiterRedis.consume (1 key)',
        op: (i: number) => consume.consume(requests[i]?.socketAddress as string),
      },
      {
        name: 'rate-limiter-flexible login recipe, failed login (2 limiters)',
        op: async (i: number) => {
          const request = requests[i] as AxesRequest
          const ip = request.socketAddress as string
          const key = `${(request.body as { username: string }).username}_${ip}`
          const [byPair, byIp] = await Promise.all([
            byUsernameAndIp.get(key),
            slowBruteByIp.get(ip),
          ])
          // Blocked already: refuse without consuming (the guide answers 429 here).
          if (
            (byPair !== null && byPair.consumedPoints > byUsernameAndIp.points) ||
            (byIp !== null && byIp.consumedPoints > slowBruteByIp.points)
          ) {
            return null
          }
          // The password was wrong: count it in both.
          return Promise.all([slowBruteByIp.consume(ip), byUsernameAndIp.consume(key)])
        },
      },
    ]
    const ops = quick ? 2_000 : 15_000
    const print = (r: RedisRow, base?: RedisRow) =>
      console.log(
        `  ${r.name.padEnd(64)} ${String(r.inFlight).padStart(2)} in flight ${Math.round(r.opsPerSecond).toLocaleString('en').padStart(9)} /s${base ? `  ${(r.opsPerSecond / base.opsPerSecond).toFixed(2)}× consume` : ''}`,
      )
    // Load the script on the server (the handler does it on its first call too).
    await recorder.isAllowed({ ...(requests[0] as AxesRequest) })
    for (const inFlight of IN_FLIGHT) {
      const measured = await compare(ops, inFlight, candidates)
      const base = measured.find((r) => r.name.includes('consume'))
      for (const r of measured) print(r, base)
      rows.push(...measured)
      const n = quick ? 20_000 : inFlight === 1 ? 50_000 : 200_000
      const row = {
        name: 'redis-benchmark EVAL "return 1" 0',
        inFlight,
        ops: n,
        opsPerSecond: await redisBenchmark(server.port, inFlight, n, ['EVAL', 'return 1', '0']),
      }
      print(row, base)
      rows.push(row)
    }
    ratios(rows)
  } finally {
    client.disconnect()
    await server.stop()
  }
  return rows
}

function ratios(rows: RedisRow[]): void {
  const find = (text: string, inFlight: number) =>
    rows.find((r) => r.name.includes(text) && r.inFlight === inFlight)?.opsPerSecond ?? Number.NaN
  console.log('  targets (ratios within this run):')
  for (const inFlight of IN_FLIGHT) {
    const failed = find('loginFailed', inFlight)
    const guarded = find('node-axes protect', inFlight)
    const line = (label: string, value: number, target: string) =>
      console.log(
        `    ${String(inFlight).padStart(2)} in flight  ${label.padEnd(58)} ${value.toFixed(2).padStart(5)}  (target ${target})`,
      )
    line('loginFailed / RateLimiterRedis.consume', failed / find('consume', inFlight), '≥ 1.0')
    line('loginFailed / login recipe', failed / find('recipe', inFlight), '≥ 3')
    line(
      'protect / login recipe (two round trips each)',
      guarded / find('recipe', inFlight),
      'none',
    )
    line(
      'loginFailed / redis-benchmark EVAL "return 1"',
      failed / find('return 1', inFlight),
      '≥ 0.6',
    )
    const ping = find('PING', inFlight)
    console.log(
      `    ${String(inFlight).padStart(2)} in flight  (for scale: ioredis PING / consume ${(ping / find('consume', inFlight)).toFixed(2)}, PING / login recipe ${(ping / find('recipe', inFlight)).toFixed(2)})`,
    )
  }
}
