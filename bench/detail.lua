-- Space detail of a random space among the first 10,000 ids.
math.randomseed(42)
request = function()
  return wrk.format("GET", "/api/v1/spaces/" .. math.random(1, 10000))
end
