#!/usr/bin/env bash
# Prepares this machine for the image tests (test/image/), re-runnable: every step skips what exists.
#   1. installs docker.io (the engine: a docker CLI alone is not enough), docker-compose and debootstrap
#      (Debian packages) if missing;
#   2. starts dockerd if no engine answers (vfs storage, no default bridge, no iptables: works in a plain VM
#      or a sandbox without overlayfs; compose's user-defined bridge networks still work). Its PID goes to
#      $WORK/dockerd.pid, so scripts/image/stop-engine.sh stops the engine this script started, and only that;
#   3. builds local base images, since no image registry is reachable here:
#        local/bookworm          debootstrap --variant=minbase bookworm, imported
#        local/python:bookworm   + Debian's python3, python3-venv        (stands in for python:3.12-slim)
#        local/node:bookworm     + this machine's node and npm          (stands in for node:20-bookworm-slim)
#        local/postgres:bookworm + Debian's postgresql, an entrypoint like the official image's (for postgres:16)
#   4. downloads the example backend's wheels into docker/wheels/ (the image build installs from there
#      with PIP_EXTRA_ARGS="--no-index --find-links /tmp/wheels", as PyPI is not reachable from containers).
# Environment: DEBIAN_MIRROR (default: the first deb.debian.org-style URI of /etc/apt/sources.list*),
# DOCKERD_LOG (default /tmp/dockerd.log), REBUILD=1 rebuilds the local images.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$REPO/scripts/image"
WORK="${IMAGE_WORK_DIR:-/var/tmp/backend-supervisor-image}"
DOCKERD_LOG="${DOCKERD_LOG:-/tmp/dockerd.log}"
say() { printf 'prepare: %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
have_image() { [ "${REBUILD:-0}" != 1 ] && docker image inspect "$1" >/dev/null 2>&1; }

# 1. packages
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 "${missing[@]}" >/dev/null
fi

# 2. the engine
if ! docker info >/dev/null 2>&1; then
  say "starting dockerd (log: $DOCKERD_LOG)"
  mkdir -p "$WORK"
  as_root sh -c "nohup dockerd --storage-driver=vfs --iptables=false --bridge=none >>'$DOCKERD_LOG' 2>&1 & echo \$! >'$WORK/dockerd.pid'"
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { say "dockerd did not start: see $DOCKERD_LOG"; "$HERE/stop-engine.sh"; exit 1; }
  say "dockerd runs as PID $(cat "$WORK/dockerd.pid"); scripts/image/stop-engine.sh stops it"
fi

# 3. local base images
mirror="${DEBIAN_MIRROR:-$(grep -hoE '^(URIs:|deb) +[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null \
  | awk '{print $2}' | grep -v security | head -1 || true)}"
mirror="${mirror:-http://deb.debian.org/debian}"
if ! have_image local/bookworm; then
  say "debootstrap bookworm from $mirror (a few minutes)"
  rootfs="$WORK/bookworm-rootfs"
  as_root rm -rf "$rootfs"
  mkdir -p "$WORK"
  as_root debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$WORK/debootstrap.log" 2>&1 \
    || { say "debootstrap failed: see $WORK/debootstrap.log"; exit 1; }
  # apt inside the images uses the same mirror, plus security updates like the official images.
  printf 'deb %s bookworm main\ndeb %s bookworm-updates main\n' "$mirror" "$mirror" | as_root tee "$rootfs/etc/apt/sources.list" >/dev/null
  as_root rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  as_root tar -C "$rootfs" -c . | docker import -c 'CMD ["bash"]' - local/bookworm >/dev/null
  as_root rm -rf "$rootfs"
fi

build() { # tag dir
  local tag="$1" dir="$2"
  if have_image "$tag"; then return; fi
  say "building $tag"
  docker build --network host -q -t "$tag" "$dir" >/dev/null
}

build local/python:bookworm "$HERE/python"
build local/postgres:bookworm "$HERE/postgres"

if ! have_image local/node:bookworm; then
  ctx="$WORK/node-context"
  rm -rf "$ctx" && mkdir -p "$ctx"
  node_bin="$(readlink -f "$(command -v node)")"
  npm_dir="$(npm root -g 2>/dev/null)/npm"
  [ -x "$node_bin" ] && [ -f "$npm_dir/bin/npm-cli.js" ] || { say "node and npm must be installed on this machine"; exit 1; }
  cp "$node_bin" "$ctx/node"
  cp -r "$npm_dir" "$ctx/npm"
  # This machine reaches the npm registry through a TLS-inspecting proxy: give the image its CA bundle.
  cp /etc/ssl/certs/ca-certificates.crt "$ctx/ca-certificates.crt"
  cp "$HERE/node/Dockerfile" "$ctx/Dockerfile"
  build local/node:bookworm "$ctx"
  rm -rf "$ctx"
fi

# 4. wheels
wheels="$REPO/docker/wheels"
stamp="$wheels/.requirements.sha256"
want="$(sha256sum "$REPO/examples/backend/requirements.txt" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "downloading wheels into docker/wheels/"
  mkdir -p "$WORK"
  python3 -m pip download --quiet --retries 0 --only-binary=:all: -r "$REPO/examples/backend/requirements.txt" -d "$wheels" \
    >"$WORK/pip-download.log" 2>&1 || { cat "$WORK/pip-download.log" >&2; say "pip download failed"; exit 1; }
  echo "$want" >"$stamp"
fi

say "ready: $(docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' 'local/*' | tr '\n' ' ')"
