"""Ctrl-C latency per long-running entry point (issue 18, part 4).

    python benches/interrupt_latency.py            # every entry point, 3 presses each
    python benches/interrupt_latency.py --only consistency --repeat 5

Each call below would run for many seconds (minutes for most); Ctrl-C is pressed (a real
SIGINT to this process, from a timer thread) ``--after`` seconds into it, and the time from the
press to the ``KeyboardInterrupt`` is recorded. Reported: median and worst of ``--repeat``
presses. The figures go to docs/reliability.md ("Ctrl-C latency").
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl

import rankagg as ra
from rankagg import _core
from rankagg.pairs import core_rows


def cases() -> dict[str, Callable[[], Any]]:
    rng = np.random.default_rng(0)
    m = 4_000_000
    a = rng.integers(0, 1000, m)
    rows = {"a": a, "b": (a + rng.integers(1, 1000, m)) % 1000, "outcome": rng.random(m).round()}
    w150 = rng.integers(0, 3, (150, 150)).astype(float)
    np.fill_diagonal(w150, 0.0)
    prefs150 = ra.Preferences([str(k) for k in range(150)], w150)
    w4k = rng.integers(0, 3, (4000, 4000)).astype(float)
    np.fill_diagonal(w4k, 0.0)
    prefs4k = ra.Preferences([str(k) for k in range(4000)], w4k)
    n_votes = 2000
    votes = ra.Rankings.from_lists([[str(x) for x in rng.permutation(1500)] for _ in range(n_votes)])
    links = rng.integers(0, 50, (2500, 2500)).astype(float)
    small = {"a": a[:100_000], "b": rows["b"][:100_000], "outcome": rows["outcome"][:100_000]}
    mallows = ra.Rankings.from_lists(
        [[str(x) for x in np.argsort(np.arange(200) + rng.normal(0, 150, 200))] for _ in range(50)]
    )
    lottery = rng.integers(0, 5, (1500, 1500)).astype(float)
    np.fill_diagonal(lottery, 0.0)
    lottery_prefs = ra.Preferences([str(k) for k in range(1500)], lottery)
    r_m = 20_000_000
    reduce_rows = {}
    for n in (1000, 10_000, 100_000):
        ra_ = rng.integers(0, n, r_m).astype(np.uint32)
        reduce_rows[n] = (ra_, ((ra_ + rng.integers(1, n, r_m)) % n).astype(np.uint32), rng.random(r_m).round())

    def reduce_again(n: int) -> None:
        """20M rows reduced again and again (each call < 1 s), so every press lands in one."""
        a_, b_, o_ = reduce_rows[n]
        for _ in range(1000):
            _core.reduce_pairs(n, core_rows(a_, b_, outcome=o_))

    return {
        "reduce rows -> pair table (20M rows, 1,000 items, again and again)": lambda: reduce_again(1000),
        "reduce rows -> pair table (20M rows, 100,000 items: sparse, again and again)": lambda: reduce_again(100_000),
        "reduce rows -> pair table (20M rows, 10,000 items: sparse, counted per item, again and again)": lambda: (
            reduce_again(10_000)
        ),
        "consistency (exact 4-, 5-subsets, n = 150)": lambda: ra.consistency(prefs150, k=[3, 4, 5], exact_limit=150),
        "consistency (triples, n = 4,000, partial)": lambda: ra.consistency(prefs4k, k=[3]),
        "elo bootstrap (4M rows, 1,000 rounds)": lambda: ra.elo(rows, ci=ra.Bootstrap(rounds=1000)),
        "bradley_terry bootstrap (4M rows, 200,000 rounds)": lambda: ra.bradley_terry(
            rows, ci=ra.Bootstrap(rounds=200_000)
        ),
        "trueskill bootstrap (100k rows, 100,000 rounds)": lambda: ra.trueskill(small, ci=ra.Bootstrap(rounds=100_000)),
        "pairwise_preferences (2,000 rankings of 1,500 items, ×20)": lambda: [
            ra.pairwise_preferences(votes) for _ in range(20)
        ],
        "schulze strongest paths (n = 2,500)": lambda: _core.widest_paths(2500, links.copy().reshape(-1)),
        "kemeny exact (noisy, n = 200)": lambda: ra.kemeny(mallows, method="exact"),
        "maximal_lottery exact (n = 1,500)": lambda: ra.maximal_lottery(lottery_prefs),
    }


def factorizer_and_mixture_cases() -> dict[str, Callable[[], Callable[[], Any]]]:
    """Cases whose data are built only when selected: name -> setup returning the call."""

    def strings(long: bool) -> Callable[[], Any]:
        # 30M names of 3M distinct (long ones: > 12 bytes, the general hash map), factorized
        # again and again (about a second a call): every press lands inside one.
        ids = pl.Series(np.random.default_rng(1).integers(0, 3_000_000, 30_000_000))
        names = (("a name longer than twelve bytes " if long else "m") + ids.cast(pl.String)).rename("a")
        _core.factorize_strings([names[:10]])  # numpy's API loaded before any press
        return lambda: [_core.factorize_strings([names]) for _ in range(1000)]

    def distinct_names() -> Callable[[], Any]:
        # 10M rows, every name distinct and long: about half of each call copies the names
        # out and makes them Python strings (polled since issue 20), the rest hashes them.
        # Each result is dropped before the next call (kept, a list of them would be freed
        # when the KeyboardInterrupt unwinds: 10M strings a result, counted as latency).
        names = ("a name longer than twelve bytes " + pl.Series(np.arange(10_000_000)).cast(pl.String)).rename("a")
        _core.factorize_strings([names[:10]])

        def again() -> None:
            for _ in range(1000):
                _core.factorize_strings([names])

        return again

    def ints(wide: bool) -> Callable[[], Any]:
        values = np.random.default_rng(2).integers(0, 3_000_000, 30_000_000) << (40 if wide else 0)
        _core.factorize_ints([values[:10]])
        return lambda: [_core.factorize_ints([values]) for _ in range(1000)]

    def mixture() -> Callable[[], Any]:
        rng = np.random.default_rng(3)
        m = 20_000
        a = rng.integers(0, 20, m)
        rows = {
            "a": a,
            "b": (a + rng.integers(1, 20, m)) % 20,
            "outcome": rng.random(m).round(),
            "judge": rng.integers(0, 200, m),
        }
        return lambda: ra.bradley_terry_mixture(rows, groups=3, restarts=100_000)

    def crowded() -> Callable[[], Any]:
        # 20M weighted rows of 100,000 items (the sparse reduce) between item 0 and items
        # 1 … 4,999 in random order: every key (the pair, then the row) falls in the first
        # bucket of the bucketed sort, the crowded case (sorted in runs and merge rounds since
        # issue 18's last point; one parallel sort of 20M keys before).
        rng = np.random.default_rng(4)
        a_ = np.zeros(20_000_000, dtype=np.uint32)
        b_ = rng.integers(1, 5_000, 20_000_000).astype(np.uint32)
        rows = core_rows(a_, b_, outcome=rng.random(20_000_000), weight=np.full(20_000_000, 2.0))
        return lambda: [_core.reduce_pairs(100_000, rows) for _ in range(1000)]

    return {
        "reduce rows crowded in one sort bucket (20M rows, 100,000 items, again and again)": crowded,
        "factorize short names (30M rows, 3M names, again and again)": lambda: strings(False),
        "factorize long names (30M rows, 3M names, again and again)": lambda: strings(True),
        "factorize 10M distinct long names into Python strings (again and again)": distinct_names,
        "factorize integers, direct table (30M rows, again and again)": lambda: ints(False),
        "factorize integers, hashed (30M rows, again and again)": lambda: ints(True),
        "bradley_terry_mixture (restarts=100,000)": mixture,
    }


def press_after(call: Callable[[], Any], after: float) -> float:
    pressed: list[float] = []

    def press() -> None:
        pressed.append(time.perf_counter())
        os.kill(os.getpid(), signal.SIGINT)

    timer = threading.Timer(after, press)
    timer.start()
    try:
        call()
    except KeyboardInterrupt:
        return time.perf_counter() - pressed[0]
    finally:
        timer.cancel()
    return float("nan")  # finished before the press


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--after", type=float, default=1.0)
    args = parser.parse_args()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    print(f"{'entry point':58} {'median':>8} {'worst':>8}")
    lazy = factorizer_and_mixture_cases()
    selected = [name for name in lazy if args.only in name]
    calls = {name: lazy[name]() for name in selected}
    if not args.only or not selected:  # the other cases, built together
        calls = {**cases(), **calls}
    for name, call in calls.items():
        if args.only and args.only not in name:
            continue
        waits = [press_after(call, args.after) for _ in range(args.repeat)]
        print(f"{name:58} {statistics.median(waits) * 1000:6.0f} ms {max(waits) * 1000:6.0f} ms", flush=True)


if __name__ == "__main__":
    main()
