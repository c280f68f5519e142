/**
 * Repeated wrong passwords on Redis (the contract: ground/contract-passwords.ts): per bucket a hash
 * whose fields are the keyed hashes of its last wrong passwords (each valued with when it was
 * added) and a field `~` holding when they expire, the key itself expiring with them. Its name
 * (`<prefix>{<tag>}#w:<bucket key>`) carries the bucket's own hash tag, so that one script notes a
 * client's buckets atomically, on Redis Cluster too, and is never a bucket's, so listings and
 * resets of attempts skip it.
 */

import { createHash } from 'node:crypto'
import type { WrongPasswordStore } from '../../ground/contract-passwords.js'
import type { RedisCommands } from './client.js'
import type { KeyLayout } from './keys.js'
import { unlinkMatching } from './scan.js'

/**
 * KEYS: each bucket's hash. ARGV: now, window (ms), keep, then each bucket's password hash.
 * Answers 1 when some bucket holds its hash (nothing written), 0 after adding each.
 */
const NOTE = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local keep = tonumber(ARGV[3])
for i = 1, #KEYS do
  local untilMs = tonumber(redis.call('HGET', KEYS[i], '~'))
  if untilMs and untilMs > now and redis.call('HEXISTS', KEYS[i], ARGV[3 + i]) == 1 then
    return 1
  end
end
for i = 1, #KEYS do
  local untilMs = tonumber(redis.call('HGET', KEYS[i], '~'))
  if not untilMs or untilMs <= now then redis.call('DEL', KEYS[i]) end
  redis.call('HSET', KEYS[i], ARGV[3 + i], now, '~', now + window)
  local all = redis.call('HGETALL', KEYS[i])
  local rows = {}
  for j = 1, #all, 2 do
    if all[j] ~= '~' then rows[#rows + 1] = {all[j], tonumber(all[j + 1])} end
  end
  if #rows > keep then
    table.sort(rows, function(a, b) return a[2] < b[2] end)
    for j = 1, #rows - keep do redis.call('HDEL', KEYS[i], rows[j][1]) end
  end
  redis.call('PEXPIRE', KEYS[i], window)
end
return 0
`

/** The wrong-password store of a Redis handler. */
export function redisWrongPasswords(commands: RedisCommands, keys: KeyLayout): WrongPasswordStore {
  const keyOf = (bucket: string) => `${keys.tagOf(bucket)}#w:${bucket}`
  const sha = createHash('sha1').update(NOTE).digest('hex')

  return {
    async noteWrongPassword(input) {
      const { entries } = input
      const reply = await commands.evalsha(
        [
          'EVALSHA',
          sha,
          entries.length,
          ...entries.map(({ bucket }) => keyOf(bucket)),
          input.now,
          input.windowMs,
          input.keep,
          ...entries.map(({ hash }) => hash),
        ],
        NOTE,
        'noteWrongPassword',
      )
      return Number(reply) === 1
    },

    async resetWrongPasswords(bucket) {
      if (bucket !== null) {
        return Number(await commands.send(['UNLINK', keyOf(bucket)], 'resetWrongPasswords'))
      }
      const pattern = `${keys.scanPattern()}}#w:*`
      return (await unlinkMatching(commands, pattern, 'resetWrongPasswords')).length
    },
  }
}
