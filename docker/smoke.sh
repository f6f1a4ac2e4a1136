#!/usr/bin/env bash
# Container smoke test, with whatever engine the machine has: docker when `docker info` answers,
# else podman (docker/engine.sh); without either it prints "smoke: skipped: ..." and exits 0.
#  1. the base image: the public Debian slim image with docker; with podman (and no registry)
#     the local one docker/offline-base.sh makes from the Debian archive
#  2. builds docker/Dockerfile and runs the image with the host's network on a free port; times
#     `run` to the first 200 from /_dialtone/health; checks the first log line, the image's
#     HEALTHCHECK (`dialtone healthcheck`), the non-root uid and the CA bundle; creates,
#     redirects and hangs up a call through it with the official SDK (docker/smoke.js)
#  3. a second container with a test CA mounted over the image's CA bundle path: an HTTPS
#     webhook verified with it (dialtone finds the bundle where the image keeps it)
#  4. brings docker/compose.yaml up with the engine's compose tool (podman-compose or docker
#     compose), lets the example app place a call with the SDK through dialtone, sees dialtone
#     fetch the app's TwiML and post signed status callbacks by service name, hangs up, and
#     takes it all down (`down -v`)
#  5. checks that none of its containers, pods, networks or volumes is left; prints the image
#     size (it must be under 40 MB) and the times
# Exits non-zero on any failure; everything it started is removed in every case.
#   docker/smoke.sh
#   docker/smoke.sh --prepare   only steps 1 and 2's build, and the example app's image: what
#                               takes the network and the CPU, so that scripts/test.sh can run
#                               it early in the background (the later run finds it all cached)
# Environment: ENGINE (docker|podman), SMOKE_BASE_IMAGE (the base for both images),
# SMOKE_IMAGE (default localhost/dialtone:smoke), SMOKE_APP_IMAGE, SMOKE_REF (build this git
# revision, e.g. HEAD, instead of the working tree), SMOKE_BINARY (ship this dialtone binary,
# built on Debian 12, instead of compiling one in the image: scripts/test.sh passes the ci
# tree's), EXTRA_CA_CERTS (PEM: a TLS-intercepting
# proxy's CA for npm in the app's build; default: the certificates in
# /usr/local/share/ca-certificates, the host's local additions). Needs node and tests/e2e's
# packages, and for podman: podman-compose and debootstrap (scripts/install-deps.sh --test).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=docker/engine.sh
source docker/engine.sh
image=${SMOKE_IMAGE:-localhost/dialtone:smoke}
app_image=${SMOKE_APP_IMAGE:-localhost/dialtone-example-app:smoke}
name=dialtone-smoke-$$
tls_name=dialtone-smoke-tls-$$
project=dialtone-smoke-$$
logdir=$root/build/smoke
t0=$SECONDS

step() { printf 'smoke [%3ds] %s\n' $((SECONDS - t0)) "$*"; }
fail() { echo "smoke: FAILED: $*" >&2; exit 1; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
free_port() {
  node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

prepare=0
case "${1:-}" in
  --prepare) prepare=1 ;;
  "") ;;
  *) echo "usage: $0 [--prepare]" >&2; exit 2 ;;
esac

engine_detect
if [[ -z "$ENGINE" ]]; then
  echo "smoke: skipped: no container engine ($ENGINE_WHY); install podman" \
       "(scripts/install-deps.sh --test) or start Docker to run it"
  exit 0
fi
command -v node >/dev/null || { echo "smoke: needs node (scripts/install-deps.sh --test)" >&2; exit 2; }
compose=()
if [[ "$ENGINE" == docker ]]; then
  if docker compose version >/dev/null 2>&1; then compose=(docker compose)
  elif command -v docker-compose >/dev/null; then compose=(docker-compose); fi
  label=com.docker.compose.project
else
  command -v podman-compose >/dev/null && compose=(podman-compose)
  label=io.podman.compose.project
