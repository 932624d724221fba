"""Every consensus rule side by side with pref_voting (issue 15), in one run: 10,000 voters
ranking 100 candidates, an impartial-culture profile and a Mallows profile.

    python benches/voting_rules.py                # pip install pref_voting prefsampling
    python benches/voting_rules.py --quick        # 2,000 voters x 30 candidates
    python benches/voting_rules.py --cap 60       # pref_voting's time cap per rule (seconds)
    python benches/voting_rules.py --only borda,coombs

``rules()`` lists every rule of ``rankagg consensus --method`` (checked at start against the
CLI's list), each as (name, rankagg's rule on the Python inputs, pref_voting's rule on its
prebuilt inputs, or None where pref_voting cannot run at this size).

- Inputs: the complete rankings; for STAR each voter's 0-5 grades by position (the top sixth 5,
  the next 4, …), for approval the candidates a voter grades 4 or 5. The same Python lists and
  dicts go to both libraries.
- rankagg: median of ``--repeat`` runs, building ``Rankings`` / ``ScoreBallots`` from the lists
  included (and the majority matrix, for the margin rules). Kemeny and Slater run with
  ``time_limit=--limit``, repeated like the others unless a run takes more than a second (one
  timed call of ~0.2 s scattered by 1.3x between runs); the table says whether their result
  is proven optimal.
- pref_voting: its ``Profile`` (which computes the margins) and ``GradeProfile`` are built once,
  in the parent, timed separately; each rule then runs on them in a forked child process, killed
  after ``--cap`` seconds, up to ``--repeat`` times while the runs so far stay under ``--cap``
  in all (the table says how many). Every pref_voting rule runs once on a tiny profile first, so
  that numba's compilation is not timed. "× rankagg" compares pref_voting's Profile + rule with
  rankagg's whole call, input included; "same winners" compares the winner sets.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

import rankagg as ra
from _common import record, timed


def mallows(voters: int, n: int, phi: float, rng: np.random.Generator) -> np.ndarray:
    """Mallows rankings by repeated insertion (reference order 0 < 1 < …; item i goes to place j,
    0 = top, with probability ∝ φ^(i − j)), all voters at once: ``pos[v, i]`` is item i's place."""
    pos = np.zeros((voters, n), dtype=np.int64)
    for i in range(1, n):
        w = phi ** (i - np.arange(i + 1))
        j = rng.choice(i + 1, size=voters, p=w / w.sum())
        block = pos[:, :i]
        block += block >= j[:, None]
        pos[:, i] = j
    return np.argsort(pos, axis=1)


@dataclass
class Inputs:
    """One profile as Python lists and dicts (what both libraries read)."""

    lists: list[list[int]]
    grades: list[dict[int, int]]
    approvals: list[dict[int, int]]

    @classmethod
    def from_orders(cls, orders: np.ndarray) -> Inputs:
        n = orders.shape[1]
        grade_of_place = 5 - (6 * np.arange(n)) // n
        grades = np.empty_like(orders)
        np.put_along_axis(grades, orders, grade_of_place[None, :], axis=1)
        dicts = [dict(enumerate(g)) for g in grades.tolist()]
        return cls(orders.tolist(), dicts, [{c: int(s >= 4) for c, s in b.items()} for b in dicts])


@dataclass
class Peer:
    """pref_voting's inputs, built once."""

    profile: Any
    grades: Any
    approvals: Any

    @property
    def labels(self) -> list[int]:
        return sorted(self.profile.candidates)


Rule = tuple[str, Callable[[Inputs], ra.Consensus], Callable[[Peer], Any] | None]


