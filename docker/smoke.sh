#!/usr/bin/env bash
# Container smoke test. Builds docker/Dockerfile with local-oci (podman: these machines have no
# Docker engine), runs the image with the host's network on a free port, waits for
# /_dialtone/health, checks the image's HEALTHCHECK and non-root user, then creates, redirects
# and hangs up a call through the container with the official twilio SDK (docker/smoke.js).
# Prints the runtime image size. Exits non-zero on any failure; the container is always removed.
#   docker/smoke.sh
# Environment: LOCAL_OCI (default ../shared/tools/local-oci from the repository root),
# SMOKE_IMAGE (default dialtone:smoke), SMOKE_REF (build this git revision, e.g. HEAD, instead
# of the working tree). Needs node and tests/e2e's packages (scripts/install-deps.sh --test).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
oci=${LOCAL_OCI:-$root/../shared/tools/local-oci}
image=${SMOKE_IMAGE:-dialtone:smoke}
name=dialtone-smoke-$$
logdir=$root/build/smoke
t0=$SECONDS

step() { printf 'smoke [%3ds] %s\n' $((SECONDS - t0)) "$*"; }
fail() { echo "smoke: FAILED: $*" >&2; exit 1; }

[[ -x "$oci" ]] || { echo "smoke: local-oci not found at $oci (set LOCAL_OCI)" >&2; exit 2; }
command -v node >/dev/null || { echo "smoke: needs node (scripts/install-deps.sh --test)" >&2; exit 2; }
if [[ ! -d tests/e2e/node_modules ]]; then
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi
mkdir -p "$logdir"

started=0
context=.
cleanup() {
  local rc=$?
  [[ "$context" == . ]] || rm -rf "$context"
  if ((started)); then
    if ((rc != 0)); then
      echo "smoke: container log:" >&2
      "$oci" podman logs "$name" >&2 || true
    fi
    "$oci" podman rm -f -t 5 "$name" >/dev/null 2>&1 || true
  fi
  if ((rc == 0)); then step "passed"; else echo "smoke: failed after $((SECONDS - t0)) s" >&2; fi
  exit "$rc"
}
trap cleanup EXIT

step "local-oci setup"
"$oci" setup

if [[ -n "${SMOKE_REF:-}" ]]; then
  context=$(mktemp -d)
  git archive "$SMOKE_REF" | tar -x -C "$context"
  step "context: $SMOKE_REF ($(git rev-parse --short "$SMOKE_REF"))"
fi
# docker format: the OCI image format has no HEALTHCHECK and podman would drop it.
step "build $image (log: build/smoke/build.log)"
if ! "$oci" build --format docker -t "$image" -f docker/Dockerfile "$context" >"$logdir/build.log" 2>&1; then
  tail -n 60 "$logdir/build.log" >&2
  fail "image build"
fi

port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
step "run $name on port $port"
started=1
# --health-interval disable: no periodic timer (podman wants systemd for it, and still logs
# that it has none: kept in build/smoke/run.log); the check runs once below instead.
if ! "$oci" run -d --name "$name" --network host --health-interval disable \
    -e DIALTONE_PORT="$port" "$image" >"$logdir/run.log" 2>&1; then
  cat "$logdir/run.log" >&2
  fail "podman run"
fi

url=http://127.0.0.1:$port
for ((i = 0; ; i++)); do
  if curl -fsS -o /dev/null "$url/_dialtone/health" 2>/dev/null; then break; fi
  [[ $("$oci" podman inspect -f '{{.State.Running}}' "$name") == true ]] || fail "the container exited"
  ((i < 300)) || fail "no healthy answer from $url/_dialtone/health within 30 s"
  sleep 0.1
done
step "healthy: $(curl -fsS "$url/_dialtone/health")"

# (Not `podman logs | head -1`: with pipefail, head closing the pipe early fails the script.)
logs=$("$oci" podman logs "$name" 2>&1) || fail "podman logs"
first=${logs%%$'\n'*}
[[ "$first" == *"dialtone listening on http://0.0.0.0:$port"* ]] || fail "first log line: $first"
uid=$("$oci" podman exec "$name" id -u) || fail "podman exec id -u"
[[ "$uid" != 0 ]] || fail "the container runs as root"
"$oci" podman healthcheck run "$name" >/dev/null || fail "the image's HEALTHCHECK reports unhealthy"
step "listens on 0.0.0.0, runs as uid $uid, HEALTHCHECK healthy"

node docker/smoke.js "$url"

size=$("$oci" podman image inspect --format '{{.Size}}' "$image")
step "runtime image $image: $size bytes ($((size / 1000000)) MB)"
