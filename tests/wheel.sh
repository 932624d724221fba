#!/usr/bin/env bash
# The wheel, as a user gets it: its name and tags, its size and contents, the glibc symbols its
# extension needs (Linux), then an install into a fresh venv and the smoke path run there with
# no Rust toolchain on PATH, outside the repository, in Python's isolated mode (so that nothing
# outside the wheel and its declared dependencies can be imported). Also checks the sdist's
# contents and that its Cargo workspace resolves from the lock file alone.
#
#   bash tests/wheel.sh                 # builds the wheel (maturin build --release), then checks it
#   bash tests/wheel.sh dist/X.whl      # checks a wheel built before (tests/run.sh passes its own)
#
# Needs Python ≥ 3.10 (PYTHON, default python3) and network access to PyPI for the wheel's
# dependencies (polars, numpy); maturin and cargo only to build.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
fail() {
    echo "wheel.sh: FAIL: $*" >&2
    exit 1
}

VERSION="$(sed -n '/^\[workspace.package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' Cargo.toml)"
[ -n "$VERSION" ] || fail "no [workspace.package] version in Cargo.toml"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

if [ $# -ge 1 ]; then
    WHEEL="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
else
    echo "== maturin build --release"
    "$PYTHON" -m maturin build --release --interpreter "$PYTHON" --out "$WORK/dist"
    WHEEL="$(ls "$WORK"/dist/rankagg-*.whl)"
fi
[ -f "$WHEEL" ] || fail "no wheel at $WHEEL"
NAME="$(basename "$WHEEL")"

echo "== the wheel: $NAME"
SIZE="$(wc -c <"$WHEEL")"
echo "size: $SIZE bytes ($(awk -v s="$SIZE" 'BEGIN { printf "%.1f MiB", s / 1048576 }'))"
# One abi3 wheel for every CPython ≥ 3.10, version from Cargo.toml.
case "$NAME" in
    "rankagg-$VERSION-cp310-abi3-"*.whl) ;;
    *) fail "expected rankagg-$VERSION-cp310-abi3-<platform>.whl, got $NAME" ;;
esac
PLATFORM="${NAME#"rankagg-$VERSION-cp310-abi3-"}"
PLATFORM="${PLATFORM%.whl}"
if [ "$(uname -s)" = Linux ]; then
    # manylinux_2_28 or older (AlmaLinux 8, Debian 10, Ubuntu 18.10 and later run it), or musllinux.
    case "$PLATFORM" in
        manylinux2014_*) glibc_minor=17 ;;
        manylinux_2_*) glibc_minor="$(echo "$PLATFORM" | sed -n 's/^manylinux_2_\([0-9]*\)_.*/\1/p')" ;;
        musllinux_*) glibc_minor="" ;;
        *) fail "not a manylinux or musllinux tag: $PLATFORM" ;;
    esac
    if [ -n "$glibc_minor" ] && [ "$glibc_minor" -gt 28 ]; then
        fail "platform tag $PLATFORM needs glibc 2.$glibc_minor > 2.28"
    fi
fi

"$PYTHON" - "$WHEEL" "$VERSION" "$PLATFORM" <<'EOF'
import sys
import zipfile

wheel, version, platform = sys.argv[1], sys.argv[2], sys.argv[3]
z = zipfile.ZipFile(wheel)
names = set(z.namelist())
dist_info = f"rankagg-{version}.dist-info"
meta = z.read(f"{dist_info}/WHEEL").decode()
tags = [line.split(":", 1)[1].strip() for line in meta.splitlines() if line.startswith("Tag:")]
print("tags:", ", ".join(tags))
assert sorted(tags) == sorted(f"cp310-abi3-{p}" for p in platform.split(".")), (tags, platform)
metadata = z.read(f"{dist_info}/METADATA").decode()
assert f"\nVersion: {version}\n" in metadata, "METADATA's version is not Cargo.toml's"
required = ["rankagg/__init__.py", "rankagg/cli.py", "rankagg/py.typed", "rankagg/_core.pyi",
            "rankagg/datasets/SOURCE.txt", f"{dist_info}/entry_points.txt"]
missing = [n for n in required if n not in names]
assert not missing, f"missing from the wheel: {missing}"
ext = [n for n in names if n.startswith("rankagg/_core.") and n.endswith((".so", ".pyd"))]
assert len(ext) == 1 and (".abi3." in ext[0] or ext[0].endswith(".pyd")), ext
csvs = sorted(n for n in names if n.startswith("rankagg/datasets/") and n.endswith(".csv"))
assert csvs, "no datasets in the wheel"
stray = [n for n in names if n.startswith(("tests/", "rust/", "benches/", "target/")) or n.endswith(".rs")]
assert not stray, f"files that do not belong in the wheel: {stray[:5]}"
size = {i.filename: i.file_size for i in z.infolist()}
print(f"contents: {len(names)} files; extension {ext[0]} {size[ext[0]] / 2**20:.1f} MiB unpacked; "
      f"{len(csvs)} datasets ({', '.join(c.rsplit('/', 1)[1] for c in csvs)}); py.typed; _core.pyi")