def rules(limit: float) -> list[Rule]:
    """(name, rankagg, pref_voting) for every consensus rule of ``rankagg consensus``."""
    from pref_voting.c1_methods import copeland, llull, top_cycle, uc_gill
    from pref_voting.combined_methods import blacks, daunou
    from pref_voting.grade_methods import approval, star
    from pref_voting.iterative_methods import baldwin, coombs, instant_runoff, strict_nanson, weak_nanson
    from pref_voting.margin_based_methods import (
        beat_path,
        minimax,
        ranked_pairs_with_test,
        river_with_test,
        split_cycle,
        stable_voting,
    )
    from pref_voting.other_methods import bucklin, weighted_bucklin
    from pref_voting.scoring_methods import anti_plurality, borda, plurality

    def rk(rule: Callable[..., ra.Consensus], **kw: Any) -> Callable[[Inputs], ra.Consensus]:
        return lambda x: rule(ra.Rankings.from_lists(x.lists), **kw)

    def on(rule: Any, **kw: Any) -> Callable[[Peer], Any]:
        return lambda p: rule(p.profile, **kw)

    def points(m: int, rank: int) -> Any:  # pref_voting's default vector, in exact fractions
        return Fraction(m - rank, m - 1) if m > 1 else 1

    return [
        ("kemeny", rk(ra.kemeny, time_limit=limit), None),
        ("schulze", rk(ra.schulze), lambda p: beat_path(p.profile, strength_function=p.profile.support)),
        ("ranked_pairs", rk(ra.ranked_pairs), on(ranked_pairs_with_test)),
        ("copeland", rk(ra.copeland), on(copeland)),
        ("copeland alpha=1 (llull)", rk(ra.copeland, alpha=1.0), on(llull)),
        ("minimax", rk(ra.minimax), on(minimax)),
        ("borda", rk(ra.borda), on(borda)),
        ("plurality", rk(ra.plurality), on(plurality)),
        # rankagg eliminates the item last in label order among the fewest first: pref_voting's
        # tie_breaker[0] is eliminated first.
        ("instant_runoff", rk(ra.instant_runoff), lambda p: instant_runoff(p.profile, tie_breaker=p.labels[::-1])),
        ("split_cycle", rk(ra.split_cycle), on(split_cycle)),
        ("stable_voting", rk(ra.stable_voting), on(stable_voting)),
        ("beat_path", rk(ra.beat_path), on(beat_path)),
        ("river", rk(ra.river), on(river_with_test)),
        ("slater", rk(ra.slater, time_limit=limit), None),
        ("top_cycle", rk(ra.top_cycle), on(top_cycle)),
        ("uncovered_set", rk(ra.uncovered_set), on(uc_gill)),
        ("black", rk(ra.black), on(blacks)),
        ("daunou", rk(ra.daunou), on(daunou)),
        ("nanson (strict)", rk(ra.nanson), on(strict_nanson)),
        ("nanson (weak)", rk(ra.nanson, variant="weak"), on(weak_nanson)),
        ("baldwin", rk(ra.baldwin), on(baldwin)),
        ("coombs", rk(ra.coombs), on(coombs)),
        ("bucklin", rk(ra.bucklin), on(bucklin)),
        ("weighted_bucklin", rk(ra.weighted_bucklin), on(weighted_bucklin, score=points)),
        ("anti_plurality", rk(ra.anti_plurality), on(anti_plurality)),
        ("approval", lambda x: ra.approval(ra.ScoreBallots.from_dicts(x.approvals)), lambda p: approval(p.approvals)),
        ("star", lambda x: ra.star(ra.ScoreBallots.from_dicts(x.grades)), lambda p: star(p.grades)),
    ]


NOT_RUN = {
    "kemeny": "kemeny_young enumerates all n! orders",
    "slater": "slater enumerates all n! orders",
}
TIMED_ONCE = ("kemeny", "slater")
"""Rules whose time can be their ``time_limit``: no further run after one past a second."""


def peer_inputs(x: Inputs) -> tuple[Peer, dict[str, float]]:
    """pref_voting's inputs, and the seconds each took to build."""
    from pref_voting.grade_profiles import GradeProfile
    from pref_voting.profiles import Profile

    t_profile, profile = timed(lambda: Profile(x.lists), 1)
    t_grades, grades = timed(lambda: GradeProfile(x.grades, [0, 1, 2, 3, 4, 5]), 1)
    t_approvals, approvals = timed(lambda: GradeProfile(x.approvals, [0, 1]), 1)
    return Peer(profile, grades, approvals), {"profile": t_profile, "star": t_grades, "approval": t_approvals}


def _child(fn: Any, p: Peer, conn: Any) -> None:
    t0 = time.perf_counter()
    out = fn(p)
    conn.send((time.perf_counter() - t0, None if out is None else sorted(out)))


