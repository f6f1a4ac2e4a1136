#!/usr/bin/env bash
# Signed status callbacks per second to a local keep-alive sink (bench/run.sh section 3, alone).
#
#   bench/callbacks.sh [--calls N] [-- DIALTONE_ARGS...]
#
# Starts the sink (ceiling_server, 1 thread, counts hits, GET /_count) and dialtone with the
# manual clock, creates N calls (default 10000) with <Hangup/> TwiML and a StatusCallback to
# the sink for initiated, ringing, answered and completed, then times one
# /_dialtone/clock/advance of 5 s until 4 callbacks per call arrived (or nothing moved for 1 s).
# Prints one line: "callbacks_per_s X (GOT callbacks in MS ms ...)", then, on stderr, the load
# average, dialtone's webhook failures by code and the sockets left in TIME-WAIT.
#
# Uses the release build (cmake --preset release -DDIALTONE_BENCH=ON; build the dialtone and
# ceiling_server targets). Environment: BENCH_THREADS (dialtone's --threads; default: its own
# choice), BENCH_WRK_THREADS (1), BENCH_CONNECTIONS (64), BENCH_OUT (default build/bench-out),
# BENCH_BUILD (default build/release), BENCH_PERF (a file: perf record of dialtone over the
# timed window goes there; BENCH_PERF_ARGS, default -g, e.g. "--call-graph dwarf" with the ci
# build's binary), BENCH_WRAP (a command dialtone runs under, e.g. valgrind).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BENCH="$ROOT/bench"
BUILD="${BENCH_BUILD:-$ROOT/build/release}"
OUT="${BENCH_OUT:-$ROOT/build/bench-out}"
THREADS="${BENCH_THREADS:-}"
WRK_THREADS="${BENCH_WRK_THREADS:-1}"
CONNS="${BENCH_CONNECTIONS:-64}"
AC=ACd1a170e0000000000000000000000000
TOKEN=dialtone-auth-token
CALLS=10000
while (($#)); do
  case "$1" in
    --calls) CALLS="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "usage: $0 [--calls N] [-- DIALTONE_ARGS...]" >&2; exit 2 ;;
  esac
done
DIALTONE_ARGS=("$@")
DIALTONE="$BUILD/server/dialtone"
CEILING="$BUILD/bench/ceiling_server"
for b in "$DIALTONE" "$CEILING"; do
  [[ -x "$b" ]] || { echo "callbacks: $b missing (build the release preset with DIALTONE_BENCH=ON)" >&2; exit 1; }
done
export BENCH_DIR="$BENCH" BENCH_AC="$AC"
export BENCH_AUTH="Basic $(printf '%s:%s' "$AC" "$TOKEN" | base64 -w0)"
mkdir -p "$OUT"

source "$BENCH/lib.sh"  # PIDS, cleanup on exit, wait_line
log() { echo "callbacks: $*" >&2; }


"$CEILING" --port 0 --threads 1 >"$OUT/sink.log" 2>&1 &
PIDS+=("$!")
SINK_URL=$(wait_line "$OUT/sink.log" 'http://127\.0\.0\.1:[0-9]+' 10) || { log "sink did not start"; exit 1; }
sink_count() { curl -s "$SINK_URL/_count"; }

${BENCH_WRAP:-} "$DIALTONE" --port 0 ${THREADS:+--threads "$THREADS"} --data-dir "" --clock manual "${DIALTONE_ARGS[@]}" \
  >"$OUT/callbacks.log" 2>&1 &
DT_PID=$!; PIDS+=("$DT_PID")
DT_URL=$(wait_line "$OUT/callbacks.log" 'http://127\.0\.0\.1:[0-9]+' 10) || { log "dialtone did not start"; cat "$OUT/callbacks.log" >&2; exit 1; }

# Creates exactly CALLS calls: wrk rounds sized to what is missing (each thread stops creating
# after its share, see create.lua).
cb_extra="&StatusCallback=$(printf '%s' "$SINK_URL/cb" | sed 's/:/%3A/g; s#/#%2F#g')"
cb_extra+="&StatusCallbackEvent=initiated&StatusCallbackEvent=ringing&StatusCallbackEvent=answered&StatusCallbackEvent=completed"
hangup="%3CResponse%3E%3CHangup%2F%3E%3C%2FResponse%3E"
sids="$OUT/callbacks.sids"
rm -f "$sids".*
prev=-1 stuck=0
while :; do
  have=0
  if compgen -G "$sids.*" >/dev/null; then have=$(cat "$sids".* | wc -l); fi
  ((have >= CALLS)) && break
  if ((have == prev && ++stuck == 3)); then log "creating calls makes no progress: $(cat "$OUT/wrk-callbacks.txt")"; exit 1; fi
  prev=$have
  secs=$(((CALLS - have) / 12000 + 1))
  BENCH_SIDS_OUT="$sids" BENCH_TWIML="$hangup" BENCH_CREATE_EXTRA="$cb_extra" \
    BENCH_CREATE_MAX=$(((CALLS - have + WRK_THREADS - 1) / WRK_THREADS + 1)) \
    timeout $((secs + 30)) wrk -t"$WRK_THREADS" -c"$CONNS" -d"${secs}s" -s "$BENCH/create.lua" "$DT_URL" >"$OUT/wrk-callbacks.txt"
done
rm -f "$sids".*
# Every call created, from dialtone itself: a wrk round that ends with creates in flight
# creates calls it never records.
ncalls=$(curl -s "$DT_URL/_dialtone/metrics" | awk '/^dialtone_calls\{/ { n += $2 } END { print n + 0 }')

# The manual clock dials a new call at once, so its 'initiated' callback may have gone out
# already; everything else waits for the advance. Timed: from the advance until the sink has
# all 4 callbacks of every call; the rate counts the ones that arrived in that window.
if [[ -n "${BENCH_PERF:-}" ]]; then  # profile dialtone over the timed window
  perf record ${BENCH_PERF_ARGS:--g} -o "$BENCH_PERF" -p "$DT_PID" >"$OUT/perf.log" 2>&1 &
  PERF_PID=$!
  sleep 0.5
fi
cpu_ms() {  # user + system CPU time of a process so far
  awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' "/proc/$1/stat"
}
cpu0=$(cpu_ms "$DT_PID")
c0=$(sink_count)
t0=$(date +%s%N)
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 600 -u "$AC:$TOKEN" -X POST \
  "$DT_URL/_dialtone/clock/advance" -d Seconds=5)
