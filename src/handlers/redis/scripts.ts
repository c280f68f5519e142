/**
 * The Redis handler's Lua scripts. Every counting decision is one pass of `DECIDE_SCRIPT`, so that
 * reading, checking and writing every bucket of a client is one atomic step on the server (Redis
 * runs a script to the end before it serves another command). Decisions that the handler is asked
 * for in the same tick, under the same rule and hash tag, travel together in one call: each still
 * takes one round trip and is decided on its own, in order, but the call's fixed cost (the
 * command, the script's set-up, the client's promise) is paid once for all of them.
 *
 * It applies a `LockoutRule` exactly as `../../ground/rule.ts` does for the JavaScript handlers; the
 * conformance suite holds both to the same cases.
 *
 * A bucket is one string key holding seven little-endian doubles (Lua's `struct` format
 * `<ddddddd`, 56 bytes): failures, the last failure's time, places held by reservations in flight
 * and until when, when its lock lifts as of the last write (0: none, infinity: until reset), when
 * its failures expire (infinity: never), and when the key itself expires at the earliest (in the
 * server's clock, from TIME, so that an application server whose clock is off cannot make a key
 * expire early). One MGET reads a decision's buckets. A write sets the key's
 * expiry only when the one it has would come too early: then to what the rule needs (the later of
 * the failures' expiry, or the last failure plus the retention when they never expire, and the
 * places' deadline) plus some slack (an eighth of that, from 1 s up
 * to an hour); otherwise it overwrites the value in place (SETRANGE) and keeps the expiry. Redis
 * thus forgets a bucket at most that slack (and 2 s) after the rule would, and most writes skip
 * the expiry, which costs as much as the write. Binary, and every number that goes back to Redis is already text in ARGV, because in
 * Redis' Lua turning a number into text costs more than all the rest of a decision (measured: a
 * `f:l:h:hu:u:e` text value made the script 3× slower; a TTL passed as a number costs 0.7 µs).
 * A 48-byte value (the six doubles of earlier development builds) is read with an expiry unknown,
 * so its next write sets one. A reservation is a key of its own, `<tag>#r:<id>`, set on
 * reserve and deleted on settle.
 *
 * KEYS: each decision's buckets, then (reserve and settle) its reservation's key; all in one slot.
 * ARGV (text: a binary argument costs the client more than it saves here, and every argument
 * costs both sides, so they are few):
 *  1 the rule, its numbers separated by spaces: failure limit, cool-off in ms (-1: none), flags
 *  (one digit; 1: lock out at failure, 2: record locked attempts), reservation time in ms, a
 *  reservation key's TTL in ms, the retention in ms, then each tier's failures and cool-off, if
 *  any;
 * then per decision: its operation (`g` read, `r` reserve, `s` settle, `f` record a failure)
 * followed by its number of buckets (`f2`), and now (ms since the epoch; the core's clock, never
 * the server's); for settle two more: the outcome (`f` failure, `s` success, `c` cancel) and the
 * reservation's deadline.
 *
 * Returns three numbers per decision, `code, failures, lockedUntil`: code 0 reserved (or done),
 * 1 locked, 2 busy, 3 locked and recorded; lockedUntil -1 for none, -2 for until reset.
 */

import { createHash } from 'node:crypto'

