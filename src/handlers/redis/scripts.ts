/**
 * The Redis handler's Lua scripts. Every counting decision is one call of `DECIDE_SCRIPT`, so that
 * reading, checking and writing every bucket of a client is one atomic step on the server (Redis
 * runs a script to the end before it serves another command) and one round trip on the network.
 *
 * It applies a `LockoutRule` exactly as `../rule.ts` does for the JavaScript handlers; the
 * conformance suite holds both to the same cases.
 *
 * A bucket is one string key holding six little-endian doubles (Lua's `struct` format
 * `<dddddd`, 48 bytes): failures, the last failure's time, places held by reservations in flight
 * and until when, when its lock lifts as of the last write (0: none, infinity: until reset), and
 * when its failures expire (infinity: never); the last two are for listings. One MGET reads every
 * bucket and one SET … PX writes each with its TTL: the later of its failures' expiry and its
 * places' deadline, so Redis forgets a bucket when the rule would. Binary, because in Redis' Lua
 * turning a number into text costs more than all the rest of a decision (measured: a
 * `f:l:h:hu:u:e` text value made the script 3× slower). A reservation is a key of its own,
 * `<tag>#r:<id>`, set on reserve and deleted on settle.
 *
 * KEYS: the client's buckets, then (reserve and settle) the reservation's key; all in one slot.
 * ARGV:
 *  1 operation: `g` read, `r` reserve, `s` settle, `f` record a failure
 *  2 now (ms since the epoch; the core's clock, never the server's)
 *  3 failure limit, 4 cool-off in ms (-1: none), 5 flags (1: lock out at failure, 2: record locked
 *  attempts), 6 reservation time in ms, 7 number of tiers, then each tier's failures and cool-off
 *  then, for settle: the outcome (`f` failure, `s` success, `c` cancel) and the reservation's
 *  deadline
 *
 * Returns `{code, failures, lockedUntil}`: code 0 reserved (or done), 1 locked, 2 busy, 3 locked
 * and recorded; lockedUntil -1 for none, -2 for until reset.
 */

import { createHash } from 'node:crypto'

