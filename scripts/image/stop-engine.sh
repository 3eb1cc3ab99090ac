#!/usr/bin/env bash
# Stops the dockerd that scripts/image/prepare.sh started (its PID is in $WORK/dockerd.pid), and only that
# one: an engine that was already running is left alone. Then checks that no mount of the engine is left
# (containers' /dev/shm, volumes, vfs layers, containerd's task directories) and lazily unmounts any.
set -euo pipefail

WORK="${IMAGE_WORK_DIR:-/var/tmp/backend-supervisor-image}"
PIDFILE="$WORK/dockerd.pid"
say() { printf 'stop-engine: %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ ! -f "$PIDFILE" ]; then
  say "no dockerd was started by prepare.sh (no $PIDFILE): nothing to stop"
  exit 0
fi
pid="$(cat "$PIDFILE")"
if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ]; then
  say "stopping dockerd (PID $pid)"
  as_root kill -TERM "$pid"
  # dockerd stops its containers (10 s each at most) and its containerd before it exits.
  for _ in $(seq 1 60); do [ -d "/proc/$pid" ] || break; sleep 1; done
  if [ -d "/proc/$pid" ]; then say "dockerd (PID $pid) still runs after 60 s: sending SIGKILL"; as_root kill -KILL "$pid"; sleep 1; fi
else
  say "dockerd (PID ${pid:-?}) is no longer running"
fi
as_root rm -f "$PIDFILE"

engine_mounts() { awk '$2 ~ "^(/var/lib/docker|/var/lib/containerd|/run/docker|/run/containerd|/var/run/docker)(/|$)" {print $2}' /proc/self/mounts | sort -r; }
for mount in $(engine_mounts); do as_root umount -l "$mount" || true; done
left="$(engine_mounts)"
if [ -n "$left" ]; then say "mounts left behind:"; printf '%s\n' "$left" >&2; exit 1; fi
say "dockerd stopped; no mounts left"
