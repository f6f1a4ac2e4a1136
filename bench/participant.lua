-- POST .../Conferences/{Sid}/Participants/{CallSid}.json muting and unmuting the participants of
-- one conference in turn (bench/conferences.mjs). BENCH_CF: the conference sid.
package.path = (os.getenv("BENCH_DIR") or ".") .. "/?.lua;" .. package.path
local c = require("common")
setup = c.setup
local sids, i, path
function init(args)
  sids = c.load_sids()
  i = ((thread_index or 1) * 7919) % #sids
  path = c.base .. "/Conferences/" .. (os.getenv("BENCH_CF") or "") .. "/Participants/"
end
function request()
  i = i + 1
  local body = (math.floor(i / #sids) % 2 == 0) and "Muted=true" or "Muted=false"
  return wrk.format("POST", path .. sids[i % #sids + 1] .. ".json", c.headers, body)
end
