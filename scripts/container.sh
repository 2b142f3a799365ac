#!/usr/bin/env bash
# The container image, built with podman from the Dockerfile.
#
#   scripts/container.sh build [--rebuild-base]    build the image (and, when missing, its local Debian base)
#   scripts/container.sh run [PODMAN_OPTIONS] -- [COMMAND [ARGS]]
#                                                  run `picks-export COMMAND ARGS` in the image, with the options
#                                                  this host needs (its OCI runtime and resource limits)
#
# By default the base is built from Debian's packages, so no container registry is needed: mmdebstrap makes a
# minimal Debian bookworm with python3 and its venv module (Python 3.11, as python:3.11-slim) and `podman import`
# stores it as a local image. Settings (environment variables):
#   PICKS_EXPORT_IMAGE        the image's name (default localhost/picks-export:latest)
#   PICKS_EXPORT_BASE_IMAGE   the base (default localhost/picks-export-base:bookworm, built here when missing);
#                             any other name, such as python:3.11-slim, is pulled from its registry by podman
#   PICKS_EXPORT_DEBIAN_MIRROR  the Debian mirror of the local base (default http://deb.debian.org)
#   PICKS_EXPORT_CA_BUNDLE    the CA bundle pip trusts during the build (default: the host's,
#                             /etc/ssl/certs/ca-certificates.crt, when it exists; empty: the image's own)
#   PICKS_EXPORT_OCI_RUNTIME  the runtime of `run` (default: podman's; runc on a host with hybrid cgroups)
# podman's own settings apply too: STORAGE_DRIVER=vfs where overlay mounts are not allowed (a container as host).
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE="${PICKS_EXPORT_IMAGE:-localhost/picks-export:latest}"
LOCAL_BASE="localhost/picks-export-base:bookworm"
BASE="${PICKS_EXPORT_BASE_IMAGE:-$LOCAL_BASE}"
MIRROR="${PICKS_EXPORT_DEBIAN_MIRROR:-http://deb.debian.org}"
CA_BUNDLE="${PICKS_EXPORT_CA_BUNDLE-/etc/ssl/certs/ca-certificates.crt}"

usage() {
    sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

# A minimal Debian bookworm with python3, its venv module (ensurepip's wheels) and the CA certificates, with its
# security updates; no documentation, no apt lists. The tarball becomes a local image.
build_base() {
    BASE_WORKDIR="$(mktemp -d)"
    trap 'rm -rf "$BASE_WORKDIR"' EXIT
    local workdir="$BASE_WORKDIR"
    echo "building the base $BASE from Debian's packages ($MIRROR)" >&2
    mmdebstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
        --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
        --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
        --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
        bookworm "$workdir/base.tar" \
        "deb $MIRROR/debian bookworm main" \
        "deb $MIRROR/debian bookworm-updates main" \
        "deb $MIRROR/debian-security bookworm-security main"
    podman import --quiet \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' \
        --change 'CMD ["python3"]' \
        "$workdir/base.tar" "$BASE" >/dev/null
}

build() {
    local rebuild_base=""
    case "${1:-}" in
        --rebuild-base) rebuild_base=1 ;;
        "") ;;
        *) usage ;;
    esac
    if [ "$BASE" = "$LOCAL_BASE" ] && { [ -n "$rebuild_base" ] || ! podman image exists "$BASE"; }; then
        build_base
    fi
    local secret=()
    if [ -n "$CA_BUNDLE" ] && [ -s "$CA_BUNDLE" ]; then
        secret=(--secret "id=ca-bundle,src=$CA_BUNDLE")
    fi
    # RUN steps in a chroot: no OCI runtime nor cgroups are needed, which a VM or a CI container may not offer.
    podman build --isolation chroot --build-arg "BASE_IMAGE=$BASE" "${secret[@]}" --tag "$IMAGE" .
}

# Where cgroup v2 sits beside v1 (hybrid mode) crun refuses to start a container; runc does not. Without
# CAP_SYS_RESOURCE no container may raise its open-files or process limits to podman's defaults: ask for less.
run() {
    local options=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do
        options+=("$1")
        shift
    done
    [ $# -gt 0 ] && shift
    local runtime="${PICKS_EXPORT_OCI_RUNTIME:-}"
    if [ -z "$runtime" ] && mountpoint -q /sys/fs/cgroup/unified && command -v runc >/dev/null; then
        runtime=runc
    fi
    podman ${runtime:+--runtime "$runtime"} run --rm --ulimit nofile=4096:4096 --ulimit nproc=4096:4096 \
        "${options[@]}" "$IMAGE" "$@"
}

case "${1:-}" in
    build) shift && build "$@" ;;
    run) shift && run "$@" ;;
    *) usage ;;
esac
