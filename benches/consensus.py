"""Kemeny consensus, side by side (issue 4): rankagg vs pref_voting on Mallows profiles.

    python benches/consensus.py            # n = 6 … 20 items, 100 voters, φ = 0.8 / 0.95
    python benches/consensus.py --quick
    python benches/consensus.py --large    # n = 50, 100 (and 200) items, φ = 0.8 / 0.95 / 0.99:
                                           # time to a proven optimum (LP branch and bound)

Rankings are drawn from the Mallows model by repeated insertion (reference order 0 < 1 < …,
dispersion φ). rankagg's time includes building `Rankings` and the majority matrix; its
result carries a proof (cost = lower bound). pref_voting's `kemeny_young` enumerates orders,
so it runs only while it stays under a time cap.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from bt import timed  # noqa: E402

import rankagg as ra  # noqa: E402


def mallows(n: int, voters: int, phi: float, rng: np.random.Generator) -> list[list[int]]:
    out = []
    for _ in range(voters):
        order: list[int] = []
        for i in range(n):
            # Insert item i at position j (0 = top) with probability ∝ φ^(i − j).
            w = phi ** (i - np.arange(i + 1))
            j = int(rng.choice(i + 1, p=w / w.sum()))
            order.insert(j, i)
        out.append(order)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--cap", type=float, default=60.0, help="skip pref_voting beyond this many seconds")
    ap.add_argument("--large", action="store_true", help="n = 50, 100, 200 with the exact LP search")
    ap.add_argument("--time-limit", type=float, default=120.0)
    args = ap.parse_args()
    if args.large:
        large(args)
        return
    sizes = [6, 8, 10] if args.quick else [6, 8, 9, 10, 12, 16, 20]
    rng = np.random.default_rng(0)
    try:
        from pref_voting.other_methods import kemeny_young
        from pref_voting.profiles import Profile
    except ImportError:
        kemeny_young = None
    for phi in (0.8, 0.95):
        print(f"### Kemeny, 100 Mallows voters, φ = {phi}\n")
        print("| n | rankagg s (median) | proved optimal | components | pref_voting s | × rankagg | same winner |")
        print("|---:|---:|---|---:|---:|---:|---|")
        skip_peer = kemeny_young is None
        for n in sizes:
            rankings = mallows(n, 100, phi, rng)
            t, k = timed(lambda: ra.kemeny(ra.Rankings.from_lists(rankings), exact_limit=22), args.repeat)
            peer, same = "skipped", ""
            ratio = ""
            if not skip_peer:
                t0 = time.perf_counter()
                winners = kemeny_young(Profile(rankings))
                t_peer = time.perf_counter() - t0
                peer, ratio = f"{t_peer:.3f}", f"{t_peer / t:.0f}"
                same = str(k.winners[0] in winners)
                skip_peer = t_peer * n > args.cap  # the next size takes about n times longer
            print(f"| {n} | {t:.4f} | {k.optimal} (cost {k.cost:g} = bound {k.lower_bound:g}) | {len(k.components)} | {peer} | {ratio} | {same} |")
        print()


def large(args: argparse.Namespace) -> None:
    """Time to a proven optimum for 100 Mallows voters, default options (method="auto")."""
    print("### Kemeny, 100 Mallows voters, large n (time to a proven optimum)\n")
    print("| n | φ | median s | proved optimal | cost | lower bound | components (largest) | B&B nodes | cut rounds | LP pivots |")
    print("|---:|---:|---:|---|---:|---:|---|---:|---:|---:|")
    for n in (50, 100, 200):
        for phi in (0.8, 0.95, 0.99):
            rng = np.random.default_rng(1000 * n + int(phi * 100))
            votes = ra.Rankings.from_lists(mallows(n, 100, phi, rng))
            t, k = timed(lambda: ra.kemeny(votes, time_limit=args.time_limit), args.repeat)
            s = k.stats
            largest = max(len(c) for c in k.components)
            print(
                f"| {n} | {phi} | {t:.3f} | {k.optimal} | {k.cost:g} | {k.lower_bound:g} | {len(k.components)} ({largest}) "
                f"| {s['nodes']} | {s['cut_rounds']} | {s['lp_iterations']} |",
                flush=True,
            )
    print()


if __name__ == "__main__":
    main()
