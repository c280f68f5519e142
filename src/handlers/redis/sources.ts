/**
 * Spray detection's sources on Redis (the contract: ground/contract-sources.ts): per source a
 * sorted set of the username hashes it failed on (scored by the time of the last failure, expiring
 * with the window) and a lock key holding `<lifts at>:<usernames>:<locked at>` (when the lock lifts,
 * the distinct usernames the source had failed on, when it was locked; expiring with the
 * cool-off), both
 * under one hash tag so that one script changes them atomically, on Redis Cluster too. Their names
 * (`<prefix>{…}#s:<source>`, `#l:`) are never a bucket's, so listings and resets of attempts skip
 * them.
 */

import { createHash } from 'node:crypto'
import type { ResetFilter } from '../../ground/contract.js'
import {
  type SourceLock,
  type SourceStore,
  sortSourceLocks,
  sourcesOfReset,
} from '../../ground/contract-sources.js'
import type { Connection, RedisCommands } from './client.js'
import type { KeyLayout } from './keys.js'
import { scanMatching } from './scan.js'

/**
 * KEYS: the set, the lock. ARGV: username, now, since, limit, cool-off (ms), window (ms).
 * Answers `{0, until}` when locked already, `{1, until}` when this failure locked it, `{2, n}`
 * with the distinct usernames otherwise.
 */
const NOTE = `
local held = redis.call('GET', KEYS[2])
local locked = held and tonumber(string.match(held, '^%d+'))
local now = tonumber(ARGV[2])
if locked and locked > now then return {0, locked} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
redis.call('ZADD', KEYS[1], now, ARGV[1])
local n = redis.call('ZCARD', KEYS[1])
if n > tonumber(ARGV[4]) then
  redis.call('DEL', KEYS[1])
  local untilMs = now + tonumber(ARGV[5])
  redis.call('SET', KEYS[2], string.format('%d:%d:%d', untilMs, n, now), 'PX', ARGV[5])
  return {1, untilMs}
end
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return {2, n}
`

/** A lock key's value read back (`<lifts at>:<usernames>:<locked at>`); null when not one. */
function lockOfValue(source: string, value: unknown): SourceLock | null {
  const [until, usernames, since] = String(value).split(':').map(Number)
  if (!Number.isFinite(until)) return null
  return { source, usernames: usernames || 0, since: since || 0, until: until as number }
}

/** The source store of a Redis handler, and the sources its `resetAttempts(filter)` forgets. */
export interface RedisSources extends SourceStore {
  /** Forgets the sources a reset of attempts covers (`sourcesOfReset`); answers how many held state. */
  resetSourcesOf(filter: ResetFilter): Promise<number>
}

/** The source store of a Redis handler. */
export function redisSources(commands: RedisCommands, keys: KeyLayout): RedisSources {
  const tag = (source: string) =>
    keys.single ? `${keys.prefix}{all}` : `${keys.prefix}{s:${source}}`
  const setKey = (source: string) => `${tag(source)}#s:${source}`
  const lockKey = (source: string) => `${tag(source)}#l:${source}`
  const sha = createHash('sha1').update(NOTE).digest('hex')

  /** Calls `each` with every source key of a kind (`s` sets, `l` locks) on every master. */
  const scan = (
    kind: string,
    operation: string,
    each: (source: string, key: string, master: Connection) => Promise<void>,
  ) =>
    scanMatching(commands, `${keys.scanPattern()}}#${kind}:*`, operation, (key, master) =>
      each(key.slice(key.indexOf('}#') + 4), key, master),
    )

  async function resetSources(source: string | null): Promise<number> {
    if (source !== null) {
      const gone = Number(
        await commands.send(['UNLINK', setKey(source), lockKey(source)], 'resetSources'),
      )
      return gone > 0 ? 1 : 0
    }
    const sources = new Set<string>()
    await scan('[sl]', 'resetSources', async (found, key, master) => {
      sources.add(found)
      await commands.send(['UNLINK', key], 'resetSources', master)
    })
    return sources.size
  }

  return {
    async sourceLockedUntil(source, now) {
      const value = await commands.send(['GET', lockKey(source)], 'sourceLockedUntil')
      const until = lockOfValue(source, value)?.until ?? 0
      return until > now ? until : null
    },

    async noteSourceFailure(input) {
      const { source, now } = input
      const reply = (await commands.evalsha(
        [
          'EVALSHA',
          sha,
          2,
          setKey(source),
          lockKey(source),
          input.username,
          now,
          now - input.windowMs,
          input.usernames,
          input.cooloffMs,
          input.windowMs,
        ],
        NOTE,
        'noteSourceFailure',
      )) as [number, number]
      const [code, value] = [Number(reply[0]), Number(reply[1])]
      if (code === 2) return { usernames: value, lockedUntil: null, lockedNow: false }
      return { usernames: 0, lockedUntil: value, lockedNow: code === 1 }
    },

    resetSources,

    async listSourceLocks(now) {
      const locks: SourceLock[] = []
      await scan('l', 'listSourceLocks', async (source, key, master) => {
        const lock = lockOfValue(
          source,
          await commands.send(['GET', key], 'listSourceLocks', master),
        )
        if (lock !== null && lock.until > now) locks.push(lock)
      })
      return sortSourceLocks(locks)
    },

    async resetSourcesOf(filter) {
      const sources = sourcesOfReset(filter)
      if (sources === null) return resetSources(null)
      const gone = await Promise.all(sources.map(resetSources))
      return gone.reduce((sum, n) => sum + n, 0)
    },
  }
}