[[ "$code" == 200 ]] || log "advance answered $code"
log "advance answered after $((($(date +%s%N) - t0) / 1000000)) ms; $ncalls calls, $c0 callbacks before it"
want=$((4 * ncalls))
last=-1
for _ in $(seq 1 6000); do  # until 4 callbacks per call arrived, or nothing moves for 1 s
  now=$(sink_count)
  ((now >= want)) && break
  if ((now == last)); then sleep 1; [[ "$(sink_count)" == "$now" ]] && break; fi
  last=$now; sleep 0.05
done
t1=$(date +%s%N)
if [[ -n "${PERF_PID:-}" ]]; then kill -INT "$PERF_PID"; wait "$PERF_PID" || true; fi
cpu1=$(cpu_ms "$DT_PID")
got=$(($(sink_count) - c0))
ms=$(((t1 - t0) / 1000000))
total=$(sink_count)
echo "callbacks_per_s $((got * 1000 / (ms > 0 ? ms : 1))) ($got callbacks in ${ms} ms after one advance; $total of $want arrived in all, 4 per call)"
log "load $(cut -d' ' -f1-3 /proc/loadavg); dialtone used $((cpu1 - cpu0)) ms of CPU in the window ($(((cpu1 - cpu0) * 1000000 / (got > 0 ? got : 1))) ns per callback)"
failures=$(curl -s "$DT_URL/_dialtone/metrics" | grep '^dialtone_webhook_failures_total' | tr '\n' ' ' || true)
log "webhook failures: ${failures:-none}"
log "sockets in TIME-WAIT: $(($(ss -tan state time-wait | wc -l) - 1))"
