/**
 * `npm run bench`: node-axes' memory handler side by side with the Node rate limiters, in one
 * process, one run. A benchmark, not a test: absolute figures drift from run to run and machine to
 * machine; compare the ratios.
 *
 * - Decisions per second for failed logins with lockoutParameters ['ip_address', ['username',
 *   'ip_address']] (two buckets per client), at 100 and at 100,000 distinct clients, through the
 *   public API: `loginFailed` (record the failure, decide) and `protect` with a verifier that says
 *   no (reserve → verify → settle, the race-free path). Beside them rate-limiter-flexible's
 *   `RateLimiterMemory.consume` and express-rate-limit's `MemoryStore.increment`, one key each.
 * - Heap per client at 1,000,000 clients (V8 heap plus ArrayBuffer memory, after a full GC).
 *
 * - The database handler (bench/database.ts) and the Redis handler beside rate-limiter-flexible's
 *   RateLimiterRedis and redis-benchmark (bench/redis.ts), on servers of their own.
 * - With `--adapters` (bench/adapters.ts): login-route requests per second through Express and
 *   Fastify with autocannon, bare and guarded by `protectLogin`, memory handler and SQLite.
 *
 * - The flood (bench/flood.ts, alone with `--flood`): one locked client's requests at full speed
 *   against the memory handler, PostgreSQL and Redis: store operations per refused request, and
 *   refused requests per second beside the memory handler's.
 *
 * Usage: npm run bench [-- --quick] [-- --memory | --database | --sqlite | --redis | --adapters | --flood]
 *        [-- --frameworks express,koa]   (--adapters: only these frameworks)
 *        [-- --json FILE]   (--sqlite: the two SQLite drivers of the database part, side by side)
 */

import { writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { MemoryStore } from 'express-rate-limit'
import { RateLimiterMemory } from 'rate-limiter-flexible'
import { bucketsFor } from '../src/ground/buckets.js'
import {
  type AxesRequest,
  type CountInput,
  createAxes,
  type LockoutRule,
  memoryHandler,
} from '../src/index.js'
import { type AdapterRow, adaptersBench } from './adapters.js'
import { databaseBench } from './database.js'
import { type FloodRow, floodBench } from './flood.js'
import { redisBench } from './redis.js'

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const jsonAt = args.indexOf('--json')
const jsonFile = jsonAt >= 0 ? args[jsonAt + 1] : undefined
const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with node --expose-gc (npm run bench does)')

const HOUR = 3_600_000
const BIG = 1_000_000_000

interface Row {
  name: string
  clients: number
  ops: number
  opsPerSecond: number
  nsPerOp: number
}

function ipOf(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`
}

/** Requests as an adapter would build them, one fresh object per attempt. */
function requestsFor(clients: number): AxesRequest[] {
  const headers = { 'user-agent': 'bench/1.0', accept: 'text/html' }
  return Array.from({ length: clients }, (_, i) => ({
    method: 'POST',
    path: '/login',
    headers,
    socketAddress: ipOf(i),
    body: { username: `user${i}`, password: 'wrong' },
  }))
}

/** One contender: a name and one operation on client `i`. */
interface Candidate {
  name: string
  op: (i: number) => Promise<unknown>
}

const ROUNDS = 5

/**
 * Runs the candidates in interleaved rounds (A B C … A B C …), so that drift in the machine's speed
 * hits all of them alike, and reports each one's median round.
 */
async function compare(clients: number, ops: number, candidates: Candidate[]): Promise<Row[]> {
  const perRound = Math.ceil(ops / ROUNDS)
  const timings = candidates.map(() => [] as number[])
  for (const candidate of candidates) {
    for (let i = 0; i < Math.min(perRound, 50_000); i++) await candidate.op(i % clients)
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, candidate] of candidates.entries()) {
      gc?.()
      const start = process.hrtime.bigint()
      for (let i = 0; i < perRound; i++) await candidate.op(i % clients)
      timings[index]?.push(Number(process.hrtime.bigint() - start) / perRound)
    }
  }
  return candidates.map((candidate, index) => {
    const sorted = [...(timings[index] ?? [])].sort((a, b) => a - b)
    const nsPerOp = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
    return {
      name: candidate.name,
      clients,
      ops: perRound * ROUNDS,
      opsPerSecond: 1e9 / nsPerOp,
      nsPerOp,
    }
  })
}

/** The input at another time, built field by field as the core builds it. */
function at(input: CountInput, now: number): CountInput {
  return { buckets: input.buckets, rule: input.rule, attempt: input.attempt, now }
}

function axesInstance(maxBuckets = 1_000_000) {
  return createAxes({
    handler: memoryHandler({ maxBuckets }),
    lockoutParameters: ['ip_address', ['username', 'ip_address']],
    failureLimit: BIG,
    cooloffTime: '1h',
    logger: false,
    verbose: false,
    silencedChecks: ['axes.W002', 'axes.W003'],
  })
}

async function throughput(clients: number, ops: number): Promise<Row[]> {
  const requests = requestsFor(clients)

  const rlf = new RateLimiterMemory({ points: BIG, duration: HOUR / 1000 })
  const erl = new MemoryStore()
  erl.init({ windowMs: HOUR } as never)

  // The handler alone: what the memory handler does per decision over both buckets, given the
  // inputs the core resolves from the request (the like-for-like comparison with the limiters,
  // which are given their key).
  const rule: LockoutRule = {
    failureLimit: BIG,
    cooloffMs: HOUR,
    tiers: [],
    lockOutAtFailure: true,
    recordLockedAttempts: true,
    reservationTtlMs: 30_000,
  }
  const inputs: CountInput[] = requests.map((r, i) => {
    const client = {
      ipAddress: r.socketAddress ?? null,
      username: `user${i}`,
      userAgent: 'bench/1.0',
    }
    const attempt = {
      ...client,
      pathInfo: '/login',
      httpAccept: 'text/html',
      getData: '',
      postData: '',
      attemptTime: new Date(),
    }
    return {
      buckets: bucketsFor(['ip_address', ['username', 'ip_address']], client),
      rule,
      attempt,
      now: 0,
    }
  })
  const recorder = memoryHandler()
  const reserver = memoryHandler()
  const failing = axesInstance()
  const guarded = axesInstance()
  const no = () => null

  const rows = await compare(clients, ops, [
    {
      name: 'rate-limiter-flexible RateLimiterMemory.consume (1 key)',
      op: (i) => rlf.consume(requests[i]?.socketAddress as string),
    },
    {
      name: 'express-rate-limit MemoryStore.increment (1 key)',
      op: (i) => erl.increment(requests[i]?.socketAddress as string),
    },
    {
      name: 'node-axes memory handler recordFailure (2 buckets)',
      op: (i) => recorder.recordFailure(at(inputs[i] as CountInput, Date.now())),
    },
    {
      name: 'node-axes memory handler reserve + settle (2 buckets)',
      op: async (i) => {
        const input = at(inputs[i] as CountInput, Date.now())
        const held = await reserver.reserve(input)
        return reserver.settle({
          buckets: input.buckets,
          rule: input.rule,
          attempt: input.attempt,
          now: input.now,
          reservation: held.reservation as string,
          outcome: 'failure',
        })
      },
    },
    {
      name: 'node-axes loginFailed (2 buckets)',
      op: (i) => failing.loginFailed({ ...(requests[i] as AxesRequest) }),
    },
    {
      name: 'node-axes protect, verify says no (2 buckets)',
      op: (i) => guarded.protect({ ...(requests[i] as AxesRequest) }, null, no),
    },
  ])
  erl.shutdown()
  return rows
}

function retained(): number {
  gc?.()
  gc?.()
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

async function heapPerClient(clients: number): Promise<{ name: string; bytesPerClient: number }[]> {
  const out: { name: string; bytesPerClient: number }[] = []
  const headers = { 'user-agent': 'bench/1.0', accept: 'text/html' }
  const requestOf = (i: number): AxesRequest => ({
    method: 'POST',
    path: '/login',
    headers,
    socketAddress: ipOf(i),
    body: { username: `user${i}`, password: 'wrong' },
  })

  {
    const before = retained()
    const axes = axesInstance(clients * 2)
    for (let i = 0; i < clients; i++) await axes.loginFailed(requestOf(i))
    const size = (axes.handler as unknown as { size: number }).size
    const after = retained()
    if (size !== clients * 2) throw new Error(`expected ${clients * 2} buckets, got ${size}`)
    out.push({
      name: 'node-axes memory handler (2 buckets a client)',
      bytesPerClient: (after - before) / clients,
    })
    await axes.close()
  }
  {
    const before = retained()
    const rlf = new RateLimiterMemory({ points: BIG, duration: HOUR / 1000 })
    for (let i = 0; i < clients; i++) await rlf.consume(ipOf(i))
    const after = retained()
    out.push({
      name: 'rate-limiter-flexible RateLimiterMemory (1 key)',
      bytesPerClient: (after - before) / clients,
    })
    // Keep it reachable until measured.
    void rlf.points
  }
  {
    const before = retained()
    const erl = new MemoryStore()
    erl.init({ windowMs: HOUR } as never)
    for (let i = 0; i < clients; i++) await erl.increment(ipOf(i))
    const after = retained()
    out.push({
      name: 'express-rate-limit MemoryStore (1 key)',
      bytesPerClient: (after - before) / clients,
    })
    erl.shutdown()
  }
  return out
}

function table(rows: Row[]): void {
  const base = rows.find((r) => r.name.startsWith('rate-limiter-flexible'))
  console.log(
    `\n${rows[0]?.clients.toLocaleString('en')} distinct clients, ${rows[0]?.ops.toLocaleString('en')} sequential operations each (median of ${ROUNDS} interleaved rounds)`,
  )
  for (const r of rows) {
    const ratio = base ? (r.opsPerSecond / base.opsPerSecond).toFixed(2) : '-'
    console.log(
      `  ${r.name.padEnd(58)} ${Math.round(r.opsPerSecond).toLocaleString('en').padStart(11)} /s  ${r.nsPerOp.toFixed(0).padStart(6)} ns/op  ${ratio}× RateLimiterMemory`,
    )
  }
}

const cpu = cpus()[0]?.model ?? 'unknown CPU'
console.log(`node-axes benchmark: Node ${process.version}, ${cpus().length} × ${cpu}`)
const only = args.includes('--adapters')
  ? 'adapters'
  : args.includes('--flood')
    ? 'flood'
    : args.includes('--database') || args.includes('--sqlite')
      ? 'database'
      : args.includes('--memory')
        ? 'memory'
        : args.includes('--redis')
          ? 'redis'
          : null
const opsSmall = quick ? 200_000 : 2_000_000
const opsLarge = quick ? 200_000 : 1_000_000
let small: Row[] = []
let large: Row[] = []
let heap: { name: string; bytesPerClient: number }[] = []
if (only === null || only === 'memory') {
  small = await throughput(100, opsSmall)
  table(small)
  large = await throughput(100_000, opsLarge)
  table(large)

  const heapClients = quick ? 100_000 : 1_000_000
  heap = await heapPerClient(heapClients)
  console.log(
    `\nRetained memory per client at ${heapClients.toLocaleString('en')} clients (V8 heap + ArrayBuffers, after GC)`,
  )
  for (const h of heap)
    console.log(`  ${h.name.padEnd(58)} ${h.bytesPerClient.toFixed(0).padStart(6)} bytes`)
}
const database =
  only === null || only === 'database' ? await databaseBench(quick, args.includes('--sqlite')) : []
const redis = only === null || only === 'redis' ? await redisBench(quick) : []
const frameworksAt = args.indexOf('--frameworks')
const frameworks = frameworksAt < 0 ? [] : (args[frameworksAt + 1] ?? '').split(',')
const adapters: AdapterRow[] = only === 'adapters' ? await adaptersBench(quick, frameworks) : []
const floods: FloodRow[] = only === null || only === 'flood' ? await floodBench(quick) : []

if (jsonFile) {
  writeFileSync(
    jsonFile,
    JSON.stringify(
      { node: process.version, cpu, small, large, heap, database, redis, adapters, flood: floods },
      null,
      2,
    ),
  )
}
