/**
 * `node-axes/redis`: the cache handler on Redis, for a fleet of application servers that share
 * lockouts (django-axes' cache handler). It takes the application's own client: an ioredis
 * `Redis` or `Cluster`, or a node-redis (v4 or later) client.
 *
 * Each decision is one pass of a Lua script (EVALSHA, loaded again on NOSCRIPT): it reads, checks
 * and writes every lockout-parameter bucket of the client in one atomic step and one round trip.
 * Decisions asked for in the same tick travel together, up to 16 to a script call.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis'
 * import { createAxes } from 'node-axes'
 * import { redisHandler } from 'node-axes/redis'
 *
 * const axes = createAxes({ handler: redisHandler({ client: new Redis(process.env.REDIS_URL) }) })
 * ```
 *
 * @packageDocumentation
 */

import { randomBytes } from 'node:crypto'
import type { Bucket } from '../../ground/buckets.js'
import {
  decodeBucketKey,
  LOCKOUT_PARAMETER_NAMES,
  type LockoutParameterItem,
} from '../../ground/buckets.js'
import type {
  AttemptDetail,
  AttemptQuery,
  AttemptSnapshot,
  AttemptStats,
  AttemptStatsQuery,
  AxesHandler,
  CountInput,
  CountResult,
  HandlerSettings,
  LockoutRule,
  QueryPage,
  ReserveResult,
  ResetFilter,
  SettleInput,
} from '../../ground/contract.js'
import { AxesError, AxesStoreError, describeError } from '../../ground/errors.js'
import { matchesReset, pageOfAttempts, snapshotOf, statsOfBuckets } from '../query.js'
import {
  CLEAN_SCRIPT,
  CLEAN_SHA,
  DECIDE_SCRIPT,
  DECIDE_SHA,
  READ_SCRIPT,
  READ_SHA,
} from './scripts.js'

export { DECIDE_SCRIPT, DECIDE_SHA, READ_SCRIPT, READ_SHA } from './scripts.js'

/** A Redis argument as both clients accept it. */
type Arg = string | number

/**
 * The subset of an ioredis `Redis` or `Cluster` that the handler calls (typed here so that
 * node-axes does not depend on ioredis).
 */
export interface IoredisClient {
  call(command: string, ...args: Arg[]): Promise<unknown>
  /** `true` on an ioredis `Cluster`. */
  readonly isCluster?: boolean
  /** On a `Cluster`: its nodes, for SCAN on every master. */
  nodes?(role: 'master'): IoredisClient[]
}

/**
 * The subset of a node-redis (v4 or later) client that the handler calls. node-redis' cluster
 * client is not supported: use ioredis' `Cluster` for Redis Cluster.
 */
export interface NodeRedisClient {
  sendCommand(args: string[]): Promise<unknown>
}

/** Options of `redisHandler`. */
export interface RedisHandlerOptions {
  /**
   * The application's client: an ioredis `Redis` or `Cluster`, or a node-redis client (connected
   * by the application: `await createClient({ url }).connect()`). The handler never closes it.
   */
  client: IoredisClient | NodeRedisClient
  /**
   * What every key starts with, so that node-axes' keys can share a database with others and two
   * applications can keep apart. No `{` or `}` (they would move the hash tag).
   * @default 'axes:'
   */
  prefix?: string
  /**
   * How long one Redis command may take before the call fails as a store error (and
   * `onStoreError` answers: by default the login is refused with 503). A disconnected client
   * queues commands rather than failing them, so without this a login would wait for Redis to
   * come back. A command fails `timeoutMs` after it was sent, plus up to a tenth of that (5 ms
   * at least). `0` (or `Infinity`) waits for ever.
   * @default 1000 (ms)
   */
  timeoutMs?: number
  /**
   * How keys are placed in a Redis Cluster's hash slots (a standalone server has one slot for all,
   * and only sees the tag in the key's name). One script can only touch keys of one slot, so every
   * bucket of one client must share a tag, and a bucket must always get the same tag whichever
   * client it is counted for.
   * - `'single'`: every key has the tag `{all}`: one slot, so one master holds all of node-axes'
   *   keys. Works with every lockout-parameter list. A login costs one round trip either way; one
   *   Redis master serves well over 50,000 of them a second.
   * - `'field'`: each bucket is tagged by its leading field — its IP when it holds one, else its
   *   username, else its user agent — so different clients spread over the masters. Every item of
   *   `lockoutParameters` must then hold that same field: `['ip_address', ['username',
   *   'ip_address']]` fits (every bucket holds the IP); `['username', 'ip_address']` or
   *   `['ip_address', ['username', 'user_agent']]` do not: on a cluster `createAxes` refuses them
   *   with an `AxesError` saying so (lockout parameters given as a function are checked at each
   *   decision, which then fails as a store error).
   * @default 'single'
   */
  hashTag?: 'field' | 'single'
}

