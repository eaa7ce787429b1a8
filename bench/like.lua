-- PUT and DELETE /api/v1/spaces/:id/like in turn, on random spaces among the first 10,000 ids,
-- as many users: each like changes a space's like_count, so the popular order of every API
-- process's catalogue moves. Env: TOKENS (file, one bearer per line).
dofile("bench/report.lua")
local counter = 0

function init(args)
  tokens = load_tokens()
  math.randomseed(7 + thread_id)
end

request = function()
  counter = counter + 1
  local method = (counter % 2 == 1) and "PUT" or "DELETE"
  local path = "/api/v1/spaces/" .. math.random(1, 10000) .. "/like"
  return wrk.format(method, path,
    {["Authorization"] = "Bearer " .. tokens[math.random(1, #tokens)]})
end
