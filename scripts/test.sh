#!/usr/bin/env bash
# Sets up and runs every test: installs the build and test dependencies, builds the `ci` preset
# (warnings are errors), runs the unit tests (ctest) and then the end-to-end suite against the
# real binary. Exits non-zero on any failure; the last line is always "N passed, N failed".
#   scripts/test.sh                 everything
#   scripts/test.sh --e2e-only      skip install, build and ctest; run tests/e2e against
#                                   $DIALTONE_BIN (default build/ci/server/dialtone)
#   Extra arguments after -- go to `node --test` (e.g. -- --test-name-pattern=delete).
#   DIALTONE_FUZZ_SECONDS=N (default 20; 0 skips) and DIALTONE_SMOKE=0 (skips the container).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

e2e_only=0
node_args=()
while (($#)); do
  case "$1" in
    --e2e-only) e2e_only=1 ;;
    --) shift; node_args=("$@"); break ;;
    *) echo "usage: $0 [--e2e-only] [-- node-test-args...]" >&2; exit 2 ;;
  esac
  shift
done

passed=0
failed=0
summary() {
  echo
  echo "$passed passed, $failed failed"
  ((failed == 0))
  exit $?
}

if ((!e2e_only)); then
  if ! scripts/install-deps.sh --test; then
    echo "test.sh: installing dependencies failed" >&2
    failed=$((failed + 1)); summary
  fi
  if ! { cmake --preset ci && cmake --build --preset ci -j2; }; then
    echo "test.sh: the ci build failed" >&2
    failed=$((failed + 1)); summary
  fi

  ctest_log=$(mktemp)
  ctest --preset ci 2>&1 | tee "$ctest_log"
  ctest_rc=${PIPESTATUS[0]}
  if grep -q "No tests were found" "$ctest_log"; then
    echo "test.sh: ctest found no unit tests"
  elif line=$(grep -Eo '[0-9]+ tests failed out of [0-9]+' "$ctest_log" | tail -1) && [[ -n "$line" ]]; then
    read -r f _ _ _ _ total <<<"$line"
    passed=$((passed + total - f)); failed=$((failed + f))
  elif ((ctest_rc != 0)); then
    failed=$((failed + 1))
  fi
  rm -f "$ctest_log"
fi

export DIALTONE_BIN="${DIALTONE_BIN:-$root/build/ci/server/dialtone}"
if [[ ! -x "$DIALTONE_BIN" ]]; then
  echo "test.sh: no dialtone binary at $DIALTONE_BIN" >&2
  failed=$((failed + 1)); summary
fi
if [[ ! -d tests/e2e/node_modules ]]; then
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error) || { failed=$((failed + 1)); summary; }
fi

mkdir -p tests/e2e/artifacts
tap=tests/e2e/artifacts/e2e.tap
echo "test.sh: e2e suite against $DIALTONE_BIN"
# spec to the terminal for people, TAP to a file for the counts.
(cd tests/e2e && node --test --test-concurrency=1 --test-timeout=120000 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination=artifacts/e2e.tap \
  "${node_args[@]}" test/*.test.js)
e2e_rc=$?
e2e_pass=$(grep -E '^# pass [0-9]+' "$tap" | tail -1 | awk '{print $3}')
e2e_fail=$(grep -E '^# fail [0-9]+' "$tap" | tail -1 | awk '{print $3}')
e2e_cancel=$(grep -E '^# cancelled [0-9]+' "$tap" | tail -1 | awk '{print $3}')
passed=$((passed + ${e2e_pass:-0}))
failed=$((failed + ${e2e_fail:-0} + ${e2e_cancel:-0}))
if ((e2e_rc != 0)) && [[ "${e2e_fail:-0}" == 0 && "${e2e_cancel:-0}" == 0 ]]; then
  failed=$((failed + 1))  # the runner failed without counting a test (e.g. a crash)
fi

# Bounded fuzzing and the container smoke test come last: they build their own trees (clang
# with sanitizers; the image's release build). For a quicker local run skip them with
# DIALTONE_FUZZ_SECONDS=0 and DIALTONE_SMOKE=0; a longer fuzz run is scripts/fuzz.sh 600.
if ((!e2e_only)); then
  fuzz_seconds=${DIALTONE_FUZZ_SECONDS:-20}
  if ((fuzz_seconds > 0)); then
    echo "test.sh: fuzzing each harness for ${fuzz_seconds}s"
    if scripts/install-deps.sh --fuzz && scripts/fuzz.sh "$fuzz_seconds"; then
      passed=$((passed + 1))
    else
      echo "test.sh: fuzzing failed (see above for the crash input)" >&2
      failed=$((failed + 1))
    fi
  fi
  if [[ "${DIALTONE_SMOKE:-1}" != 0 ]]; then
    echo "test.sh: container smoke test (docker/smoke.sh)"
    if docker/smoke.sh; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  fi
fi
summary
