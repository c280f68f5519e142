/**
 * The Redis handler itself: the counting store (getFailures, reserve, settle, recordFailure, each
 * one decision of the script sent in the tick's batch; resets by UNLINK), with the listing and
 * admin queries handed to queries.ts.
 */

import { randomBytes } from 'node:crypto'
import type { Promising } from '../../ground/awaitable.js'
import type { Bucket } from '../../ground/buckets.js'
import type {
  CountInput,
  CountingStore,
  CountResult,
  HandlerCapabilities,
  HandlerSettings,
  ReserveResult,
  ResetFilter,
  SettleInput,
} from '../../ground/contract.js'
import type {
  AttemptBrowser,
  AttemptDetail,
  AttemptListing,
  AttemptQuery,
  AttemptSnapshot,
  AttemptStats,
  AttemptStatsQuery,
  QueryPage,
} from '../../ground/contract-browsing.js'
import type { ActiveLock, LockBrowser, LockQuery } from '../../ground/contract-locks.js'
import type { WrongPasswordInput, WrongPasswordStore } from '../../ground/contract-passwords.js'
import type {
  SourceFailureInput,
  SourceLock,
  SourceState,
  SourceStore,
} from '../../ground/contract-sources.js'
import { AxesError, describeError } from '../../ground/errors.js'
import { matchesReset } from '../entries.js'
import { DecisionBatches } from './batch.js'
import type { RedisCommands } from './client.js'
import { describeItem, fieldTagMisfit, type KeyLayout, leadingParameter } from './keys.js'
import { RedisQueries } from './queries.js'
import { type RedisSources, redisSources } from './sources.js'
import { redisWrongPasswords } from './wrong-passwords.js'

