"""Bootstrap chunks sized by the pool's threads against chunks sized as if one thread ran them,
alternated in one process (rankagg's own A/B: ``rankagg.intervals.pool_threads`` set to 1 gives
the sizing of before).

    python benches/bootstrap_chunks.py [--repeat 5]

The rounds run one per thread (``resample::rounds``). Chunks are sized to take about
``CHUNK_SECONDS`` each from the time per round of the chunk before; a chunk of fewer rounds than
threads leaves threads idle, its time per round grows, and the next chunk shrinks again, down
to one round a chunk (one busy core). Prints, per workload, the wall seconds of each sizing
(two alternated turns, each the median of ``--repeat`` runs; the figure is their mean), their ratio, the chunk sizes each made (the `_core` calls), and the thread count.
Workloads: ``benches/build_profile.py``'s Bradley–Terry with a 20-round bootstrap (n = 1,000
models, 1M rows) and 100 rounds on n = 100, 100k rows; Elo with 100 rounds on the same.
"""

from __future__ import annotations

import argparse
import os
import statistics
from collections.abc import Callable
from typing import Any

import rankagg as ra
import rankagg.intervals as intervals
from _common import make, median_time, record
from rankagg import _core

KW = dict(a="model_a", b="model_b", outcome="winner")


def chunk_sizes(method: str, run: Callable[[], Any]) -> list[int]:
    """The rounds of each ``_core`` call one run makes."""
    real = getattr(_core, method)
    sizes: list[int] = []

    def counted(*args: Any, **kw: Any) -> Any:
        sizes.append(kw.get("rounds", 0))
        return real(*args, **kw)

    setattr(_core, method, counted)
    try:
        run()
    finally:
        setattr(_core, method, real)
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    threads = intervals.pool_threads()
    print(f"threads {threads}, load average {os.getloadavg()[0]:.2f}\n")
    big, small = make(1_000, 1_000_000), make(100, 100_000, seed=1)
    workloads: list[tuple[str, str, Callable[[], Any]]] = [
        (
            "bt n=1k m=1M, 20 rounds",
            "bradley_terry",
            lambda: ra.bradley_terry(big, **KW, ci=ra.Bootstrap(rounds=20, seed=0)),
        ),
        (
            "bt n=100 m=100k, 100 rounds",
            "bradley_terry",
            lambda: ra.bradley_terry(small, **KW, ci=ra.Bootstrap(rounds=100, seed=0)),
        ),
        ("elo n=100 m=100k, 100 rounds", "elo", lambda: ra.elo(small, **KW, ci=ra.Bootstrap(rounds=100, seed=0))),
    ]
    real = intervals.pool_threads
    print("| workload | per thread s | as one thread s | ratio | chunks per thread | chunks as one thread |")
    print("|---|---:|---:|---:|---|---|")
    for name, method, run in workloads:
        run()  # warm-up
        times: dict[str, list[float]] = {"threads": [], "one": []}
        sizes: dict[str, list[int]] = {}
        for turn in range(2):
            for key, pool in (("threads", real), ("one", lambda: 1))[:: 1 if turn == 0 else -1]:
                intervals.pool_threads = pool
                try:
                    times[key].append(median_time(run, args.repeat))
                    sizes[key] = chunk_sizes(method, run)
                finally:
                    intervals.pool_threads = real
        t, o = statistics.median(times["threads"]), statistics.median(times["one"])
        record(name, t)
        print(f"| {name} | {t:.3f} | {o:.3f} | {t / o:.2f} | {sizes['threads']} | {sizes['one']} |")


if __name__ == "__main__":
    main()