export const DECIDE_SCRIPT = `
local op = ARGV[1]
local now = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local cooloff = tonumber(ARGV[4])
local flags = tonumber(ARGV[5])
local lockOut = flags % 2 == 1
local recordLocked = flags >= 2
local resTtl = tonumber(ARGV[6])
local ntiers = tonumber(ARGV[7])
local tf, tc
local window = cooloff
if ntiers > 0 then
  tf, tc = {}, {}
  if window < 0 then window = 0 end
  for i = 1, ntiers do
    tf[i] = tonumber(ARGV[6 + 2 * i])
    tc[i] = tonumber(ARGV[7 + 2 * i])
    if tc[i] > window then window = tc[i] end
  end
end
local extra = 8 + 2 * ntiers
local n = #KEYS
if op == 'r' or op == 's' then n = n - 1 end
local INF = math.huge
local FORMAT = '<dddddd'

-- When a bucket with f failures, the last at l, is unlocked (nil), or its lock lifts.
local function liftOf(f, l)
  if (not lockOut) or f < limit then return nil end
  local d = cooloff
  if ntiers > 0 then
    d = tc[1]
    for i = 1, ntiers do
      if tf[i] <= f then d = tc[i] else break end
    end
  end
  if d < 0 then return INF end
  return l + d
end

-- One flat array, presized for two buckets, six fields a bucket: failures (current), last
-- failure, places held (current), held until, the stored value (false: none), and when its lock
-- lifts (0: not locked).
local S = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
local values = redis.call('MGET', unpack(KEYS, 1, n))
for i = 1, n do
  local v = values[i]
  local f, l, h, hu = 0, 0, 0, 0
  if v and #v == 48 then
    f, l, h, hu = struct.unpack(FORMAT, v)
  end
  if f > 0 and window >= 0 and now >= l + window then f = 0 end
  if not (h > 0 and hu > now) then h = 0 end
  local b = (i - 1) * 6
  S[b + 1], S[b + 2], S[b + 3], S[b + 4], S[b + 5], S[b + 6] = f, l, h, hu, v, liftOf(f, l) or 0
end

local function answer(code)
  local failures, lift = 0, 0
  for b = 0, (n - 1) * 6, 6 do
    if S[b + 1] > failures then failures = S[b + 1] end
    local u = S[b + 6]
    if u > now and u > lift then lift = u end
  end
  local encoded = -1
  if lift == INF then encoded = -2 elseif lift > 0 then encoded = lift end
  return {code, failures, encoded}
end

local function store(i)
  local b = (i - 1) * 6
  local f, l, h, hu = S[b + 1], S[b + 2], S[b + 3], S[b + 4]
  local expires = INF
  if window >= 0 then expires = l + window end
  local keep = 0
  if f > 0 then keep = expires end
  if h > 0 and hu > keep then keep = hu end
  local value = struct.pack(FORMAT, f, l, h, hu, S[b + 6], expires)
  if keep == INF then
    redis.call('SET', KEYS[i], value)
  elseif keep > now then
    redis.call('SET', KEYS[i], value, 'PX', math.ceil(keep - now))
  else
    redis.call('DEL', KEYS[i])
  end
end

local function writeFailures()
  for i = 1, n do
    local b = (i - 1) * 6
    local f = S[b + 1] + 1
    S[b + 1] = f
    S[b + 2] = now
    S[b + 6] = liftOf(f, now) or 0
    store(i)
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
  local locked = false
  for b = 0, (n - 1) * 6, 6 do
    if S[b + 6] > now then locked = true end
  end
  if locked then
    if not recordLocked then return answer(1) end
    writeFailures()
    return answer(3)
  end
  if lockOut then
    for b = 0, (n - 1) * 6, 6 do
      local f = S[b + 1]
      local room = limit - f
      if f >= limit then room = 1 end
      if S[b + 3] >= room then return answer(2) end
    end
  end
  local deadline = now + resTtl
  for i = 1, n do
    local b = (i - 1) * 6
    S[b + 3] = S[b + 3] + 1
    if S[b + 4] < deadline then S[b + 4] = deadline end
    store(i)
  end
  redis.call('SET', KEYS[n + 1], '1', 'PX', math.max(1, math.ceil(resTtl * 2)))
  return answer(0)
end

if op == 's' then
  local outcome = ARGV[extra]
  if redis.call('DEL', KEYS[n + 1]) == 1 then
    for i = 1, n do
      local b = (i - 1) * 6
      if S[b + 3] > 0 then S[b + 3] = S[b + 3] - 1 end
      if S[b + 5] and outcome ~= 'f' then store(i) end
    end
  elseif outcome ~= 'f' or tonumber(ARGV[extra + 1]) > now then
    return answer(0)
  end
  if outcome == 'f' then writeFailures() end
  return answer(0)
end

return redis.error_reply('node-axes: unknown operation ' .. tostring(op))
`

/** The SHA-1 of `DECIDE_SCRIPT`, as EVALSHA names it. */
export const DECIDE_SHA = createHash('sha1').update(DECIDE_SCRIPT).digest('hex')

/**
 * Reads one bucket for a listing: its failures, last failure, lock lift and expiry as text
 * (`inf` for infinity), or nil when the key holds no bucket. Text here because listings are rare
 * and Redis turns Lua numbers into integers (and infinity into nonsense).
 */
export const READ_SCRIPT = `
local v = redis.call('GET', KEYS[1])
if not v or #v ~= 48 then return false end
local f, l, _, _, u, e = struct.unpack('<dddddd', v)
local function text(x)
  if x == math.huge then return 'inf' end
  return string.format('%.17g', x)
end
return {text(f), text(l), text(u), text(e)}
`

/** The SHA-1 of `READ_SCRIPT`. */
export const READ_SHA = createHash('sha1').update(READ_SCRIPT).digest('hex')

/**
 * Deletes a bucket whose failures have expired as of ARGV[1] (the core's clock): read and delete in
 * one step, so that a failure recorded in between is never swept away. Returns 1 when it deleted.
 */
export const CLEAN_SCRIPT = `
local v = redis.call('GET', KEYS[1])
if not v or #v ~= 48 then return 0 end
local f, _, h, hu, _, e = struct.unpack('<dddddd', v)
local now = tonumber(ARGV[1])
if e <= now and not (h > 0 and hu > now) then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`

/** The SHA-1 of `CLEAN_SCRIPT`. */
export const CLEAN_SHA = createHash('sha1').update(CLEAN_SCRIPT).digest('hex')
