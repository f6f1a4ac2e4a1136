#!/usr/bin/env bash
# The Python e2e suite: the official SDK from Debian (python3-twilio, installed by
# scripts/install-deps.sh --test) against the real binary, $DIALTONE_BIN (default
# build/ci/server/dialtone). Arguments are unittest names, e.g. test_calls.CallsTest;
# DIALTONE_PY_LOG=1 prints each dialtone's log when its test class ends.
# The last line is always "N passed, N failed"; exit 0 only if none failed.
set -uo pipefail
cd "$(dirname "$0")/../.."

# Debian's interpreter, which sees Debian's python3-twilio; a pyenv or venv python3 first on
# PATH would not.
python=/usr/bin/python3
if ! "$python" -c "import twilio" 2>/dev/null; then
  echo "tests/python: $python cannot import twilio: apt-get install python3-twilio" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
# The client library (clients/python) as a suite would use it without installing it.
export PYTHONPATH="$PWD/clients/python${PYTHONPATH:+:$PYTHONPATH}"
exec "$python" -B tests/python/runner.py "$@"
