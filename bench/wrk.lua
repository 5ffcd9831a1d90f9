-- wrk script for bench/bench.py. Configured through environment variables:
--   BENCH_KIND   get | paths | create | match   (default: paths)
--   BENCH_COOKIE "sextant_session=..."  (omitted for nginx)
--   BENCH_CSRF   X-CSRF-Token value for POSTs
--   BENCH_MINID, BENCH_MAXID  get: ids are drawn uniformly from BENCH_MINID (default 1) to BENCH_MAXID
--   BENCH_PATHS  paths: a file with one request path per line, drawn at random
--   BENCH_PATH   paths: a single path (when BENCH_PATHS is not set)
--   BENCH_BODIES match: a file with one JSON body per line, POSTed to /api/v1/customers/match
-- The random sequence is deterministic per thread (seeded with the thread number).
-- done() prints one line "RESULT {json}" with exact percentiles (microseconds).

local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

local kind, cookie, csrf, minid, maxid, paths, npaths, seq, bodies, nbodies

-- The non-empty lines of a file (none if the name is unset).
local function lines_of(file)
  local t = {}
  if file and file ~= "" then
    for line in io.lines(file) do
      if line ~= "" then table.insert(t, line) end
    end
  end
  return t
end

function init(args)
  kind = os.getenv("BENCH_KIND") or "paths"
  cookie = os.getenv("BENCH_COOKIE")
  csrf = os.getenv("BENCH_CSRF")
  maxid = tonumber(os.getenv("BENCH_MAXID") or "1")
  minid = tonumber(os.getenv("BENCH_MINID") or "1")
  math.randomseed(1000 + (tid or 0) * 7919)
  seq = 0
  paths = lines_of(os.getenv("BENCH_PATHS"))
  if #paths == 0 then table.insert(paths, os.getenv("BENCH_PATH") or "/") end
  npaths = #paths
  bodies = lines_of(os.getenv("BENCH_BODIES"))
  nbodies = #bodies
end

local function headers()
  local h = {}
  if cookie and cookie ~= "" then h["Cookie"] = cookie end
  return h
end

-- A few syllables from the generator's vocabulary, so created names look like the others.
local cities = {"深圳", "珠海", "厦门", "青岛", "三亚", "宁波", "大连", "舟山"}
local brands = {"海韵", "蓝湾", "远航", "金帆", "星辰", "碧海", "鸿运", "澜庭"}
local trades = {"游艇俱乐部", "船舶租赁", "海洋科技", "文旅发展", "水上运动", "船务"}
local levels = {"a", "b", "b", "c", "c", "c", "d", "d"}

local function pick(t) return t[math.random(1, #t)] end

function request()
  if kind == "get" then
    return wrk.format("GET", "/api/v1/customers/" .. math.random(minid, maxid), headers())
  elseif kind == "create" then
    seq = seq + 1
    local h = headers()
    h["Content-Type"] = "application/json"
    if csrf then h["X-CSRF-Token"] = csrf end
    local body = string.format(
      '{"name":"%s%s%s压测%d-%d有限公司","level":"%s","province":"广东省","city":"深圳市",' ..
      '"district":"南山区","address":"广东省深圳市南山区滨海大道%d号","phone":"0755-%08d",' ..
      '"industry":"leasing_business","category":"enterprise","customer_type":"end_user"}',
      pick(cities), pick(brands), pick(trades), tid or 0, seq, pick(levels),
      math.random(1, 999), 20000000 + math.random(0, 79999999))
    return wrk.format("POST", "/api/v1/customers", h, body)
  elseif kind == "match" then
    local h = headers()
    h["Content-Type"] = "application/json"
    if csrf then h["X-CSRF-Token"] = csrf end
    return wrk.format("POST", "/api/v1/customers/match", h, bodies[math.random(1, nbodies)])
  else
    local p = paths[npaths == 1 and 1 or math.random(1, npaths)]
    return wrk.format("GET", p, headers())
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
    '"max_us":%d,"mean_us":%.1f,"non2xx":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"timeouts":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, e.status, e.connect, e.read, e.write, e.timeout))
end
