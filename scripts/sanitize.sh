#!/usr/bin/env bash
# Builds a sanitizer preset and runs the unit tests (ctest) and the whole e2e suite against it.
#   scripts/sanitize.sh asan     AddressSanitizer + UBSan, LeakSanitizer on (build/asan)
#   scripts/sanitize.sh tsan     ThreadSanitizer (build/tsan)
#   --unit-only                  build only the unit-test binaries and run only ctest
#                                (what scripts/test.sh, and so CI, runs on every change)
#   --build-only | --skip-build  only build; or only run what an earlier --build-only built
#   Extra arguments after -- go to `node --test` (e.g. -- --test-name-pattern=broken).
# Every sanitizer report of every process goes to tests/e2e/artifacts/<preset>/report.*
# (log_path); the script fails if there is any, and prints them. The full run (unit + e2e) is
# not part of scripts/test.sh: the README gives its run time.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
preset=${1:-}
case "$preset" in
  asan|tsan) shift ;;
  *) echo "usage: $0 asan|tsan [--unit-only] [--build-only|--skip-build] [-- node-test-args...]" >&2
     exit 2 ;;
esac
unit_only=0 build=1 run=1
while (($#)); do
  case "$1" in
    --unit-only) unit_only=1 ;;
    --build-only) run=0 ;;
    --skip-build) build=0 ;;
    --) shift; break ;;
    *) echo "sanitize.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
node_args=("$@")

t0=$(date +%s)
if ((build)); then
  targets=()
  # The unit tests link every library; the server binary and the e2e suite are left out. Under
  # TSan only the server's tests: core and api are single-threaded (DESIGN.md), every thread
  # (I/O, webhooks, timers, log flushing) lives in server/, and the build is the slowest.
  if ((unit_only)); then
    targets=(--target dialtone_core_tests dialtone_api_tests dialtone_server_tests)
    [[ $preset == tsan ]] && targets=(--target dialtone_server_tests)
  elif [[ $preset == tsan ]]; then
    targets=(--target dialtone dialtone_server_tests)  # ctest runs no other tests under TSan
  fi
  # SANITIZE_SERVER_UBSAN=OFF: server/ and its tests under ASan only (scripts/test.sh's unit
  # run; README: UBSan doubled their compile). The full run keeps UBSan everywhere.
  if ! { cmake --preset "$preset" -DDIALTONE_SERVER_UBSAN="${SANITIZE_SERVER_UBSAN:-ON}" >/dev/null &&
         cmake --build --preset "$preset" -j"${SANITIZE_JOBS:-2}" "${targets[@]}"; }; then
    echo "sanitize.sh $preset: build failed"
    exit 1
  fi
fi
t1=$(date +%s)
((run)) || { echo "sanitize.sh $preset: built in $((t1 - t0)) s"; exit 0; }

reports="$root/tests/e2e/artifacts/$preset"
rm -rf "$reports" && mkdir -p "$reports"
if [[ $preset == asan ]]; then
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:log_path=$reports/report:${ASAN_OPTIONS:-}"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/report:${UBSAN_OPTIONS:-}"
  export LSAN_OPTIONS="${LSAN_OPTIONS:-}"
  slowdown=3
else
  export TSAN_OPTIONS="second_deadlock_stack=1:halt_on_error=0:log_path=$reports/report:${TSAN_OPTIONS:-}"
  slowdown=5
fi

# Each test binary runs as a few gtest shards, one process each (tests/CMakeLists.txt says why).
ctest --preset "$preset" --parallel "${SANITIZE_JOBS:-2}"
ctest_rc=$?
t2=$(date +%s)

# The reports of the ctest run are the unit tests' own; keep them apart from the e2e ones.
mkdir -p "$reports/ctest" && find "$reports" -maxdepth 1 -name 'report.*' -exec mv {} "$reports/ctest/" \;

e2e_rc=0
if ((!unit_only)); then
  [[ -d tests/e2e/node_modules ]] || (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
  export DIALTONE_BIN="$root/build/$preset/server/dialtone"
  export DIALTONE_E2E_SLOWDOWN="${DIALTONE_E2E_SLOWDOWN:-$slowdown}"
  (cd tests/e2e && node --test --test-concurrency=1 --test-timeout=300000 --test-reporter=spec \
    "${node_args[@]}" test/*.test.js) 2>&1 | tee "$reports/e2e.log"
  e2e_rc=${PIPESTATUS[0]}
fi
t3=$(date +%s)

n_ctest=$(find "$reports/ctest" -name 'report.*' | wc -l)
n_e2e=$(find "$reports" -maxdepth 1 -name 'report.*' | wc -l)
for f in "$reports"/report.* "$reports"/ctest/report.*; do
  [[ -f $f ]] && { echo "=== $f"; head -60 "$f"; }
done
e2e_part="e2e $((t3 - t2)) s (rc $e2e_rc)"
((unit_only)) && e2e_part="e2e not run (--unit-only)"
echo "sanitize.sh $preset: build $((t1 - t0)) s, ctest $((t2 - t1)) s (rc $ctest_rc), $e2e_part," \
  "sanitizer reports: $n_ctest from ctest, $n_e2e from e2e (in $reports)"
((ctest_rc == 0 && e2e_rc == 0 && n_ctest == 0 && n_e2e == 0))
