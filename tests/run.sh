#!/usr/bin/env bash
# Installs rankagg with its test dependencies, then runs every test: Rust (cargo test) and
# Python (pytest). This is the README's test command, and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
echo "== installing rankagg and its test dependencies (builds the Rust extension in release mode)"
"$PYTHON" -m pip install --quiet --disable-pip-version-check ".[test]"
echo "== cargo test (rankagg-core)"
cargo test --quiet -p rankagg-core
echo "== pytest"
"$PYTHON" -m pytest -p no:cacheprovider tests
