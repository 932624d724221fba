"""The binding before and after a change to it (issue 19, the boundary): two installs of rankagg
cannot share one process, so this script runs each workload in a child process of each given
interpreter in turn (A, B, A, B, ...) and reports per-workload medians and the ratio B / A: the
median over rounds of B's run over the A run made just before it (so that drifts in the shared
machine's speed cancel).

    python benches/boundary.py --python /path/to/old/python --python /path/to/new/python
    python benches/boundary.py --python OLD --python NEW --repeat 7 --quick

Workloads: Bradley–Terry from a Polars frame (n = 1,000 items, m = 1M comparisons, the
`benches/bt.py` generator, ingest included); Bradley–Terry with a 200-round bootstrap (n = 100,
m = 100k: every chunk crosses the boundary); 2,000 calls of `_core.bradley_terry` on a 10-item
table (the per-call cost of the boundary itself); the maximal lottery of a random
skew-symmetric payoff, n = 300 and 1,000 (`benches/lottery.py`'s generator).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent


def child(quick: bool) -> dict[str, float]:
    """Times each workload once in this process; returns seconds per workload."""
    sys.path.insert(0, str(HERE))
    import numpy as np

    import rankagg as ra
    from _common import make
    from lottery import random_margins
    from rankagg import _core

    out: dict[str, float] = {}
    frame = make(1000, 100_000 if quick else 1_000_000)
    small = make(100, 100_000)
    table = ra.PairTable.from_comparisons(make(10, 1000), a="model_a", b="model_b", outcome="winner")
    rng = np.random.default_rng(0)
    lotteries = {n: random_margins(n, rng) for n in ((100, 300) if quick else (300, 1000))}

    def timed(name: str, f) -> None:
        start = time.perf_counter()
        f()
        out[name] = time.perf_counter() - start

    timed("bradley_terry n=1000", lambda: ra.bradley_terry(frame, a="model_a", b="model_b", outcome="winner"))
    timed(
        "bradley_terry n=100 bootstrap 200",
        lambda: ra.bradley_terry(
            small, a="model_a", b="model_b", outcome="winner", ci=ra.Bootstrap(rounds=200, seed=0, progress=False)
        ),
    )
    try:  # the pair table as one tuple (decision 38)
        from rankagg.pairs import core_table

        args: tuple = (table.n_items, core_table(table))
    except ImportError:  # a build before: five arrays
        args = (table.n_items, table.i, table.j, table.wins_i, table.wins_j, table.ties)
    timed("2000 x _core.bradley_terry n=10", lambda: [_core.bradley_terry(*args) for _ in range(2000)])
    for n, m in lotteries.items():
        timed(f"maximal lottery n={n}", lambda m=m: ra.Lottery.from_matrix(m))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--python", action="append", required=True, help="interpreter (give two: before, after)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.quick)))
        return
    runs: dict[str, list[dict[str, float]]] = {p: [] for p in args.python}
    for _ in range(args.repeat):
        for py in args.python:
            cmd = [py, __file__, "--child", "--python", py] + (["--quick"] if args.quick else [])
            runs[py].append(json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout))
    names = list(runs[args.python[0]][0])
    medians = {py: {k: statistics.median(r[k] for r in rs) for k in names} for py, rs in runs.items()}
    sys.path.insert(0, str(HERE))
    from _common import record

    for py in args.python:
        for k in names:
            record(k, medians[py][k], build=py)
    base = args.python[0]
    print("| workload | " + " | ".join(args.python) + " | ratio (last / first) |")
    print("|---|" + "---:|" * (len(args.python) + 1))
    for k in names:
        cells = " | ".join(f"{medians[py][k]:.4f} s" for py in args.python)
        ratio = statistics.median(b[k] / a[k] for a, b in zip(runs[base], runs[args.python[-1]]))
        print(f"| {k} | {cells} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
