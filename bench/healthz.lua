-- GET /healthz: the HTTP stack's own ceiling, measured in the same run as every other figure.
dofile("bench/report.lua")
request = function() return wrk.format("GET", "/healthz") end
