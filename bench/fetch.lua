-- GET .../Calls/{Sid}.json, rotating over the prefilled sids.
package.path = (os.getenv("BENCH_DIR") or ".") .. "/?.lua;" .. package.path
local c = require("common")
setup = c.setup
local sids, i
function init(args)
  sids = c.load_sids()
  i = ((thread_index or 1) * 7919) % #sids
end
function request()
  i = i % #sids + 1
  return wrk.format("GET", c.base .. "/Calls/" .. sids[i] .. ".json", c.headers)
end
