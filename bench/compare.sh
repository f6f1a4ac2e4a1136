#!/usr/bin/env bash
# Compares two dialtone binaries on fetch, update and create (not part of CI).
#
#   bench/compare.sh OLD_BINARY NEW_BINARY [PAIRS]
#
# Both run at once, each with 10k in-progress calls (manual clock), with the same arguments
# as bench/run.sh's step 1. wrk then alternates between them in short rounds, PAIRS (default 8)
# per workload: this machine's speed drifts by ±15% over minutes, which swamps a 5% difference
# between two runs minutes apart; many short alternating rounds cancel most of it. Prints, per
# workload, each binary's mean req/s and NEW/OLD with the spread of the per-pair ratios.
#
# Environment: BENCH_ROUND_SECONDS (default 3), BENCH_WRK_THREADS (2), BENCH_CONNECTIONS (64),
# BENCH_THREADS (server threads, 2), BENCH_OUT (default build/bench-compare).
set -euo pipefail
(($# >= 2)) || { echo "usage: $0 OLD_BINARY NEW_BINARY [PAIRS]" >&2; exit 2; }
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BENCH="$ROOT/bench"
OLD="$1" NEW="$2" PAIRS="${3:-8}"
SECS="${BENCH_ROUND_SECONDS:-3}"
WRK_THREADS="${BENCH_WRK_THREADS:-2}"
CONNS="${BENCH_CONNECTIONS:-64}"
THREADS="${BENCH_THREADS:-2}"
OUT="${BENCH_OUT:-$ROOT/build/bench-compare}"
AC=ACd1a170e0000000000000000000000000
TOKEN=dialtone-auth-token
export BENCH_DIR="$BENCH" BENCH_AC="$AC"
export BENCH_AUTH="Basic $(printf '%s:%s' "$AC" "$TOKEN" | base64 -w0)"
mkdir -p "$OUT"
rm -f "$OUT"/*

source "$BENCH/lib.sh"  # PIDS, cleanup on exit, wait_line

declare -A URL
start() {  # start NAME BINARY
  "$2" --port 0 --threads "$THREADS" --data-dir "" --clock manual >"$OUT/$1.log" 2>&1 &
  PIDS+=($!)
  URL[$1]=$(wait_line "$OUT/$1.log" 'http://127\.0\.0\.1:[0-9]+' 10) || { cat "$OUT/$1.log" >&2; exit 1; }
}

prefill() {  # prefill NAME: 10k calls, all in-progress, their sids in $OUT/NAME.sids
  BENCH_SIDS_OUT="$OUT/$1.sids" BENCH_CREATE_MAX=$((10000 / WRK_THREADS)) \
    wrk -t"$WRK_THREADS" -c"$CONNS" -d3s -s "$BENCH/create.lua" "${URL[$1]}" >/dev/null
  cat "$OUT/$1.sids".* >"$OUT/$1.sids"
  curl -s -o /dev/null -u "$AC:$TOKEN" -X POST "${URL[$1]}/_dialtone/clock/advance" -d Seconds=2
}

round() {  # round NAME WORKLOAD: prints req/s
  BENCH_SIDS="$OUT/$1.sids" wrk -t"$WRK_THREADS" -c"$CONNS" -d"${SECS}s" \
    -s "$BENCH/$2.lua" "${URL[$1]}" | awk '/Requests\/sec/ { printf "%.0f\n", $2 }'
}

start old "$OLD"
start new "$NEW"
prefill old
prefill new
echo "compare: $(wc -l <"$OUT/old.sids") and $(wc -l <"$OUT/new.sids") calls; $PAIRS pairs of ${SECS}s rounds per workload, alternating, $(nproc) cores"
printf '%-8s %10s %10s %9s %17s\n' workload "old req/s" "new req/s" "new/old" "pair ratios"
for w in fetch update create; do
  : >"$OUT/$w"
  for ((i = 0; i < PAIRS; i++)); do
    # Alternate which goes first, so that a drift within a pair favours neither.
    if ((i % 2)); then n=$(round new "$w"); o=$(round old "$w"); else o=$(round old "$w"); n=$(round new "$w"); fi
    echo "$o $n" >>"$OUT/$w"
  done
  awk -v w="$w" '{ o += $1; n += $2; r = $2 / $1; if (NR == 1 || r < lo) lo = r; if (NR == 1 || r > hi) hi = r }
    END { printf "%-8s %10.0f %10.0f %9.3f %8.2f..%.2f\n", w, o / NR, n / NR, n / o, lo, hi }' "$OUT/$w"
done
