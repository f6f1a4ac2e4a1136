#!/usr/bin/env bash
# dialtone benchmark suite (not part of CI; see README "Benchmarks" and bench/RESULTS.md).
#
#   bench/run.sh [--skip-build] [--quick] [--no-prism] [--no-memory] [--http-only]
#
# --http-only runs step 1 alone (fetch, update, create, durable and list10k against the
# ceiling), a few minutes: enough to compare two builds (BENCH_BUILD=other/build/release
# bench/run.sh --skip-build ...).
#
# Builds the release preset with the bench tools, then, all on 127.0.0.1:
#   1. HTTP workloads with wrk (64 keep-alive connections) against dialtone as a new user runs
#      it (the defaults: I/O threads from the cores, access log at info; the headline), the
#      same with --log-level warn (fetch: what the access log costs, by req/s and, steadier, as
#      its share of the machine's CPU: access_log_share below), the same with --data-dir
#      (durable: group commit, against the in-memory figures of the same rounds), the Beast
#      ceiling server (as many threads as dialtone chose, fixed Call-sized body; the headline's
#      yardstick), the same ceiling with --batch-writes (writes as dialtone schedules them: a
#      second ratio, "vs batch") and Stoplight Prism (fetch, update). wrk runs on the same cores, as an app's tests would.
#   2. memory (RSS with 100k live calls, with 1M ended calls), clock (one advance firing 100k
#      timers), signed status callbacks per second to a local sink (bench/callbacks.sh),
#      start-up time.
# Prints one table at the end and writes it to $BENCH_OUT/summary.txt.
#
# Each workload runs in BENCH_ROUNDS rounds, dialtone and the ceiling one after the other in
# each round: this machine's speed drifts by ±15% over minutes, and a ratio of two figures
# taken minutes apart measured the drift as much as the server. req/s is the mean of the
# rounds, the ratio is of those means, p50 the median round's, p99 the worst round's. The
# p99 is wrk's, corrected for coordinated omission: one stall of 200 ms in a 5-s round makes
# it ~170 ms (docs/scaling.md, "Reading a p99").
#
# Environment: BENCH_DURATION (s per round, default 5), BENCH_ROUNDS (default 3),
# BENCH_WRK_THREADS (default 1), BENCH_CONNECTIONS (64), BENCH_THREADS (dialtone's --threads;
# default: none, dialtone's own choice), BENCH_CEILING_THREADS (default: what dialtone chose),
# BENCH_DIALTONE_ARGS (more options for every dialtone; a tuned row: BENCH_THREADS=2
# BENCH_DIALTONE_ARGS="--log-level warn" BENCH_WRK_THREADS=2), BENCH_DATA (the --data-dir of
# the durable rows, default $BENCH_OUT/data; on the disk under test, not a tmpfs), BENCH_OUT
# (output dir, default build/bench-out), BENCH_ENDED (ended calls for the memory run, default
# 1000000), BENCH_BUILD (the release tree whose dialtone and ceiling run, default
# build/release).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BENCH="$ROOT/bench"
BUILD="${BENCH_BUILD:-$ROOT/build/release}"
SPEC="${BENCH_SPEC:-$ROOT/tests/fixtures/twilio/twilio_api_v2010.json}"
OUT="${BENCH_OUT:-$ROOT/build/bench-out}"
DURATION="${BENCH_DURATION:-5}"
ROUNDS="${BENCH_ROUNDS:-3}"
WRK_THREADS="${BENCH_WRK_THREADS:-1}"
CONNS="${BENCH_CONNECTIONS:-64}"
THREADS="${BENCH_THREADS:-}"
CEIL_THREADS="${BENCH_CEILING_THREADS:-}"
read -r -a EXTRA_ARGS <<<"${BENCH_DIALTONE_ARGS:-}"
DATA="${BENCH_DATA:-$OUT/data}"
ENDED="${BENCH_ENDED:-1000000}"
AC=ACd1a170e0000000000000000000000000
TOKEN=dialtone-auth-token
SKIP_BUILD=0 PRISM=1 MEMORY=1 HTTP_ONLY=0
for arg in "$@"; do
  case "$arg" in
    --skip-build) SKIP_BUILD=1 ;;
    --quick) DURATION=3; ROUNDS=1; ENDED=200000 ;;
    --no-prism) PRISM=0 ;;
    --no-memory) MEMORY=0 ;;
    --http-only) HTTP_ONLY=1 PRISM=0 MEMORY=0 ;;
    *) echo "usage: $0 [--skip-build] [--quick] [--no-prism] [--no-memory] [--http-only]" >&2; exit 2 ;;
  esac
