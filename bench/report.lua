-- Shared by the booking benchmark's scripts: each thread tallies response statuses, and done()
-- prints one machine-readable line that bench/booking.sh reads.
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

statuses = {}

response = function(status)
  statuses[status] = (statuses[status] or 0) + 1
end

-- One token per line of the file named by TOKENS: requests rotate over many users.
function load_tokens()
  local tokens = {}
  for line in io.lines(os.getenv("TOKENS")) do
    if #line > 0 then table.insert(tokens, line) end
  end
  return tokens
end

function done(summary, latency, requests)
  local ok, conflict, server, other = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      if status >= 200 and status < 300 then ok = ok + count
      elseif status == 409 then conflict = conflict + count
      elseif status >= 500 then server = server + count
      else other = other + count end
    end
  end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f p50_ms=%.2f p99_ms=%.2f ok=%d conflict=%d server_error=%d other=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, ok, conflict, server, other, errors))
end
