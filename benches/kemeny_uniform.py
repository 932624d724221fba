"""Kemeny on hard and on large profiles (issue 20's Kemeny targets).

    python benches/kemeny_uniform.py                      # exact: 100 uniform voters x 100
                                                          # candidates, seeds 0-9, 120 s each
    python benches/kemeny_uniform.py --seeds 0 1 2 --time-limit 60
    python benches/kemeny_uniform.py --seeds 2 3 --time-limit 30 --before OTHER/_core.abi3.so
    python benches/kemeny_uniform.py --heuristic          # 100 Mallows voters x 1,000 and
                                                          # 10,000 candidates, method="heuristic"

Exact part: the profiles of benches/RESULTS.md's "Over seeds" table (``mallows(100, 100, 1.0,
default_rng(seed))`` of benches/consensus.py: φ = 1 is uniformly random rankings). Per seed:
wall seconds, this process's CPU seconds (all threads: the cut separation runs on the pool)
and the 1-minute load average before and after, so that "proved within 120 s" can be judged
by CPU time when other jobs share the machine. With ``--before PATH`` (another build's
``rankagg/_core*.so``), each seed is also solved by that build, in the same process, right
after this one's (its row marked "before"). The baseline side by side is the heuristic
alone on the same profile (its cost and its 3-cycle packing bound).

Heuristic part: ``ra.kemeny(votes, method="heuristic")`` from the ``Rankings`` (majority
matrix included), with its cost, its proven lower bound and the gap between them, side by
side with Borda's order (``ra.borda``) scored by the same Kemeny cost.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

import rankagg as ra
from _common import load_core, record
from consensus import mallows
from rankagg import _core
from rankagg import vote as ra_vote


def mallows_fast(n: int, voters: int, phi: float, rng: np.random.Generator) -> list[list[int]]:
    """Mallows by repeated insertion, the insertion depths drawn at once: item i goes d places
    above the bottom of the i items before it, P(d) ∝ φ^d (d ≤ i), by the inverse CDF."""
    if phi == 1.0:
        return [rng.permutation(n).tolist() for _ in range(voters)]
    out = []
    i = np.arange(n)
    for _ in range(voters):
        u = rng.random(n)
        d = np.floor(np.log1p(-u * (1 - phi ** (i + 1))) / np.log(phi)).astype(np.int64)
        d = np.minimum(d, i)
        order: list[int] = []
        for item in range(n):
            order.insert(item - int(d[item]), item)
        out.append(order)
    return out


def kemeny_cost(p: np.ndarray, order: np.ndarray) -> float:
    """Σ over a placed before b of P[b, a]."""
    q = p[np.ix_(order, order)]
    return float(np.tril(q, -1).sum())


def exact(args: argparse.Namespace) -> None:
    print(f"### Kemeny, 100 uniformly random voters x {args.n} candidates, time_limit={args.time_limit:g} s\n")
    print(
        "| seed | proved | wall s | CPU s | load before / after | cost | lower bound | gap % "
        "| nodes | cut rounds | LP pivots | heuristic cost (baseline) | heuristic's bound |"
    )
    print("|---:|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    proved = 0
    walls = []
    builds = {"": _core} if args.before is None else {"": _core, " (before)": load_core(args.before)}
    for seed in args.seeds:
        votes = ra.Rankings.from_lists(mallows(args.n, 100, 1.0, np.random.default_rng(seed)))
        base = ra.kemeny(votes, method="heuristic", exact_limit=0)
        for build, core in builds.items():
            ra_vote._core = core
            try:
                load0 = os.getloadavg()[0]
                c0, t0 = time.process_time(), time.perf_counter()
                k = ra.kemeny(votes, time_limit=args.time_limit, progress=args.progress)
                wall, cpu = time.perf_counter() - t0, time.process_time() - c0
                load1 = os.getloadavg()[0]
            finally:
                ra_vote._core = _core
            if not build:
                record(f"exact n = {args.n}, seed {seed}", wall)
                record(f"exact n = {args.n}, seed {seed} (CPU)", cpu, unit="CPU s")
                proved += k.optimal
                walls.append(wall)
            s = k.stats
            gap = 100 * (k.cost - k.lower_bound) / k.cost
            print(
                f"| {seed}{build} | {k.optimal} | {wall:.1f} | {cpu:.1f} | {load0:.1f} / {load1:.1f} | {k.cost:g} "
                f"| {k.lower_bound:g} | {gap:.4f} | {s['nodes']} | {s['cut_rounds']} | {s['lp_iterations']} "
                f"| {base.cost:g} | {base.lower_bound:g} |",
                flush=True,
            )
    print(
        f"\n{proved}/{len(args.seeds)} proved within {args.time_limit:g} s; median wall {statistics.median(walls):.1f} s"
    )


def heuristic(args: argparse.Namespace) -> None:
    print("### Kemeny heuristic, 100 Mallows voters (method='heuristic')\n")
    print(
        "| n | φ | rankagg s | CPU s | cost | lower bound | gap % | components (largest) "
        "| Borda s | Borda cost | Borda / rankagg cost |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|")
    for n in args.sizes:
        for phi in args.phis:
            votes = ra.Rankings.from_lists(mallows_fast(n, 100, phi, np.random.default_rng(n)))
            c0, t0 = time.process_time(), time.perf_counter()
            k = ra.kemeny(votes, method="heuristic")
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            record(f"heuristic n = {n:,}, φ = {phi}", wall)
            record(f"heuristic n = {n:,}, φ = {phi} (CPU)", cpu, unit="CPU s")
            t0 = time.perf_counter()
            b = ra.borda(votes)
            bwall = time.perf_counter() - t0
            p = ra.pairwise_preferences(votes)
            index = {v: i for i, v in enumerate(votes.labels.to_list())}
            bcost = kemeny_cost(p, np.array([index[v] for v in b.table["item"].to_list()]))
            gap = 100 * (k.cost - k.lower_bound) / k.cost
            largest = max(len(c) for c in k.components)
            print(
                f"| {n:,} | {phi} | {wall:.2f} | {cpu:.2f} | {k.cost:g} | {k.lower_bound:g} | {gap:.4f} "
                f"| {len(k.components)} ({largest}) | {bwall:.2f} | {bcost:g} | {bcost / k.cost:.4f} |",
                flush=True,
            )
    print()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, nargs="*", default=list(range(10)))
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--progress", action="store_true")
    ap.add_argument("--before", help="another build's _core extension: each seed solved by it too (exact part)")
    ap.add_argument("--heuristic", action="store_true", help="method='heuristic' at 1,000 and 10,000 candidates")
    ap.add_argument("--sizes", type=int, nargs="*", default=[1_000, 10_000])
    ap.add_argument("--phis", type=float, nargs="*", default=[0.9, 0.99])
    args = ap.parse_args()
    if args.heuristic:
        heuristic(args)
    else:
        exact(args)


if __name__ == "__main__":
    main()