/** The Redis handler, with its key layout. */
export interface RedisHandler extends AxesHandler {
  /** The key prefix in use. */
  readonly prefix: string
  /** The Redis key of a bucket: `<prefix>{<tag>}:<bucket key>`. */
  keyOf(bucket: Bucket): string
  /** Lists stored attempts, most recent first, from every master. */
  listAttempts(options: { limit?: number; now: number }): Promise<AttemptSnapshot[]>
  /** Nothing to release: the client is the application's, which closes it. */
  close(): Promise<void>
}

/** Operations of the script (see scripts.ts). */
const OP_GET = 'g'
const OP_RESERVE = 'r'
const OP_SETTLE = 's'
const OP_RECORD = 'f'

const OUTCOMES: readonly ReserveResult['outcome'][] = ['reserved', 'locked', 'busy', 'locked']
const SETTLE_CODES: Record<SettleInput['outcome'], string> = {
  failure: 'f',
  success: 's',
  cancel: 'c',
}

const SCAN_COUNT = '1000'

/**
 * The most decisions in one script call: enough to pay the call's fixed cost once for all that a
 * busy tick brings, few enough that one call keeps Redis from other clients for tens of
 * microseconds at most.
 */
const MAX_BATCH = 16

/** A decision waiting in a batch for its part of the answer. */
interface Waiter {
  /** Turns the decision's three numbers into its result. */
  answer(code: number, failures: number, lift: number): unknown
  resolve(result: unknown): void
  reject(error: unknown): void
}

/**
 * The decisions of one tick that share a hash tag (so one script can reach all their keys) and a
 * rule (the script's argument for it, sent once, ahead of them): their keys in order, their
 * arguments (two each, four for a settle), and who waits.
 */
class Batch {
  readonly keys: string[] = []
  readonly decisions: string[] = []
  readonly waiters: Waiter[] = []
  /** The handler methods in the batch, to name in an error. */
  readonly operations: string[] = []

  constructor(readonly rule: string) {}
}

/** One Redis server (or the whole cluster), as the handler talks to it. */
interface Connection {
  /** Sends one command; on a cluster it goes to the slot of its keys. */
  send(args: Arg[]): Promise<unknown>
  /** The masters to SCAN: the server itself, or each master of a cluster. */
  masters(): Connection[]
  readonly cluster: boolean
}

function ioredisConnection(client: IoredisClient): Connection {
  return {
    cluster: client.isCluster === true,
    send: (args) => (client.call as (...all: Arg[]) => Promise<unknown>)(...args),
    masters: () =>
      client.isCluster === true && client.nodes
        ? client.nodes('master').map((node) => ioredisConnection(node))
        : [ioredisConnection(client)],
  }
}

function nodeRedisConnection(client: NodeRedisClient): Connection {
  const self: Connection = {
    cluster: false,
    send: (args) => client.sendCommand(args.map(String)),
    masters: () => [self],
  }
  return self
}

function connectionOf(client: unknown): Connection {
  const c = client as Record<string, unknown> | null
  if (c && typeof c.call === 'function' && typeof c.evalsha === 'function') {
    return ioredisConnection(client as IoredisClient)
  }
  if (c && typeof c.sendCommand === 'function') {
    if ('masters' in c || typeof c.getMasters === 'function') {
      throw new AxesError(
        'AXES_INVALID_OPTIONS',
        "redisHandler: node-redis' cluster client is not supported; use ioredis' Cluster for Redis Cluster",
      )
    }
    return nodeRedisConnection(client as NodeRedisClient)
  }
  throw new AxesError(
    'AXES_INVALID_OPTIONS',
    'redisHandler: client must be an ioredis Redis or Cluster, or a node-redis client',
  )
}

