#!/usr/bin/env bash
# Builds a sanitizer preset and runs the unit tests (ctest) and the whole e2e suite against it.
#   scripts/sanitize.sh asan     AddressSanitizer + UBSan, LeakSanitizer on (build/asan)
#   scripts/sanitize.sh tsan     ThreadSanitizer (build/tsan)
#   Extra arguments after -- go to `node --test` (e.g. -- --test-name-pattern=broken).
# Every sanitizer report of every dialtone the e2e suite starts goes to
# tests/e2e/artifacts/<preset>/report.* (log_path); the script fails if there is any, and prints
# them. Not part of scripts/test.sh: it takes several times as long as the ci build.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
preset=${1:-}
case "$preset" in
  asan|tsan) shift ;;
  *) echo "usage: $0 asan|tsan [-- node-test-args...]" >&2; exit 2 ;;
esac
[[ "${1:-}" == "--" ]] && shift
node_args=("$@")

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

t0=$(date +%s)
cmake --preset "$preset" >/dev/null && cmake --build --preset "$preset" -j2 || { echo "sanitize.sh: build failed"; exit 1; }
t1=$(date +%s)
ctest --preset "$preset"
ctest_rc=$?
t2=$(date +%s)

# The reports of the ctest run are the unit tests' own; keep them apart from the e2e ones.
mkdir -p "$reports/ctest" && find "$reports" -maxdepth 1 -name 'report.*' -exec mv {} "$reports/ctest/" \;

[[ -d tests/e2e/node_modules ]] || (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
export DIALTONE_BIN="$root/build/$preset/server/dialtone"
export DIALTONE_E2E_SLOWDOWN="${DIALTONE_E2E_SLOWDOWN:-$slowdown}"
(cd tests/e2e && node --test --test-concurrency=1 --test-timeout=300000 --test-reporter=spec \
  "${node_args[@]}" test/*.test.js) 2>&1 | tee "$reports/e2e.log"
e2e_rc=${PIPESTATUS[0]}
t3=$(date +%s)

n_ctest=$(find "$reports/ctest" -name 'report.*' | wc -l)
n_e2e=$(find "$reports" -maxdepth 1 -name 'report.*' | wc -l)
for f in "$reports"/report.* "$reports"/ctest/report.*; do
  [[ -f $f ]] && { echo "=== $f"; head -60 "$f"; }
done
echo "sanitize.sh $preset: build $((t1 - t0)) s, ctest $((t2 - t1)) s (rc $ctest_rc), e2e $((t3 - t2)) s (rc $e2e_rc)," \
  "sanitizer reports: $n_ctest from ctest, $n_e2e from e2e (in $reports)"
((ctest_rc == 0 && e2e_rc == 0 && n_ctest == 0 && n_e2e == 0))
