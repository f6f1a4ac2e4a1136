#!/usr/bin/env bash
# Installs what dialtone needs to build and test on Debian 12, skipping what is already there.
# Used by the README's two commands, .ci/run and docker/Dockerfile, so that every path to a
# working build goes through the same list.
#   scripts/install-deps.sh            build dependencies (compiler, CMake, libraries)
#   scripts/install-deps.sh --test     also the test tools (Node.js, npm packages in tests/e2e,
#                                      python3-twilio for tests/python, podman for docker/smoke.sh)
#   scripts/install-deps.sh --fuzz     also clang and libFuzzer, for scripts/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."

build_pkgs=(g++ cmake ninja-build pkg-config libboost1.81-dev libboost-url1.81-dev rapidjson-dev
            libtinyxml2-dev libspdlog-dev libfmt-dev libssl-dev libsqlite3-dev libgtest-dev
            libtcmalloc-minimal4 libgoogle-perftools-dev ca-certificates
            libmp3lame-dev)  # MP3 downloads of recordings (optional at build time)
test_pkgs=(nodejs npm curl openssl chromium  # chromium: the console test (playwright-core)
           python3-twilio)                   # tests/python: the official Python SDK (7.7.1)
# docker/smoke.sh without a Docker engine: podman (netavark and aardvark-dns give compose's
# network service-name DNS), runc, podman-compose, and debootstrap for docker/offline-base.sh.
container_pkgs=(podman runc netavark aardvark-dns iptables podman-compose debootstrap)
fuzz_pkgs=(clang libclang-rt-14-dev)  # Debian 12: clang 14; libFuzzer and the sanitizer runtimes

mode=build
case "${1:-}" in
  --test) mode=test ;;
  --fuzz) mode=fuzz ;;
  "") ;;
  *) echo "usage: $0 [--test|--fuzz]" >&2; exit 2 ;;
esac

wanted=()
case "$mode" in
  build) wanted=("${build_pkgs[@]}") ;;
  test) wanted=("${build_pkgs[@]}" "${test_pkgs[@]}" "${container_pkgs[@]}") ;;
  fuzz) wanted=("${build_pkgs[@]}" "${fuzz_pkgs[@]}") ;;
esac

missing=()
for p in "${wanted[@]}"; do
  # node and npm may come from outside Debian on a developer machine; any working one will do.
  if [[ "$p" == nodejs ]] && command -v node >/dev/null; then continue; fi
  if [[ "$p" == npm ]] && command -v npm >/dev/null; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ "$mode" == test ]] && [[ -f tests/e2e/package.json ]]; then
  # npm ci when a lockfile exists keeps the test tools at the versions CI was green with.
  if [[ -f tests/e2e/package-lock.json ]]; then
    (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
  else
    (cd tests/e2e && npm install --no-audit --no-fund --loglevel=error)
  fi
fi
echo "install-deps: ready ($mode)"
