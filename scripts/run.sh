#!/usr/bin/env bash
# Sets up and runs dialtone: installs the build dependencies, builds the `release` preset and
# starts the server with config/dialtone.json (when present). Arguments are passed through:
#   scripts/run.sh --port 8080
#   DIALTONE_PRESET=ci scripts/run.sh      (build and run another CMake preset)
set -euo pipefail
cd "$(dirname "$0")/.."

preset="${DIALTONE_PRESET:-release}"
scripts/install-deps.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"

args=()
has_config=0
for a in "$@"; do [[ "$a" == --config || "$a" == --config=* ]] && has_config=1; done
if ((!has_config)) && [[ -f config/dialtone.json ]]; then
  args+=(--config config/dialtone.json)
fi
exec "build/$preset/server/dialtone" "${args[@]}" "$@"
