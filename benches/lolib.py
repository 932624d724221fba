"""Exact linear ordering on the 50 LOLIB input–output instances (issue 4).

    python benches/lolib.py [--dir ../shared/data/lolib_2010/IO] [--repeat 3] [--time-limit 60]

Each instance (normalised "N-" matrix; maximise the sum of a[i][j] over i placed before j) is
solved by `rankagg.linear_ordering` (LP branch and bound with 3-cycle cuts, exact_limit=0 so the
subset DP is never used). Reports n, the value found, whether it is proved optimal, the
search effort and the median time; the known optima of `ANSWERS.md` are checked.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

import rankagg as ra
from _common import record

KNOWN = {"N-be75eec": 236464, "N-stabu70": 362512, "N-t59b11xx": 209320, "N-usa79": 1813986}


def read(path: Path) -> np.ndarray:
    tokens = path.read_text().split()
    n = int(tokens[0])
    return np.array(tokens[1 : 1 + n * n], dtype=float).reshape(n, n)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    here = Path(__file__).resolve().parent
    ap.add_argument("--dir", type=Path, default=here.parent.parent / "shared" / "data" / "lolib_2010" / "IO")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--time-limit", type=float, default=60.0)
    args = ap.parse_args()
    files = sorted(p for p in args.dir.iterdir() if p.name.startswith("N-"))
    print("| instance | n | value | proved optimal | known optimum | nodes | cut rounds | LP pivots | median s |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|")
    times, proved = [], 0
    for path in files:
        a = read(path)
        runs = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            r = ra.linear_ordering(a, exact_limit=0, time_limit=args.time_limit)
            runs.append(time.perf_counter() - t0)
        t = statistics.median(runs)
        times.append(t)
        proved += r.optimal
        known = KNOWN.get(path.name)
        if known is not None:
            assert r.value == known, (path.name, r.value, known)
        s = r.stats
        print(
            f"| {path.name} | {len(a)} | {r.value:.0f} | {r.optimal} | {known or ''} | {s['nodes']} | {s['cut_rounds']} | {s['lp_iterations']} | {t:.3f} |",
            flush=True,
        )
    record(f"all {len(files)} instances: total of the medians", sum(times))
    record(f"all {len(files)} instances: median instance", statistics.median(times))
    record(f"all {len(files)} instances: slowest instance", max(times))
    print(
        f"\n{proved}/{len(files)} proved optimal; median {statistics.median(times):.3f} s, max {max(times):.3f} s, total {sum(times):.1f} s"
    )


if __name__ == "__main__":
    main()
