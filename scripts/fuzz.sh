#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz, the `fuzz` preset: clang, ASan + UBSan) and runs
# each for SECONDS (default 30) on a copy of its seed corpus, so runs never write into the repo.
# Exits non-zero on any finding (crash, leak, UB, failed invariant) and prints where the
# crashing input was saved; replay one with: build/fuzz/tests/fuzz/fuzz_NAME path/to/crash-...
#   scripts/fuzz.sh              30 s per harness (a smoke run; on 2 cores two run at once,
#                                so ~1.5 min in all)
#   scripts/fuzz.sh 600          the longer run: 10 min per harness, before a release
#   scripts/fuzz.sh 60 twiml     only the named harnesses
# Needs clang and libclang-rt-14-dev: scripts/install-deps.sh --fuzz.
# Environment: FUZZ_WORKDIR (default: a new temp dir; kept when something was found),
# FUZZ_JOBS (build parallelism, default 2), FUZZ_PARALLEL (harnesses run at once, default: cores).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

seconds=${1:-30}
shift || true
all=(form route auth twilio_api twiml config stream clip)
harnesses=("$@")
((${#harnesses[@]})) || harnesses=("${all[@]}")

# Longest input each harness gets: enough for its structure, small enough to stay fast.
declare -A max_len=([form]=4096 [route]=1024 [auth]=1024 [twilio_api]=8192 [twiml]=8192
                    [config]=8192 [stream]=65536 [clip]=16384)

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

# One harness: its run, then its figures and any finding, printed together once it ends (runs
# overlap, see below). Its exit code is the fuzzer's.
fuzz_one() {
  local h=$1 bin=$root/build/fuzz/tests/fuzz/fuzz_$1 out=$work/$1
  local corpus=$out/corpus artifacts=$out/artifacts/ dict=() rc
  [[ -x "$bin" ]] || { echo "fuzz.sh: no harness $h" >&2; return 2; }
  mkdir -p "$corpus" "$artifacts"
  cp -r "$root/tests/fuzz/corpus/$h/." "$corpus/" 2>/dev/null || true
  [[ -f "$root/tests/fuzz/$h.dict" ]] && dict=(-dict="$root/tests/fuzz/$h.dict")
  local files; files=$(ls "$corpus" | wc -l)
  "$bin" "$corpus" "${dict[@]}" -max_total_time="$seconds" -max_len="${max_len[$h]:-4096}" \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts" \
    >"$out/log" 2>&1
  rc=$?
  {
    echo "== fuzz_$h: ${seconds}s, corpus $files files, -max_len=${max_len[$h]:-4096}"
    grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added)' \
      "$out/log" | sed 's/^/   /'
    if ((rc != 0)); then
      echo "!! fuzz_$h found something (exit $rc); log: $out/log"
      grep -E 'ERROR: |FUZZ_CHECK|runtime error|SUMMARY' "$out/log" | head -5 | sed 's/^/   /'
      for f in "$artifacts"*; do [[ -e "$f" ]] && echo "   input: $f"; done
    fi
  } >"$out/summary"
  return $rc
}

# A fuzzer uses one core: FUZZ_PARALLEL harnesses (default: the number of cores) run at once.
parallel=${FUZZ_PARALLEL:-$(nproc)}
declare -A pid_of=()
for h in "${harnesses[@]}"; do
  while (($(jobs -rp | wc -l) >= parallel)); do wait -n; done
  fuzz_one "$h" &
  pid_of[$h]=$!
done
failed=()
for h in "${harnesses[@]}"; do
  wait "${pid_of[$h]}" || failed+=("$h")
  cat "$work/$h/summary" 2>/dev/null
done

if ((${#failed[@]})); then
  echo "fuzz.sh: findings in: ${failed[*]} (work dir kept: $work)"
  exit 1
fi
echo "fuzz.sh: ${#harnesses[@]} harnesses, ${seconds}s each, no findings"
[[ -z "${FUZZ_WORKDIR:-}" ]] && rm -rf "$work"
exit 0
