-- The space list with a rotating mix of filters and sorts a guest would use.
math.randomseed(7)
local dates = {}
local function date_in(days)
  return os.date("!%Y-%m-%d", os.time() + 9 * 3600 + days * 86400)
end
local queries = {
  function() return "" end,
  function() return "district_id=" .. math.random(1, 25) end,
  function() return "category_id=" .. math.random(1, 10) .. "&sort=price_asc" end,
  function() return "district_id=" .. math.random(1, 25) .. "&date=" .. date_in(math.random(1, 30)) end,
  function() return "headcount=" .. math.random(2, 20) .. "&date=" .. date_in(math.random(1, 30)) .. "&slot=night" end,
  function() return "q=" .. "%ED%8C%8C%ED%8B%B0" .. "&sort=newest" end,
  function() return "min_price=20000&max_price=60000&sort=price_desc&page=" .. math.random(1, 5) end,
  function() return "facility_id=" .. math.random(1, 12) .. "&facility_id=" .. math.random(1, 12) end,
}
request = function()
  local q = queries[math.random(#queries)]()
  return wrk.format("GET", "/api/v1/spaces?" .. q)
end
