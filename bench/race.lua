-- Every connection books the same space, date and slot, each request as another user: one hold
-- wins, everything else must be a 409 (never a 5xx such as a leaked deadlock).
-- Env: TOKENS, SPACE, OPTION, DAY.
dofile("bench/report.lua")
local counter = 0

function init(args)
  tokens = load_tokens()
  body = string.format(
    '{"space_id":%s,"option_id":%s,"date":"%s","headcount":2,' ..
    '"booker":{"name":"Race","phone":"010-0000-0000","email":"race@example.com"}}',
    os.getenv("SPACE"), os.getenv("OPTION"), os.getenv("DAY"))
end

request = function()
  counter = counter + 1
  local token = tokens[((counter * 7 + thread_id) % #tokens) + 1]
  return wrk.format("POST", "/api/v1/orders",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
