"""Committees, side by side (issue 15): rankagg.committee vs abcvoting (approval rules) and
pref_voting (STV).

    python benches/committee.py                 # 10,000 voters x 100 candidates, k = 10
    python benches/committee.py --quick         # 2,000 voters x 40 candidates, k = 5
    python benches/committee.py --repeat 5
    python benches/committee.py --no-stv-peer   # without pref_voting's STV (minutes)

Approval ballots: each voter approves 1–9 candidates drawn with popularity ∝ 1/√(rank + 1), so
that the rules disagree. Rankings: each voter ranks all candidates by popularity plus Gumbel
noise (a Plackett–Luce draw). Each line times both libraries on the same ballots in one process
(median of --repeat runs) and checks they chose the same committee (the greedy rules) or the
same score (the optimising ones). rankagg's time includes building its utility table, not
`Approvals`/`Rankings` (nor abcvoting's `Profile`). The exact searches run once each.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

import rankagg as ra
from _common import record, table, timed


def approval_ballots(voters: int, n: int, rng: np.random.Generator) -> list[list[int]]:
    p = 1 / np.sqrt(np.arange(1, n + 1))
    p /= p.sum()
    return [sorted(rng.choice(n, int(rng.integers(1, 10)), replace=False, p=p).tolist()) for _ in range(voters)]


def rankings(voters: int, n: int, rng: np.random.Generator) -> list[list[int]]:
    utility = -0.5 * np.log(np.arange(1, n + 1)) + rng.gumbel(size=(voters, n))
    return np.argsort(-utility, axis=1).tolist()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--no-stv-peer", action="store_true", help="skip pref_voting's STV (about 14 minutes at 10,000 x 100 here)"
    )
    args = ap.parse_args()
    from abcvoting import abcrules, scores
    from abcvoting.preferences import Profile
    from pref_voting.profiles import Profile as PVProfile
    from pref_voting.proportional_methods import stv_wig

    voters, n, k = (2000, 40, 5) if args.quick else (10_000, 100, 10)
    rng = np.random.default_rng(0)
    ballots = approval_ballots(voters, n, rng)
    approvals = ra.Approvals.from_lists(ballots)
    profile = Profile(n)
    profile.add_voters(ballots)
    print(f"## {voters:,} voters x {n} candidates, k = {k} (median of {args.repeat})\n")
    for ours, theirs, method in (
        ("bloc", "av", "auto"),
        ("pav", "seqpav", "greedy"),
        ("chamberlin_courant", "seqcc", "greedy"),
    ):
        t_ours, mine = timed(
            lambda ours=ours, method=method: ra.committee(approvals, k, rule=ours, method=method),
            args.repeat,
            label=f"approvals {voters:,} x {n}, k = {k}: {ours} ({method})",
        )
        t_theirs, out = timed(lambda theirs=theirs: abcrules.compute(theirs, profile, k, resolute=True), args.repeat)
        same = set(mine.items) == set(out[0])
        table(
            f"approvals: {ours} ({method}) vs abcvoting {theirs}",
            [("rankagg", t_ours, f"score {mine.score:g}, same committee: {same}"), ("abcvoting", t_theirs, "")],
        )
    for rule in ("pav", "chamberlin_courant"):
        t0 = time.perf_counter()
        auto = ra.committee(approvals, k, rule=rule)
        t_auto = time.perf_counter() - t0
        record(f"approvals {voters:,} x {n}, k = {k}: {rule} (auto), one run", t_auto)
        print(
            f"- rankagg {rule} (auto, default node limit): {t_auto:.2f} s, score {auto.score:g}, "
            f"upper bound {auto.upper_bound:g}, optimal {auto.optimal}, nodes {auto.stats['nodes']}"
        )
    # Exact PAV on a smaller profile, where abcvoting's solvers finish.
    small = approval_ballots(1000, 30, np.random.default_rng(1))
    small_profile = Profile(30)
    small_profile.add_voters(small)
    small_approvals = ra.Approvals.from_lists(small)
    t0 = time.perf_counter()
    exact = ra.committee(small_approvals, 5, rule="pav", method="exact")
    t_exact = time.perf_counter() - t0
    record("exact PAV, 1,000 x 30, k = 5, one run", t_exact)
    print(
        f"- exact PAV, 1,000 voters x 30 candidates, k = 5: rankagg {t_exact:.2f} s (score {exact.score:g}, "
        f"optimal {exact.optimal}, nodes {exact.stats['nodes']})"
    )
    for algorithm in ("branch-and-bound", "pulp-highs", "pulp-cbc"):
        try:
            t0 = time.perf_counter()
            found = abcrules.compute("pav", small_profile, 5, algorithm=algorithm, resolute=True)
            score = float(scores.thiele_score("pav", small_profile, found[0]))
            print(f"  abcvoting pav {algorithm}: {time.perf_counter() - t0:.2f} s (score {score:g})")
        except Exception as e:  # a solver that is not installed
            print(f"  abcvoting pav {algorithm}: not run ({type(e).__name__}: {str(e)[:80]})")
    print()
    orders = rankings(voters, n, np.random.default_rng(2))
    votes = ra.Rankings.from_lists(orders)
    for rule in ("k_borda", "sntv", "bloc"):
        t_ours, mine = timed(
            lambda rule=rule: ra.committee(votes, k, rule=rule), args.repeat, label=f"rankings {voters:,} x {n}: {rule}"
        )
        print(f"- rankings: {rule}: rankagg {t_ours:.3f} s (exact), score {mine.score:g}")
    t_ours, mine = timed(
        lambda: ra.committee(votes, k, rule="chamberlin_courant", method="greedy"),
        args.repeat,
        label=f"rankings {voters:,} x {n}: chamberlin_courant (greedy)",
    )
    print(
        f"- rankings: chamberlin_courant (greedy): rankagg {t_ours:.3f} s, score {mine.score:g}, bound {mine.upper_bound:g}"
    )
    print()
    t_ours, mine = timed(
        lambda: ra.committee(votes, k, rule="stv"), args.repeat, label=f"rankings {voters:,} x {n}: stv"
    )
    if args.no_stv_peer:
        print(f"- rankings: stv: rankagg {t_ours:.3f} s")
        return
    pv = PVProfile(orders)
    t0 = time.perf_counter()
    theirs = stv_wig(pv, num_seats=k, quota_rule="droop")
    t_theirs = time.perf_counter() - t0
    table(
        "rankings: stv vs pref_voting stv_wig (Droop quota)",
        [
            ("rankagg", t_ours, f"same committee: {sorted(mine.items) == sorted(theirs)}"),
            ("pref_voting", t_theirs, "one run"),
        ],
    )


if __name__ == "__main__":
    main()
