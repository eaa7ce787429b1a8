-- POST /api/v1/orders over distinct (space, date) slots: each request takes the next day
-- option from bench/options.txt and a date past the seeded 60 days, so no two requests collide.
-- Env: TOKEN (bearer), OPTIONS (file of "space_id option_id" lines), FIRST_DAY (YYYY-MM-DD).
local threads = {}
local counter = 0

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function init(args)
  options = {}
  for line in io.lines(os.getenv("OPTIONS")) do
    local space, option = line:match("(%d+)%s+(%d+)")
    table.insert(options, {space, option})
  end
  token = os.getenv("TOKEN")
  local y, m, d = os.getenv("FIRST_DAY"):match("(%d+)-(%d+)-(%d+)")
  first_day = os.time({year = y, month = m, day = d, hour = 12})
  statuses = {}
  stride = tonumber(os.getenv("WRK_THREADS") or "2")
end

request = function()
  -- Threads interleave over the option list; each pass is a day later.
  local n = counter * stride + thread_id
  counter = counter + 1
  local pick = options[(n % #options) + 1]
  local day = os.date("!%Y-%m-%d", first_day + math.floor(n / #options) * 86400)
  local body = string.format(
    '{"space_id":%s,"option_id":%s,"date":"%s","headcount":2,' ..
    '"booker":{"name":"Bench","phone":"010-0000-0000","email":"bench@example.com"}}',
    pick[1], pick[2], day)
  return wrk.format("POST", "/api/v1/orders",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end

response = function(status)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    for status, count in pairs(counts) do
      io.write(string.format("status %d: %d\n", status, count))
    end
  end
end