EOF

if [ "$(uname -s)" = Linux ] && [ -n "${glibc_minor:-}" ]; then
    # The newest glibc symbol version the extension needs (its .dynstr lists them by name).
    mkdir "$WORK/unpacked"
    "$PYTHON" -c "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])" "$WHEEL" "$WORK/unpacked"
    newest="$(grep -ao 'GLIBC_2\.[0-9]*' "$WORK"/unpacked/rankagg/_core.*.so | sort -t. -k2 -n -u | tail -1)"
    echo "newest glibc symbol version needed by the extension: $newest (tag allows 2.$glibc_minor)"
    [ "${newest#GLIBC_2.}" -le "$glibc_minor" ] || fail "the extension needs $newest, newer than its tag"
    if command -v readelf >/dev/null 2>&1; then
        # Shared libraries it loads: only those every manylinux system has (PEP 600's list).
        needed="$(readelf -d "$WORK"/unpacked/rankagg/_core.*.so | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
        echo "shared libraries it needs: $needed"
        for lib in $needed; do
            case "$lib" in
                libc.so.6 | libm.so.6 | libdl.so.2 | libpthread.so.0 | librt.so.1 | libgcc_s.so.1 | ld-linux-*.so.* | libutil.so.1) ;;
                *) fail "the extension needs $lib, which is neither in the wheel nor on every manylinux system" ;;
            esac
        done
    fi
fi

echo "== a fresh venv, no Rust on PATH"
"$PYTHON" -m venv "$WORK/venv"
VENV="$WORK/venv"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
# The dependencies first (from PyPI or pip's cache), so that the wheel's own install is timed alone.
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary :all: "polars>=1.20" "numpy>=1.24"
start="$("$PYTHON" -c "import time; print(time.time())")"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary :all: "$WHEEL"
end="$("$PYTHON" -c "import time; print(time.time())")"
echo "pip install $NAME: $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s"

mkdir "$WORK/elsewhere"
cat >"$WORK/smoke.sh" <<'EOF'
set -euo pipefail
if command -v cargo || command -v rustc; then
    echo "wheel.sh: FAIL: a Rust toolchain is on PATH ($PATH)" >&2
    exit 1
fi
echo "cargo, rustc: not on PATH ($PATH)"
echo '$ rankagg --version'
rankagg --version
echo '$ rankagg leaderboard --top 5'
rankagg leaderboard --top 5
echo '$ python -I -c "import rankagg as ra; ..."'
python -I -c '
import sys
import polars as pl
import rankagg as ra
venv = sys.argv[1]
assert ra.__file__.startswith(venv) and ra._core.__file__.startswith(venv), (ra.__file__, ra._core.__file__)
frame = pl.DataFrame({"a": ["x", "y", "x", "z"], "b": ["y", "z", "z", "y"], "outcome": [1.0, 1.0, 0.5, 0.0]})
table = ra.bradley_terry(frame).table
print(table.select("item", "score", "rank"))
assert table["item"].to_list()[0] == "x"
print(f"rankagg {ra.__version__} from {ra.__file__}")
' "$1"
EOF
(cd "$WORK/elsewhere" && env -i PATH="$VENV/bin:/usr/bin:/bin" HOME="$HOME" LANG=C.UTF-8 bash "$WORK/smoke.sh" "$VENV")
got="$(env -i PATH="$VENV/bin:/usr/bin:/bin" HOME="$HOME" "$VENV/bin/rankagg" --version)"
[ "$got" = "rankagg $VERSION" ] || fail "rankagg --version says '$got', Cargo.toml says $VERSION"

if "$PYTHON" -m maturin --version >/dev/null 2>&1 && command -v cargo >/dev/null 2>&1; then
    echo "== the sdist"
    "$PYTHON" -m maturin sdist --out "$WORK/sdist" >/dev/null 2>&1 || fail "maturin sdist failed"
    SDIST="$(ls "$WORK"/sdist/rankagg-"$VERSION".tar.gz)"
    echo "$(basename "$SDIST"): $(wc -c <"$SDIST") bytes"
    tar -xzf "$SDIST" -C "$WORK/sdist"
    src="$WORK/sdist/rankagg-$VERSION"
    for f in pyproject.toml Cargo.toml Cargo.lock rust/core/src/lib.rs rust/python/src/lib.rs \
        python/rankagg/__init__.py python/rankagg/py.typed python/rankagg/_core.pyi python/rankagg/datasets/SOURCE.txt; do
        [ -f "$src/$f" ] || fail "the sdist lacks $f"
    done
    ls "$src"/python/rankagg/datasets/*.csv >/dev/null || fail "the sdist lacks the datasets"
    # Every crate of the workspace is there and the lock file is complete (no network needed).
    cargo metadata --locked --offline --format-version 1 --manifest-path "$src/Cargo.toml" >/dev/null ||
        fail "the sdist's Cargo workspace does not resolve from its Cargo.lock"
    echo "the sdist has the sources, the lock file and the datasets; its workspace resolves offline"
fi
echo "== wheel.sh: ok ($NAME)"
