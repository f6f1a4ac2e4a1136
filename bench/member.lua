-- POST .../Queues/{Sid}/Members/Front.json with Url=BENCH_URL (bench/queues.mjs): each update
-- dequeues the front caller, so the queue must hold more callers than the run makes requests
-- (queues.mjs checks that none answered other than 200). BENCH_QU: the queue sid.
package.path = (os.getenv("BENCH_DIR") or ".") .. "/?.lua;" .. package.path
local c = require("common")
setup = c.setup
local path, body
function init(args)
  path = c.base .. "/Queues/" .. (os.getenv("BENCH_QU") or "") .. "/Members/Front.json"
  body = "Url=" .. (os.getenv("BENCH_URL") or ""):gsub("[^%w]", function(ch)
    return string.format("%%%02X", string.byte(ch))
  end)
end
function request()
  return wrk.format("POST", path, c.headers, body)
end
