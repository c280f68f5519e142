/**
 * The Redis handler's Lua script: every counting decision is one call of it, so that reading,
 * checking and writing every bucket of a client is one atomic step on the server (Redis runs a
 * script to the end before it serves another command) and one round trip on the network.
 *
 * It applies a `LockoutRule` exactly as `../rule.ts` does for the JavaScript handlers; the
 * conformance suite holds both to the same cases.
 *
 * KEYS: the client's bucket hashes, then its reservations sorted set (all in one hash slot).
 * ARGV:
 *  1 operation: `g` read, `r` reserve, `s` settle, `f` record a failure
 *  2 now (ms since the epoch; the core's clock, never the server's)
 *  3 reservation id (`r`, `s`)
 *  4 settle outcome: `f` failure, `s` success, `c` cancel
 *  5 the reservation's deadline (`s`)
 *  6 failure limit, 7 cool-off in ms (-1: none), 8 lock out at failure (1/0),
 *  9 record locked attempts (1/0), 10 reservation time in ms, 11 number of tiers,
 *  12… each tier's failures and cool-off in ms
 *
 * A bucket hash holds `f` failures, `l` the last failure's time, `u` when its lock lifts as of the
 * last write (`0` none, `inf` until reset), `e` when its failures expire (`inf`: never), `h` places
 * held by reservations in flight and `hu` until when. Its TTL is the later of its failures'
 * expiry and its places' deadline: Redis forgets a bucket when the rule would.
 *
 * Returns `{code, failures, lockedUntil}`: code 0 reserved (or done), 1 locked, 2 busy, 3 locked
 * and recorded; lockedUntil -1 for none, -2 for until reset.
 */

import { createHash } from 'node:crypto'

/** The script's source. */
export const DECIDE_SCRIPT = `
local op = ARGV[1]
local now = tonumber(ARGV[2])
local limit = tonumber(ARGV[6])
local cooloff = tonumber(ARGV[7])
local lockOut = ARGV[8] == '1'
local recordLocked = ARGV[9] == '1'
local resTtl = tonumber(ARGV[10])
local ntiers = tonumber(ARGV[11])
local tf, tc = {}, {}
local window = cooloff
if ntiers > 0 then
  if window < 0 then window = 0 end
  for i = 1, ntiers do
    tf[i] = tonumber(ARGV[10 + 2 * i])
    tc[i] = tonumber(ARGV[11 + 2 * i])
    if tc[i] > window then window = tc[i] end
  end
end
local n = #KEYS - 1
local reservations = KEYS[#KEYS]

local function liftOf(f, l)
  if (not lockOut) or f < limit then return nil end
  local d = cooloff
  if ntiers > 0 then
    d = tc[1]
    for i = 1, ntiers do
      if tf[i] <= f then d = tc[i] else break end
    end
  end
  if d < 0 then return math.huge end
  return l + d
end

local F, L, H, HU = {}, {}, {}, {}
for i = 1, n do
  local v = redis.call('HMGET', KEYS[i], 'f', 'l', 'h', 'hu')
  local f = tonumber(v[1]) or 0
  local l = tonumber(v[2]) or 0
  if f > 0 and window >= 0 and now >= l + window then f = 0 end
  F[i] = f
  L[i] = l
  local h = tonumber(v[3]) or 0
  local hu = tonumber(v[4]) or 0
  if h > 0 and hu > now then H[i] = h else H[i] = 0 end
  HU[i] = hu
end

local function answer(code)
  local failures, lift = 0, nil
  for i = 1, n do
    if F[i] > failures then failures = F[i] end
    local u = liftOf(F[i], L[i])
    if u and u > now and ((not lift) or u > lift) then lift = u end
  end
  local encoded = -1
  if lift == math.huge then encoded = -2 elseif lift then encoded = lift end
  return {code, failures, encoded}
end

local function locked()
  for i = 1, n do
    local u = liftOf(F[i], L[i])
    if u and u > now then return true end
  end
  return false
end

local function expire(i)
  local at = 0
  local forever = false
  if F[i] > 0 then
    if window < 0 then forever = true else at = L[i] + window end
  end
  if H[i] > 0 and HU[i] > at then at = HU[i] end
  if forever then
    redis.call('PERSIST', KEYS[i])
  elseif at > now then
    redis.call('PEXPIRE', KEYS[i], math.ceil(at - now))
  else
    redis.call('DEL', KEYS[i])
  end
end

local function writeFailures()
  local e = 'inf'
  if window >= 0 then e = now + window end
  for i = 1, n do
    F[i] = F[i] + 1
    L[i] = now
    local u = liftOf(F[i], now)
    if u == nil then u = 0 elseif u == math.huge then u = 'inf' end
    redis.call('HSET', KEYS[i], 'f', F[i], 'l', now, 'u', u, 'e', e)
    expire(i)
  end
end

if op == 'g' then
  return answer(0)
end

if op == 'f' then
  writeFailures()
  return answer(0)
end

if op == 'r' then
  if locked() then
    if not recordLocked then return answer(1) end
    writeFailures()
    return answer(3)
  end
  if lockOut then
    for i = 1, n do
      local room = limit - F[i]
      if F[i] >= limit then room = 1 end
      if H[i] >= room then return answer(2) end
    end
  end
  local deadline = now + resTtl
  for i = 1, n do
    H[i] = H[i] + 1
    if HU[i] < deadline then HU[i] = deadline end
    redis.call('HSET', KEYS[i], 'h', H[i], 'hu', HU[i])
    expire(i)
  end
  redis.call('ZADD', reservations, deadline, ARGV[3])
  redis.call('ZREMRANGEBYSCORE', reservations, '-inf', now - resTtl)
  redis.call('PEXPIRE', reservations, math.max(1, math.ceil(resTtl * 2)))
  return answer(0)
end

if op == 's' then
  if redis.call('ZREM', reservations, ARGV[3]) == 1 then
    for i = 1, n do
      local h = tonumber(redis.call('HGET', KEYS[i], 'h')) or 0
      if h > 0 then redis.call('HSET', KEYS[i], 'h', h - 1) end
      if H[i] > 0 then H[i] = H[i] - 1 end
    end
  elseif ARGV[4] ~= 'f' or tonumber(ARGV[5]) > now then
    return answer(0)
  end
  if ARGV[4] == 'f' then writeFailures() end
  return answer(0)
end

return redis.error_reply('node-axes: unknown operation ' .. tostring(op))
`

/** The SHA-1 of `DECIDE_SCRIPT`, as EVALSHA names it. */
export const DECIDE_SHA = createHash('sha1').update(DECIDE_SCRIPT).digest('hex')