fi
((${#compose[@]})) ||
  { echo "smoke: needs a compose tool for $ENGINE (scripts/install-deps.sh --test)" >&2; exit 2; }
if ((!prepare)) && [[ ! -d tests/e2e/node_modules ]]; then
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi
mkdir -p "$logdir"

context=.
certdir=""
composing=0
cleanup() {
  local rc=$?
  set +e
  if ((rc != 0)); then
    for c in "$name" "$tls_name"; do
      logs=$(engine logs "$c" 2>/dev/null) || continue
      printf 'smoke: log of %s:\n%s\n' "$c" "$(tail -n 30 <<<"$logs")" >&2
    done
  fi
  engine rm -f -v "$name" "$tls_name" >/dev/null 2>&1
  if ((composing)); then
    if ((rc != 0)); then
      echo "smoke: compose logs:" >&2
      "${compose[@]}" -p "$project" -f "$context/docker/compose.yaml" logs 2>&1 | tail -n 40 >&2
    fi
    "${compose[@]}" -p "$project" -f "$context/docker/compose.yaml" down -v -t 5 \
      >>"$logdir/compose.log" 2>&1
    # podman-compose 1.0.3's `down` removes containers and volumes, not the network it made.
    for net in $(engine network ls -q --filter "label=$label=$project" 2>/dev/null); do
      engine network rm "$net" >/dev/null 2>&1
    done
  fi
  [[ "$context" == . ]] || rm -rf "$context"
  [[ -z "$certdir" ]] || rm -rf "$certdir"
  if ((rc == 0)); then ((prepare)) || step "passed"; else echo "smoke: failed after $((SECONDS - t0)) s" >&2; fi
  exit "$rc"
}
trap cleanup EXIT

if [[ -n "${SMOKE_REF:-}" ]]; then
  context=$(mktemp -d)
  git archive "$SMOKE_REF" | tar -x -C "$context"
  step "context: $SMOKE_REF ($(git rev-parse --short "$SMOKE_REF"))"
fi

# SMOKE_BINARY: the image ships that binary instead of compiling its own (DIALTONE_PREBUILT in
# docker/Dockerfile), from a context of only what the Dockerfile then reads. --prepare builds
# the dependency stage alone: the binary may not exist yet.
build_args=()
if [[ -n "${SMOKE_BINARY:-}" ]]; then
  slim=$(mktemp -d)
  mkdir -p "$slim/scripts" "$slim/config" "$slim/prebuilt"
  cp -r "$context/docker" "$slim/"
  cp "$context/scripts/install-deps.sh" "$slim/scripts/"
  cp "$context/config/dialtone.json" "$slim/config/"
  if ((!prepare)); then
    cp "$SMOKE_BINARY" "$slim/prebuilt/dialtone" || fail "SMOKE_BINARY: no binary at $SMOKE_BINARY"
  fi
  [[ "$context" == . ]] || rm -rf "$context"
  context=$slim
  export DIALTONE_PREBUILT=prebuilt/dialtone  # for compose's build section too
  build_args=(--build-arg DIALTONE_PREBUILT=prebuilt/dialtone)
  ((prepare)) && build_args+=(--target deps)
  step "the image ships $SMOKE_BINARY"
fi

# --- 1. the base image
base=${SMOKE_BASE_IMAGE:-}
if [[ -z "$base" && "$ENGINE" == docker ]]; then
  base=debian:bookworm-slim
elif [[ -z "$base" ]]; then
  step "engine podman: the base image from the Debian archive (docker/offline-base.sh)"
  base=$("$context/docker/offline-base.sh" | tail -n 1) || fail "docker/offline-base.sh"
fi
step "engine $ENGINE, compose tool ${compose[*]}, base $base"
if [[ -z "${EXTRA_CA_CERTS+set}" ]] && compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
  EXTRA_CA_CERTS=$(cat /usr/local/share/ca-certificates/*.crt)
fi
export EXTRA_CA_CERTS=${EXTRA_CA_CERTS:-}

# --- 2. the image, run alone
step "build $image (log: build/smoke/build.log)"
build_start=$SECONDS
if ! engine build -t "$image" --build-arg BASE_IMAGE="$base" "${build_args[@]}" \
    -f "$context/docker/Dockerfile" "$context" >"$logdir/build.log" 2>&1; then
  tail -n 60 "$logdir/build.log" >&2
  fail "image build"
fi
step "built in $((SECONDS - build_start)) s"
if ((prepare)); then
  step "build $app_image (log: build/smoke/app-prepare.log)"
  # The arguments compose's build section passes (docker/compose.yaml), so its build is cached.
  engine build -t "$app_image" --build-arg BASE_IMAGE="$base" \
    --build-arg EXTRA_CA_CERTS="${EXTRA_CA_CERTS:-none}" "$context/docker/example-app" \
    >"$logdir/app-prepare.log" 2>&1 || fail "example app's image build"
  step "prepared"
  exit 0
fi

# podman runs a HEALTHCHECK on a systemd timer (none here; it says so in build/smoke/run.log):
# no timer, the check runs once below. docker runs it itself: every second here.
health_flags=(--health-interval disable)
[[ "$ENGINE" == docker ]] && health_flags=(--health-interval 1s)
port=$(free_port)
url=http://127.0.0.1:$port
step "run $name on port $port"
run_start=$(now_ms)
if ! engine run -d --name "$name" --network host "${health_flags[@]}" \
    -e DIALTONE_PORT="$port" "$image" >"$logdir/run.log" 2>&1; then
  cat "$logdir/run.log" >&2
  fail "$ENGINE run"
fi
run_returned=$(now_ms)
for ((i = 1; ; i++)); do
  if curl -fsS -o /dev/null "$url/_dialtone/health" 2>/dev/null; then break; fi
  # (Not on every round: `inspect` takes longer than dialtone needs to start.)
  ((i % 50)) || [[ $(engine inspect -f '{{.State.Running}}' "$name") == true ]] || fail "the container exited"
  ((i < 1000)) || fail "no healthy answer from $url/_dialtone/health within 20 s"
  sleep 0.01
done
healthy_ms=$(($(now_ms) - run_start))
step "healthy $healthy_ms ms after \`$ENGINE run\` (which took $((run_returned - run_start)) ms to return):" \
     "$(curl -fsS "$url/_dialtone/health")"
((healthy_ms < 10000)) || fail "run to healthy took $healthy_ms ms"
((healthy_ms < 1000)) || step "NOTE: run to healthy above the 1 s target"

# (Not `logs | head -1`: with pipefail, head closing the pipe early fails the script.)
logs=$(engine logs "$name" 2>&1) || fail "$ENGINE logs"
first=${logs%%$'\n'*}
[[ "$first" == *"dialtone listening on http://0.0.0.0:$port"* ]] || fail "first log line: $first"
# How much of that is dialtone's own start: its container's start to its first log line.
if [[ "$ENGINE" == podman ]]; then
  started_ns=$(engine inspect -f '{{.State.StartedAt.UnixNano}}' "$name")
else
  started_ns=$(date -d "$(engine inspect -f '{{.State.StartedAt}}' "$name")" +%s%N)
fi
listening_ms=$((($(date -d "${first%% *}" +%s%N) - started_ns) / 1000000))
step "dialtone listened $listening_ms ms after its container started"
# The uid the server process runs as, seen from the host (the image has no `id` to exec).
pid=$(engine inspect -f '{{.State.Pid}}' "$name")
uid=$(awk '/^Uid:/ {print $2}' "/proc/$pid/status" 2>/dev/null) ||
  uid=$(engine inspect -f '{{.Config.User}}' "$name")
[[ -n "$uid" && "$uid" != 0 && "$uid" != 0:* ]] || fail "the container runs as root (uid '$uid')"
if [[ "$ENGINE" == podman ]]; then
  hc_start=$(now_ms)
  engine healthcheck run "$name" >/dev/null || fail "the image's HEALTHCHECK reports unhealthy"
  hc="HEALTHCHECK healthy (podman healthcheck run: $(($(now_ms) - hc_start)) ms)"
else
  for ((i = 0; ; i++)); do
    status=$(engine inspect -f '{{.State.Health.Status}}' "$name")
    [[ "$status" == healthy ]] && break
    ((i < 100)) || fail "the image's HEALTHCHECK reports $status after 10 s"
    sleep 0.1
  done
  hc="HEALTHCHECK healthy $(($(now_ms) - run_start)) ms after run"
fi
engine cp "$name:/etc/ssl/certs/ca-certificates.crt" "$logdir/ca-certificates.crt" ||
  fail "no CA bundle at /etc/ssl/certs/ca-certificates.crt"
cas=$(grep -c 'BEGIN CERTIFICATE' "$logdir/ca-certificates.crt" || true)
((cas >= 100)) || fail "the CA bundle holds $cas certificates"
step "listens on 0.0.0.0, runs as uid $uid, $hc, $cas CA certificates"

node docker/smoke.js "$url"
# The anonymous volume on /data goes with the container (rm -v): checked at the end.
volumes=$(engine inspect -f '{{range .Mounts}}{{.Name}} {{end}}' "$name")
engine rm -f -v "$name" >/dev/null 2>>"$logdir/run.log"

# --- 3. HTTPS webhooks find the image's CA bundle
certdir=$(node docker/smoke.js certs)
port=$(free_port)
step "run $tls_name on port $port with a test CA as the image's CA bundle"
engine run -d --name "$tls_name" --network host "${health_flags[@]}" -e DIALTONE_PORT="$port" \
  -v "$certdir/ca.pem:/etc/ssl/certs/ca-certificates.crt:ro" "$image" >>"$logdir/run.log" 2>&1 ||
  fail "$ENGINE run (TLS)"
for ((i = 0; ; i++)); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$port/_dialtone/health" 2>/dev/null; then break; fi
  ((i < 500)) || fail "the TLS container did not get healthy within 10 s"
  sleep 0.02
done
node docker/smoke.js tls "http://127.0.0.1:$port" "$certdir"
engine rm -f -v "$tls_name" >/dev/null 2>>"$logdir/run.log"

# --- 4. compose: dialtone and the example app by service name
export BASE_IMAGE=$base DIALTONE_IMAGE=$image APP_IMAGE=$app_image
DIALTONE_PUBLISH=$(free_port)
APP_PUBLISH=$(free_port)
export DIALTONE_PUBLISH APP_PUBLISH
step "compose up (project $project; app on port $APP_PUBLISH; log: build/smoke/compose.log)"
composing=1
compose_start=$SECONDS
: >"$logdir/compose.log"
# --build: both images through compose's own build sections (dialtone's comes from the cache).
if ! "${compose[@]}" -p "$project" -f "$context/docker/compose.yaml" up -d --build \
    >>"$logdir/compose.log" 2>&1; then
  tail -n 60 "$logdir/compose.log" >&2
  fail "compose up"
fi
# podman-compose goes on (and exits 0) when a build or a container fails: count what runs.
running=$(engine ps -q --filter "label=$label=$project" --filter status=running | wc -l)
if ((running != 2)); then
  tail -n 40 "$logdir/compose.log" >&2
  fail "compose up: $running of 2 containers running (build/smoke/compose.log)"
fi
step "compose up took $((SECONDS - compose_start)) s"
node docker/smoke.js compose "http://127.0.0.1:$APP_PUBLISH"
"${compose[@]}" -p "$project" -f "$context/docker/compose.yaml" down -v -t 5 \
  >>"$logdir/compose.log" 2>&1 || fail "compose down"
for net in $(engine network ls -q --filter "label=$label=$project"); do
  engine network rm "$net" >/dev/null  # podman-compose 1.0.3 leaves its network
done
composing=0

# --- 5. nothing left, and the figures
left=$(engine ps -a -q --filter "label=$label=$project"; engine ps -a -q --filter "name=$name";
       engine ps -a -q --filter "name=$tls_name";
       engine network ls -q --filter "label=$label=$project";
       engine volume ls -q --filter "label=$label=$project")
[[ "$ENGINE" == podman ]] && left+=$(engine pod ps -q --filter "label=$label=$project")
for v in $volumes; do
  if engine volume inspect "$v" >/dev/null 2>&1; then left+=" volume $v"; fi
done
[[ -z "$left" ]] || fail "left behind: $left"
step "compose down: no container, pod, network or volume of $project left"

size=$(engine image inspect --format '{{.Size}}' "$image")
step "runtime image $image: $size bytes ($((size / 1000000)) MB; $ENGINE image inspect .Size)"
((size < 40000000)) || fail "the runtime image is $size bytes, over 40 MB"
step "run to healthy: $healthy_ms ms ($listening_ms ms of it dialtone's own start)"
