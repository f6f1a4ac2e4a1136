-- POST .../Calls/{Sid}.json redirecting an in-progress call to a small inline TwiML.
package.path = (os.getenv("BENCH_DIR") or ".") .. "/?.lua;" .. package.path
local c = require("common")
setup = c.setup
local sids, i
local body = "Twiml=%3CResponse%3E%3CPause%20length%3D%22600%22%2F%3E%3C%2FResponse%3E"
function init(args)
  sids = c.load_sids()
  i = ((thread_index or 1) * 7919) % #sids
end
function request()
  i = i % #sids + 1
  return wrk.format("POST", c.base .. "/Calls/" .. sids[i] .. ".json", c.headers, body)
end
