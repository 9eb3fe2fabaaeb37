"""The Redis backend's two Lua scripts: the same arithmetic as ``gcra`` and ``InProcessBackend``,
run atomically with Redis's own clock (``TIME``). Keep them in step with the Python.

``LUA_ADMIT`` checks every rate, budget and concurrency cap of one call and takes them all, or
nothing; its arguments and its one-string answer are laid out in ``wire``. ``LUA_SETTLE``
applies settlements: any number of rate corrections, budget corrections and lease releases
(several calls' worth, batched), in order.
"""

from __future__ import annotations

from spacegate.limits.gcra import EPOCH, EPS

_LUA_PRELUDE = f"""
local t = redis.call('TIME')
local now = (tonumber(t[1]) - {EPOCH}) + tonumber(t[2]) / 1000000
local nr, nb, nl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local a = 5
local function fmt(v) return string.format('%.17g', v) end
local function whole(v) local w = math.floor(v + 1e-6) if w < 0 then return 0 end return w end
"""

LUA_ADMIT = (
    _LUA_PRELUDE
    + f"""
local dry = ARGV[4] == '1'
-- Arguments: what the plan fixes first (a), then what each call brings (v).
local v = 5 + 2 * nr + nb + 2 * nl
local out = {{'ok'}}
local n = 1
local ok = true
local new_tats, ttls, missing = {{}}, {{}}, {{}}
-- Every rate's TAT and every budget's total in one call.
local held = {{}}
if nr + nb > 0 then held = redis.call('MGET', unpack(KEYS, 1, nr + nb)) end
for i = 1, nr do
  local limit, period, cost = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[v])
  a = a + 2
  v = v + 1
  local interval = period / limit
  if cost > limit then cost = limit end
  local tat = tonumber(held[i])
  local base = now
  if tat and tat > now then base = tat end
  local new_tat = base + cost * interval
  local allow_at = new_tat - period
  local before = whole((period - (base - now)) / interval)
  if allow_at > now + {EPS} then
    ok = false
    out[n + 1], out[n + 2], out[n + 3] = '0', before, before
    out[n + 4], out[n + 5] = fmt(allow_at - now), fmt(base - now)
  else
    new_tats[i] = new_tat
    out[n + 1], out[n + 2] = '1', whole((period - (new_tat - now)) / interval)
    out[n + 3], out[n + 4], out[n + 5] = before, '0', fmt(new_tat - now)
  end
  n = n + 5
end
local totals = {{}}
for j = 1, nb do
  local limit = tonumber(ARGV[a])
  local cost, seed, ttl = tonumber(ARGV[v]), ARGV[v + 1], ARGV[v + 2]
  a = a + 1
  v = v + 3
  ttls[j] = ttl
  local used = tonumber(held[nr + j])
  if used == nil then
    if seed == '' then
      table.insert(missing, tostring(j - 1))
      used = 0
    else
      used = tonumber(seed)
    end
  end
  totals[j] = used + cost
  local fits = used + cost <= limit + 1e-9
  if not fits then ok = false end
  out[n + 1], out[n + 2] = fits and '1' or '0', fmt(used)
  n = n + 2
end
local lkey
if nl == 1 then
  lkey = KEYS[nr + nb + 1]
  local cap = tonumber(ARGV[a])
  redis.call('ZREMRANGEBYSCORE', lkey, '-inf', now)
  local free = redis.call('ZCARD', lkey) < cap
  if not free then ok = false end
  n = n + 1
  out[n] = free and '1' or '0'
end
if #missing > 0 then
  out[1] = 'seed'
  for _, m in ipairs(missing) do n = n + 1 out[n] = m end
  return table.concat(out, ' ')
end
if not ok then out[1] = 'no' return table.concat(out, ' ') end
if dry then return table.concat(out, ' ') end
for i = 1, nr do
  redis.call('SET', KEYS[i], fmt(new_tats[i]), 'PX', math.ceil((new_tats[i] - now) * 1000) + 1000)
end
for j = 1, nb do
  redis.call('SET', KEYS[nr + j], fmt(totals[j]), 'EX', ttls[j])
end
if nl == 1 then
  local lease_s = tonumber(ARGV[a + 1])
  redis.call('ZADD', lkey, now + lease_s, ARGV[v])
  redis.call('PEXPIRE', lkey, math.ceil(lease_s * 1000) + 1000)
end
return table.concat(out, ' ')
"""
)

LUA_SETTLE = (
    _LUA_PRELUDE
    + """
for i = 1, nr do
  local limit, period, delta = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  a = a + 3
  local interval = period / limit
  local tat = tonumber(redis.call('GET', KEYS[i]))
  local new_tat = nil
  if delta > 0 then
    if tat == nil or tat < now then tat = now end
    new_tat = tat + delta * interval
  elseif tat ~= nil then
    new_tat = math.max(tat + delta * interval, now)
  end
  if new_tat ~= nil then
    redis.call('SET', KEYS[i], fmt(new_tat), 'PX', math.ceil((new_tat - now) * 1000) + 1000)
  end
end
for j = 1, nb do
  local delta = tonumber(ARGV[a])
  a = a + 2
  if redis.call('EXISTS', KEYS[nr + j]) == 1 then
    local held = tonumber(redis.call('GET', KEYS[nr + j]))
    redis.call('SET', KEYS[nr + j], fmt(held + delta), 'KEEPTTL')
  end
end
for k = 1, nl do redis.call('ZREM', KEYS[nr + nb + k], ARGV[a + k - 1]) end
return 1
"""
)
