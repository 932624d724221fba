"""Kemeny consensus, side by side (issue 4): rankagg vs pref_voting on Mallows profiles.

    python benches/consensus.py            # n = 6 … 20 items, 100 voters, φ = 0.8 / 0.95 / 0.99
    python benches/consensus.py --quick
    python benches/consensus.py --large    # n = 50, 100 (and 200) items, φ = 0.8 / 0.95 / 0.99:
                                           # time to a proven optimum (LP branch and bound)
    python benches/consensus.py --corankco # Kemeny vs corankco (exact by PuLP/CBC, BioConsert)
    python benches/consensus.py --many     # the margin rules on 20 voters x 1,000 / 3,000 items
    python benches/consensus.py --rules    # every voting rule, 10,000 voters x 100 candidates,
                                           # vs pref_voting

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

import rankagg as ra
from _common import timed


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
    ap.add_argument("--corankco", action="store_true", help="Kemeny vs corankco (pip install corankco pulp)")
    ap.add_argument(
        "--many", action="store_true", help="the margin rules on 20 voters x 1,000 and 3,000 items (rankagg alone)"
    )
    ap.add_argument(
        "--rules", action="store_true", help="every voting rule on 10,000 voters x 100 candidates vs pref_voting"
    )
    args = ap.parse_args()
    if args.large:
        large(args)
        return
    if args.corankco:
        corankco_side_by_side(args)
        return
    if args.rules:
        rules_side_by_side(args)
        return
    if args.many:
        many_items(args)
        return
    sizes = [6, 8, 10] if args.quick else [6, 8, 9, 10, 12, 16, 20]
    rng = np.random.default_rng(0)
    try:
        from pref_voting.other_methods import kemeny_young
        from pref_voting.profiles import Profile
    except ImportError:
        kemeny_young = None
    for phi in (0.8, 0.95, 0.99):
        print(f"### Kemeny, 100 Mallows voters, φ = {phi}\n")
        print("| n | rankagg s (median) | proved optimal | components | pref_voting s | × rankagg | same winner |")
        print("|---:|---:|---|---:|---:|---:|---|")
        skip_peer = kemeny_young is None
        for n in sizes:
            rankings = mallows(n, 100, phi, rng)
            t, k = timed(
                lambda: ra.kemeny(ra.Rankings.from_lists(rankings), exact_limit=22),
                args.repeat,
                label=f"kemeny, 100 voters, φ = {phi}, n = {n}",
            )
            peer, same = "skipped", ""
            ratio = ""
            if not skip_peer:
                t0 = time.perf_counter()
                winners = kemeny_young(Profile(rankings))
                t_peer = time.perf_counter() - t0
                peer, ratio = f"{t_peer:.3f}", f"{t_peer / t:.0f}"
                same = str(k.winners[0] in winners)
                skip_peer = t_peer * n > args.cap  # the next size takes about n times longer
            print(
                f"| {n} | {t:.4f} | {k.optimal} (cost {k.cost:g} = bound {k.lower_bound:g}) | {len(k.components)} | {peer} | {ratio} | {same} |"
            )
        print()


def large(args: argparse.Namespace) -> None:
    """Time to a proven optimum for 100 Mallows voters, default options (method="auto")."""
    print("### Kemeny, 100 Mallows voters, large n (time to a proven optimum)\n")
    print(
        "| n | φ | median s | proved optimal | cost | lower bound | components (largest) | B&B nodes | cut rounds | LP pivots |"
    )
    print("|---:|---:|---:|---|---:|---:|---|---:|---:|---:|")
    for n in (50, 100, 200):
        for phi in (0.8, 0.95, 0.99):
            rng = np.random.default_rng(1000 * n + int(phi * 100))
            votes = ra.Rankings.from_lists(mallows(n, 100, phi, rng))
            t, k = timed(
                lambda: ra.kemeny(votes, time_limit=args.time_limit),
                args.repeat,
                label=f"kemeny large n = {n}, φ = {phi}",
            )
            s = k.stats
            largest = max(len(c) for c in k.components)
            print(
                f"| {n} | {phi} | {t:.3f} | {k.optimal} | {k.cost:g} | {k.lower_bound:g} | {len(k.components)} ({largest}) "
                f"| {s['nodes']} | {s['cut_rounds']} | {s['lp_iterations']} |",
                flush=True,
            )
    print()


def corankco_side_by_side(args: argparse.Namespace) -> None:
    """Kemeny on 100 Mallows voters: rankagg (exact, with a proof) vs corankco's exact
    algorithm (an ILP solved by PuLP/CBC; its CPLEX path needs a licence) and its BioConsert
    heuristic. Time includes building each library's input from the same lists."""
    from corankco.algorithms.bioconsert.bioconsert import BioConsert
    from corankco.algorithms.exact.exactalgorithmpulp import ExactAlgorithmPulp
    from corankco.dataset import Dataset
    from corankco.scoringscheme import ScoringScheme

    scheme = ScoringScheme.get_unifying_scoring_scheme()  # Kemeny's score on complete rankings
    print("### Kemeny vs corankco 7.2, 100 Mallows voters\n")
    print(
        "| n | φ | rankagg s | proved | corankco exact (CBC) s | × | BioConsert s | × | scores (rankagg / exact / BioConsert) |"
    )
    print("|---:|---:|---:|---|---:|---:|---:|---:|---|")
    for n in (10, 20, 40, 60):
        for phi in (0.9, 0.95):
            rng = np.random.default_rng(10 * n + int(100 * phi))
            lists = mallows(n, 100, phi, rng)
            t, k = timed(lambda: ra.kemeny(ra.Rankings.from_lists(lists)), args.repeat)
            run = lambda alg: alg.compute_consensus_rankings(  # noqa: E731
                Dataset.from_raw_list([[{x} for x in r] for r in lists]), scheme, True
            )
            t_b, b = timed(lambda: run(BioConsert()), min(args.repeat, 3))
            exact_s, exact_score = "skipped", "—"
            if n <= 40 or args.cap >= 300:
                t_e, e = timed(lambda: run(ExactAlgorithmPulp()), 1)
                exact_s, exact_score = f"{t_e:.3f} | {t_e / t:.0f}", f"{e.kemeny_score:g}"
            else:
                exact_s += " | "
            print(
                f"| {n} | {phi} | {t:.4f} | {k.optimal} | {exact_s} | {t_b:.3f} | {t_b / t:.0f} | {k.cost:g} / {exact_score} / {b.kemeny_score:g} |",
                flush=True,
            )
    print()