/** Escapes a string for a SCAN MATCH pattern. */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&')
}

/** The leading field of a bucket key (`i8:10.1.1.1` of `i8:10.1.1.1u5:alice`), for its hash tag. */
function leadingField(key: string): string {
  if (key[1] === '-') return key.slice(0, 2)
  const colon = key.indexOf(':')
  const end = colon + 1 + Number(key.slice(1, colon))
  return key.slice(0, end)
}

/** The field that tags an item's buckets with `hashTag: 'field'`: its IP, else username, else user agent. */
function leadingParameter(item: LockoutParameterItem): string {
  const names: readonly string[] = typeof item === 'string' ? [item] : item
  for (const name of LOCKOUT_PARAMETER_NAMES) if (names.includes(name)) return name
  return ''
}

function describeItem(item: LockoutParameterItem): string {
  return typeof item === 'string' ? item : item.join('+')
}

/** Why buckets of these shapes cannot share a hash slot with `hashTag: 'field'`. */
function fieldTagMisfit(shapes: readonly string[]): string {
  return (
    "redis handler: with hashTag 'field' every bucket of a client must have the same leading " +
    'field (its IP, say) to share a hash slot on Redis Cluster, and these do not: ' +
    `${shapes.join(', ')}. Use redisHandler({ hashTag: 'single' }), or ` +
    "lockout parameters whose every item holds the IP, such as ['ip_address', ['username', 'ip_address']]"
  )
}

/** Wraps anything a Redis call threw as a store error naming the operation. */
function storeError(error: unknown, operation: string): AxesStoreError {
  if (error instanceof AxesStoreError) return error
  return new AxesStoreError(`redis handler: ${operation} failed: ${describeError(error)}`, {
    cause: error,
  })
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT')
}

/** The state in a decision's answer from the script (its code, failures and lift). */
function countResult(_code: number, failures: number, lift: number): CountResult {
  return { failures, lockedUntil: decodeLift(lift) }
}

/** A bucket read by READ_SCRIPT as an admin entry, or null when it holds no failure that counts. */
function detailOf(
  id: string,
  fields: Partial<Record<string, string | null>>,
  reply: unknown,
  now: number,
): AttemptDetail | null {
  const row = Array.isArray(reply) ? (reply as unknown[]) : null
  const failures = Number(row?.[0] ?? 0)
  const expires = parseStoredTime(row?.[3])
  if (!(failures > 0) || (expires !== null && expires <= now)) return null
  const lift = parseStoredTime(row?.[2])
  return {
    id,
    ipAddress: fields.ip_address ?? null,
    username: fields.username ?? null,
    userAgent: fields.user_agent ?? null,
    failures,
    attemptTime: new Date(Number(row?.[1] ?? 0)),
    lockedUntil: lift !== null && lift > now ? lift : null,
    pathInfo: null,
    httpAccept: null,
    getData: null,
    postData: null,
    expiresAt: expires !== null && Number.isFinite(expires) ? new Date(expires) : null,
  }
}

function decodeLift(value: number): number | null {
  if (value === -1) return null
  if (value === -2) return Number.POSITIVE_INFINITY
  return value
}

function parseStoredTime(value: unknown): number | null {
  if (value === null || value === undefined || value === '' || value === '0') return null
  if (value === 'inf') return Number.POSITIVE_INFINITY
  const n = Number(value)
  return Number.isFinite(n) ? n : null
}

/**
 * Creates the Redis handler over the application's client.
 *
 * Keys name their fields and escape their values (the bucket's canonical key, e.g.
 * `axes:{all}:i8:10.1.1.1u5:alice`), so that a username `10.1.1.1` never shares a key
 * with the IP 10.1.1.1. A failed or slow command (see `timeoutMs`) rejects with an
 * `AxesStoreError`, which the core answers with `onStoreError`; the next call tries Redis again,
 * so the handler recovers by itself when Redis comes back.
 */
