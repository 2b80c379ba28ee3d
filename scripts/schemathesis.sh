#!/usr/bin/env bash
# Runs schemathesis, pinned with every dependency, from a Python venv cached under
# ${WEFT_CACHE_DIR:-~/.cache/weft}/schemathesis-<version>; arguments go to `schemathesis`.
#
#   scripts/schemathesis.sh run http://127.0.0.1:8080/openapi.json -H "X-API-Key: $KEY"
#   scripts/schemathesis.sh --install-only   # makes the venv and prints its schemathesis path
#
# Needs python3 (3.9+) with its venv module, and PyPI (or a mirror pip is set up for) the first
# time. Wheels only: a dependency without a wheel for this machine fails the install, loudly.
set -euo pipefail

VERSION=4.32.5
CACHE_DIR="${WEFT_CACHE_DIR:-$HOME/.cache/weft}"
VENV="$CACHE_DIR/schemathesis-$VERSION"
BIN="$VENV/bin/schemathesis"
# Written last: a venv without it is a half-finished install, made again from scratch.
READY="$VENV/.weft-ready"

# Every package schemathesis $VERSION pulled in when this script was written, so a new release of
# a dependency cannot change what runs.
CONSTRAINTS="anyio==4.16.0
certifi==2026.10.18
charset-normalizer==3.5.2
click==8.5.1
graphql-core==3.3.2
harfile==0.6.0
hypothesis==6.170.15
hypothesis-graphql==0.13.5
idna==3.20
iniconfig==2.3.1
jsonschema_rs==0.60.3
markdown-it-py==4.3.0
MarkupSafe==3.0.4
mdurl==0.1.2
packaging==26.3
pluggy==1.7.0
Pygments==2.21.0
pyrate-limiter==4.5.1
pytest==9.2.0
PyYAML==6.0.3
requests==2.34.2
rich==15.0.0
schemathesis==$VERSION
sortedcontainers==2.4.0
typing_extensions==4.16.0
urllib3==2.8.0
Werkzeug==3.1.9"

fail() {
  echo "schemathesis.sh: $*" >&2
  exit 1
}

install() {
  command -v python3 >/dev/null || fail "python3 is not on PATH; install Python 3.9 or newer"
  rm -rf "$VENV"
  mkdir -p "$CACHE_DIR"
  python3 -m venv "$VENV" ||
    fail "python3 -m venv failed (on Debian: apt-get install python3-venv)"
  local constraints="$VENV/constraints.txt"
  printf '%s\n' "$CONSTRAINTS" >"$constraints"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary=:all: \
    --constraint "$constraints" "schemathesis==$VERSION" >&2 ||
    fail "pip could not install schemathesis==$VERSION into $VENV (is PyPI reachable? see above)"
  "$BIN" --version >/dev/null || fail "$BIN does not run after installing it"
  touch "$READY"
}

if [ ! -f "$READY" ]; then
  mkdir -p "$CACHE_DIR"
  # Two test runs at once must not both build the venv: the second waits for the first.
  exec 9>"$VENV.lock"
  if command -v flock >/dev/null; then flock 9; fi
  if [ ! -f "$READY" ]; then
    echo "schemathesis.sh: installing schemathesis $VERSION into $VENV" >&2
    install
  fi
  exec 9>&-
fi

if [ "${1:-}" = "--install-only" ]; then
  echo "$BIN"
  exit 0
fi
exec "$BIN" "$@"
