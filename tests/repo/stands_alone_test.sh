#!/usr/bin/env bash
# Fails when a test, script, Dockerfile, benchmark or CMake file reads from outside the
# repository: a user's clone has nothing beside it (tests/fixtures/twilio/README.md).
#   tests/repo/stands_alone_test.sh [REPO_ROOT]
set -uo pipefail
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$root" || exit 2
# The sibling folder the project's own machines have and a user's clone does not: "..", "/"
# and its name. Spelled in pieces so that this file does not name it itself.
name=sha
name+=red
sibling="\\.\\./$name"'([/"'"'"'[:space:]]|$)'

files=$( { find tests scripts docker bench -type f -not -path '*/node_modules/*' \
             -not -path 'tests/e2e/artifacts/*' -not -path 'tests/fixtures/*';
           find . -path ./build -prune -o \( -name CMakeLists.txt -o -name '*.cmake' \
             -o -name CMakePresets.json \) -type f -print | sed 's#^\./##';
           ls .ci/* 2>/dev/null; } | sort -u)
hits=$(printf '%s\n' "$files" | xargs -d '\n' grep -nE "$sibling" -- 2>/dev/null)
if [[ -n "$hits" ]]; then
  echo "these files name the folder beside the repository, which a clone does not have:"
  echo "$hits"
  exit 1
fi
echo "stands alone: $(printf '%s\n' "$files" | wc -l) files checked, none reads outside the repository"