done

export BENCH_DIR="$BENCH" BENCH_AC="$AC"
export BENCH_AUTH="Basic $(printf '%s:%s' "$AC" "$TOKEN" | base64 -w0)"
API="/2010-04-01/Accounts/$AC"
mkdir -p "$OUT"
rm -f "$OUT"/*.sids* "$OUT"/*.log "$OUT"/wrk-*.txt "$OUT"/log_ticks

source "$BENCH/lib.sh"  # PIDS, cleanup on exit, wait_line

stop() {  # stop one process we started
  local p="$1"
  kill "$p" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$p" 2>/dev/null || true
}

log() { echo "bench: $*" >&2; }

# --- tools: the build dependencies and wrk, from Debian, when missing ---
if ((!SKIP_BUILD)); then "$ROOT/scripts/install-deps.sh" >/dev/null; fi
if ! command -v wrk >/dev/null; then
  log "installing wrk"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null
fi

# --- build ---
if ((!SKIP_BUILD)); then
  log "building the release preset with the bench tools"
  cmake --preset release -DDIALTONE_BENCH=ON >/dev/null
  cmake --build "$BUILD" --target dialtone ceiling_server engine_bench first_touch access_log_bench >/dev/null
fi
DIALTONE="$BUILD/server/dialtone"
CEILING="$BUILD/bench/ceiling_server"
if ((PRISM)) && [[ ! -x "$BENCH/node_modules/.bin/prism" ]]; then
  log "installing Prism (npm ci in bench/)"
  (cd "$BENCH" && timeout 600 npm ci --no-audit --no-fund >/dev/null) || { log "npm ci failed: no Prism"; PRISM=0; }
fi

# --- helpers ---

# start_dialtone NAME [ARGS...]: sets DT_PID, DT_URL, DT_THREADS (the I/O threads it runs).
# Logs at info (the default) to a file, in memory unless ARGS give a --data-dir.
start_dialtone() {
  local name="$1"; shift
  "$DIALTONE" --port 0 ${THREADS:+--threads "$THREADS"} --data-dir "" "${EXTRA_ARGS[@]}" "$@" \
    >"$OUT/$name.log" 2>&1 &
  DT_PID=$!; PIDS+=("$DT_PID")
  DT_URL=$(wait_line "$OUT/$name.log" 'http://127\.0\.0\.1:[0-9]+' 10) || { log "dialtone did not start"; cat "$OUT/$name.log" >&2; exit 1; }
  DT_THREADS=$(wait_line "$OUT/$name.log" '[0-9]+ thread\(s\)' 10 | grep -oE '^[0-9]+')
}

rss_mib() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

post() {  # post URL_PATH [curl args...]: prints the HTTP status
  local url="$1"; shift
  curl -s -o /dev/null -w '%{http_code}' --max-time 600 -u "$AC:$TOKEN" -X POST "$DT_URL$url" "$@"
}

# The control API is being written while this suite is; without clock/advance the suite falls
# back to the real clock with --ring-seconds 0 (calls answer at once) and says so.
HAVE_ADVANCE=0
CLOCK_ARGS=(--clock manual)
probe_control_api() {
  start_dialtone probe --clock manual
  if [[ "$(post /_dialtone/clock/advance -d Seconds=0)" == 200 ]]; then HAVE_ADVANCE=1; fi
  stop "$DT_PID"
  if ((!HAVE_ADVANCE)); then
    CLOCK_ARGS=(--clock real --ring-seconds 0)
    log "no /_dialtone/clock/advance yet: using the real clock with --ring-seconds 0"
  fi
}

advance() {  # advance SECONDS: prints the wall time in ms
  local t0 t1 code
  t0=$(date +%s%N)
  code=$(post /_dialtone/clock/advance -d "Seconds=$1")
  t1=$(date +%s%N)
  [[ "$code" == 200 ]] || log "advance $1 answered $code"
  echo $(((t1 - t0) / 1000000))
}

# prefill_calls N SIDS_FILE [TWIML_URLENCODED] [EXTRA_FORM]: creates at least N calls with
# wrk and writes exactly N sids to SIDS_FILE; PREFILLED is how many were really created.
prefill_calls() {
  local n="$1" file="$2" prev=-1
  rm -f "$file" "$file".*
  while :; do
    local have=0
    if compgen -G "$file.*" >/dev/null; then have=$(cat "$file".* | wc -l); fi
    ((have >= n)) && break
    if ((have == prev)); then log "prefill makes no progress: $(cat "$OUT/wrk-prefill.txt")"; exit 1; fi
    prev=$have
    # ~15k creates/s here: size each round to what is missing. One more per thread: wrk calls
    # request() once before the run and drops what it returns (with -t1 the last create was
    # lost, and a round for one missing call created none).
    local secs=$(((n - have) / 12000 + 1))
    BENCH_SIDS_OUT="$file" BENCH_TWIML="${3:-}" BENCH_CREATE_EXTRA="${4:-}" \
      BENCH_CREATE_MAX=$(((n - have + WRK_THREADS - 1) / WRK_THREADS + 1)) \
      timeout $((secs + 30)) wrk -t"$WRK_THREADS" -c"$CONNS" -d"${secs}s" -s "$BENCH/create.lua" "$DT_URL" >"$OUT/wrk-prefill.txt"
  done
  PREFILLED=$(cat "$file".* | wc -l)
  awk -v n="$n" 'NR <= n' "$file".* >"$file"
  rm -f "$file".*
}

# wrk_round NAME URL SCRIPT [SIDS]: one run; appends "NAME rps p50_ms p99_ms non2xx" to
# $OUT/rounds.
wrk_round() {
  local name="$1" url="$2" script="$3" sids="${4:-}"
  local out="$OUT/wrk-$name.txt"
  # The durable server's checkpoints leave ~100 MB of dirty pages a create round, which the
  # kernel writes back ~30 s later: in the middle of another server's round (the in-memory
  # creates' third round had p99 5.24 and 5.45 ms against 2.6-3.3 in the others, fourteenth
  # session). So no other server pays for it: the page cache is flushed before every round
  # that is not the durable server's own (whose writeback is its cost).
  [[ "$name" == durable.* ]] || sync
  local ticks=""
  [[ "$name" == dialtone.fetch ]] && ticks=$(log_ticks)
  BENCH_SIDS="$sids" timeout $((DURATION + 30)) wrk -t"$WRK_THREADS" -c"$CONNS" -d"${DURATION}s" \
    --latency -s "$BENCH/$script" "$url" >"$out" 2>&1 || true
  [[ -n "$ticks" ]] && echo "$ticks $(log_ticks)" >>"$OUT/log_ticks"
  awk -v name="$name" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx/ { bad = $NF }
    END { printf "%s %.0f %.2f %.2f %d\n", name, rps, p50, p99, bad + 0 }' "$out" >>"$OUT/rounds"
  log "  $(tail -1 "$OUT/rounds")"
}

# log_ticks: "BUSY LOG", the CPU ticks (1/100 s) the whole machine has spent busy, and those of
# dialtone's log writer (dt-log, of $DT_PID: the defaults' server): the access log's share of
# the fetch rounds, a ratio of two figures of the same seconds (see access_log_share).
log_ticks() {
  local busy log=0 t
  busy=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat)
  for t in /proc/"$DT_PID"/task/*; do
    if [[ "$(cat "$t/comm" 2>/dev/null)" == dt-log ]]; then log=$(awk '{ print $14 + $15 }' "$t/stat"); fi
  done
  echo "$busy $log"
}

# access_log_share: what the access log takes of the machine's CPU in the defaults' fetch
# rounds: dt-log's ticks over the machine's (in the same seconds, so the VM's drift of speed
# cancels out), plus the line's formatting on the I/O thread (bench/access_log_bench, ns a
# line) times the requests, over the same busy time. With the cores saturated, throughput is
# the inverse of the CPU a request takes, so this share is what the log costs of it; the
# comparison of req/s against --log-level warn moves by +-8% between rounds here and cannot
# resolve it (bench/RESULTS.md, twenty-third session).
access_log_share() {
  local line_ns
  "$BUILD/bench/access_log_bench" >/dev/null 2>"$OUT/access_log_bench.txt" || return 0
  line_ns=$(awk '/^access_log_line_ns/ { print $2 }' "$OUT/access_log_bench.txt")
  awk -v line_ns="$line_ns" -v secs="$DURATION" '
    FNR == NR { if ($1 == "dialtone.fetch") requests += $2 * secs; next }
    { busy += $3 - $1; log_ticks += $4 - $2 }
    END {
      if (busy <= 0 || requests <= 0) exit
      writer = 100 * log_ticks / busy; line = 100 * line_ns * requests / (busy * 1e7)
      printf "access log, share of the machine CPU in the defaults fetch rounds: %.1f%% (dt-log %.2f%%, the line on the I/O thread %.2f%%: %s ns x %.0f requests; %.1f us of CPU a fetch)\n", writer + line, writer, line, line_ns, requests, busy * 1e4 / requests
    }' "$OUT/rounds" "$OUT/log_ticks"
}

# summarize NAME: the rounds of NAME as one line of $OUT/results (mean req/s, median p50,
# worst p99, non-2xx summed).
summarize() {
  awk -v name="$1" '$1 == name { n++; rps += $2; p50[n] = $3; if ($4 > p99) p99 = $4; bad += $5 }
    END {
      if (!n) exit
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (p50[j] < p50[i]) { t = p50[i]; p50[i] = p50[j]; p50[j] = t }
      printf "%s %.0f %.2f %.2f %d\n", name, rps / n, p50[int((n + 1) / 2)], p99, bad
    }' "$OUT/rounds" >>"$OUT/results"
  log "$(tail -1 "$OUT/results")"
}

# store_metrics URL FILE: the durable server's store histograms (dialtone_store_*) into FILE.
store_metrics() { curl -s "$1/_dialtone/metrics" | grep '^dialtone_store_' >"$2" || true; }
# store_latency WORKLOAD BEFORE AFTER: one extra line, the commits and syncs between the two
# snapshots: how many, and the bucket bounds of their p50, p99 and slowest (the histograms'
# bounds, so "<= 1 ms" means between the bound below and 1 ms).
store_latency() {
  extra "durable $1 store: $(awk '
    function q(m, frac,   i, le) {
      for (i = 1; i <= n[m]; i++) { le = order[m, i]; if (delta[m, le] >= frac * total[m]) return le == "+Inf" ? ">5s" : "<=" le * 1000 "ms" }
    }
    match($0, /^dialtone_store_(commit|sync)_seconds_bucket\{le="[^"]*"\}/) {
      m = ($0 ~ /_commit_/) ? "commits" : "syncs"
      split($0, a, "\""); le = a[2]
      if (FNR == NR) { before[m, le] = $2; next }
      if (!((m, le) in seen)) { seen[m, le] = 1; order[m, ++n[m]] = le }
      delta[m, le] = $2 - before[m, le]; if (le == "+Inf") total[m] = delta[m, le]
    }
    END {
      for (k = 1; k <= 2; k++) {
        m = k == 1 ? "commits" : "syncs"
        if (total[m] > 0) printf "%s %d (p50 %s, p99 %s, slowest %s)  ", m, total[m], q(m, 0.5), q(m, 0.99), q(m, 1)
      }
    }' "$2" "$3")"
}

# run_wrk NAME URL SCRIPT [SIDS]: a workload against one server, alone (Prism).
run_wrk() {
  local r
  for ((r = 0; r < ROUNDS; r++)); do wrk_round "$@"; done
  summarize "$1"
}

# run_rounds WORKLOAD SCRIPT NAME|URL|SIDS...: the workload against each server in turn, round
# by round, so that their figures are seconds apart (NAME.WORKLOAD in the results).
run_rounds() {
  local w="$1" script="$2" r t name url sids
  shift 2
  for ((r = 0; r < ROUNDS; r++)); do
    for t in "$@"; do
      IFS='|' read -r name url sids <<<"$t"
      wrk_round "$name.$w" "$url" "$script" "$sids"
    done
  done
  for t in "$@"; do summarize "${t%%|*}.$w"; done
}

# run_pair WORKLOAD SCRIPT [SIDS]: the workload against dialtone ($DT_URL) and the ceiling.
run_pair() { run_rounds "$1" "$2" "dialtone|$DT_URL|${3:-}" "ceiling|$CEIL_URL|${3:-}"; }

# launch_ceiling NAME [ARGS...]: a ceiling_server with the body of a real Call, on CEIL_THREADS
# threads, its output in $OUT/NAME.log (sets LAUNCHED_PID, LAUNCHED_URL).
launch_ceiling() {
  local name="$1"
  shift
  "$CEILING" --port 0 --threads "$CEIL_THREADS" --body "$OUT/call-body.json" "$@" >"$OUT/$name.log" 2>&1 &
  LAUNCHED_PID=$!; PIDS+=("$LAUNCHED_PID")
  LAUNCHED_URL=$(wait_line "$OUT/$name.log" 'http://127\.0\.0\.1:[0-9]+' 10) || { log "the $name server did not start"; exit 1; }
}
# start_ceiling: the Beast ceiling (sets CEIL_PID, CEIL_URL), on as many threads as dialtone
# runs. start_batched_ceiling: the same ceiling writing as dialtone does, each batch of answers
# back to back (sets BATCHED_PID, BATCHED_URL): a second yardstick, so that the ratio to the
# plain ceiling is not read as what dialtone's own code costs.
start_ceiling() {
  CEIL_THREADS="${CEIL_THREADS:-$DT_THREADS}"
  launch_ceiling ceiling
  CEIL_PID=$LAUNCHED_PID CEIL_URL=$LAUNCHED_URL
}
start_batched_ceiling() {
  launch_ceiling batched --batch-writes
  BATCHED_PID=$LAUNCHED_PID BATCHED_URL=$LAUNCHED_URL
}

: >"$OUT/results"
: >"$OUT/rounds"
: >"$OUT/extra"
extra() { echo "$*" >>"$OUT/extra"; log "$*"; }

log "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); wrk -t$WRK_THREADS -c$CONNS -d${DURATION}s x $ROUNDS rounds"
probe_control_api

# --- 1. fetch, update, create (and list, durable against in-memory) with 10k in-progress ---
# calls: the defaults (the headline), --log-level warn (fetch), --data-dir (durable).
# start_prefilled NAME SIDS_FILE [ARGS...]: a dialtone with 10k in-progress calls.
start_prefilled() {
  local name="$1" sids="$2"
  shift 2
  start_dialtone "$name" "${CLOCK_ARGS[@]}" "$@"
  prefill_calls 10000 "$sids"
  ((HAVE_ADVANCE)) && advance 2 >/dev/null  # dial, ring 1 s, answer: all in-progress
  return 0
}
rm -rf "$DATA"
# At warn nothing names the port (the "listening on" line is at info): the script picks one.
QUIET_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
QUIET_URL="http://127.0.0.1:$QUIET_PORT"
"$DIALTONE" --port "$QUIET_PORT" ${THREADS:+--threads "$THREADS"} --data-dir "" "${EXTRA_ARGS[@]}" \
  "${CLOCK_ARGS[@]}" --log-level warn >"$OUT/quiet.log" 2>&1 &
QUIET_PID=$!; PIDS+=("$QUIET_PID")
for _ in $(seq 1 100); do curl -s -o /dev/null "$QUIET_URL/_dialtone/health" && break; sleep 0.1; done
DT_URL=$QUIET_URL prefill_calls 10000 "$OUT/quiet10k.sids"
((HAVE_ADVANCE)) && DT_URL=$QUIET_URL advance 2 >/dev/null
start_prefilled durable "$OUT/durable10k.sids" --data-dir "$DATA"
DURABLE_PID=$DT_PID DURABLE_URL=$DT_URL
start_prefilled main "$OUT/calls10k.sids"
first=$(head -1 "$OUT/calls10k.sids")
curl -s -u "$AC:$TOKEN" "$DT_URL$API/Calls/$first.json" >"$OUT/call-body.json"
grep -q '"status": "in-progress"' "$OUT/call-body.json" || log "warning: prefilled calls are not in-progress: $(head -c 300 "$OUT/call-body.json")"
start_ceiling  # stays up for the list workload too
start_batched_ceiling
log "dialtone: $DT_THREADS I/O thread(s) (its choice unless BENCH_THREADS); ceiling: $CEIL_THREADS"
# Each instance has its own sids for the same kind of calls.
mem="dialtone|$DT_URL|$OUT/calls10k.sids" ceil="ceiling|$CEIL_URL|$OUT/calls10k.sids"
batched="batched|$BATCHED_URL|$OUT/calls10k.sids"
durable="durable|$DURABLE_URL|$OUT/durable10k.sids"
run_rounds fetch fetch.lua "$mem" "quiet|$QUIET_URL|$OUT/quiet10k.sids" "$durable" "$ceil" "$batched"
share=$(access_log_share) && [[ -n "$share" ]] && extra "$share"
stop "$QUIET_PID"
store_metrics "$DURABLE_URL" "$OUT/store.0"
run_rounds update update.lua "$mem" "$durable" "$ceil" "$batched"
store_metrics "$DURABLE_URL" "$OUT/store.1"
# Pages of the 10k in-progress calls each holds, in memory and durable (before create adds
# queued calls, which a page of in-progress calls has to skip).
run_rounds list10k list.lua "$mem" "$durable"
store_metrics "$DURABLE_URL" "$OUT/store.2"
run_rounds create create.lua "$mem" "$durable" "$ceil" "$batched"
store_metrics "$DURABLE_URL" "$OUT/store.3"
store_latency update "$OUT/store.0" "$OUT/store.1"
store_latency create "$OUT/store.2" "$OUT/store.3"
stop "$DURABLE_PID"
stop "$DT_PID"
stop "$BATCHED_PID"
((HTTP_ONLY)) && stop "$CEIL_PID"

if ((!HTTP_ONLY)); then

# --- 2. list over 100k stored calls; RSS with 100k live calls; 100k timers in one advance ---
start_dialtone list "${CLOCK_ARGS[@]}"
rss_empty=$(rss_mib "$DT_PID")
prefill_calls 100000 "$OUT/calls100k.sids" "%3CResponse%3E%3CPause%20length%3D%22600%22%2F%3E%3C%2FResponse%3E"
if ((HAVE_ADVANCE)); then
  extra "rss_100k_live_queued_mib $(rss_mib "$DT_PID") (empty: $rss_empty)"
  extra "advance_100k_dial_and_answer_ms $(advance 2)"
fi
extra "rss_100k_live_in_progress_mib $(rss_mib "$DT_PID") (empty: $rss_empty)"
run_pair list list.lua
stop "$CEIL_PID"
if ((HAVE_ADVANCE)); then
  # Every call is 2 s into a 600 s <Pause>: one advance fires 100k verb timers, each call
  # runs off the end of its document and completes.
  extra "advance_100k_pause_timers_ms $(advance 600)"
else
  extra "advance_100k_pause_timers_ms n/a (no clock/advance; see engine_bench)"
fi
stop "$DT_PID"

# Engine-level timer figure (no HTTP), always available.
"$BUILD/bench/engine_bench" --calls 100000 >"$OUT/engine_bench.txt"
extra "engine_fire_100k_pause_timers_ms $(awk '/^fire_/ { print $2 }' "$OUT/engine_bench.txt")"

# --- 3. callbacks: signed status callbacks per second to a local keep-alive sink ---
if ((HAVE_ADVANCE)); then
  # One place measures this figure (also run on its own): bench/callbacks.sh.
  cb_line=$(BENCH_OUT="$OUT" BENCH_BUILD="$BUILD" BENCH_THREADS="$THREADS" \
    BENCH_WRK_THREADS="$WRK_THREADS" BENCH_CONNECTIONS="$CONNS" "$BENCH/callbacks.sh" 2>"$OUT/callbacks.txt") ||
    cb_line="callbacks_per_s n/a (bench/callbacks.sh failed: $(tail -1 "$OUT/callbacks.txt"))"
  extra "$cb_line"
else
  extra "callbacks_per_s n/a (no clock/advance)"
fi

# --- 4. memory with 1M ended calls ---
if ((MEMORY)); then
  start_dialtone ended "${CLOCK_ARGS[@]}"
  hangup="%3CResponse%3E%3CHangup%2F%3E%3C%2FResponse%3E"
  # In rounds of 100k, each run to completed by an advance, as calls end on a long-lived
  # instance (creating all of them first would measure 1M calls queued at once instead).
  round=100000 made=0 adv_ms=0
  while ((made < ENDED)); do
    n=$((ENDED - made < round ? ENDED - made : round))
    prefill_calls "$n" "$OUT/ended.sids" "$hangup"
    made=$((made + n))
    ((HAVE_ADVANCE)) && adv_ms=$((adv_ms + $(advance 5)))
  done
  ((HAVE_ADVANCE)) && extra "advance_${ENDED}_calls_to_completed_ms $adv_ms (in rounds of $round)"
  sleep 1
  last=$(tail -1 "$OUT/ended.sids")
  curl -s -u "$AC:$TOKEN" "$DT_URL$API/Calls/$last.json" | grep -q '"status": "completed"' ||
    log "warning: the last call is not completed"
  extra "rss_${ENDED}_ended_mib $(rss_mib "$DT_PID")"
  stop "$DT_PID"
  rm -f "$OUT/ended.log" "$OUT/ended.sids"  # large
fi

# --- 5. start-up ---
extra "$(node "$BENCH/startup.mjs" "$DIALTONE" 10 | tr '\n' ' ')"

# --- 5b. isolated accounts: 10,000 worlds, each with its own manual clock (docs/accounts.md) ---
extra "$(node "$BENCH/accounts_rss.mjs" "$DIALTONE" 10000 | tr '\n' ' ')"

fi  # !HTTP_ONLY

# --- 6. the other baseline, Prism, same load (the ceiling ran beside dialtone above) ---
if ((PRISM)) && [[ -f "$SPEC" ]]; then
  PRISM_PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
  "$BENCH/node_modules/.bin/prism" mock -h 127.0.0.1 -p "$PRISM_PORT" --verboseLevel error "$SPEC" >"$OUT/prism.log" 2>&1 &
  PRISM_PID=$!; PIDS+=("$PRISM_PID")
  for _ in $(seq 1 600); do  # Prism takes seconds to load the spec
    curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$PRISM_PORT/" && break
    sleep 0.1
  done
  run_wrk prism.fetch "http://127.0.0.1:$PRISM_PORT" fetch.lua "$OUT/calls10k.sids"
  run_wrk prism.update "http://127.0.0.1:$PRISM_PORT" update.lua "$OUT/calls10k.sids"
  stop "$PRISM_PID"
fi

# --- the table ---
{
  echo "dialtone bench  $(date -u +%FT%TZ)  $(nproc) cores (wrk and servers share them), load $(cut -d' ' -f1-3 /proc/loadavg)"
  # What new memory costs here (bench/first_touch.cpp): figures that allocate (create) move
  # with it between machines.
  if [[ -x "$BUILD/bench/first_touch" ]]; then echo "new memory: $("$BUILD/bench/first_touch" 128)"; fi
  echo "wrk -t$WRK_THREADS -c$CONNS -d${DURATION}s x $ROUNDS rounds (the servers of a workload alternating); dialtone ${THREADS:-$DT_THREADS (its default)} I/O thread(s)${EXTRA_ARGS[*]:+, ${EXTRA_ARGS[*]}}, ceiling $CEIL_THREADS; clock: ${CLOCK_ARGS[*]}"
  echo
  awk '
    { rps[$1] = $2; p50[$1] = $3; p99[$1] = $4; bad[$1] = $5 }
    END {
      printf "%-8s %10s %8s %8s %10s %8s %10s %8s %9s %10s %9s\n", "workload", "req/s", "p50 ms", "p99 ms", "ceiling/s", "vs ceil", "batched/s", "vs batch", "prism/s", "vs prism", "non-2xx"
      n = split("fetch update create list", w, " ")
      for (i = 1; i <= n; i++) {
        d = "dialtone." w[i]; c = "ceiling." w[i]; b = "batched." w[i]; p = "prism." w[i]
        rc = (c in rps && rps[c] > 0) ? sprintf("%.2f", rps[d] / rps[c]) : "-"
        rb = (b in rps && rps[b] > 0) ? sprintf("%.2f", rps[d] / rps[b]) : "-"
        rp = (p in rps && rps[p] > 0) ? sprintf("%.1fx", rps[d] / rps[p]) : "-"
        printf "%-8s %10s %8s %8s %10s %8s %10s %8s %9s %10s %9s\n", w[i], rps[d], p50[d], p99[d], (c in rps ? rps[c] : "-"), rc, (b in rps ? rps[b] : "-"), rb, (p in rps ? rps[p] : "-"), rp, bad[d]
      }
    }' "$OUT/results"
  echo
  # The access log's cost (the defaults against --log-level warn) and durable mode (--data-dir,
  # group commit) against the in-memory figures of the same rounds.
  awk '
    { rps[$1] = $2; p50[$1] = $3; p99[$1] = $4; bad[$1] = $5 }
    END {
      printf "%-18s %10s %8s %8s %12s %8s %9s\n", "", "req/s", "p50 ms", "p99 ms", "in memory/s", "ratio", "non-2xx"
      q = "quiet.fetch"; d = "dialtone.fetch"
      if (q in rps) printf "%-18s %10s %8s %8s %12s %8s %9s  (access log cost by req/s: %.1f%%)\n", "fetch, log warn", rps[q], p50[q], p99[q], rps[d], sprintf("%.2f", rps[d] / rps[q]), bad[q], 100 * (1 - rps[d] / rps[q])
      n = split("fetch update create list10k", w, " ")
      for (i = 1; i <= n; i++) {
        x = "durable." w[i]; m = "dialtone." w[i]
        if (!(x in rps)) continue
        printf "%-18s %10s %8s %8s %12s %8s %9s\n", w[i] ", --data-dir", rps[x], p50[x], p99[x], rps[m], (rps[m] > 0 ? sprintf("%.2f", rps[x] / rps[m]) : "-"), bad[x]
      }
      if ("dialtone.list10k" in rps) printf "%-18s %10s %8s %8s\n", "list10k, memory", rps["dialtone.list10k"], p50["dialtone.list10k"], p99["dialtone.list10k"]
    }' "$OUT/results"
  echo
  echo "baselines: p50/p99 ms  ceiling: $(awk '/^ceiling/ { printf "%s %s/%s  ", substr($1, 9), $3, $4 }' "$OUT/results")"
  echo "           batched: $(awk '/^batched/ { printf "%s %s/%s  ", substr($1, 9), $3, $4 }' "$OUT/results")"
  echo "           prism:   $(awk '/^prism/ { printf "%s %s/%s  ", substr($1, 7), $3, $4 }' "$OUT/results")"
  echo
  cat "$OUT/extra"
} | tee "$OUT/summary.txt"
