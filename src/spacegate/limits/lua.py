"""The Redis backend's Lua script: the same arithmetic as ``gcra`` and ``InProcessBackend``, run
atomically with Redis's own clock (``TIME``). Keep it in step with the Python.

``LUA_BATCH`` runs one org's share of a pipeline (every key carries the org's hash tag, so one
Redis Cluster slot): first the settlements queued for that org (rate corrections, budget
corrections, lease releases, in order), then any number of checks, one after the other in the
order they were queued. Each check tests every rate, budget and concurrency cap of its call and
takes them all, or nothing, exactly as if it ran alone after the checks before it: the state it
sees includes what they took. What the batch shares is the work around the arithmetic: one
``TIME``, one ``MGET`` for every rate and budget key it touches, and one ``SET`` per key it
changed, at the end (a key taken by 30 checks is written once, with what the 30th left).

Layout (``wire`` builds it): ``KEYS`` are the settlements' rate, budget and lease keys, then
each plan's rate, budget and lease keys (a *plan* is what checks made from the same limits share:
their keys, counts, rates, limits and caps, sent and parsed once per batch however many checks
use it). ``ARGV`` starts with the settlements' counts of rates, budgets and leases, the number of
plans and the number of checks; then the settlements' arguments (``limit, period, delta`` per
rate, ``delta`` per budget, the lease id per lease); then each plan: ``nr, nb, nl, dry``,
``limit, period`` per rate, the limit per budget, ``cap, lease_s`` for a lease; then each check:
its plan's number, then what the call brings (the cost per rate; ``cost, seed, ttl`` per budget;
the lease id). The answer is one string per check, joined by newlines, each laid out as
``wire.parse_admit`` reads it.
"""

from __future__ import annotations

from spacegate.limits.gcra import EPOCH, EPS

