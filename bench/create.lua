-- POST .../Calls.json with inline TwiML. With BENCH_SIDS_OUT set, each thread appends the sids
-- it created to BENCH_SIDS_OUT.<thread> (bench/run.sh uses this to prefill).
package.path = (os.getenv("BENCH_DIR") or ".") .. "/?.lua;" .. package.path
local c = require("common")
setup = c.setup
local twiml = os.getenv("BENCH_TWIML")
if twiml == nil or twiml == "" then twiml = "%3CResponse%3E%3CPause%20length%3D%223600%22%2F%3E%3C%2FResponse%3E" end
local extra = os.getenv("BENCH_CREATE_EXTRA") or ""
local body = "To=%2B14155550100&From=%2B14158141819&Twiml=" .. twiml .. extra
local out
function init(args)
  local path = os.getenv("BENCH_SIDS_OUT")
  if path then
    out = io.open(path .. "." .. tostring(thread_index or 1), "a")
    out:setvbuf("line")
  end
end
-- BENCH_CREATE_MAX: creates per thread; after that the thread only polls the health endpoint,
-- so that a prefill creates an exact number of calls.
local max = tonumber(os.getenv("BENCH_CREATE_MAX") or "")
local sent = 0
function request()
  sent = sent + 1
  if max and sent > max then return wrk.format("GET", "/_dialtone/health") end
  return wrk.format("POST", c.base .. "/Calls.json", c.headers, body)
end
if os.getenv("BENCH_SIDS_OUT") then
  function response(status, headers, resp)
    if status == 201 and out then
      local sid = string.match(resp, '"sid": "(CA%x+)"')
      if sid then out:write(sid, "\n") end
    end
  end
end