export const DECIDE_SCRIPT = `
local limit, cooloff, flags, resTtl, resKeyTtl, retention, tiers = string.match(ARGV[1],
  '^(%S+) (%S+) (%S) (%S+) (%S+) (%S+)(.*)$')
limit, cooloff, retention = tonumber(limit), tonumber(cooloff), tonumber(retention)
local lockOut = flags == '1' or flags == '3'
local recordLocked = flags >= '2'
local ntiers = 0
local tf, tc
local window = cooloff
if tiers ~= '' then
  tf, tc = {}, {}
  if window < 0 then window = 0 end
  for failures, ms in string.gmatch(tiers, ' (%S+) (%S+)') do
    ntiers = ntiers + 1
    tf[ntiers] = tonumber(failures)
    tc[ntiers] = tonumber(ms)
    if tc[ntiers] > window then window = tc[ntiers] end
  end
end
local INF = math.huge
local FORMAT = '<ddddddd'
local now = 0

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

-- The server's clock in ms, read once a call when a write first needs it: a key's expiry is set
-- and compared in the server's time, so that an application server whose clock is off never makes
-- a key expire early.
local serverNow = nil

-- Writes a bucket (v: its stored value, false for none; ke: its key's expiry as stored): deletes
-- it when the rule keeps nothing, rewrites it in place when its expiry still covers what the rule
-- needs, else sets it with a later expiry. Failures that never expire (no cool-off) keep their key
-- for the retention after the last failure: every key has a TTL.
local function write(key, v, f, l, h, hu, u, ke)
  local expires = INF
  if window >= 0 then expires = l + window end
  local keep = 0
  if f > 0 then keep = expires end
  if keep == INF then keep = l + retention end
  if h > 0 and hu > keep then keep = hu end
  if keep <= now then
    if v then redis.call('DEL', key) end
  else
    if serverNow == nil then
      -- Whole seconds, rounded up: a later clock only sets an expiry a little sooner than needed.
      serverNow = tonumber(redis.call('TIME')[1]) * 1000 + 1000
    end
    local need = serverNow + (keep - now)
    if v and ke >= need and ke ~= INF then
      redis.call('SETRANGE', key, '0', struct.pack(FORMAT, f, l, h, hu, u, expires, ke))
    else
      local s = (keep - now) / 8
      if s > 3600000 then s = 3600000 elseif s < 1000 then s = 1000 end
      ke = math.ceil(need + s)
      -- PX, relative (PXAT needs Redis 6.2): serverNow runs up to a second ahead of the server's
      -- clock, so 2 s more keep the key's real expiry at or after the ke stored with it.
      redis.call('SET', key, struct.pack(FORMAT, f, l, h, hu, u, expires, ke), 'PX',
        string.format('%d', ke - serverNow + 2000))
    end
  end
end

-- A stored value's fields that still count as of now: failures, last failure, places held and
-- until when, and the key's expiry (0: unknown); v itself, or false when it holds no bucket.
local function read(v)
  if not v then return false, 0, 0, 0, 0, 0 end
  local f, l, h, hu, ke, _u, _e = 0, 0, 0, 0, 0, 0, 0
  local size = #v
  if size == 56 then
    f, l, h, hu, _u, _e, ke = struct.unpack(FORMAT, v)
  elseif size == 48 then
    f, l, h, hu = struct.unpack('<dddd', v)
  else
    return false, 0, 0, 0, 0, 0
  end
  if f > 0 and window >= 0 and now >= l + window then f = 0 end
  if not (h > 0 and hu > now) then h = 0 end
  return v, f, l, h, hu, ke
end

-- The buckets of a reserve, settle or read, one flat array, seven fields a bucket: failures
-- (current), last failure, places held (current), held until, the stored value (false: none),
-- when its lock lifts (0: not locked), and the key's expiry (0: unknown).
local S = {}
local first, n = 1, 0

-- Records a failure in each bucket; for an attempt refused by a lock (refused), only in those
-- that hold a value (the locked one among them): a refused attempt creates no key.
local function writeFailures(refused)
  for i = 1, n do
    local b = (i - 1) * 7
    if S[b + 5] or not refused then
      local f = S[b + 1] + 1
      S[b + 1] = f
      S[b + 2] = now
      S[b + 6] = liftOf(f, now) or 0
      write(KEYS[first + i - 1], S[b + 5], f, now, S[b + 3], S[b + 4], S[b + 6], S[b + 7])
    end
  end
end

-- Whether a bucket read into S is locked.
local function anyLocked()
  for b = 0, (n - 1) * 7, 7 do
    if S[b + 6] > now then return true end
  end
  return false
end

local out = {}
local a = 2
local nargs = #ARGV
-- A decision's operation and count of buckets, and its clock, as text: most decisions of a call
-- share them, and comparing two Lua strings costs less than reading them again.
local opText, nowText, op = nil, nil, nil
while a <= nargs do
  if ARGV[a] ~= opText then
    opText = ARGV[a]
    op = string.sub(opText, 1, 1)
    n = tonumber(string.sub(opText, 2))
  end
  if ARGV[a + 1] ~= nowText then
    nowText = ARGV[a + 1]
    now = tonumber(nowText)
  end
  local values = redis.call('MGET', unpack(KEYS, first, first + n - 1))
  local code, failures, lift = 0, 0, 0

  do
    for i = 1, n do
      local v, f, l, h, hu, ke = read(values[i])
      local b = (i - 1) * 7
      S[b + 1], S[b + 2], S[b + 3], S[b + 4], S[b + 5], S[b + 6], S[b + 7] =
        f, l, h, hu, v, liftOf(f, l) or 0, ke
    end
    if op == 'f' then
      writeFailures(anyLocked())
    elseif op == 'r' then
      if anyLocked() then
        if recordLocked then
          writeFailures(true)
          code = 3
        else
          code = 1
        end
      else
        if lockOut then
          for b = 0, (n - 1) * 7, 7 do
            local f = S[b + 1]
            local room = limit - f
            if f >= limit then room = 1 end
            if S[b + 3] >= room then code = 2 end
          end
        end
        if code == 0 then
          local deadline = now + tonumber(resTtl)
          for i = 1, n do
            local b = (i - 1) * 7
            S[b + 3] = S[b + 3] + 1
            if S[b + 4] < deadline then S[b + 4] = deadline end
            write(KEYS[first + i - 1], S[b + 5], S[b + 1], S[b + 2], S[b + 3], S[b + 4], S[b + 6],
              S[b + 7])
          end
          redis.call('SET', KEYS[first + n], '1', 'PX', resKeyTtl)
        end
      end
    elseif op == 's' then
      local outcome = ARGV[a + 2]
      if redis.call('DEL', KEYS[first + n]) == 1 then
        -- Its key outlives its deadline (twice the reservation time): past the deadline its place
        -- went with the bucket's held places (all go when the latest deadline passes) and may be a
        -- newer reservation's now, so only a settle in time gives one back.
        if tonumber(ARGV[a + 3]) > now then
          for b = 0, (n - 1) * 7, 7 do
            if S[b + 3] > 0 then S[b + 3] = S[b + 3] - 1 end
          end
        end
        if outcome == 'f' then
          writeFailures(false)
        else
          for i = 1, n do
            local b = (i - 1) * 7
            if S[b + 5] then
              write(KEYS[first + i - 1], S[b + 5], S[b + 1], S[b + 2], S[b + 3], S[b + 4],
                S[b + 6], S[b + 7])
            end
          end
        end
      elseif outcome == 'f' and tonumber(ARGV[a + 3]) <= now then
        -- The reservation lapsed (its key is gone) before a wrong password was settled: it
        -- still counts, once.
        writeFailures(false)
      end
    elseif op ~= 'g' then
      return redis.error_reply('node-axes: unknown operation ' .. tostring(op))
    end
    for b = 0, (n - 1) * 7, 7 do
      if S[b + 1] > failures then failures = S[b + 1] end
      local u = S[b + 6]
      if u > now and u > lift then lift = u end
    end
  end

  local encoded = -1
  if lift == INF then encoded = -2 elseif lift > 0 then encoded = lift end
  local o = #out
  out[o + 1], out[o + 2], out[o + 3] = code, failures, encoded

  first = first + n
  if op == 'r' then
    first = first + 1
    a = a + 2
  elseif op == 's' then
    first = first + 1
    a = a + 4
  else
    a = a + 2
  end
end
return out
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
if not v or (#v ~= 56 and #v ~= 48) then return false end
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
if not v or (#v ~= 56 and #v ~= 48) then return 0 end
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
