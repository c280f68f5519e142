/**
 * Spray detection's sources on Redis (the contract: ground/contract-sources.ts): per source a
 * sorted set of the username hashes it failed on (scored by the time of the last failure, expiring
 * with the window) and a lock key holding when the lock lifts (expiring with the cool-off), both
 * under one hash tag so that one script changes them atomically, on Redis Cluster too. Their names
 * (`<prefix>{…}#s:<source>`, `#l:`) are never a bucket's, so listings and resets of attempts skip
 * them.
 */

import { createHash } from 'node:crypto'
import type { SourceStore } from '../../ground/contract-sources.js'
import type { RedisCommands } from './client.js'
import type { KeyLayout } from './keys.js'
import { unlinkMatching } from './scan.js'

/**
 * KEYS: the set, the lock. ARGV: username, now, since, limit, cool-off (ms), window (ms).
 * Answers `{0, until}` when locked already, `{1, until}` when this failure locked it, `{2, n}`
 * with the distinct usernames otherwise.
 */
const NOTE = `
local locked = tonumber(redis.call('GET', KEYS[2]))
local now = tonumber(ARGV[2])
if locked and locked > now then return {0, locked} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
redis.call('ZADD', KEYS[1], now, ARGV[1])
local n = redis.call('ZCARD', KEYS[1])
if n > tonumber(ARGV[4]) then
  redis.call('DEL', KEYS[1])
  local untilMs = now + tonumber(ARGV[5])
  redis.call('SET', KEYS[2], untilMs, 'PX', ARGV[5])
  return {1, untilMs}
end
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return {2, n}
`

/** The source store of a Redis handler. */
export function redisSources(commands: RedisCommands, keys: KeyLayout): SourceStore {
  const tag = (source: string) =>
    keys.single ? `${keys.prefix}{all}` : `${keys.prefix}{s:${source}}`
  const setKey = (source: string) => `${tag(source)}#s:${source}`
  const lockKey = (source: string) => `${tag(source)}#l:${source}`
  const sha = createHash('sha1').update(NOTE).digest('hex')

  return {
    async sourceLockedUntil(source, now) {
      const value = Number(await commands.send(['GET', lockKey(source)], 'sourceLockedUntil'))
      return Number.isFinite(value) && value > now ? value : null
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

    async resetSources(source) {
      if (source !== null) {
        const gone = Number(
          await commands.send(['UNLINK', setKey(source), lockKey(source)], 'resetSources'),
        )
        return gone > 0 ? 1 : 0
      }
      const pattern = `${keys.scanPattern()}}#[sl]:*`
      const sources = new Set<string>()
      for (const key of await unlinkMatching(commands, pattern, 'resetSources')) {
        sources.add(key.slice(key.indexOf('}#') + 4))
      }
      return sources.size
    },
  }
}
