-- POST /api/v1/orders over distinct (space, date) slots, as many users: each request takes the
-- next day option and a date past the seeded 60 days, so no two requests collide.
-- Env: TOKENS (file, one bearer per line), OPTIONS (file of "space_id option_id" lines),
-- FIRST_DAY (YYYY-MM-DD), STRIDE (threads over all wrk processes), OFFSET (this process's first
-- thread number).
dofile("bench/report.lua")
local counter = 0

function init(args)
  options = {}
  for line in io.lines(os.getenv("OPTIONS")) do
    local space, option = line:match("(%d+)%s+(%d+)")
    table.insert(options, {space, option})
  end
  tokens = load_tokens()
  local y, m, d = os.getenv("FIRST_DAY"):match("(%d+)-(%d+)-(%d+)")
  first_day = os.time({year = y, month = m, day = d, hour = 12})
  stride = tonumber(os.getenv("STRIDE") or "2")
  lane = tonumber(os.getenv("OFFSET") or "0") + thread_id
end

request = function()
  -- Threads (of every wrk process) interleave over the option list; each pass is a day later.
  local n = counter * stride + lane
  counter = counter + 1
  local pick = options[(n % #options) + 1]
  local day = os.date("!%Y-%m-%d", first_day + math.floor(n / #options) * 86400)
  local body = string.format(
    '{"space_id":%s,"option_id":%s,"date":"%s","headcount":2,' ..
    '"booker":{"name":"Bench","phone":"010-0000-0000","email":"bench@example.com"}}',
    pick[1], pick[2], day)
  return wrk.format("POST", "/api/v1/orders",
    {["Content-Type"] = "application/json",
     ["Authorization"] = "Bearer " .. tokens[(n % #tokens) + 1]}, body)
end
