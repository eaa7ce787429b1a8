-- Every connection books the same space, date and slot: one hold wins, everything else must be
-- a 409 (never a 5xx such as a leaked deadlock). Env: TOKEN, SPACE, OPTION, DAY.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  statuses = {}
  body = string.format(
    '{"space_id":%s,"option_id":%s,"date":"%s","headcount":2,' ..
    '"booker":{"name":"Race","phone":"010-0000-0000","email":"race@example.com"}}',
    os.getenv("SPACE"), os.getenv("OPTION"), os.getenv("DAY"))
  headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("TOKEN")}
end
request = function() return wrk.format("POST", "/api/v1/orders", headers, body) end
response = function(status) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      io.write(string.format("status %d: %d\n", status, count))
    end
  end
end
