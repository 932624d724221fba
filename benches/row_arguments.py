"""The per-call cost of the row-level and table-level bindings (decision 38: their rows and
pair tables cross as one tuple each, ``RowArrays`` / ``TableArrays``, instead of seven and five
arguments). The bindings are called in the form of the build that runs, so that two builds can
be compared: run it alternately with each interpreter and compare the medians.

    python benches/row_arguments.py                 # the installed rankagg
    python benches/row_arguments.py --bindings-only # the two bindings alone
    /path/to/other/python benches/row_arguments.py  # another build

Workloads on 20 comparisons of 5 items (the boundary dominates): 20,000 calls each of the
bindings ``_core.elo`` and ``_core.bradley_terry`` themselves (in the call form of the build
that runs), 2,000 calls each of
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
    ap.add_argument("--bindings-only", action="store_true", help="only the two bindings alone")
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

    table = ra.PairTable.from_comparisons(small)
    try:  # the pair table as one tuple
        from rankagg.pairs import core_table

        arrays: tuple = (table.n_items, core_table(table))
    except ImportError:  # a build before decision 38: five arrays
        arrays = (table.n_items, table.i, table.j, table.wins_i, table.wins_j, table.ties)
    cases = {
        "20000 x _core.elo, 20 rows (the binding alone)": lambda: [binding() for _ in range(20_000)],
        "20000 x _core.bradley_terry, 5 items (the binding alone)": lambda: [
            _core.bradley_terry(*arrays) for _ in range(20_000)
        ],
        "2000 x elo, 20 rows": lambda: [ra.elo(small) for _ in range(2000)],
        "2000 x trueskill, 20 rows": lambda: [ra.trueskill(small) for _ in range(2000)],
        "2000 x PairTable.from_comparisons, 20 rows": lambda: [
            ra.PairTable.from_comparisons(small) for _ in range(2000)
        ],
        "elo, 1M rows": lambda: ra.elo(large),
    }
    if args.bindings_only:
        cases = {k: v for k, v in cases.items() if "binding alone" in k}
    print(f"rankagg {ra.__file__}")
    for name, call in cases.items():
        times, _ = runs(call, args.repeat, label=name)
        print(f"{name}: median {np.median(times):.3f} s (range {min(times):.3f}-{max(times):.3f})")


if __name__ == "__main__":
    main()