export function redisHandler(options: RedisHandlerOptions): RedisHandler {
  const connection = connectionOf(options.client)
  const prefix = options.prefix ?? 'axes:'
  if (typeof prefix !== 'string' || /[{}]/.test(prefix) || prefix.length > 200) {
    throw new AxesError(
      'AXES_INVALID_OPTIONS',
      'redisHandler: prefix must be a string of at most 200 characters without { or }',
    )
  }
  const timeoutMs = options.timeoutMs ?? 1000
  if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0)) {
    throw new AxesError(
      'AXES_INVALID_OPTIONS',
      'redisHandler: timeoutMs must be a number of milliseconds ≥ 0',
    )
  }
  const hashTag = options.hashTag ?? 'single'
  if (hashTag !== 'field' && hashTag !== 'single') {
    throw new AxesError('AXES_INVALID_OPTIONS', "redisHandler: hashTag must be 'field' or 'single'")
  }
  return new RedisStore(connection, prefix, timeoutMs, hashTag)
}

class RedisStore implements RedisHandler {
  readonly name = 'redis'
  readonly shared = true
  readonly kind = 'cache' as const
  readonly prefix: string

  readonly #connection: Connection
  readonly #deadlines: Deadlines
  readonly #single: boolean
  readonly #ruleArgs = new WeakMap<LockoutRule, string>()
  /**
   * The batches of decisions gathered in this tick, by hash tag on a cluster (one a rule), sent when
   * it ends.
   */
  #open = new Map<string, Batch[]>()
  /** Reservation ids: unique across processes (a random part) and calls (a counter). */
  readonly #idPrefix = randomBytes(6).toString('base64url')
  #idSeq = 0

  constructor(connection: Connection, prefix: string, timeoutMs: number, hashTag: string) {
    this.#connection = connection
    this.prefix = prefix
    this.#deadlines = new Deadlines(Number.isFinite(timeoutMs) ? timeoutMs : 0)
    this.#single = hashTag === 'single'
  }

  keyOf(bucket: Bucket): string {
    return `${this.#tagOf(bucket.key)}:${bucket.key}`
  }

