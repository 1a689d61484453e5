-- wrk script for bench/load.py (never run by hand: load.py writes the users file it reads).
--
--   wrk -t C -c C ... -s bench/load.lua URL -- SCENARIO USERS_FILE PATH THREADS
--
-- SCENARIO "get":   GET PATH on every request, with the cookies of the users in USERS_FILE in
--                   turn ("-": anonymous).
-- SCENARIO "mixed": each request is one step of a user's action, drawn by weight (load.py's MIX):
--                   page views, writes with the form's CSRF token, and PDF/ZIP downloads through
--                   whatever the portfolio page offers (a direct link, or start a job, poll its
--                   status, fetch the file).
-- load.py runs one connection per thread, so request() and response() strictly alternate on a
-- thread and a multi-step action is a little state machine per thread. Each thread has its own
-- users (user i belongs to thread i mod THREADS), so the edit versions it keeps are never raced.
-- done() prints one line, "LOADBENCH {json}", that load.py reads.

local MIX -- {{action, weight}, ...} from the users file (load.py's MIX or --mix)
local POLL_MS = 250 -- how often a waiting job's status is asked for, like the progress page

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

-- Thread state (each thread has its own Lua state).
local scenario, path, data, mine, total_weight
counts, errors = {}, {} -- globals: done() reads them with thread:get
local current_edit       -- the {id, version} an edit in flight saves
local current            -- the action the request in flight belongs to
-- Only response() changes the state: wrk calls request() once more before the run to check
-- the script, and that request is never sent.
local follow = nil       -- the next step of a multi-step action: {user, kind, stage, url}
local starting = nil     -- the user whose job-starting POST is in flight
local wait_ms = 0
local turn = 0
local written = 0

function init(args)
  scenario, path = args[1], args[3]
  local nthreads = tonumber(args[4])
  data = args[2] ~= "-" and dofile(args[2]) or {users = {}, ua = "cpd-log-loadbench"}
  mine = {}
  for i, user in ipairs(data.users) do
    if scenario == "get" or (i - 1) % nthreads == tid then table.insert(mine, user) end
  end
  MIX = data.mix or {}
  total_weight = 0
  for _, entry in ipairs(MIX) do total_weight = total_weight + entry[2] end
  math.randomseed(os.time() + tid * 7919)
end

local function headers_for(user, form)
  local h = {["User-Agent"] = data.ua}
  if user then h["Cookie"] = user.cookie end
  if form then h["Content-Type"] = "application/x-www-form-urlencoded" end
  return h
end

local function get(user, url)
  return wrk.format("GET", url, headers_for(user, false))
end

local function post(user, url, body)
  return wrk.format("POST", url, headers_for(user, true), body)
end

local function draw()
  local r = math.random() * total_weight
  for _, entry in ipairs(MIX) do
    r = r - entry[2]
    if r <= 0 then return entry[1] end
  end
  return MIX[#MIX][1]
end

local function start_action(user, action)
  if action == "dashboard" then return get(user, "/dashboard") end
  if action == "list" then return get(user, "/activities/") end
  if action == "search" then
    return get(user, "/activities/?q=" .. data.search[math.random(#data.search)])
  end
  if action == "cycle" then return get(user, user.cycle) end
  if action == "log" then
    written = written + 1
    return post(user, "/activities/new", (user.log:gsub("__N__", tid .. "-" .. written)))
  end
  if action == "edit" then
    local a = user.editable[math.random(#user.editable)]
    current_edit = a
    written = written + 1
    local body = user.edit:gsub("__N__", tid .. "-" .. written):gsub("__V__", tostring(a.version))
    return post(user, "/activities/" .. a.id .. "/edit", body)
  end
  if action == "reflect" then return post(user, "/reflections/new", user.reflect) end
  -- pdf / zip, as the portfolio page offers it
  local doc = user.documents
  if doc.mode == "direct" then return get(user, doc[action]) end
  starting = user -- becomes `follow` when the job has started (response)
  return post(user, doc.start, doc.body .. "&kind=" .. action)
end

function request()
  turn = turn + 1
  if follow then
    current = follow.kind
    if follow.stage == "started" then return get(follow.user, follow.url) end
    if follow.stage == "polling" then return get(follow.user, follow.url .. "/status") end
    return get(follow.user, follow.url) -- "fetching": the finished file
  end
  if scenario == "get" then
    current = "get"
    local user = #mine > 0 and mine[(turn % #mine) + 1] or nil
    return get(user, path)
  end
  local user = mine[math.random(#mine)]
  current = draw()
  return start_action(user, current)
end

function delay()
  local ms = wait_ms
  wait_ms = 0
  return ms
end

local function count(name, failed)
  counts[name] = (counts[name] or 0) + 1
  if failed then errors[name] = (errors[name] or 0) + 1 end
end

local function relative(location)
  return (location:gsub("^https?://[^/]+", ""))
end

-- The next step of a background PDF/ZIP after `status` and `body`; true when it went wrong.
local function advance_job(status, headers, body)
  if follow == nil then -- the POST that starts it: on to the progress page
    if status ~= 302 or not headers["Location"] then return true end
    follow = {user = starting, kind = current, stage = "started"}
    follow.url = relative(headers["Location"])
    return false
  end
  if follow.stage == "started" then
    follow.stage = "polling"
    return status ~= 200
  end
  if follow.stage == "polling" then
    if status ~= 200 then follow = nil; return true end
    local state = body:match('"state":%s*"(%a+)"')
    if state == "done" then
      follow.stage = "fetching"
      follow.url = relative(body:match('"file":%s*"([^"]+)"'))
      return false
    end
    if state == "failed" or state == "stale" or state == nil then follow = nil; return true end
    wait_ms = POLL_MS
    return false
  end
  follow = nil -- fetched
  return status ~= 200
end

local EXPECTED = {log = 302, edit = 302, reflect = 302}

local DEBUG = os.getenv("LOADBENCH_DEBUG")

function response(status, headers, body)
  if DEBUG then
    io.stderr:write(string.format("[%d] %s %d %s %s\n", tid, current, status,
      headers["Location"] or "", follow and follow.stage or "-"))
  end
  local location = headers["Location"] or ""
  local failed = status >= 400 or location:find("/account/login", 1, true) ~= nil
  if (current == "pdf" or current == "zip") and (follow or location:find("/jobs/", 1, true)) then
    failed = advance_job(status, headers, body) or failed
  elseif EXPECTED[current] then
    -- a write that answers 200 showed its form again: nothing was saved
    failed = failed or status ~= EXPECTED[current]
    if current == "edit" and status == 302 then current_edit.version = current_edit.version + 1 end
  elseif scenario == "mixed" then
    failed = failed or status ~= 200
  end
  count(current, failed)
end

local function json_object(t)
  local parts = {}
  for k, v in pairs(t) do table.insert(parts, string.format('"%s": %d', k, v)) end
  return "{" .. table.concat(parts, ", ") .. "}"
end

function done(summary, latency, requests)
  local all_counts, all_errors = {}, {}
  for _, thread in ipairs(threads) do
    for k, v in pairs(thread:get("counts")) do all_counts[k] = (all_counts[k] or 0) + v end
    for k, v in pairs(thread:get("errors")) do all_errors[k] = (all_errors[k] or 0) + v end
  end
  local e = summary.errors
  io.write(string.format(
    'LOADBENCH {"requests": %d, "duration_us": %d, "bytes": %d, '
      .. '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, '
      .. '"status_errors": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, '
      .. '"counts": %s, "errors": %s}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.timeout,
    e.status, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, json_object(all_counts), json_object(all_errors)))
end
