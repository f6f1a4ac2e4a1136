-- GET .../Calls.json?Status=in-progress&PageSize=50
package.path = (os.getenv("BENCH_DIR") or ".") .. "/?.lua;" .. package.path
local c = require("common")
local path = c.base .. "/Calls.json?Status=in-progress&PageSize=50"
function request()
  return wrk.format("GET", path, c.headers)
end