def peer(fn: Any, p: Peer, cap: float) -> tuple[float | None, Any]:
    """pref_voting's rule in a forked child: (seconds, winners), or (None, None) past ``cap``."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(fn, p, child))
    proc.start()
    if parent.poll(cap):
        t, w = parent.recv()
        proc.join()
        return t, w
    proc.kill()
    proc.join()
    return None, None


def ours_median(
    fn: Callable[[Inputs], ra.Consensus], x: Inputs, repeat: int, stop_after: float = float("inf")
) -> tuple[float, float, Any, str]:
    """rankagg's median wall and CPU seconds over ``repeat`` runs (fewer once a run takes more
    than ``stop_after`` seconds), its result (None if it raised) and a note."""
    times, cpus, result, note = [], [], None, ""
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            result = fn(x)
        except ra.RankaggError as e:  # a search past its budget says so
            times.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
            note = f" (raised: {str(e)[:60]}…)"
            result = None
            break
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
        if times[-1] > stop_after:
            break
    if result is not None and result.optimal is not None:
        note = f" (optimal: {result.optimal})"
    return statistics.median(times), statistics.median(cpus), result, note


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cap", type=float, default=60.0, help="seconds before pref_voting's run is killed")
    ap.add_argument("--limit", type=float, default=30.0, help="kemeny's and slater's time_limit (seconds)")
    ap.add_argument("--only", help="comma-separated rule names (default: all)")
    args = ap.parse_args()
    from prefsampling import ordinal

    voters, n = (2_000, 30) if args.quick else (10_000, 100)
    rng = np.random.default_rng(0)
    profiles = {
        "impartial culture": np.asarray(ordinal.impartial(voters, n, seed=0)),
        "Mallows φ = 0.8": mallows(voters, n, 0.8, rng),
    }
    from rankagg.cli import CONSENSUS_METHODS

    every = rules(args.limit)
    missing = set(CONSENSUS_METHODS) - {name.split()[0] for name, _, _ in every}
    if missing:
        raise SystemExit(f"rules() lacks {sorted(missing)} of rankagg consensus --method")
    selected = [r for r in every if args.only is None or r[0] in args.only.split(",")]
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}\n")
    tiny = Inputs.from_orders(np.array([[0, 1, 2], [1, 2, 0], [2, 0, 1], [0, 2, 1]]))
    warm, _ = peer_inputs(tiny)
    for _, _, theirs in selected:  # pref_voting compiles with numba on first use: not timed
        if theirs is not None:
            theirs(warm)
    for title, orders in profiles.items():
        x = Inputs.from_orders(orders)
        votes = ra.Rankings.from_lists(x.lists)
        cw = ra.condorcet_winner(votes)
        print(f"### {title}: {voters:,} voters x {n} candidates")
        print(f"Condorcet winner: {cw}; top cycle: {len(ra.smith_set(votes))} candidates\n")
        p, built = peer_inputs(x)
        print(
            f"pref_voting's inputs, built once: Profile {built['profile']:.2f} s, GradeProfile {built['star']:.2f} s "
            f"(grades), {built['approval']:.2f} s (approvals)\n"
        )
        print("| rule | rankagg s | pref_voting rule s | pref_voting inputs + rule s | × rankagg | same winners |")
        print("|---|---:|---:|---:|---:|---|")
        for name, ours, theirs in selected:
            t, cpu, result, note = ours_median(ours, x, args.repeat, 1.0 if name in TIMED_ONCE else float("inf"))
            record(f"{title}, {voters:,} x {n}: {name}", t)
            record(f"{title}, {voters:,} x {n}: {name} (CPU)", cpu, unit="CPU s")
            if theirs is None:
                print(f"| {name} | {t:.3f}{note} | not run: {NOT_RUN[name]} | | | |", flush=True)
                continue
            t_prof = built.get(name, built["profile"])
            runs: list[float] = []
            w: Any = None
            while len(runs) < args.repeat and sum(runs) < args.cap:
                t_peer, w = peer(theirs, p, args.cap)
                if t_peer is None:
                    break
                runs.append(t_peer)
            if not runs:
                cell = f"> {args.cap:.0f} (killed) | > {t_prof + args.cap:.1f} | > {(t_prof + args.cap) / t:.0f} |"
                print(f"| {name} | {t:.3f}{note} | {cell} |", flush=True)
                continue
            r = statistics.median(runs)
            runs_note = "" if len(runs) == args.repeat else f" ({len(runs)} run{'s' * (len(runs) > 1)})"
            if w is None:
                print(f"| {name} | {t:.3f}{note} | {r:.3f}{runs_note}: declined (more than 3,000 orders) | | | |")
            else:
                same = "" if result is None else ("yes" if sorted(result.winners) == w else "NO")
                print(
                    f"| {name} | {t:.3f}{note} | {r:.3f}{runs_note} | {t_prof + r:.2f} | {(t_prof + r) / t:.0f} | {same} |"
                )
            sys.stdout.flush()
        print()


if __name__ == "__main__":
    main()
