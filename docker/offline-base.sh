#!/usr/bin/env bash
# Makes a Debian 12 (bookworm) base image without an image registry: debootstrap installs a
# minimal Debian from the Debian archive into a directory, and the engine (podman or docker)
# imports that tree under a local name. docker/Dockerfile and docker/example-app/Dockerfile
# then build on it with --build-arg BASE_IMAGE=NAME. Does nothing when the image exists
# (--force makes it again). Prints the image name on its last line.
#   docker/offline-base.sh [--force] [NAME]      NAME default: localhost/dialtone-base:bookworm
# The base has the updates and security suites as sources, and their updates applied, as the
# public image has.
# Environment: DEBIAN_MIRROR (default http://deb.debian.org/debian), DEBIAN_SECURITY_MIRROR
# (default http://deb.debian.org/debian-security), ENGINE (docker|podman; default: docker when
# it answers, else podman). Needs root (debootstrap) and about two minutes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=docker/engine.sh
source "$here/engine.sh"

force=0
name=localhost/dialtone-base:bookworm
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -*) echo "usage: $0 [--force] [NAME]" >&2; exit 2 ;;
    *) name=$arg ;;
  esac
done
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

engine_detect
[[ -n "$ENGINE" ]] || { echo "offline-base: no container engine: $ENGINE_WHY" >&2; exit 2; }
if ((!force)) && engine image inspect "$name" >/dev/null 2>&1; then
  echo "$name"
  exit 0
fi
command -v debootstrap >/dev/null ||
  { echo "offline-base: needs debootstrap (apt-get install debootstrap)" >&2; exit 2; }
[[ $(id -u) == 0 ]] || { echo "offline-base: debootstrap needs root" >&2; exit 2; }

rootfs=$(mktemp -d "${TMPDIR:-/tmp}/dialtone-base.XXXXXX")
trap 'rm -rf "$rootfs"' EXIT
echo "offline-base: debootstrap bookworm from $mirror (log: $rootfs.log)" >&2
if ! debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1; then
  tail -n 30 "$rootfs.log" >&2
  echo "offline-base: debootstrap failed" >&2
  exit 1
fi
printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb %s bookworm-security main\n' \
  "$mirror" "$mirror" "$security" >"$rootfs/etc/apt/sources.list"
# apt and dpkg set up as in the public slim image (debuerreotype): no fsync per file; no docs,
# man pages or translations unpacked; no package caches or translations kept in a layer.
printf '%s\n' force-unsafe-io 'path-exclude /usr/share/doc/*' \
  'path-include /usr/share/doc/*/copyright' 'path-exclude /usr/share/man/*' \
  'path-exclude /usr/share/groff/*' 'path-exclude /usr/share/info/*' \
  'path-exclude /usr/share/lintian/*' 'path-exclude /usr/share/locale/*' \
  'path-include /usr/share/locale/locale.alias' >"$rootfs/etc/dpkg/dpkg.cfg.d/docker"
clean='rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true'
printf '%s\n' "DPkg::Post-Invoke { \"$clean\"; };" "APT::Update::Post-Invoke { \"$clean\"; };" \
  'Dir::Cache::pkgcache "";' 'Dir::Cache::srcpkgcache "";' 'Acquire::Languages "none";' \
  'Acquire::GzipIndexes "true";' 'APT::AutoRemove::SuggestsImportant "false";' \
  >"$rootfs/etc/apt/apt.conf.d/docker"
if ! { chroot "$rootfs" apt-get update -qq &&
       DEBIAN_FRONTEND=noninteractive chroot "$rootfs" apt-get upgrade -y -qq; } >>"$rootfs.log" 2>&1; then
  tail -n 30 "$rootfs.log" >&2
  echo "offline-base: apt-get upgrade in the new tree failed" >&2
  exit 1
fi
rm -f "$rootfs.log"
# What the public slim image also leaves out: package caches and lists (the first apt-get update
# in a build fetches the lists anyway), and device nodes (the runtime provides /dev).
rm -rf "${rootfs:?}"/var/cache/apt/archives/*.deb "${rootfs:?}"/var/cache/apt/*.bin \
       "${rootfs:?}"/var/lib/apt/lists/* "${rootfs:?}"/dev/* "${rootfs:?}"/usr/share/man/* \
       "${rootfs:?}"/usr/share/info/*
if ! tar -C "$rootfs" --numeric-owner -c . |
    engine import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["bash"]' - "$name" >"$rootfs.log" 2>&1; then
  cat "$rootfs.log" >&2
  echo "offline-base: $ENGINE import failed" >&2
  exit 1
fi
rm -f "$rootfs.log"
echo "offline-base: imported $name ($(engine image inspect --format '{{.Size}}' "$name") bytes)" >&2
echo "$name"
