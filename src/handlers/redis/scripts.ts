/**
 * The Redis handler's Lua script: every counting decision is one call of it, so that reading,
 * checking and writing every bucket of a client is one atomic step on the server (Redis runs a
 * script to the end before it serves another command) and one round trip on the network.
 *
 * It applies a `LockoutRule` exactly as `../rule.ts` does for the JavaScript handlers; the
 * conformance suite holds both to the same cases.
 *
 * A bucket is one string key holding `f:l:h:hu:u:e`: failures, the last failure's time, places
 * held by reservations in flight and until when, when its lock lifts as of the last write (`0`
 * none, `inf` until reset), and when its failures expire (`inf`: never); the last two are for
 * listings. One MGET reads every bucket and
 * one SET … PX writes each with its TTL: the later of its failures' expiry and its places' deadline,
 * so Redis forgets a bucket when the rule would. (A hash per bucket costs twice the commands.)
 * A reservation is a key of its own, `<tag>#r:<id>`, set on reserve and deleted on settle.
 *
 * KEYS: the client's buckets, then (reserve and settle) the reservation's key; all in one slot.
 * ARGV:
 *  1 operation: `g` read, `r` reserve, `s` settle, `f` record a failure
 *  2 now (ms since the epoch; the core's clock, never the server's)
 *  3 failure limit, 4 cool-off in ms (-1: none), 5 flags (1: lock out at failure, 2: record locked
 *  attempts), 6 reservation time in ms, 7 number of tiers, then each tier's failures and cool-off
 *  then, as text, so that the script formats no number (Lua's number-to-text conversion is the
 *  costliest thing it would do): when failures recorded now expire (`inf`: never), the deadline
 *  of a reservation made now, and when a lock that starts now lifts: one value, or one per tier
 *  then, for settle: the outcome (`f` failure, `s` success, `c` cancel) and the reservation's
 *  deadline
 *
 * Returns `{code, failures, lockedUntil}`: code 0 reserved (or done), 1 locked, 2 busy, 3 locked
 * and recorded; lockedUntil -1 for none, -2 for until reset.
 */

import { createHash } from 'node:crypto'

/** The script's source. */
export const DECIDE_SCRIPT = `
local op = ARGV[1]
local nowText = ARGV[2]
local now = tonumber(nowText)
local limit = tonumber(ARGV[3])
local cooloff = tonumber(ARGV[4])
local flags = tonumber(ARGV[5])
local lockOut = flags % 2 == 1
local recordLocked = flags >= 2
local resTtl = tonumber(ARGV[6])
local ntiers = tonumber(ARGV[7])
local tf, tc = {}, {}
local window = cooloff
if ntiers > 0 then
  if window < 0 then window = 0 end
  for i = 1, ntiers do
    tf[i] = tonumber(ARGV[6 + 2 * i])
    tc[i] = tonumber(ARGV[7 + 2 * i])
    if tc[i] > window then window = tc[i] end
  end
end
local at = 8 + 2 * ntiers
local expiresText = ARGV[at]
local deadlineText = ARGV[at + 1]
local liftAt = at + 2
local extra = liftAt + math.max(ntiers, 1)
local n = #KEYS
if op == 'r' or op == 's' then n = n - 1 end

-- The tier reached with f failures (0: below the limit, or no lock at all).
local function tierOf(f)
  if (not lockOut) or f < limit then return 0 end
  if ntiers == 0 then return 1 end
  local reached = 1
  for i = 1, ntiers do
    if tf[i] <= f then reached = i else break end
  end
  return reached
end

local function liftOf(f, l)
  local t = tierOf(f)
  if t == 0 then return nil end
  local d = cooloff
  if ntiers > 0 then d = tc[t] end
  if d < 0 then return math.huge end
  return l + d
end

-- Per bucket: numbers to decide with, and the text of each stored field to write back.
local F, L, H, HU, LT, HT, UT, ET, EXISTS = {}, {}, {}, {}, {}, {}, {}, {}, {}
local values = redis.call('MGET', unpack(KEYS, 1, n))
for i = 1, n do
  local v = values[i]
  local f, l, h, hu = 0, 0, 0, 0
  local lt, ht, ut, et = '0', '0', '0', '0'
  if v then
    local a, b, c, d, e, g = string.match(v, '^([^:]+):([^:]+):([^:]+):([^:]+):([^:]+):([^:]+)$')
    if a then
      f = tonumber(a) or 0
      l = tonumber(b) or 0
      h = tonumber(c) or 0
      hu = tonumber(d) or 0
      lt, ht, ut, et = b, d, e, g
    end
  end
  if f > 0 and window >= 0 and now >= l + window then f = 0 end
  if not (h > 0 and hu > now) then h = 0 end
  F[i], L[i], H[i], HU[i] = f, l, h, hu
  LT[i], HT[i], UT[i], ET[i] = lt, ht, ut, et
  EXISTS[i] = v
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

local function store(i)
  local until_ = 0
  local forever = false
  if F[i] > 0 then
    if window < 0 then forever = true else until_ = L[i] + window end
  end
  if H[i] > 0 and HU[i] > until_ then until_ = HU[i] end
  local value = F[i] .. ':' .. LT[i] .. ':' .. H[i] .. ':' .. HT[i] .. ':' .. UT[i] .. ':' .. ET[i]
  if forever then
    redis.call('SET', KEYS[i], value)
  elseif until_ > now then
    redis.call('SET', KEYS[i], value, 'PX', math.ceil(until_ - now))
  else
    redis.call('DEL', KEYS[i])
  end
end

local function writeFailures()
  for i = 1, n do
    local f = F[i] + 1
    F[i] = f
    L[i] = now
    LT[i] = nowText
    ET[i] = expiresText
    local t = tierOf(f)
    if t == 0 then
      UT[i] = '0'
    elseif ntiers == 0 and cooloff < 0 then
      UT[i] = 'inf'
    else
      UT[i] = ARGV[liftAt + t - 1]
    end
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
    if HU[i] < deadline then
      HU[i] = deadline
      HT[i] = deadlineText
    end
    store(i)
  end
  redis.call('SET', KEYS[n + 1], '1', 'PX', math.max(1, math.ceil(resTtl * 2)))
  return answer(0)
end

if op == 's' then
  local outcome = ARGV[extra]
  if redis.call('DEL', KEYS[n + 1]) == 1 then
    for i = 1, n do
      if H[i] > 0 then H[i] = H[i] - 1 end
      if EXISTS[i] and outcome ~= 'f' then store(i) end
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
