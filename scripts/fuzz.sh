#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz, the `fuzz` preset: clang, ASan + UBSan) and runs
# each for SECONDS (default 30) on a copy of its seed corpus, so runs never write into the repo.
# Exits non-zero on any finding (crash, leak, UB, failed invariant) and prints where the
# crashing input was saved; replay one with: build/fuzz/tests/fuzz/fuzz_NAME path/to/crash-...
#   scripts/fuzz.sh              30 s per harness (a smoke run, ~3 min in all)
#   scripts/fuzz.sh 600          the longer run: 10 min per harness, before a release
#   scripts/fuzz.sh 60 twiml     only the named harnesses
# Needs clang and libclang-rt-14-dev: scripts/install-deps.sh --fuzz.
# Environment: FUZZ_WORKDIR (default: a new temp dir; kept when something was found),
# FUZZ_JOBS (build parallelism, default 2).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

seconds=${1:-30}
shift || true
all=(form route auth twilio_api twiml config)
harnesses=("$@")
((${#harnesses[@]})) || harnesses=("${all[@]}")

# Longest input each harness gets: enough for its structure, small enough to stay fast.
declare -A max_len=([form]=4096 [route]=1024 [auth]=1024 [twilio_api]=8192 [twiml]=8192
                    [config]=8192)

if ! command -v clang++ >/dev/null || ! compgen -G "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null; then
  echo "fuzz.sh: clang or libFuzzer missing; run scripts/install-deps.sh --fuzz" >&2
  exit 2
fi
if ! { cmake --preset fuzz >/dev/null && cmake --build --preset fuzz -j"${FUZZ_JOBS:-2}"; }; then
  echo "fuzz.sh: building the fuzz preset failed" >&2
  exit 2
fi

work=${FUZZ_WORKDIR:-$(mktemp -d /tmp/dialtone-fuzz.XXXXXX)}
mkdir -p "$work"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
for h in "${harnesses[@]}"; do
  bin=$root/build/fuzz/tests/fuzz/fuzz_$h
  [[ -x "$bin" ]] || { echo "fuzz.sh: no harness $h" >&2; failed+=("$h"); continue; }
  corpus=$work/$h/corpus
  artifacts=$work/$h/artifacts/
  mkdir -p "$corpus" "$artifacts"
  cp -r "$root/tests/fuzz/corpus/$h/." "$corpus/" 2>/dev/null || true
  dict=()
  [[ -f "$root/tests/fuzz/$h.dict" ]] && dict=(-dict="$root/tests/fuzz/$h.dict")
  echo "== fuzz_$h: ${seconds}s, corpus $(ls "$corpus" | wc -l) files, -max_len=${max_len[$h]:-4096}"
  "$bin" "$corpus" "${dict[@]}" -max_total_time="$seconds" -max_len="${max_len[$h]:-4096}" \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts" \
    >"$work/$h/log" 2>&1
  rc=$?
  grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added)' \
    "$work/$h/log" | sed 's/^/   /'
  if ((rc != 0)); then
    failed+=("$h")
    echo "!! fuzz_$h found something (exit $rc); log: $work/$h/log"
    grep -E 'ERROR: |FUZZ_CHECK|runtime error|SUMMARY' "$work/$h/log" | head -5 | sed 's/^/   /'
    for f in "$artifacts"*; do [[ -e "$f" ]] && echo "   input: $f"; done
  fi
done

if ((${#failed[@]})); then
  echo "fuzz.sh: findings in: ${failed[*]} (work dir kept: $work)"
  exit 1
fi
echo "fuzz.sh: ${#harnesses[@]} harnesses, ${seconds}s each, no findings"
[[ -z "${FUZZ_WORKDIR:-}" ]] && rm -rf "$work"
exit 0