  /**
   * Refuses, when the instance is created, lockout parameters whose buckets could not share a hash
   * slot on a cluster with `hashTag: 'field'` (a function of the request is checked at each
   * decision instead).
   */
  attach(settings: HandlerSettings): void {
    const parameters = settings.lockoutParameters
    if (this.#single || !this.#connection.cluster || !Array.isArray(parameters)) return
    const leading = new Set(parameters.map(leadingParameter))
    if (leading.size > 1) {
      throw new AxesError('AXES_INVALID_OPTIONS', fieldTagMisfit(parameters.map(describeItem)))
    }
  }

  // ----- the contract -----

  // Promise chains rather than async functions: each await costs a tick and a promise, and these
  // are the hot path.

  getFailures(input: CountInput): Promise<CountResult> {
    return this.#decide(input, OP_GET, null, null, 'getFailures', countResult)
  }

  reserve(input: CountInput): Promise<ReserveResult> {
    const deadline = input.now + input.rule.reservationTtlMs
    const id = `${this.#idPrefix}.${(++this.#idSeq).toString(36)}`
    return this.#decide(input, OP_RESERVE, id, null, 'reserve', (code, failures, lift) => ({
      failures,
      lockedUntil: decodeLift(lift),
      outcome: OUTCOMES[code] ?? 'busy',
      reservation: code === 0 ? `${id}@${deadline}` : null,
      recorded: code === 3,
    }))
  }

  settle(input: SettleInput): Promise<CountResult> {
    const token = input.reservation
    const at = token.lastIndexOf('@')
    const id = at < 0 ? token : token.slice(0, at)
    const deadline = at < 0 ? '0' : token.slice(at + 1)
    const extra: [string, string] = [SETTLE_CODES[input.outcome], deadline]
    return this.#decide(input, OP_SETTLE, id, extra, 'settle', countResult)
  }

  recordFailure(input: CountInput): Promise<CountResult> {
    return this.#decide(input, OP_RECORD, null, null, 'recordFailure', countResult)
  }

  loggedIn(): Promise<void> {
    return Promise.resolve()
  }

  loggedOut(): Promise<void> {
    return Promise.resolve()
  }

  async resetBuckets(buckets: readonly Bucket[]): Promise<number> {
    const removed = await Promise.all(
      buckets.map((bucket) => this.#send(['UNLINK', this.keyOf(bucket)], 'resetBuckets')),
    )
    return removed.reduce<number>((sum, n) => sum + Number(n), 0)
  }

  async resetAttempts(filter: ResetFilter): Promise<number> {
    let removed = 0
    await this.#scanBuckets('resetAttempts', async (batch) => {
      const doomed = batch.filter(({ fields }) => matchesReset(fields, filter))
      const counts = await Promise.all(
        doomed.map(({ key }) => this.#send(['UNLINK', key], 'resetAttempts')),
      )
      for (const n of counts) removed += Number(n)
    })
    return removed
  }

  resetLogs(): Promise<number> {
    return Promise.resolve(0)
  }

  resetFailureLogs(): Promise<number> {
    return Promise.resolve(0)
  }

  async listAttempts(options: { limit?: number; now: number }): Promise<AttemptSnapshot[]> {
    const out: AttemptSnapshot[] = (await this.#entries('listAttempts', options.now)).map(
      snapshotOf,
    )
    out.sort((a, b) => b.attemptTime.getTime() - a.attemptTime.getTime())
    return options.limit === undefined ? out : out.slice(0, options.limit)
  }

  // ----- the admin pages' queries: one entry per bucket, its id the bucket's canonical key (a
  // bucket keeps no path nor request data)

  async queryAttempts(query: AttemptQuery): Promise<QueryPage<AttemptDetail>> {
    return pageOfAttempts(await this.#entries('queryAttempts', query.now), query)
  }

  async getAttempt(id: string, options: { now: number }): Promise<AttemptDetail | null> {
    const fields = typeof id === 'string' ? decodeBucketKey(id) : null
    if (!fields) return null
    const key = `${this.#tagOf(id)}:${id}`
    const row = await this.#evalsha(['EVALSHA', READ_SHA, 1, key], READ_SCRIPT, 'getAttempt')
    return detailOf(id, fields, row, options.now)
  }

  async deleteAttempts(ids: readonly string[]): Promise<number> {
    const keys = [...new Set(ids)]
      .filter((id) => typeof id === 'string' && decodeBucketKey(id) !== null)
      .map((id) => `${this.#tagOf(id)}:${id}`)
    // One command a key: with hashTag 'field' the keys may live on different masters.
    const removed = await Promise.all(
      keys.map((key) => this.#send(['UNLINK', key], 'deleteAttempts')),
    )
    return removed.reduce<number>((sum, n) => sum + Number(n), 0)
  }

  async cleanExpiredAttempts(options: { now: number }): Promise<number> {
    // Redis forgets a bucket by itself when its TTL ends; this sweeps those expired as of the
    // core's clock, each checked and deleted in one step by a script.
    let removed = 0
    await this.#scanBuckets('cleanExpiredAttempts', async (batch) => {
      const counts = await Promise.all(
        batch.map(({ key }) =>
          this.#evalsha(
            ['EVALSHA', CLEAN_SHA, 1, key, String(options.now)],
            CLEAN_SCRIPT,
            'cleanExpiredAttempts',
          ),
        ),
      )
      for (const n of counts) removed += Number(n)
    })
    return removed
  }

  async attemptStats(query: AttemptStatsQuery): Promise<AttemptStats> {
    return statsOfBuckets(await this.#entries('attemptStats', query.now), query)
  }

  /** The client is the application's: nothing to release. */
  close(): Promise<void> {
    return Promise.resolve()
  }

  // ----- internals -----

  /** Every bucket whose failures still count, as admin entries, read from every master. */
  async #entries(operation: string, now: number): Promise<AttemptDetail[]> {
    const out: AttemptDetail[] = []
    await this.#scanBuckets(operation, async (batch) => {
      // The values are binary (see scripts.ts): a small script reads each one as text, on the
      // master that holds it. A key deleted since the SCAN reads as null.
      const rows = await Promise.all(
        batch.map(({ key }) =>
          this.#evalsha(['EVALSHA', READ_SHA, 1, key], READ_SCRIPT, operation),
        ),
      )
      for (let i = 0; i < batch.length; i++) {
        const { key, fields } = batch[i] as {
          key: string
          fields: Partial<Record<string, string | null>>
        }
        const id = key.slice(key.indexOf('}', this.prefix.length) + 2)
        const detail = detailOf(id, fields, rows[i], now)
        if (detail !== null) out.push(detail)
      }
    })
    return out
  }

  /** `<prefix>{<tag>}`: the tag Redis Cluster hashes, from the bucket's leading field. */
  #tagOf(bucketKey: string): string {
    if (this.#single) return `${this.prefix}{all}`
    // Redis hashes what lies between the first { and the next }: a } in a value would cut it
    // short (harmless for identity, which the full key keeps), but keep the tag whole anyway.
    const field = leadingField(bucketKey)
    return `${this.prefix}{${field.includes('}') ? field.replaceAll('}', ')') : field}}`
  }

  /** The script's argument for a rule (cached: the core passes one rule object while it holds). */
  #ruleArgOf(rule: LockoutRule): string {
    let arg = this.#ruleArgs.get(rule)
    if (arg === undefined) {
      const numbers = [
        rule.failureLimit,
        rule.cooloffMs ?? -1,
        (rule.lockOutAtFailure ? 1 : 0) + (rule.recordLockedAttempts ? 2 : 0),
        rule.reservationTtlMs,
        // A reservation's key outlives its deadline, so that a late settle still finds it gone
        // only when it was settled already.
        Math.max(1, Math.ceil(rule.reservationTtlMs * 2)),
      ]
      for (const tier of rule.tiers) numbers.push(tier.failures, tier.cooloffMs)
      arg = numbers.map(String).join(' ')
      this.#ruleArgs.set(rule, arg)
    }
    return arg
  }

  /**
   * One decision of the script for a counting operation, its answer (code, failures, lift) turned
   * into the result by `answer`. It joins the batch of this tick for its hash tag and rule (see
   * `Batch`), which goes out as one script call when the tick ends.
   */
  #decide<T>(
    input: CountInput,
    op: string,
    reservationId: string | null,
    settleArgs: readonly [string, string] | null,
    operation: string,
    answer: (code: number, failures: number, lift: number) => T,
  ): Promise<T> {
    const buckets = input.buckets
    // No bucket (the core never asks so): nothing to count, nothing held.
    if (buckets.length === 0) return Promise.resolve(answer(0, 0, -1))
    const firstTag = this.#tagOf((buckets[0] as Bucket).key)
    const rule = this.#ruleArgOf(input.rule)
    // A standalone server is one slot: there any decisions may share a call.
    const slot = this.#connection.cluster ? firstTag : ''
    let open = this.#open.get(slot)
    if (open === undefined) {
      if (this.#open.size === 0) process.nextTick(this.#flush)
      open = []
      this.#open.set(slot, open)
    }
    let batch: Batch | undefined
    for (const candidate of open) {
      if (candidate.rule === rule) {
        batch = candidate
        break
      }
    }
    if (batch === undefined) {
      batch = new Batch(rule)
      open.push(batch)
    }
    const keys = batch.keys
    const mark = keys.length
    for (const bucket of buckets) {
      const tag = this.#tagOf(bucket.key)
      if (tag !== firstTag && this.#connection.cluster) {
        keys.length = mark
        return Promise.reject(
          new AxesStoreError(fieldTagMisfit(buckets.map((b) => Object.keys(b.fields).join('+')))),
        )
      }
      keys.push(`${tag}:${bucket.key}`)
    }
    // A reservation is a key of its own beside the buckets, outside every bucket's name (resets
    // leave it: a failure settled after a reset still counts).
    if (reservationId !== null) keys.push(`${firstTag}#r:${reservationId}`)
    batch.decisions.push(op + buckets.length, String(input.now))
    if (settleArgs !== null) batch.decisions.push(settleArgs[0], settleArgs[1])
    if (!batch.operations.includes(operation)) batch.operations.push(operation)
    const waiters = batch.waiters
    const promise = new Promise<T>((resolve, reject) => {
      waiters.push({ answer, resolve: resolve as (value: unknown) => void, reject })
    })
    if (batch.waiters.length >= MAX_BATCH) {
      // Full: it goes now, and the next decision of this tick starts another.
      open.splice(open.indexOf(batch), 1)
      this.#sendBatch(batch)
    }
    return promise
  }

  /** Sends every batch of the tick (bound: it is the `process.nextTick` callback). */
  readonly #flush = (): void => {
    const open = this.#open
    this.#open = new Map()
    for (const batches of open.values()) for (const batch of batches) this.#sendBatch(batch)
  }

  /**
   * One script call for a batch; each decision gets its three numbers of the answer, handed over
   * without a promise of its own between the client's and the waiters' (this is the hot path).
   */
  #sendBatch(batch: Batch): void {
    const waiters = batch.waiters
    if (waiters.length === 0) return
    const args: Arg[] = ['EVALSHA', DECIDE_SHA, batch.keys.length]
    for (const key of batch.keys) args.push(key)
    args.push(batch.rule)
    for (const arg of batch.decisions) args.push(arg)
    const operation = batch.operations.join(' and ')
    this.#evalshaCall(
      args,
      DECIDE_SCRIPT,
      operation,
      (reply) => {
        const numbers = reply as number[]
        for (let i = 0; i < waiters.length; i++) {
          const waiter = waiters[i] as Waiter
          const at = i * 3
          try {
            waiter.resolve(
              waiter.answer(Number(numbers[at]), Number(numbers[at + 1]), Number(numbers[at + 2])),
            )
          } catch (error) {
            waiter.reject(storeError(error, operation))
          }
        }
      },
      (error) => {
        for (const waiter of waiters) waiter.reject(error)
      },
    )
  }

  /**
   * Sends `EVALSHA sha …` (args[0] and args[1]); when the server lost its script cache (a restart,
   * SCRIPT FLUSH, a failover) and answers NOSCRIPT, sends it again once as `EVAL source …`, which
   * loads it. `done` gets the reply, `failed` a store error.
   */
  #evalshaCall(
    args: Arg[],
    source: string,
    operation: string,
    done: (reply: unknown) => void,
    failed: (error: unknown) => void,
  ): void {
    this.#deadlines.call(this.#connection, args, operation, true, done, (error) => {
      if (!isNoScript(error)) {
        failed(error)
        return
      }
      args[0] = 'EVAL'
      args[1] = source
      this.#deadlines.call(this.#connection, args, operation, false, done, failed)
    })
  }

  /** `#evalshaCall` as a promise. */
  #evalsha(args: Arg[], source: string, operation: string): Promise<unknown> {
    return new Promise((resolve, reject) =>
      this.#evalshaCall(args, source, operation, resolve, reject),
    )
  }

  /** Sends a command with the timeout; failures become store errors. */
  #send(args: Arg[], operation: string): Promise<unknown> {
    return this.#deadlines.send(this.#connection, args, operation)
  }

  /**
   * Calls `each` with the node-axes bucket keys under the prefix, a SCAN batch at a time, on every
   * master of a cluster. Keys that are not buckets (reservations, foreign keys) are skipped.
   */
  async #scanBuckets(
    operation: string,
    each: (
      batch: { key: string; fields: ReturnType<typeof decodeBucketKey> & {} }[],
    ) => Promise<void>,
  ): Promise<void> {
    const pattern = `${globEscape(this.prefix)}{*`
    const masters = this.#connection.masters()
    if (masters.length === 0) {
      // A Cluster client that has not connected yet knows no masters: scanning none would
      // silently reset or list nothing.
      throw new AxesStoreError(
        `redis handler: ${operation} failed: the cluster client knows no masters yet (not connected)`,
      )
    }
    for (const master of masters) {
      let cursor = '0'
      do {
        const reply = (await this.#deadlines.send(
          master,
          ['SCAN', cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT],
          operation,
        )) as [string, string[]]
        cursor = String(reply[0])
        const batch = []
        for (const key of reply[1]) {
          const close = key.indexOf('}', this.prefix.length)
          if (close < 0 || key[close + 1] !== ':') continue
          const fields = decodeBucketKey(key.slice(close + 2))
          if (fields && Object.keys(fields).length > 0) batch.push({ key, fields })
        }
        if (batch.length > 0) await each(batch)
      } while (cursor !== '0')
    }
  }
}

