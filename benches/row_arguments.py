"""The per-call cost of the row-level bindings (decision 38: their rows cross as one tuple,
``pairs.RowArrays``, instead of seven arguments). Public calls only, so that two builds can be
compared: run it alternately with each interpreter and compare the medians.

    python benches/row_arguments.py                 # the installed rankagg
    /path/to/other/python benches/row_arguments.py  # another build

Workloads on 20 comparisons of 5 items (the boundary dominates): 20,000 calls of the binding
``_core.elo`` itself (in the call form of the build that runs), 2,000 calls each of
``ra.elo``, ``ra.trueskill`` and ``PairTable.from_comparisons``, and ``ra.elo`` on 1M rows (the
conversion of large arrays). Prints the median of ``--repeat`` runs per workload.
"""

from __future__ import annotations

import argparse

import numpy as np

import rankagg as ra
from _common import runs
from rankagg import _core


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    a = rng.integers(0, 5, 20)
    small = {"a": a, "b": (a + rng.integers(1, 5, 20)) % 5, "outcome": rng.choice([0.0, 0.5, 1.0], 20)}
    a = rng.integers(0, 1000, 1_000_000)
    large = {"a": a, "b": (a + rng.integers(1, 1000, len(a))) % 1000, "outcome": rng.random(len(a)).round()}
    codes = (small["a"].astype(np.uint32), small["b"].astype(np.uint32), small["outcome"])
    try:  # this build's binding: the rows as one tuple
        from rankagg.pairs import core_rows

        rows = core_rows(codes[0], codes[1], outcome=codes[2])

        def binding() -> object:
            return _core.elo(5, rows)
    except ImportError:  # a build before decision 38: seven row arguments

        def binding() -> object:
            return _core.elo(5, codes[0], codes[1], outcome=codes[2])  # type: ignore[arg-type]

    cases = {
        "20000 x _core.elo, 20 rows (the binding alone)": lambda: [binding() for _ in range(20_000)],
        "2000 x elo, 20 rows": lambda: [ra.elo(small) for _ in range(2000)],
        "2000 x trueskill, 20 rows": lambda: [ra.trueskill(small) for _ in range(2000)],
        "2000 x PairTable.from_comparisons, 20 rows": lambda: [
            ra.PairTable.from_comparisons(small) for _ in range(2000)
        ],
        "elo, 1M rows": lambda: ra.elo(large),
    }
    print(f"rankagg {ra.__file__}")
    for name, call in cases.items():
        times, _ = runs(call, args.repeat)
        print(f"{name}: median {np.median(times):.3f} s (range {min(times):.3f}-{max(times):.3f})")


if __name__ == "__main__":
    main()
