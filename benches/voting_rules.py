"""Voting rules side by side with pref_voting (issue 15): 10,000 voters ranking 100 candidates,
an impartial-culture profile and a Mallows profile, in one run.

    python benches/voting_rules.py                # pip install pref_voting prefsampling
    python benches/voting_rules.py --quick        # 2,000 voters x 30 candidates
    python benches/voting_rules.py --cap 60       # pref_voting's time cap per rule (seconds)

Slater runs with ``time_limit=60`` (its exact search on a random 100-item tournament does not
finish); the table says whether its result is proven optimal. pref_voting's ``slater`` enumerates
all n! orders and is not run.

Each entry of ``RULES`` is (name, rankagg's rule on Rankings, pref_voting's rule on its Profile,
or None where pref_voting cannot run at this size). rankagg: median of ``--repeat`` runs,
building ``Rankings`` from the lists and the majority matrix included. pref_voting: one run in a
forked child process, killed after ``--cap`` seconds; its ``Profile`` (which computes the
margins) is built once, in the parent, and its time added to every rule's (every pref_voting rule
runs once on a tiny profile
first, so that numba's compilation is not timed). "same winners" compares the winner sets.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

import rankagg as ra
from bt import timed


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


def _pref_voting_rules() -> list[tuple[str, Callable[[ra.Rankings], ra.Consensus], Any]]:
    from pref_voting.c1_methods import copeland, llull, slater, top_cycle, uc_gill
    from pref_voting.combined_methods import blacks, daunou
    from pref_voting.margin_based_methods import beat_path, river_with_test, split_cycle, stable_voting

    return [
        ("split_cycle", ra.split_cycle, split_cycle),
        ("stable_voting", ra.stable_voting, stable_voting),
        ("beat_path", ra.beat_path, beat_path),
        ("river", ra.river, river_with_test),
        ("slater (time_limit 60 s)", lambda v: ra.slater(v, time_limit=60.0), slater),
        ("top_cycle", ra.top_cycle, top_cycle),
        ("uncovered_set", ra.uncovered_set, uc_gill),
        ("black", ra.black, blacks),
        ("daunou", ra.daunou, daunou),
        ("copeland", ra.copeland, copeland),
        ("copeland alpha=1 (llull)", lambda v: ra.copeland(v, alpha=1.0), llull),
    ]


RULES = _pref_voting_rules
"""The (name, rankagg, pref_voting) entries; another helper's rules can be appended."""

SKIP_PEER = {"slater (time_limit 60 s)": "enumerates all n! orders"}


def _child(fn: Any, prof: Any, conn: Any) -> None:
    t0 = time.perf_counter()
    out = fn(prof)
    conn.send((time.perf_counter() - t0, None if out is None else sorted(out)))


def peer(fn: Any, prof: Any, cap: float) -> tuple[float | None, Any]:
    """pref_voting's rule in a forked child: (seconds, winners), or (None, None) past ``cap``."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(fn, prof, child))
    proc.start()
    if parent.poll(cap):
        t, w = parent.recv()
        proc.join()
        return t, w
    proc.kill()
    proc.join()
    return None, None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cap", type=float, default=60.0, help="seconds before pref_voting's run is killed")
    args = ap.parse_args()
    from pref_voting.profiles import Profile
    from prefsampling import ordinal

    voters, n = (2_000, 30) if args.quick else (10_000, 100)
    rng = np.random.default_rng(0)
    profiles = {
        "impartial culture": np.asarray(ordinal.impartial(voters, n, seed=0)),
        "Mallows φ = 0.8": mallows(voters, n, 0.8, rng),
    }
    for title, orders in profiles.items():
        lists = orders.tolist()
        votes = ra.Rankings.from_lists(lists)
        cw = ra.condorcet_winner(votes)
        print(f"### {title}: {voters:,} voters x {n} candidates")
        print(f"Condorcet winner: {cw}; top cycle: {len(ra.smith_set(votes))} candidates\n")
        t_prof, prof = timed(lambda lists=lists: Profile(lists), 1)
        if title == next(iter(profiles)):  # pref_voting compiles with numba on first use: not timed
            tiny = Profile([[0, 1, 2], [1, 2, 0], [2, 0, 1], [0, 2, 1]])
            for name, _, theirs in RULES():
                if name not in SKIP_PEER:
                    theirs(tiny)
        print(f"pref_voting's Profile: {t_prof:.2f} s (included in its times below)\n")
        print("| rule | rankagg s | pref_voting s (Profile + rule) | × rankagg | same winners |")
        print("|---|---:|---:|---:|---|")
        for name, ours, theirs in RULES():
            times, result, note = [], None, ""
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                try:
                    result = ours(ra.Rankings.from_lists(lists))
                except ra.RankaggError as e:  # a search past its budget says so
                    times.append(time.perf_counter() - t0)
                    note = f" (raised: {str(e)[:60]}…)"
                    break
                times.append(time.perf_counter() - t0)
            t = statistics.median(times)
            if result is not None and result.optimal is not None:
                note = f" (optimal: {result.optimal})"
            if name in SKIP_PEER:
                print(f"| {name} | {t:.3f}{note} | not run: {SKIP_PEER[name]} | | |", flush=True)
                continue
            t_peer, w = peer(theirs, prof, args.cap)
            if t_peer is None:
                print(
                    f"| {name} | {t:.3f}{note} | > {t_prof + args.cap:.1f} (killed) | > {(t_prof + args.cap) / t:.0f} | |"
                )
            elif w is None:
                print(f"| {name} | {t:.3f}{note} | {t_prof + t_peer:.3f} (declined: too many orders) | | |")
            else:
                same = "" if result is None else str(sorted(result.winners) == w)
                print(f"| {name} | {t:.3f}{note} | {t_prof + t_peer:.3f} | {(t_prof + t_peer) / t:.0f} | {same} |")
            sys.stdout.flush()
        print()


if __name__ == "__main__":
    main()