/** A command in flight, for the timeout. */
interface InFlight {
  deadline: number
  readonly operation: string
  readonly reject: (error: AxesStoreError) => void
  done: boolean
}

/**
 * The timeout of the commands in flight. Every command waits the same time, so deadlines come in
 * the order the commands were sent: a queue checked by one timer every tenth of the timeout (5 ms
 * at least; only while anything is in flight) costs less per command than a timer of its own.
 */
class Deadlines {
  readonly #ms: number
  readonly #queue: InFlight[] = []
  #head = 0
  #timer: ReturnType<typeof setInterval> | null = null

  constructor(ms: number) {
    this.#ms = ms
  }

  /**
   * Sends one command: `done` gets the reply; `failed` an AxesStoreError for a failure or no
   * answer in time (with `passNoScript`, a NOSCRIPT error as it is). Callbacks rather than a
   * promise, as the batches' hot path calls it.
   */
  call(
    connection: Connection,
    args: Arg[],
    operation: string,
    passNoScript: boolean,
    done: (reply: unknown) => void,
    failed: (error: unknown) => void,
  ): void {
    let pending: Promise<unknown>
    try {
      pending = connection.send(args)
    } catch (error) {
      failed(storeError(error, operation))
      return
    }
    const entry = this.#track(operation, failed)
    pending.then(
      (reply) => {
        if (entry.done) return
        entry.done = true
        done(reply)
      },
      (error: unknown) => {
        if (entry.done) return
        entry.done = true
        failed(passNoScript && isNoScript(error) ? error : storeError(error, operation))
      },
    )
  }

