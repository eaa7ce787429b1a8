-- POST /api/v1/spaces with three photos (multipart). Env: TOKEN, PHOTO (a JPEG path),
-- CATEGORY, DISTRICT.
local boundary = "----spacecloud-bench-boundary"
function init(args)
  local file = io.open(os.getenv("PHOTO"), "rb")
  local photo = file:read("*a")
  file:close()
  local parts = {}
  local function field(name, value)
    table.insert(parts, "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"" .. name .. "\"\r\n\r\n" .. value .. "\r\n")
  end
  field("title", "Bench room")
  field("category_id", os.getenv("CATEGORY"))
  field("district_id", os.getenv("DISTRICT"))
  field("address", "Seoul")
  field("max_count", "10")
  field("price_day", "10000")
  for n = 1, 3 do
    table.insert(parts, "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"images\"; filename=\"p" .. n .. ".jpg\"\r\nContent-Type: image/jpeg\r\n\r\n" .. photo .. "\r\n")
  end
  table.insert(parts, "--" .. boundary .. "--\r\n")
  body = table.concat(parts)
  headers = {["Content-Type"] = "multipart/form-data; boundary=" .. boundary,
             ["Authorization"] = "Bearer " .. os.getenv("TOKEN")}
  statuses = {}
end
request = function() return wrk.format("POST", "/api/v1/spaces", headers, body) end
response = function(status) statuses[status] = (statuses[status] or 0) + 1 end
