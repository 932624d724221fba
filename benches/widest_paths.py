"""The strongest paths (``_core.widest_paths``, ``method="auto"``) on impartial-culture margins,
this build beside another's extension in one process.

    python benches/widest_paths.py --before OTHER/rankagg/_core.abi3.so
    python benches/widest_paths.py --before OTHER/python     # a folder holding rankagg/_core*.so

Per size (items × voters): the positive margins of ``voters`` uniformly random rankings as
links; per build, CPU milliseconds per call (mean over a batch of calls), median of
``--rounds`` rounds with the builds alternating; the ratio is this build's to the other's.
With many distinct strengths (1,000 voters) the method is the incremental one and the cost
beside it is the scan that decides so (``margins::few_strengths``); with 20 voters (few
strengths) it is the threshold method.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from _common import load_core, record
from rankagg import _core


def ic_links(n: int, voters: int, rng: np.random.Generator) -> np.ndarray:
    """The positive majority margins of ``voters`` random rankings of ``n`` items, flattened."""
    rank = np.argsort(np.argsort(rng.random((voters, n)), axis=1), axis=1)
    p = np.zeros((n, n))
    for r in rank:
        p += r[:, None] < r[None, :]
    m = p - p.T
    return np.where(m > 0, m, 0.0).reshape(-1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--before", required=True, help="another build's _core extension, or the folder holding its rankagg/"
    )
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    before = args.before
    if os.path.isdir(before):
        found = sorted(Path(before, "rankagg").glob("_core*.so"))
        if not found:
            raise SystemExit(f"no rankagg/_core*.so under {before}")
        before = str(found[0])
    builds: dict[str, Any] = {"this build": _core, "before": load_core(before)}
    rng = np.random.default_rng(1)
    print("| items | voters | distinct strengths | this build ms CPU | before ms CPU | ratio |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n, voters in [(128, 1000), (256, 1000), (512, 1000), (512, 20), (1024, 1000)]:
        links = ic_links(n, voters, rng)
        calls = max(5, 2_000_000 // (n * n) * 5)
        per: dict[str, list[float]] = {k: [] for k in builds}
        for _ in range(args.rounds):
            for name, core in builds.items():
                d = links.copy()
                t = time.process_time()
                for _ in range(calls):
                    d[:] = links
                    core.widest_paths(n, d)
                per[name].append((time.process_time() - t) / calls)
        a, b = statistics.median(per["this build"]), statistics.median(per["before"])
        distinct = len(np.unique(links[links > 0]))
        label = f"widest_paths n = {n}, {voters} voters (CPU)"
        record(label, a, unit="CPU s")
        record(label, b, unit="CPU s", build=args.before)
        print(f"| {n} | {voters} | {distinct} | {a * 1e3:.3f} | {b * 1e3:.3f} | {a / b:.2f} |", flush=True)
    print(f"\nload average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
