-- Shared by the wrk scripts of bench/run.sh. Environment:
--   BENCH_AUTH   the Authorization header value ("Basic ...")
--   BENCH_AC     the account sid
--   BENCH_SIDS   a file with one call sid per line (fetch, update)
local M = {}

M.ac = os.getenv("BENCH_AC") or "ACd1a170e0000000000000000000000000"
M.headers = {
  ["Authorization"] = os.getenv("BENCH_AUTH") or "",
  ["Content-Type"] = "application/x-www-form-urlencoded",
}
M.base = "/2010-04-01/Accounts/" .. M.ac

function M.load_sids()
  local path = os.getenv("BENCH_SIDS")
  local sids = {}
  if path then
    for line in io.lines(path) do
      if #line > 0 then sids[#sids + 1] = line end
    end
  end
  if #sids == 0 then error("no sids in BENCH_SIDS=" .. tostring(path)) end
  return sids
end

-- Each wrk thread starts at a different offset so threads do not hit the same calls in step.
local counter = 0
function M.setup(thread)
  counter = counter + 1
  thread:set("thread_index", counter)
end

return M
