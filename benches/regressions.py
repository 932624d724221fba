"""The three regressions of the final rerun (benches/RESULTS.md "The regressions of the final
rerun"), measured piece by piece in several builds side by side.

    python benches/regressions.py --python before=/work/venv-before/bin/python \
        --python main=/work/venv-after/bin/python --python mine=python --rounds 4

Each round runs this script once per build (``--child``, a fresh process each, the builds in
a different order each round); per figure, the median over the rounds of each process's
median of ``--repeat`` calls (after one untimed call, each after a garbage collection), wall
and CPU milliseconds, and the ratio to the first build. ``…, first call``: the first call in
the process, the way `voting_rules.py` timed Slater and `consistency.py` timed
`ra.consistency` (once per run).

- Slater on 2,000 voters x 30 candidates (impartial culture, seed 0; Mallows φ = 0.8, as
  `voting_rules.py --quick` builds them), the linear ordering of its majority tournament (exact
  and ``method="heuristic"``), and the shared steps of the ms-scale rules: `Rankings.from_lists`,
  the majority margins, Borda, plurality, minimax, Schulze, Split Cycle, Stable Voting.
- The rankings committees of `committee.py --quick` (2,000 x 40, k = 5).
- `ra.consistency` on the complete tournament at n = 2,000 of `consistency.py`, its
  `consistency_counts` and its Hodge share.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def child(repeat: int) -> dict[str, tuple[float, float]]:
    """Every figure of this build: (wall, CPU) seconds."""
    import numpy as np
    from prefsampling import ordinal

    sys.path.insert(0, str(HERE))
    import rankagg as ra
    from committee import rankings as committee_rankings
    from consistency import relation
    from rankagg.majority import majority_margins
    from voting_rules import mallows

    out: dict[str, tuple[float, float]] = {}

    def one(f: Callable[[], Any]) -> tuple[float, float]:
        gc.collect()
        w0, c0 = time.perf_counter(), time.process_time()
        f()
        return time.perf_counter() - w0, time.process_time() - c0

    def timed(key: str, f: Callable[[], Any], first: bool = False) -> None:
        x = one(f)
        if first:
            out[key + ", first call"] = x
        xs = [one(f) for _ in range(repeat)]
        out[key] = (statistics.median(w for w, _ in xs), statistics.median(c for _, c in xs))

    rng = np.random.default_rng(0)
    profiles = {"IC": np.asarray(ordinal.impartial(2000, 30, seed=0)), "Mallows": mallows(2000, 30, 0.8, rng)}
    for name, orders in profiles.items():
        lists = orders.tolist()
        votes = ra.Rankings.from_lists(lists)
        timed(f"{name} slater (from lists)", lambda: ra.slater(ra.Rankings.from_lists(lists), time_limit=10.0), True)
        _, m = majority_margins(votes, "below", "slater")
        w = (m > 0).astype(np.float64)
        timed(f"{name} linear_ordering of the majority tournament", lambda: ra.linear_ordering(w))
        timed(f"{name} linear_ordering, method='heuristic'", lambda: ra.linear_ordering(w, method="heuristic"))
        timed(f"{name} Rankings.from_lists", lambda: ra.Rankings.from_lists(lists))
        timed(
            f"{name} majority margins (from lists)",
            lambda: majority_margins(ra.Rankings.from_lists(lists), "below", "x"),
        )
        for rule in ("borda", "plurality", "minimax", "schulze", "split_cycle", "stable_voting"):
            timed(f"{name} {rule} (from lists)", lambda: getattr(ra, rule)(ra.Rankings.from_lists(lists)))
    cvotes = ra.Rankings.from_lists(committee_rankings(2000, 40, np.random.default_rng(2)))
    for rule in ("bloc", "stv", "sntv"):
        timed(f"committee rankings 2,000 x 40, k = 5: {rule}", lambda: ra.committee(cvotes, 5, rule=rule))
    rng = np.random.default_rng(0)
    relation(1000, rng, 0.0, 0.0)  # consistency.py's draws: n = 1,000 first
    wc = relation(2000, rng, 0.0, 0.0)
    pref = ra.Preferences([f"m{i}" for i in range(2000)], wc)
    flat = np.ascontiguousarray(wc).ravel()
    hodge = importlib.import_module("rankagg.consistency").hodge
    timed("consistency, complete n = 2000: ra.consistency", lambda: ra.consistency(pref, k=[3]), True)
    timed("consistency, complete n = 2000: consistency_counts", lambda: ra._core.consistency_counts(flat, 2000, [3]))
    timed("consistency, complete n = 2000: Hodge share", lambda: hodge(np.ascontiguousarray(pref.matrix)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--python", action="append", default=[], help="NAME=INTERPRETER (the first is the reference)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=21)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.repeat)))
        return
    builds = dict(p.split("=", 1) for p in args.python) or {"this": sys.executable}
    names = list(builds)
    got: dict[str, dict[str, list[tuple[float, float]]]] = {b: {} for b in names}
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    print(f"load average at the start: {os.getloadavg()}")
    for r in range(args.rounds):
        for b in names[r % len(names) :] + names[: r % len(names)]:
            cmd = [builds[b], str(Path(__file__).resolve()), "--child", "--repeat", str(args.repeat)]
            done = subprocess.run(cmd, capture_output=True, text=True, cwd="/tmp", env=env, check=True)
            for key, value in json.loads(done.stdout.strip().splitlines()[-1]).items():
                got[b].setdefault(key, []).append(tuple(value))
    print(f"load average at the end: {os.getloadavg()}\n")
    cells = " | ".join(f"{b} wall / CPU ms" for b in names)
    ratios = " | ".join(f"{b} / {names[0]} (CPU)" for b in names[1:])
    print(f"| figure | {cells} | {ratios} |")
    print("|---|" + "---:|" * (2 * len(names) - 1))
    for key in got[names[0]]:
        med = {b: [1e3 * statistics.median(x[i] for x in got[b][key]) for i in (0, 1)] for b in names}
        row = " | ".join(f"{w:.2f} / {c:.2f}" for w, c in med.values())
        rel = " | ".join(f"{med[b][0] / med[names[0]][0]:.2f} ({med[b][1] / med[names[0]][1]:.2f})" for b in names[1:])
        print(f"| {key} | {row} | {rel} |")


if __name__ == "__main__":
    main()
