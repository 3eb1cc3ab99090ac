#!/usr/bin/env bash
# The alternatives the benchmark compares against, from Debian's packages.
set -euo pipefail
missing=()
command -v tini >/dev/null || missing+=(tini)
command -v dumb-init >/dev/null || missing+=(dumb-init)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "bench: install ${missing[*]} (Debian: apt-get install ${missing[*]})" >&2
  exit 1
fi
apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null
