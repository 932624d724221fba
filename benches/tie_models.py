"""Bradley–Terry's tie models with regularization, side by side (issue 18 part 3): ties="half"
(the common-scale step since decision 6's virtual comparisons), Davidson and Rao–Kupper (the
same step from their own stationarity equations since decision 28), on one arena-style frame.

    python benches/tie_models.py            # 300 items, 60,000 rows, r = 0.1 / 1 / 10, 3 repeats
    python benches/tie_models.py --quick    # 100 items, 10,000 rows, 1 repeat

Prints a Markdown table: sweeps, median seconds, and the ratio to ties="half" at the same r
(measured in the same process, one fit just after the other). Results in benches/RESULTS.md.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import polars as pl

import rankagg as ra
from _common import record


def data(n: int, m: int, seed: int = 0) -> pl.DataFrame:
    """m comparisons among n items of normal strengths; 20 % ties."""
    rng = np.random.default_rng(seed)
    theta = rng.normal(0, 1, n)
    a = rng.integers(0, n, m)
    b = (a + 1 + rng.integers(0, n - 1, m)) % n
    p = 1 / (1 + np.exp(theta[b] - theta[a]))
    u = rng.random(m)
    return pl.DataFrame({"a": a, "b": b, "outcome": np.where(u < 0.8 * p, 1.0, np.where(u < 0.8, 0.0, 0.5))})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n, m, repeats = (100, 10_000, 1) if args.quick else (300, 60_000, 3)
    frame = data(n, m)
    print(f"{n} items, {m:,} rows, {repeats} repeat(s)\n")
    print("| ties | r | sweeps | median s | × half |")
    print("|---|---:|---:|---:|---:|")
    for r in (0.1, 1.0, 10.0):
        times: dict[str, list[float]] = {}
        cpus: dict[str, list[float]] = {}
        sweeps: dict[str, int] = {}
        for _ in range(repeats):
            for ties in ("half", "davidson", "rao_kupper"):
                start, cpu = time.perf_counter(), time.process_time()
                fit = ra.bradley_terry(frame, ties=ties, regularization=r, max_iter=100_000)
                times.setdefault(ties, []).append(time.perf_counter() - start)
                cpus.setdefault(ties, []).append(time.process_time() - cpu)
                sweeps[ties] = fit.iterations
                assert fit.converged
        half = statistics.median(times["half"])
        for ties in ("half", "davidson", "rao_kupper"):
            t = statistics.median(times[ties])
            record(f"ties = {ties}, r = {r:g}", t)
            record(f"ties = {ties}, r = {r:g} (CPU)", statistics.median(cpus[ties]), unit="CPU s")
            print(f"| {ties} | {r:g} | {sweeps[ties]:,} | {t:.3f} | {t / half:.1f} |")


if __name__ == "__main__":
    main()
