# shellcheck shell=bash
# Sourced by docker/offline-base.sh and docker/smoke.sh: picks the container engine and sets it
# up for these scripts. Not a program of its own.
#
#   engine_detect       sets ENGINE to docker (when `docker info` answers) or podman (when it is
#                       installed), or to "" with ENGINE_WHY saying what is missing. ENGINE set
#                       in the environment beforehand is kept.
#   engine ARGS...      runs the engine (docker or podman) with these arguments
#
# Podman without a systemd session and without a configured runtime (a CI VM, a container)
# needs a few settings that its defaults get wrong there: cgroupfs instead of systemd for
# cgroups, runc, no default ulimits (the default nofile limit can exceed the machine's hard
# limit) and chroot isolation for the RUN steps of a build. They go into a containers.conf of
# our own under $TMPDIR, named by CONTAINERS_CONF, unless CONTAINERS_CONF is already set.
# BUILDAH_FORMAT=docker keeps HEALTHCHECK in the images podman builds (the OCI format has none).

# shellcheck disable=SC2034  # ENGINE_WHY is for the scripts that source this
engine_detect() {
  ENGINE_WHY=""
  if [[ -n "${ENGINE:-}" ]]; then
    command -v "$ENGINE" >/dev/null || { ENGINE_WHY="ENGINE=$ENGINE is not installed"; ENGINE=""; }
  elif command -v docker >/dev/null && timeout 20 docker info >/dev/null 2>&1; then
    ENGINE=docker
  elif command -v podman >/dev/null; then
    ENGINE=podman
  else
    ENGINE=""
    if command -v docker >/dev/null; then
      ENGINE_WHY="no Docker engine answers (docker info failed) and podman is not installed"
    else
      ENGINE_WHY="neither docker nor podman is installed"
    fi
  fi
  [[ "$ENGINE" == podman ]] && engine_podman_setup
  return 0
}

engine_podman_setup() {
  if [[ -z "${CONTAINERS_CONF:-}" ]]; then
    local conf
    conf=${TMPDIR:-/tmp}/dialtone-containers-$(id -u).conf
    {
      printf '[containers]\ndefault_ulimits = []\n\n[engine]\n'
      # Only where systemd does not run the machine: with systemd, podman's defaults are right.
      if [[ ! -d /run/systemd/system ]]; then
        printf 'cgroup_manager = "cgroupfs"\nevents_logger = "file"\n'
        command -v runc >/dev/null && printf 'runtime = "runc"\n'
      fi
    } >"$conf.$$"
    mv -f "$conf.$$" "$conf"
    export CONTAINERS_CONF=$conf
  fi
  [[ -d /run/systemd/system ]] || export BUILDAH_ISOLATION=${BUILDAH_ISOLATION:-chroot}
  export BUILDAH_FORMAT=${BUILDAH_FORMAT:-docker}
}

engine() { "$ENGINE" "$@"; }
