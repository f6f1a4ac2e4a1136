#!/usr/bin/env bash
# RSS of the real server (HTTP side included) for the memory targets, without timing anything:
#   live:  N calls created over HTTP (<Pause length="600">): RSS queued, then in-progress
#   ended: M calls (<Hangup/>) created in rounds of 100k, the clock advanced after each round
#          so that they run to completed as on a long-lived instance
# Usage: bench/server_rss.sh [DIALTONE_BIN] [N=100000] [M=1000000]
set -euo pipefail
BENCH="$(cd "$(dirname "$0")" && pwd)"
BIN="${1:-$BENCH/../build/release/server/dialtone}"
N="${2:-100000}"
M="${3:-1000000}"
AC=ACd1a170e0000000000000000000000000
TOKEN=dialtone-auth-token
OUT="$(mktemp -d)"
export BENCH_DIR="$BENCH" BENCH_AC="$AC"
export BENCH_AUTH="Basic $(printf '%s:%s' "$AC" "$TOKEN" | base64 -w0)"
PID=""
trap '[[ -n "$PID" ]] && kill "$PID" 2>/dev/null; rm -rf "$OUT"' EXIT

start() {
  "$BIN" --port 0 --threads 2 --data-dir "" --clock manual >"$OUT/log" 2>&1 &
  PID=$!
  for _ in $(seq 100); do
    URL=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$OUT/log" | head -1 || true)
    [[ -n "$URL" ]] && return
    sleep 0.1
  done
  echo "dialtone did not start" >&2; cat "$OUT/log" >&2; exit 1
}
stop() { kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""; }
rss() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$PID/status"; }
advance() {
  curl -s -o /dev/null --max-time 600 -u "$AC:$TOKEN" -X POST "$URL/_dialtone/clock/advance" \
    -d "Seconds=$1"
}
calls() {  # calls STATUS: how many the engine holds in that status (metrics)
  curl -s -u "$AC:$TOKEN" "$URL/_dialtone/metrics" |
    awk -v s="$1" '$0 ~ "^dialtone_calls\\{status=\"" s "\"" { print $2 }'
}
create() {  # create COUNT TWIML_URLENCODED SECONDS: at most COUNT calls (2 threads, COUNT/2 each)
  BENCH_TWIML="$2" BENCH_CREATE_MAX=$(($1 / 2)) \
    wrk -t2 -c16 -d"${3}s" -s "$BENCH/create.lua" "$URL" >"$OUT/wrk.txt"
}

start
empty=$(rss)
create "$N" "%3CResponse%3E%3CPause%20length%3D%22600%22%2F%3E%3C%2FResponse%3E" "${LIVE_SECONDS:-60}"
echo "rss_live_queued_mib $(rss) (empty: $empty; queued: $(calls queued))"
advance 2
echo "rss_live_in_progress_mib $(rss) (in-progress: $(calls in-progress))"
stop

start
for ((done = 0; done < M; done += 100000)); do
  create 100000 "%3CResponse%3E%3CHangup%2F%3E%3C%2FResponse%3E" "${ROUND_SECONDS:-40}"
  advance 2
done
echo "rss_ended_mib $(rss) (completed: $(calls completed))"
stop
