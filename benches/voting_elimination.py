"""Elimination, positional and cardinal rules (issue 15), side by side with pref_voting.

    python benches/voting_elimination.py               # 10,000 voters x 100 candidates, 3 repeats
    python benches/voting_elimination.py --voters 2000 --items 30 --repeat 5

One process, one profile: each voter scores the candidates by strength + Gumbel noise. The
ranking rules get the complete rankings this induces; STAR gets 0-5 scores (the utilities
binned by voter), approval the candidates each voter scores 4 or 5. Every rule runs rankagg then
pref_voting, ``--repeat`` times each, alternating; the table shows medians, the ratio of the
medians and whether the winner sets agree. rankagg's time includes building its input
(`Rankings.from_lists`, `ScoreBallots.from_dicts`) from the same Python lists and dicts
pref_voting reads; pref_voting's includes its `Profile` / `GradeProfile` (built per run, since
that is where it computes margins and counts), after one untimed call of each rule on a small
profile (pref_voting compiles its numba functions on first use).
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

import rankagg as ra
from bt import timed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--voters", type=int, default=10_000)
    ap.add_argument("--items", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from pref_voting.grade_methods import approval, star
    from pref_voting.grade_profiles import GradeProfile
    from pref_voting.iterative_methods import baldwin, coombs, strict_nanson, weak_nanson
    from pref_voting.other_methods import bucklin, weighted_bucklin
    from pref_voting.profiles import Profile
    from pref_voting.scoring_methods import anti_plurality

    rng = np.random.default_rng(0)
    n, voters = args.items, args.voters
    utility = rng.normal(0, 1, n) + rng.gumbel(size=(voters, n))
    lists = np.argsort(-utility, axis=1).tolist()
    lo, hi = utility.min(axis=1, keepdims=True), utility.max(axis=1, keepdims=True)
    grades = np.minimum(5, np.floor(6 * (utility - lo) / (hi - lo))).astype(int).tolist()
    scores = [dict(enumerate(g)) for g in grades]
    approvals = [{c: int(s >= 4) for c, s in b.items()} for b in scores]

    def points(m: int, rank: int) -> Any:  # pref_voting's default vector, in exact fractions
        return Fraction(m - rank, m - 1) if m > 1 else 1

    ranking_rules: list[tuple[str, Any, Any]] = [
        ("nanson (strict)", ra.nanson, strict_nanson),
        ("nanson (weak)", lambda v: ra.nanson(v, variant="weak"), weak_nanson),
        ("baldwin", ra.baldwin, baldwin),
        ("coombs", ra.coombs, coombs),
        ("bucklin", ra.bucklin, bucklin),
        ("weighted_bucklin", ra.weighted_bucklin, lambda p: weighted_bucklin(p, score=points)),
        ("anti_plurality", ra.anti_plurality, anti_plurality),
    ]
    print(f"### Elimination and cardinal rules, {voters:,} voters x {n} candidates\n")
    print(
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, medians of {args.repeat}\n"
    )
    print("| rule | rankagg s | pref_voting s | × rankagg | same winners |")
    print("|---|---:|---:|---:|---|")
    small = lists[:50]
    for _, ours, theirs in ranking_rules:  # pref_voting compiles its numba functions on first use
        ours(ra.Rankings.from_lists(small)), theirs(Profile(small))
    approval(GradeProfile(approvals[:50], [0, 1])), star(GradeProfile(scores[:50], [0, 1, 2, 3, 4, 5]))
    for name, ours, theirs in ranking_rules:
        row(name, lambda: ours(ra.Rankings.from_lists(lists)), lambda: theirs(Profile(lists)), args.repeat)
    row(
        "approval",
        lambda: ra.approval(ra.ScoreBallots.from_dicts(approvals)),
        lambda: approval(GradeProfile(approvals, [0, 1])),
        args.repeat,
    )
    row(
        "star",
        lambda: ra.star(ra.ScoreBallots.from_dicts(scores)),
        lambda: star(GradeProfile(scores, [0, 1, 2, 3, 4, 5])),
        args.repeat,
    )
    t_lists, _ = timed(lambda: ra.Rankings.from_lists(lists), args.repeat)
    t_dicts, _ = timed(lambda: ra.ScoreBallots.from_dicts(scores), args.repeat)
    print(f"\nrankagg's input alone: Rankings.from_lists {t_lists:.3f} s, ScoreBallots.from_dicts {t_dicts:.3f} s")
    print()


def row(name: str, ours: Any, theirs: Any, repeat: int) -> None:
    """Runs both ``repeat`` times, alternating (so both see the same machine load)."""
    mine, peer = [], []
    for _ in range(repeat):
        t, r = timed(ours, 1)
        mine.append(t)
        t0 = time.perf_counter()
        w = theirs()
        peer.append(time.perf_counter() - t0)
    a, b = float(np.median(mine)), float(np.median(peer))
    print(f"| {name} | {a:.3f} | {b:.2f} | {b / a:.0f} | {sorted(r.winners) == sorted(w)} |", flush=True)


if __name__ == "__main__":
    main()