def rules_side_by_side(args: argparse.Namespace) -> None:
    """Every voting rule on 10,000 voters ranking 100 candidates (noisy utilities: each voter
    orders the candidates by strength + Gumbel noise), vs pref_voting. rankagg's time includes
    building `Rankings` from the lists and the majority matrix (Rust); pref_voting's includes its
    `Profile` (which computes its margins)."""
    from pref_voting.c1_methods import copeland
    from pref_voting.iterative_methods import instant_runoff
    from pref_voting.margin_based_methods import beat_path, minimax, ranked_pairs_tb, ranked_pairs_with_test
    from pref_voting.profiles import Profile
    from pref_voting.scoring_methods import borda, plurality

    rng = np.random.default_rng(0)
    n, voters = 100, 10_000
    strength = rng.normal(0, 1, n)
    lists = np.argsort(-(strength + rng.gumbel(size=(voters, n))), axis=1).tolist()
    print(f"### Voting rules, {voters:,} voters x {n} candidates\n")
    print("| rule | rankagg s | pref_voting s | × rankagg | same winners |")
    print("|---|---:|---:|---:|---|")
    t_prof, prof = timed(lambda: Profile(lists), 1)
    labels = list(range(n))
    rules = (
        ("plurality", ra.plurality, plurality),
        ("instant_runoff", ra.instant_runoff, lambda p: instant_runoff(p, tie_breaker=labels[::-1])),
        ("borda", ra.borda, borda),
        ("copeland", ra.copeland, copeland),
        ("minimax", ra.minimax, minimax),
        ("schulze", ra.schulze, lambda p: beat_path(p, strength_function=p.support)),
        ("schulze margin", lambda v: ra.schulze(v, strength="margin"), beat_path),
        ("ranked_pairs", ra.ranked_pairs, ranked_pairs_with_test),
        ("ranked_pairs label", lambda v: ra.ranked_pairs(v, tie_break="label"), ranked_pairs_tb),
    )
    for name, ours, theirs in rules:
        t, r = timed(lambda: ours(ra.Rankings.from_lists(lists)), args.repeat, label=f"{voters:,} x {n}: {name}")
        t_peer, w = timed(lambda: theirs(prof), 1)
        t_peer += t_prof
        print(
            f"| {name} | {t:.3f} | {t_peer:.3f} (Profile {t_prof:.2f}) | {t_peer / t:.0f} | {sorted(r.winners) == sorted(w)} |",
            flush=True,
        )
    t, _ = timed(lambda: ra.pairwise_preferences(ra.Rankings.from_lists(lists)), args.repeat)
    print(f"\nrankagg's majority matrix alone (Rankings + Rust): {t:.3f} s")
    print()


def many_items(args: argparse.Namespace) -> None:
    """The rules on the majority matrix with many items: 20 voters (noisy utilities, as in
    --rules) ranking 1,000 and 3,000 items. Times exclude building `Rankings`."""
    print("### Margin rules, 20 voters, many items\n")
    print("| n | rule | median s |")
    print("|---:|---|---:|")
    for n in (1_000, 3_000):
        rng = np.random.default_rng(0)
        lists = np.argsort(-(rng.normal(0, 1, n) + 3 * rng.gumbel(size=(20, n))), axis=1).tolist()
        votes = ra.Rankings.from_lists(lists)
        rules = (
            ("smith_set", ra.smith_set),
            ("copeland", ra.copeland),
            ("schulze", ra.schulze),
            ("ranked_pairs label", lambda v: ra.ranked_pairs(v, tie_break="label")),
        )
        for name, rule in rules:
            t, _ = timed(lambda: rule(votes), args.repeat if n <= 1_000 else 1, label=f"20 voters x {n:,}: {name}")
            print(f"| {n:,} | {name} | {t:.3f} |", flush=True)
    print()


if __name__ == "__main__":
    main()
