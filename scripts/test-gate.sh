#!/usr/bin/env bash
# Proves the test gate before the real suite runs: each of these vitest runs MUST exit non-zero
# (a failing test under the real global setup, a failing global setup, a failing teardown, a run
# that collects no test). If one exits 0, a green `npm test` would mean nothing: stop here.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
for gate_case in failing-test failing-setup failing-teardown no-tests; do
  log="$(mktemp)"
  GATE_CASE="$gate_case" npx vitest run --config test/gate/vitest.config.ts >"$log" 2>&1
  code=$?
  if [[ $code -eq 0 ]]; then
    cat "$log" >&2
    echo "test-gate: FAILED: the '$gate_case' run exited 0; a failing run must exit non-zero" >&2
    status=1
  else
    echo "test-gate: '$gate_case' exits $code, as it must"
  fi
  rm -f "$log"
done
exit $status
