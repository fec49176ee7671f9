-- wrk script: every request GETs a case picked at random from the ids in a file (one per
-- line), so the server's per-case caches see the spread of a real client, not one hot case.
-- Usage: wrk ... -s bench/random_case.lua URL -- IDS_FILE
-- The generator is seeded per thread, so runs repeat the same sequence of ids.
local ids = {}
local thread_no = 0

function setup(thread)
  thread_no = thread_no + 1
  thread:set("seed", thread_no)
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then ids[#ids + 1] = line end
  end
  math.randomseed(seed or 1)
end

function request()
  return wrk.format("GET", "/crs/api/v2/cases/" .. ids[math.random(#ids)])
end
