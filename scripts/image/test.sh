#!/usr/bin/env bash
# npm run test:image: prepare the engine and the base images, run the image tests, then stop the dockerd
# that prepare.sh started (an engine that was already running is left alone), leaving no mounts behind.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
trap 'scripts/image/stop-engine.sh' EXIT
scripts/image/prepare.sh || exit $?
npx vitest run --config test/image/vitest.config.ts "$@"
