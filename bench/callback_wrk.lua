-- wrk script: replays the requests written by callback_gen ("<path>?<query>\t<body>" per line).
--
--   wrk -t2 -c64 -d10s -s bench/callback_wrk.lua http://127.0.0.1:8080 -- FILE [THREADS [BARRIER_DIR]]
--
-- FILE defaults to $CALLBACK_REQUESTS. With THREADS (or $CALLBACK_WRK_THREADS) equal to wrk's -t,
-- thread k keeps only lines k, k+T, k+2T, ... so no two threads ever send the same request
-- (needed when the server de-duplicates); without it every thread keeps all lines and starts
-- at its own offset. Requests are formatted once in init(), so request() costs nothing.
-- BARRIER_DIR (or $CALLBACK_WRK_BARRIER, an empty directory): wrk loads the
-- threads one after the other and starts each as soon as it is loaded, so with a big file the
-- first thread would run alone for seconds (counted, but before wrk's clock starts). With a
-- barrier every thread writes BARRIER_DIR/ready.<k> when loaded and sends nothing before all
-- THREADS files exist. (wrk timestamps a request after request() returns: the wait is not latency.)
-- done() prints one greppable line:
--   CALLBACK_WRK requests=N duration_s=S rps=R p50_us=.. p90_us=.. p99_us=.. max_us=.. non2xx=.. errors=..

local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

local reqs = {}
local n = 0
local pos = 1
local nthreads = 0
local barrier = nil
local waiting = true
looped = 0  -- global: done() reads it with thread:get

function init(args)
  local file = args[1] or os.getenv("CALLBACK_REQUESTS")
  if file == nil or file == "" then
    error("callback_wrk.lua: give the request file as script argument or in CALLBACK_REQUESTS")
  end
  local t = tonumber(args[2] or os.getenv("CALLBACK_WRK_THREADS") or "0") or 0
  local me = id or 1
  nthreads = t
  barrier = args[3] or os.getenv("CALLBACK_WRK_BARRIER")
  if barrier == "" then barrier = nil end
  local f = io.open(file, "rb")
  if f == nil then error("callback_wrk.lua: cannot open " .. file) end
  local headers = { ["Content-Type"] = "text/xml" }
  local line_no = 0
  for line in f:lines() do
    line_no = line_no + 1
    if t <= 1 or (line_no - 1) % t == me - 1 then
      local tab = string.find(line, "\t", 1, true)
      if tab == nil then error("callback_wrk.lua: line " .. line_no .. " has no tab") end
      n = n + 1
      reqs[n] = wrk.format("POST", string.sub(line, 1, tab - 1), headers, string.sub(line, tab + 1))
    end
  end
  f:close()
  if n == 0 then error("callback_wrk.lua: no requests for thread " .. me .. " in " .. file) end
  if t <= 1 then
    -- Every thread has every line: start each one somewhere else.
    pos = ((me - 1) * 7919) % n + 1
  end
  thread_requests = n
  if barrier ~= nil then
    local f = io.open(barrier .. "/ready." .. me, "w")
    if f == nil then error("callback_wrk.lua: cannot write to barrier directory " .. barrier) end
    f:close()
  end
end

local function all_ready()
  for k = 1, nthreads do
    local f = io.open(barrier .. "/ready." .. k, "r")
    if f == nil then return false end
    f:close()
  end
  return true
end

local calls = 0

function request()
  if waiting then
    calls = calls + 1
    -- wrk calls thread 1's request() once from its main thread, before loading the other
    -- threads, to count pipelined requests: that call must not wait for them.
    if calls > 1 or (id or 1) > 1 then
      waiting = false
      if barrier ~= nil and nthreads > 1 then
        local deadline = os.time() + 600
        while not all_ready() do
          if os.time() > deadline then error("callback_wrk.lua: threads not all loaded after 10 minutes") end
          os.execute("sleep 0.01")
        end
      end
    end
  end
  local r = reqs[pos]
  pos = pos + 1
  if pos > n then
    pos = 1
    looped = looped + 1
  end
  return r
end

function done(summary, latency, requests)
  local errs = summary.errors
  local secs = summary.duration / 1e6
  -- How often the threads went round their request lists (> 0: some requests were repeats).
  local wraps = 0
  for _, t in ipairs(threads) do
    local w = t:get("looped")
    if w ~= nil then wraps = wraps + w end
  end
  io.write(string.format(
    "CALLBACK_WRK requests=%d duration_s=%.3f rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d mean_us=%.1f " ..
    "non2xx=%d errors_connect=%d errors_read=%d errors_write=%d errors_timeout=%d wraps=%d\n",
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    errs.status, errs.connect, errs.read, errs.write, errs.timeout, wraps))
end
