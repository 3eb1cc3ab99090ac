#!/usr/bin/env bash
# Makes sure `docker-compose` is on PATH for the compose file tests of `npm test` (they run
# `docker-compose config`, which needs no Docker engine). Installs Debian's docker-compose when missing
# and this runs as root with apt; otherwise says what to install and fails.
set -euo pipefail

if command -v docker-compose >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup-compose: installing docker-compose (Debian package)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 docker-compose >/dev/null
  command -v docker-compose >/dev/null 2>&1 && exit 0
fi
echo "setup-compose: error: docker-compose is not installed; install it (e.g. apt-get install docker-compose, or Docker's compose plugin's docker-compose binary)" >&2
exit 1
