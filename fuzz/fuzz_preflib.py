"""Coverage-guided fuzzing of the PrefLib reader (atheris / libFuzzer).

    python fuzz/fuzz_preflib.py fuzz/corpus/preflib -max_total_time=60     # fuzz, growing the corpus
    python fuzz/fuzz_preflib.py fuzz/corpus/preflib -runs=0                # replay the corpus

Every input is written as a .soc/.soi/.toc/.toi file and read with ``ra.read_preflib``: it must
return Rankings that hold together or raise a RankaggError — any other exception is a crash.
"""

import os
import sys
import tempfile

import atheris
import numpy as np  # third-party code is not instrumented (only rankagg's Python layer)
import polars as pl  # noqa: F401

with atheris.instrument_imports(include=["rankagg"]):
    import rankagg as ra

DIR = tempfile.mkdtemp(prefix="fuzz-preflib-")
SUFFIXES = ("soc", "soi", "toc", "toi")


def one_input(data: bytes) -> None:
    path = os.path.join(DIR, f"input.{SUFFIXES[data[0] % 4] if data else 'soc'}")
    with open(path, "wb") as f:
        f.write(data[1:])
    try:
        votes = ra.read_preflib(path)
    except ra.InternalError:
        raise
    except ra.RankaggError:
        return
    assert len(votes) >= 1 and len(votes.labels) >= 1
    assert np.all(np.diff(votes.offsets.astype(np.int64)) >= 0)
    assert votes.items.max() < len(votes.labels)
    ra.borda(votes)  # every reader output is usable


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
