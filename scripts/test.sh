#!/usr/bin/env bash
# Sets up and runs every test: installs the build and test dependencies, builds the `ci` preset
# (warnings are errors), runs the unit tests (ctest), the end-to-end suites against the real
# binary (Node: tests/e2e; Python: tests/python), the unit tests again under ASan+UBSan and
# under ThreadSanitizer, bounded fuzzing and the container smoke test. Exits non-zero on any
# failure; the last line is always "N passed, N failed".
#   scripts/test.sh                 everything
#   scripts/test.sh --e2e-only      skip install, builds, unit tests, sanitizers, fuzzing and the
#                                   container; run the e2e suites against $DIALTONE_BIN (default
#                                   build/ci/server/dialtone)
#   Extra arguments after -- go to `node --test` (e.g. -- --test-name-pattern=delete).
# Environment, for a quicker local run: DIALTONE_FUZZ_SECONDS=N (default 15; 0 skips),
# DIALTONE_SANITIZERS=0 (skips the sanitizer unit runs), DIALTONE_SMOKE=0 (skips the container).
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
t0=$SECONDS
took() { echo "test.sh: $1 took $((SECONDS - $2)) s"; }

# Adds the counts of a ctest run (its output in file $1, its exit code $2) to the totals.
count_ctest() {
  local line f total
  if grep -q "No tests were found" "$1"; then
    echo "test.sh: ctest found no unit tests"; failed=$((failed + 1))
  elif line=$(grep -Eo '[0-9]+ tests failed out of [0-9]+' "$1" | tail -1) && [[ -n "$line" ]]; then
    read -r f _ _ _ _ total <<<"$line"
    passed=$((passed + total - f)); failed=$((failed + f))
  elif (($2 != 0)); then
    failed=$((failed + 1))
  fi
}

sanitizers=0
if ((!e2e_only)); then
  # --fuzz: clang and libFuzzer, for the harnesses built beside the sanitizer trees.
  if ! { scripts/install-deps.sh --test && scripts/install-deps.sh --fuzz; }; then
    echo "test.sh: installing dependencies failed" >&2
    failed=$((failed + 1)); summary
  fi
  # The container smoke test's slow parts (a Debian base from the archive, the image's
  # dependency layer and the example app's image, with apt-get and npm inside) wait mostly on
  # the network: they start now, at the lowest priority, and the smoke test at the end finds
  # them cached. Its image ships the ci tree's binary, tested here on the same Debian release:
  # compiling dialtone a second time inside the image took the sanitizer builds' CPU for 10
  # minutes (SMOKE_BINARY= compiles it, as `docker build` does).
  export SMOKE_BINARY="${SMOKE_BINARY-$root/build/ci/server/dialtone}"
  if [[ "${DIALTONE_SMOKE:-1}" != 0 ]]; then
    mkdir -p build
    nice -n 19 docker/smoke.sh --prepare >build/smoke-prepare.log 2>&1 &
    smoke_prepare=$!
  fi
  t=$SECONDS
  if ! { cmake --preset ci && cmake --build --preset ci -j2; }; then
    echo "test.sh: the ci build failed" >&2
    failed=$((failed + 1)); summary
  fi
  took "the ci build" $t

  # The sanitizer trees build at the lowest priority while the suites below run: the suites
  # mostly wait on sockets and a manual clock, so the builds take the idle CPU without
  # slowing them. Their unit tests run once the suites are done.
  if [[ "${DIALTONE_SANITIZERS:-1}" != 0 ]]; then
    sanitizers=1
    mkdir -p build
    # The libFuzzer harnesses' tree (clang; scripts/fuzz.sh) is built here as well.
    # build/sanitizers/asan-built marks the asan tree done: its unit tests run while the rest
    # builds (they wait on timers and sockets part of the time).
    rm -rf build/sanitizers && mkdir -p build/sanitizers
    ( SANITIZE_SERVER_UBSAN=OFF nice -n 19 scripts/sanitize.sh asan --unit-only --build-only &&
      touch build/sanitizers/asan-built &&
      nice -n 19 scripts/sanitize.sh tsan --unit-only --build-only &&
      touch build/sanitizers/tsan-built &&
      nice -n 19 cmake --preset fuzz >/dev/null && nice -n 19 cmake --build --preset fuzz -j2
    ) >build/sanitizers-build.log 2>&1 &
    sanitize_build=$!
  fi

  t=$SECONDS
  ctest_log=$(mktemp)
  ctest --preset ci --parallel 2 2>&1 | tee "$ctest_log"
  count_ctest "$ctest_log" "${PIPESTATUS[0]}"
  rm -f "$ctest_log"
  took "ctest" $t
fi

export DIALTONE_BIN="${DIALTONE_BIN:-$root/build/ci/server/dialtone}"
if [[ ! -x "$DIALTONE_BIN" ]]; then
  echo "test.sh: no dialtone binary at $DIALTONE_BIN" >&2
  failed=$((failed + 1)); summary
