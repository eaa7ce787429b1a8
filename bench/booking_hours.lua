-- POST /api/v1/orders of hourly options over distinct (space, date, run of hours), as many
-- users: request n takes hourly option n mod the list, and its next free run of min_hours
-- inside the opening hours on a date past the seeded 60 days; so no two requests collide.
-- Env: TOKENS, HOURLY (file of "space_id option_id open_hour close_hour min_hours" lines),
-- HOURS_FIRST_DAY (YYYY-MM-DD), STRIDE, OFFSET (as booking.lua).
dofile("bench/report.lua")
local counter = 0

function init(args)
  options = {}
  for line in io.lines(os.getenv("HOURLY")) do
    local space, option, open, close, min = line:match("(%d+)%s+(%d+)%s+(%d+)%s+(%d+)%s+(%d+)")
    open, close, min = tonumber(open), tonumber(close), tonumber(min)
    table.insert(options, {space, option, open, min, math.floor((close - open) / min)})
  end
  tokens = load_tokens()
  local y, m, d = os.getenv("HOURS_FIRST_DAY"):match("(%d+)-(%d+)-(%d+)")
  first_day = os.time({year = y, month = m, day = d, hour = 12})
  stride = tonumber(os.getenv("STRIDE") or "2")
  lane = tonumber(os.getenv("OFFSET") or "0") + thread_id
end

request = function()
  local n = counter * stride + lane
  counter = counter + 1
  local pick = options[(n % #options) + 1]
  -- The option's p-th request: run k of day d, where the day holds `runs` runs.
  local p = math.floor(n / #options)
  local runs = pick[5]
  local start = pick[3] + (p % runs) * pick[4]
  local day = os.date("!%Y-%m-%d", first_day + math.floor(p / runs) * 86400)
  local body = string.format(
    '{"space_id":%s,"option_id":%s,"date":"%s","start_hour":%d,"end_hour":%d,"headcount":2,' ..
    '"booker":{"name":"Bench","phone":"010-0000-0000","email":"bench@example.com"}}',
    pick[1], pick[2], day, start, start + pick[4])
  return wrk.format("POST", "/api/v1/orders",
    {["Content-Type"] = "application/json",
     ["Authorization"] = "Bearer " .. tokens[(n % #tokens) + 1]}, body)
end
