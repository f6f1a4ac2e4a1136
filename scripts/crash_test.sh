#!/usr/bin/env bash
# The durability checks of --data-dir (issue 19), longer than the suite runs them:
#   scripts/crash_test.sh [ROUNDS]   SIGKILL at a random moment under create/update load from
#                                    64 connections, ROUNDS times (default 20) on one data
#                                    directory; after each restart every acknowledged change
#                                    is there and no call is half-written
#                                    (tests/e2e/test/crash_rounds.test.js); then the disk-full
#                                    test on a small tmpfs (tests/e2e/test/disk_full.test.js;
#                                    skipped without the right to mount one).
# Against $DIALTONE_BIN (default build/ci/server/dialtone). The suite (scripts/test.sh) runs
# the same files with 3 rounds.
set -euo pipefail
cd "$(dirname "$0")/../tests/e2e"
[[ -d node_modules ]] || npm ci --no-audit --no-fund --loglevel=error
DIALTONE_CRASH_ROUNDS="${1:-20}" node --test --test-concurrency=1 --test-timeout=1200000 \
  test/crash_rounds.test.js test/disk_full.test.js