  /** `call` as a promise: a failure, or no answer in time, rejects with an AxesStoreError. */
  send(connection: Connection, args: Arg[], operation: string): Promise<unknown> {
    return new Promise((resolve, reject) =>
      this.call(connection, args, operation, false, resolve, reject),
    )
  }

  /**
   * Watches a command just sent: unless the entry is marked `done` first, `onTimeout` receives an
   * AxesStoreError when the time is up (never, with no timeout).
   */
  #track(operation: string, onTimeout: (error: AxesStoreError) => void): InFlight {
    const entry: InFlight = { deadline: 0, operation, reject: onTimeout, done: false }
    if (this.#ms <= 0) return entry
    entry.deadline = Date.now() + this.#ms
    this.#queue.push(entry)
    this.#timer ??= this.#start()
    return entry
  }

  #start(): ReturnType<typeof setInterval> {
    const timer = setInterval(() => this.#sweep(), Math.max(5, Math.ceil(this.#ms / 10)))
    // A handler with nothing in flight must not keep the process alive.
    timer.unref?.()
    return timer
  }

  #sweep(): void {
    const now = Date.now()
    const queue = this.#queue
    while (this.#head < queue.length) {
      const entry = queue[this.#head] as InFlight
      if (!entry.done) {
        if (entry.deadline > now) break
        entry.done = true
        entry.reject(
          new AxesStoreError(
            `redis handler: ${entry.operation} failed: no answer from Redis within ${this.#ms} ms`,
          ),
        )
      }
      this.#head++
    }
    if (this.#head === queue.length) {
      queue.length = 0
      this.#head = 0
      if (this.#timer) clearInterval(this.#timer)
      this.#timer = null
    } else if (this.#head > 1024 && this.#head * 2 > queue.length) {
      queue.splice(0, this.#head)
      this.#head = 0
    }
  }
}