LUA_BATCH = f"""
local t = redis.call('TIME')
local now = (tonumber(t[1]) - {EPOCH}) + tonumber(t[2]) / 1000000
local function fmt(v) return string.format('%.17g', v) end
local snr, snb, snl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local np, nc = tonumber(ARGV[4]), tonumber(ARGV[5])

-- Every rate and budget key of the batch is read once (leases are sorted sets, read apart).
local vals, order, seen = {{}}, {{}}, {{}}
local function want(k) if not seen[k] then seen[k] = true order[#order + 1] = k end end
for i = 1, snr + snb do want(KEYS[i]) end
local plans = {{}}
local k, a = snr + snb + snl, 6 + 3 * snr + snb + snl
for q = 1, np do
  local nr, nb, nl = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  local plan = {{nr = nr, nb = nb, nl = nl, dry = ARGV[a + 3] == '1', k = k,
                limits = {{}}, periods = {{}}, intervals = {{}}, budgets = {{}}}}
  a = a + 4
  for i = 1, nr do
    local limit, period = tonumber(ARGV[a]), tonumber(ARGV[a + 1])
    plan.limits[i], plan.periods[i], plan.intervals[i] = limit, period, period / limit
    a = a + 2
  end
  for j = 1, nb do plan.budgets[j] = tonumber(ARGV[a]) a = a + 1 end
  if nl == 1 then
    plan.cap, plan.lease_s = tonumber(ARGV[a]), tonumber(ARGV[a + 1])
    a = a + 2
  end
  for i = k + 1, k + nr + nb do want(KEYS[i]) end
  k = k + nr + nb + nl
  plans[q] = plan
end
local checks_at = a
-- A rate key holds 'TAT interval' (the interval it was computed under), a budget key a total.
local ivs = {{}}
for s = 1, #order, 500 do
  local e = math.min(s + 499, #order)
  local got = redis.call('MGET', unpack(order, s, e))
  for i = s, e do
    local raw, key = got[i - s + 1], order[i]
    local sp = raw and string.find(raw, ' ', 1, true)
    if sp then
      vals[key], ivs[key] = tonumber(string.sub(raw, 1, sp - 1)), tonumber(string.sub(raw, sp + 1))
    else
      vals[key] = raw and tonumber(raw) or false
    end
  end
end

-- What changed, written once at the end: 'r' a TAT (and its interval), 'k' a total keeping its
-- TTL, 'e' a total with ttl[key] seconds to live.
local how, ttl, dirty = {{}}, {{}}, {{}}
local function mark(key, m) if not how[key] then dirty[#dirty + 1] = key end how[key] = m end
-- A rate key's TAT under this interval: one stored under another limit is rescaled (gcra.rescale)
-- and written back so.
local function tat_of(key, interval, period)
  local tat, was = vals[key], ivs[key]
  if tat and was and was ~= interval then
    local ahead = tat - now
    ivs[key] = interval
    if ahead > 0 then  -- (a full bucket is full under any limit)
      local scaled, cap = ahead * interval / was, period
      if ahead > cap then cap = ahead end
      if scaled > cap then scaled = cap end
      tat = now + scaled
      vals[key] = tat
      mark(key, 'r')
    end
  end
  return tat
end
local counts = {{}}
local function held(key)
  local c = counts[key]
  if c == nil then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
    c = redis.call('ZCARD', key)
    counts[key] = c
  end
  return c
end

-- Settlements.
a = 6
for i = 1, snr do
  local key = KEYS[i]
  local limit, period, delta = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  a = a + 3
  local interval = period / limit
  local tat = tat_of(key, interval, period)
  local new_tat = nil
  if delta > 0 then
    if not tat or tat < now then tat = now end
    new_tat = tat + delta * interval
  elseif tat then
    new_tat = math.max(tat + delta * interval, now)
  end
  if new_tat ~= nil then vals[key], ivs[key] = new_tat, interval mark(key, 'r') end
end
for j = 1, snb do
  local key = KEYS[snr + j]
  local delta = tonumber(ARGV[a])
  a = a + 1
  if vals[key] then
    vals[key] = vals[key] + delta
    if how[key] ~= 'e' then mark(key, 'k') end
  end
end
for l = 1, snl do
  local key = KEYS[snr + snb + l]
  local gone = redis.call('ZREM', key, ARGV[a])
  a = a + 1
  if counts[key] ~= nil then counts[key] = counts[key] - gone end
end

-- Checks, in order (the tables are reused from one check to the next).
local answers, out, new_tats, totals, ttls, missing = {{}}, {{}}, {{}}, {{}}, {{}}, {{}}
local passed, aheads, fits, useds = {{}}, {{}}, {{}}, {{}}
a = checks_at
for c = 1, nc do
  local plan = plans[tonumber(ARGV[a])]
  local nr, nb, nl, k = plan.nr, plan.nb, plan.nl, plan.k
  local limits, periods, intervals = plan.limits, plan.periods, plan.intervals
  local v = a + 1
  local ok = true
  local nm = 0
  for i = 1, nr do
    local limit, interval = limits[i], intervals[i]
    local cost = tonumber(ARGV[v])
    v = v + 1
    if cost > limit then cost = limit end
    local tat = tat_of(KEYS[k + i], interval, periods[i])
    local base = now
    if tat and tat > now then base = tat end
    local new_tat = base + cost * interval
    new_tats[i] = new_tat
    if new_tat - periods[i] > now + {EPS} then
      ok = false
      passed[i], aheads[i] = '0', base - now
    else
      passed[i], aheads[i] = '1', new_tat - now
    end
  end
  for j = 1, nb do
    local cost, seed = tonumber(ARGV[v]), ARGV[v + 1]
    ttls[j] = ARGV[v + 2]
    v = v + 3
    local used = vals[KEYS[k + nr + j]]
    if not used then
      if seed == '' then
        nm = nm + 1
        missing[nm] = j - 1
        used = 0
      else
        used = tonumber(seed)
      end
    end
    totals[j], useds[j] = used + cost, used
    if used + cost <= plan.budgets[j] + 1e-9 then
      fits[j] = '1'
    else
      ok = false
      fits[j] = '0'
    end
  end
  local lkey, room = nil, '1'
  if nl == 1 then
    lkey = KEYS[k + nr + nb + 1]
    if held(lkey) >= plan.cap then
      ok = false
      room = '0'
    end
  end
  local n = 1
  if ok and nm == 0 and not plan.dry then
    -- Admitted: whole numbers only (cheap to write and to read), see wire.parse_admit.
    out[1] = 'ok'
    for i = 1, nr do
      local ahead = aheads[i]
      local left = math.floor((periods[i] - ahead) / intervals[i] + 1e-6)
      if left < 0 then left = 0 end
      local t = math.ceil(ahead - 1e-9)
      if t < 0 then t = 0 end
      out[n + 1] = string.format('%d %d', left, t)
      n = n + 1
    end
    for j = 1, nb do
      local used = useds[j]
      if used == math.floor(used) and math.abs(used) < 1e15 then
        out[n + 1] = string.format('%d', used)
      else
        out[n + 1] = fmt(used)
      end
      n = n + 1
    end
  else
    for i = 1, nr do
      out[n + 1], out[n + 2] = passed[i], fmt(aheads[i])
      n = n + 2
    end
    for j = 1, nb do
      out[n + 1], out[n + 2] = fits[j], fmt(useds[j])
      n = n + 2
    end
    if nl == 1 then
      out[n + 1] = room
      n = n + 1
    end
    if nm > 0 then
      out[1] = 'seed'
      for m = 1, nm do out[n + m] = missing[m] end
      n = n + nm
    elseif not ok then
      out[1] = 'no'
    else
      out[1] = 'ok'
    end
  end
  if ok and nm == 0 then
    if not plan.dry then
      for i = 1, nr do
        local key = KEYS[k + i]
        vals[key], ivs[key] = new_tats[i], intervals[i]
        if not how[key] then dirty[#dirty + 1] = key end
        how[key] = 'r'
      end
      for j = 1, nb do
        local key = KEYS[k + nr + j]
        vals[key] = totals[j]
        if not how[key] then dirty[#dirty + 1] = key end
        how[key] = 'e'
        ttl[key] = ttls[j]
      end
      if nl == 1 then
        counts[lkey] = counts[lkey] + redis.call('ZADD', lkey, now + plan.lease_s, ARGV[v])
        redis.call('PEXPIRE', lkey, math.ceil(plan.lease_s * 1000) + 1000)
      end
    end
  end
  answers[c] = table.concat(out, ' ', 1, n)
  a = v + nl
end

for _, key in ipairs(dirty) do
  local val, m = vals[key], how[key]
  if m == 'r' then
    redis.call('SET', key, string.format('%.17g %.17g', val, ivs[key]),
      'PX', math.ceil((val - now) * 1000) + 1000)
  elseif m == 'e' then
    redis.call('SET', key, fmt(val), 'EX', ttl[key])
  else
    redis.call('SET', key, fmt(val), 'KEEPTTL')
  end
end
return table.concat(answers, '\\n')
"""
