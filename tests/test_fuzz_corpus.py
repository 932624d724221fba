"""The coverage-guided fuzz targets (fuzz/, atheris): their corpora replay cleanly, and a short
fuzzing run of each finds no crash. A crash is any exception other than a RankaggError (and, for
the command line, an exit code other than 0 or 2). Longer runs: see fuzz/README.md."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("atheris")

FUZZ = Path(__file__).resolve().parent.parent / "fuzz"
TARGETS = ["preflib", "comparisons", "cli_csv"]
SECONDS = int(os.environ.get("RANKAGG_FUZZ_SECONDS", "10"))


def run(target: str, *flags: str, corpus: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(FUZZ / f"fuzz_{target}.py"), str(corpus), *flags],
        capture_output=True,
        text=True,
        timeout=SECONDS + 240,
    )


@pytest.mark.parametrize("target", TARGETS)
def test_corpus_replays_without_a_crash(target):
    corpus = FUZZ / "corpus" / target
    assert len(list(corpus.iterdir())) >= 2
    out = run(target, "-runs=0", corpus=corpus)
    assert out.returncode == 0, out.stderr[-3000:]


@pytest.mark.parametrize("target", TARGETS)
def test_a_short_fuzzing_run_finds_no_crash(target, tmp_path):
    # Fuzz into a scratch copy of the corpus (the committed one only grows on purpose).
    scratch = tmp_path / target
    scratch.mkdir()
    for f in (FUZZ / "corpus" / target).iterdir():
        (scratch / f.name).write_bytes(f.read_bytes())
    out = run(target, f"-max_total_time={SECONDS}", "-seed=1", "-print_final_stats=1", corpus=scratch)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "stat::number_of_executed_units" in out.stderr