/** The Redis handler, with its key layout. */
export interface RedisHandler
  extends Promising<CountingStore>,
    Promising<AttemptListing>,
    Promising<AttemptBrowser>,
    Promising<LockBrowser>,
    Promising<SourceStore>,
    Promising<WrongPasswordStore> {
  /** No access logs; listing, the admin pages' attempts and the locks in force. */
  readonly supports: HandlerCapabilities
  /** The key prefix in use. */
  readonly prefix: string
  /** The Redis key of a bucket: `<prefix>{<tag>}:<bucket key>`. */
  keyOf(bucket: Bucket): string
  /** Lists stored attempts, most recent first, from every master. */
  listAttempts(options: { limit?: number; now: number }): Promise<AttemptSnapshot[]>
  /** Answers once every master answers PING; fails as `AXES_HANDLER_NOT_READY` otherwise. */
  ready(): Promise<void>
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

/** The state in a decision's answer from the script (its code, failures and lift). */
function countResult(_code: number, failures: number, lift: number): CountResult {
  return { failures, lockedUntil: decodeLift(lift) }
}

/** A lift time as the script answers it: -1 for none, -2 for never, else epoch milliseconds. */
function decodeLift(value: number): number | null {
  if (value === -1) return null
  if (value === -2) return Number.POSITIVE_INFINITY
  return value
}

/** The handler over one client (`commands`) and key layout. */
export class RedisStore implements RedisHandler {
  readonly name = 'redis'
  readonly shared = true
  readonly kind = 'cache' as const
  /** No access logs (django-axes' cache handler keeps none); listing and the admin's attempts. */
  readonly supports = {
    logs: false,
    list: true,
    browse: true,
    browseLogs: false,
    locks: true,
    buckets: false,
  } as const
  readonly prefix: string

  readonly #commands: RedisCommands
  readonly #keys: KeyLayout
  readonly #batches: DecisionBatches
  readonly #queries: RedisQueries
  readonly #sources: RedisSources
  readonly #passwords: WrongPasswordStore
  /** Reservation ids: unique across processes (a random part) and calls (a counter). */
  readonly #idPrefix = randomBytes(6).toString('base64url')
  #idSeq = 0

  constructor(commands: RedisCommands, keys: KeyLayout, retentionMs: number) {
    this.#commands = commands
    this.#keys = keys
    this.prefix = keys.prefix
    this.#batches = new DecisionBatches(commands, keys, retentionMs)
    this.#sources = redisSources(commands, keys)
    this.#passwords = redisWrongPasswords(commands, keys)
    this.#queries = new RedisQueries(commands, keys)
  }

  keyOf(bucket: Bucket): string {
    return this.#keys.keyOf(bucket.key)
  }

  /**
   * Refuses, when the instance is created, lockout parameters whose buckets could not share a hash
   * slot on a cluster with `hashTag: 'field'` (a function of the request is checked at each
   * decision instead).
   */
  attach(settings: HandlerSettings): void {
    const parameters = settings.lockoutParameters
    if (this.#keys.single || !this.#commands.cluster || !Array.isArray(parameters)) return
    const leading = new Set(parameters.map(leadingParameter))
    if (leading.size > 1) {
      throw new AxesError('AXES_INVALID_OPTIONS', fieldTagMisfit(parameters.map(describeItem)))
    }
  }

  // ----- counting

  // Promise chains rather than async functions: each await costs a tick and a promise, and these
  // are the hot path.

  getFailures(input: CountInput): Promise<CountResult> {
    return this.#batches.decide(input, OP_GET, null, null, 'getFailures', countResult)
  }

  reserve(input: CountInput): Promise<ReserveResult> {
    const deadline = input.now + input.rule.reservationTtlMs
    const id = `${this.#idPrefix}.${(++this.#idSeq).toString(36)}`
    return this.#batches.decide(input, OP_RESERVE, id, null, 'reserve', (code, failures, lift) => ({
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
    return this.#batches.decide(input, OP_SETTLE, id, extra, 'settle', countResult)
  }

  recordFailure(input: CountInput): Promise<CountResult> {
    return this.#batches.decide(input, OP_RECORD, null, null, 'recordFailure', countResult)
  }

  sourceLockedUntil(source: string, now: number): Promise<number | null> {
    return Promise.resolve(this.#sources.sourceLockedUntil(source, now))
  }

  noteSourceFailure(input: SourceFailureInput): Promise<SourceState> {
    return Promise.resolve(this.#sources.noteSourceFailure(input))
  }

  resetSources(source: string | null): Promise<number> {
    return Promise.resolve(this.#sources.resetSources(source))
  }

  listSourceLocks(now: number): Promise<SourceLock[]> {
    return Promise.resolve(this.#sources.listSourceLocks(now))
  }

  noteWrongPassword(input: WrongPasswordInput): Promise<boolean> {
    return Promise.resolve(this.#passwords.noteWrongPassword(input))
  }

  resetWrongPasswords(bucket: string | null): Promise<number> {
    return Promise.resolve(this.#passwords.resetWrongPasswords(bucket))
  }

  async resetBuckets(buckets: readonly Bucket[]): Promise<number> {
    const removed = await Promise.all(
      buckets.map((bucket) => this.#commands.send(['UNLINK', this.keyOf(bucket)], 'resetBuckets')),
    )
    return removed.reduce<number>((sum, n) => sum + Number(n), 0)
  }

  async resetAttempts(filter: ResetFilter): Promise<number> {
    let removed = 0
    await this.#queries.scanBuckets('resetAttempts', async (batch) => {
      const doomed = batch.filter(({ fields }) => matchesReset(fields, filter))
      const counts = await Promise.all(
        doomed.map(({ key }) => this.#commands.send(['UNLINK', key], 'resetAttempts')),
      )
      for (const n of counts) removed += Number(n)
    })
    // A reset by IP (or of everything) forgets that IP's sources too (spray detection).
    await this.#sources.resetSourcesOf(filter)
    return removed
  }

  // ----- listing and the admin pages' queries (queries.ts)

  listAttempts(options: { limit?: number; now: number }): Promise<AttemptSnapshot[]> {
    return this.#queries.listAttempts(options)
  }

  queryAttempts(query: AttemptQuery): Promise<QueryPage<AttemptDetail>> {
    return this.#queries.queryAttempts(query)
  }

  getAttempt(id: string, options: { now: number }): Promise<AttemptDetail | null> {
    return this.#queries.getAttempt(id, options)
  }

  deleteAttempts(ids: readonly string[]): Promise<number> {
    return this.#queries.deleteAttempts(ids)
  }

  cleanExpiredAttempts(options: { now: number }): Promise<number> {
    return this.#queries.cleanExpiredAttempts(options)
  }

  attemptStats(query: AttemptStatsQuery): Promise<AttemptStats> {
    return this.#queries.attemptStats(query)
  }

  listLocks(query: LockQuery): Promise<ActiveLock[]> {
    return this.#queries.listLocks(query)
  }

  async ready(): Promise<void> {
    try {
      await Promise.all(
        this.#commands.masters().map((master) => this.#commands.send(['PING'], 'ready', master)),
      )
    } catch (error) {
      throw new AxesError(
        'AXES_HANDLER_NOT_READY',
        `the Redis handler cannot start: Redis does not answer (${describeError(error)}). Start Redis, or check the client's address and credentials`,
        { cause: error },
      )
    }
  }

  /** The client is the application's: nothing to release. */
  close(): Promise<void> {
    return Promise.resolve()
  }
}
