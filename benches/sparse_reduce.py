"""The sparse rows -> pair table reduce alone (decision 33): 20M rows of 100,000 items.

    python benches/sparse_reduce.py                      # the installed rankagg
    PYTHONPATH=/path/to/other/build python benches/sparse_reduce.py --label other

Times ``_core.reduce_pairs`` on the sparse path (more pairs than rows), both of its forms:
outcomes 0 / 1 / ½ with unit weights (one ``u64`` key per row) and weighted rows (a
``(pair, row)`` key per row). Prints the median and the range of ``--repeat`` calls per case.
To compare two builds on a loaded machine, run this script alternately with each, several
times, and compare the medians of the medians (benches/RESULTS.md gives the command used).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from _common import record
from rankagg import _core
from rankagg.pairs import core_rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=20_000_000)
    ap.add_argument("--items", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--label", default="installed")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    n, m = args.items, args.rows
    a = rng.integers(0, n, m).astype(np.uint32)
    b = ((a + rng.integers(1, n, m)) % n).astype(np.uint32)
    o = rng.integers(0, 3, m) / 2.0
    w = rng.random(m) + 0.5
    cases = {
        "unit weights": lambda: _core.reduce_pairs(n, core_rows(a, b, outcome=o)),
        "weighted": lambda: _core.reduce_pairs(n, core_rows(a, b, outcome=o, weight=w)),
    }
    for name, call in cases.items():
        call()  # warm up (page faults of the first allocation)
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            call()
            times.append(time.perf_counter() - t)
        record(name, statistics.median(times))
        print(
            f"{args.label}\t{name}\tmedian {statistics.median(times) * 1e3:.0f} ms\t"
            f"range {min(times) * 1e3:.0f}-{max(times) * 1e3:.0f} ms"
        )


if __name__ == "__main__":
    main()
