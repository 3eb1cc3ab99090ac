#!/usr/bin/env bash
# Create/update the Python virtualenv for the example backend.
#   REPO/.venv (override with VENV_DIR) gets examples/backend/requirements.txt.
# Idempotent: a stamp holding the sha256 of requirements.txt makes a repeat call
# with unchanged requirements return immediately without running pip.
set -euo pipefail

REPO="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_DIR="${VENV_DIR:-$REPO/.venv}"
REQUIREMENTS="$REPO/examples/backend/requirements.txt"
STAMP="$VENV_DIR/.requirements.sha256"
PYTHON="${PYTHON:-python3}"

die() { echo "setup-python: error: $*" >&2; exit 1; }

[[ -f "$REQUIREMENTS" ]] || die "missing $REQUIREMENTS"

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  else shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

WANT="$(sha256 "$REQUIREMENTS")"

up_to_date() {
  [[ -x "$VENV_DIR/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" ]]
}

if up_to_date; then
  echo "setup-python: $VENV_DIR up to date"
  exit 0
fi

command -v "$PYTHON" >/dev/null 2>&1 \
  || die "$PYTHON not found; install Python 3 (e.g. apt-get install python3 python3-venv)"
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' \
  || die "$PYTHON does not run or is older than 3.9; install Python >= 3.9"
"$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1 \
  || die "the Python venv module is missing; install it (e.g. apt-get install python3-venv)"

mkdir -p "$VENV_DIR"
# Serialise concurrent runs (e.g. parallel test workers) on the same venv.
if command -v flock >/dev/null 2>&1; then
  exec 9<"$VENV_DIR"   # lock the directory itself: survives `venv --clear`
  flock 9
  if up_to_date; then
    echo "setup-python: $VENV_DIR up to date"
    exit 0
  fi
fi

action="updated"
if ! "$VENV_DIR/bin/python" -c '' >/dev/null 2>&1; then
  action="created"
  if [[ -n "$(ls -A "$VENV_DIR")" && ! -f "$VENV_DIR/pyvenv.cfg" ]]; then
    die "$VENV_DIR is not empty and is not a virtualenv; refusing to overwrite it"
  fi
  # --clear rebuilds a venv whose interpreter went away (e.g. Python upgraded).
  "$PYTHON" -m venv --clear "$VENV_DIR" \
    || die "'$PYTHON -m venv' failed; install the venv module (e.g. apt-get install python3-venv)"
fi

rm -f "$STAMP"
LOG="$VENV_DIR/pip-install.log"
if ! PIP_RETRIES=0 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    "$VENV_DIR/bin/python" -m pip install --retries 0 -r "$REQUIREMENTS" >"$LOG" 2>&1; then
  cat "$LOG" >&2
  die "pip install -r $REQUIREMENTS failed (log: $LOG)"
fi
printf '%s\n' "$WANT" >"$STAMP.tmp"
mv -f "$STAMP.tmp" "$STAMP"
echo "setup-python: $action $VENV_DIR and installed ${REQUIREMENTS#"$REPO"/}"
