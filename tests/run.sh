#!/usr/bin/env bash
# Installs rankagg with its test dependencies, then runs every check: formatting and lints
# (cargo fmt, ruff), types (mypy, stubtest of the compiled module against _core.pyi), clippy,
# then the tests: Rust (cargo test) and Python (pytest, with every docstring example). This is
# the README's test command, and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if ! cargo clippy --version >/dev/null 2>&1 || ! cargo fmt --version >/dev/null 2>&1; then
    echo "== installing clippy and rustfmt (rustup)"
    rustup component add clippy rustfmt
fi
echo "== cargo fmt --check"
cargo fmt --all --check
echo "== installing rankagg and its test dependencies (builds the Rust extension in release mode)"
"$PYTHON" -m pip install --quiet --disable-pip-version-check ".[test]"
PY_DIRS=(python tests benches docs fuzz)
echo "== ruff format --check"
"$PYTHON" -m ruff format --check "${PY_DIRS[@]}"
echo "== ruff check"
"$PYTHON" -m ruff check "${PY_DIRS[@]}"
echo "== mypy (config in pyproject.toml)"
"$PYTHON" -m mypy
echo "== stubtest: rankagg._core against python/rankagg/_core.pyi"
"$PYTHON" -m mypy.stubtest rankagg._core
echo "== cargo clippy (workspace, all targets, warnings are errors)"
cargo clippy --quiet --workspace --all-targets -- -D warnings
echo "== cargo test (rankagg-core)"
cargo test --quiet -p rankagg-core
echo "== pytest (RANKAGG_HYPOTHESIS_PROFILE=${RANKAGG_HYPOTHESIS_PROFILE:-ci})"
"$PYTHON" -m pytest -p no:cacheprovider tests
