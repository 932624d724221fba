#!/usr/bin/env bash
# Builds rankagg's wheel and installs it with its test dependencies, then runs every check: formatting and lints
# (cargo fmt, ruff), types (mypy, stubtest of the compiled module against _core.pyi), clippy,
# then the tests: Rust (cargo test), the wheel in a compiler-free venv (tests/wheel.sh) and Python
# (pytest, with every docstring example). This is
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
echo "== building the wheel (maturin build --release: the one release build of this script)"
if ! "$PYTHON" -m maturin --version >/dev/null 2>&1; then
    "$PYTHON" -m pip install --quiet --disable-pip-version-check "maturin>=1.7,<2"
fi
BUILD_ARGS=()
if [ "$(uname -s)" = Linux ]; then
    # A wheel for glibc ≥ 2.28 whatever this machine's glibc is: zig links against 2.28's symbols
    # (a plain build on Debian 12 needs glibc 2.34's pthread symbols: manylinux_2_34).
    if ! "$PYTHON" -c "import ziglang" >/dev/null 2>&1; then
        "$PYTHON" -m pip install --quiet --disable-pip-version-check "ziglang>=0.13"
    fi
    BUILD_ARGS=(--zig --compatibility manylinux_2_28)
    # maturin finds zig on PATH, else through `python3 -m ziglang` (not necessarily $PYTHON):
    # name the binary of the ziglang package just installed.
    CARGO_ZIGBUILD_ZIG_PATH="$("$PYTHON" -c 'import os, ziglang; print(os.path.join(os.path.dirname(ziglang.__file__), "zig"))')"
    export CARGO_ZIGBUILD_ZIG_PATH
fi
rm -rf target/wheels/run
"$PYTHON" -m maturin build --release --interpreter "$PYTHON" "${BUILD_ARGS[@]}" --out target/wheels/run
WHEEL="$(ls target/wheels/run/rankagg-*.whl)"
echo "== installing that wheel and the test dependencies"
"$PYTHON" -m pip install --quiet --disable-pip-version-check "${WHEEL}[test]"
# The same version may be installed already (pip would keep it): this wheel replaces it.
"$PYTHON" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$WHEEL"
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
echo "== cargo check of the core for aarch64 (the release wheels' other architecture: its non-x86 code paths)"
# (x86-64 tests never compile the fallbacks of the SSE loops; the target's std comes with
# rustup, and where it cannot be had the step says so and goes on)
if rustup target list --installed 2>/dev/null | grep -qx aarch64-unknown-linux-gnu \
    || rustup target add aarch64-unknown-linux-gnu >/dev/null 2>&1; then
    cargo check --quiet -p rankagg-core --tests --target aarch64-unknown-linux-gnu
else
    echo "(skipped: rustup could not add the aarch64-unknown-linux-gnu target)"
fi
echo "== cargo test (rankagg-core)"
cargo test --quiet -p rankagg-core
echo "== the wheel in a fresh venv without Rust (tests/wheel.sh)"
PYTHON="$PYTHON" bash tests/wheel.sh "$WHEEL"
echo "== pytest (RANKAGG_HYPOTHESIS_PROFILE=${RANKAGG_HYPOTHESIS_PROFILE:-ci})"
"$PYTHON" -m pytest -p no:cacheprovider tests