fi
if [[ ! -d tests/e2e/node_modules ]]; then
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error) || { failed=$((failed + 1)); summary; }
fi

t=$SECONDS
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
took "the Node e2e suite" $t

# The Python suite (the official python3-twilio); its last line is "N passed, N failed".
t=$SECONDS
py_log=$(mktemp)
tests/python/run.sh 2>&1 | tee "$py_log"
py_rc=${PIPESTATUS[0]}
if line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$py_log" | tail -1) && [[ -n "$line" ]]; then
  read -r p _ f _ <<<"${line//,/}"
  passed=$((passed + p)); failed=$((failed + f))
  ((py_rc != 0 && f == 0)) && failed=$((failed + 1))
else
  failed=$((failed + 1))
fi
rm -f "$py_log"
took "the Python e2e suite" $t

# The container smoke test mostly waits (on the engine, the containers, the example app): it
# runs in the background from here, beside the sanitizer builds and fuzzing; its output is
# printed at the end.
smoke_job=
if ((!e2e_only)) && [[ "${DIALTONE_SMOKE:-1}" != 0 ]]; then
  echo "test.sh: container smoke test (docker/smoke.sh) in the background: build/smoke.log"
  (
    t=$SECONDS
    while kill -0 "$smoke_prepare" 2>/dev/null; do sleep 1; done
    took "waiting for the smoke test's images" $t
    grep -q " prepared$" build/smoke-prepare.log ||
      echo "test.sh: preparing the smoke test may have failed (build/smoke-prepare.log); the test redoes it"
    t=$SECONDS
    docker/smoke.sh
    rc=$?
    took "the container smoke test" $t
    exit $rc
  ) >build/smoke.log 2>&1 &
  smoke_job=$!
fi

# Runs one sanitizer tree's unit tests; each sanitizer report counts as one failure, besides
# the tests that failed.
sanitizer_ctest() {
  local t=$SECONDS san_log san_rc reports
  san_log=$(mktemp)
  scripts/sanitize.sh "$1" --unit-only --skip-build 2>&1 | tee "$san_log"
  san_rc=${PIPESTATUS[0]}
  count_ctest "$san_log" "$san_rc"
  reports=$(grep -Eo 'sanitizer reports: [0-9]+ from ctest' "$san_log" | awk '{print $3}')
  failed=$((failed + ${reports:-1}))
  rm -f "$san_log"
  took "ctest under $1" $t
}
# Waits until the background builds mark tree $1 built (or end); true if it was.
wait_built() {
  while [[ ! -e build/sanitizers/$1-built ]] && kill -0 "$sanitize_build" 2>/dev/null; do
    sleep 1
  done
  [[ -e build/sanitizers/$1-built ]]
}
if ((sanitizers)); then
  # Each tree's unit tests run as soon as it is built, beside the next tree's build.
  echo "test.sh: waiting for the sanitizer builds (log: build/sanitizers-build.log)"
  ran=()
  for preset in asan tsan; do
    t=$SECONDS
    wait_built "$preset" || break
    took "waiting for the $preset build" $t
    sanitizer_ctest "$preset"
    ran+=("$preset")
  done
  t=$SECONDS
  if ! wait "$sanitize_build"; then
    tail -n 40 build/sanitizers-build.log
    echo "test.sh: a sanitizer build failed" >&2
    failed=$((failed + 1))
  else
    grep -E '^sanitize.sh .*built in' build/sanitizers-build.log
    took "waiting for the fuzz build" $t
    ((${#ran[@]} == 2)) || { echo "test.sh: a sanitizer tree was built but not marked" >&2; failed=$((failed + 1)); }
  fi
fi

# Bounded fuzzing comes last, on the tree built above (clang with sanitizers), while the smoke
# test may still run. For a quicker local run skip them with DIALTONE_FUZZ_SECONDS=0 and
# DIALTONE_SMOKE=0; a longer fuzz run is scripts/fuzz.sh 600.
if ((!e2e_only)); then
  fuzz_seconds=${DIALTONE_FUZZ_SECONDS:-15}
  if ((fuzz_seconds > 0)); then
    t=$SECONDS
    echo "test.sh: fuzzing each harness for ${fuzz_seconds}s"
    if scripts/fuzz.sh "$fuzz_seconds"; then  # clang came with the install at the start
      passed=$((passed + 1))
    else
      echo "test.sh: fuzzing failed (see above for the crash input)" >&2
      failed=$((failed + 1))
    fi
    took "fuzzing" $t
  fi
fi
if [[ -n "$smoke_job" ]]; then
  t=$SECONDS
  wait "$smoke_job"
  smoke_rc=$?
  took "waiting for the container smoke test" $t
  cat build/smoke.log
  if ((smoke_rc == 0)); then passed=$((passed + 1)); else failed=$((failed + 1)); fi
fi
took "the whole suite" $t0
summary
