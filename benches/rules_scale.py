"""Voting rules at scale (issues 18 and 20): each rule on many candidates, before (the Python
it replaced, `rankagg.reference.vote` and the exact-rational instant runoff) and after (the
Rust paths), and pref_voting where it finishes under the cap.

    python benches/rules_scale.py             # 20 voters x 1,000 / 3,000 / 10,000 candidates,
                                              # 10,000 voters x 1,000 (impartial culture),
                                              # instant runoff on 4 ballots x 100,000 candidates
    python benches/rules_scale.py --quick     # 1,000 candidates and the 10,000 x 1,000 profile
    python benches/rules_scale.py --cap 60    # seconds before a "before" or pref_voting run is cut
    python benches/rules_scale.py --sizes 10000 --skip-ic   # one size alone
    python benches/rules_scale.py --cap 0 --sizes 3000,10000 --skip-ic   # no "before" runs

"after" is end to end from a `ra.Rankings` (the majority matrix included), wall seconds and, in
parentheses, the process's CPU seconds (all threads); "margins" is `ra.pairwise_preferences`
alone, so a rule's own share is the difference. "before" runs the old Python on the margin
matrix (the matrix not included) in a child process cut at the cap. The rows "(before 37)"
run the paths taken before decision 37, end to end in this process through the test hooks:
Schulze with NumPy's links, the incremental strongest paths (`_core.widest_paths(...,
"incremental")`) and NumPy's d > dᵀ; ranked pairs' label locking one edge at a time
(`_core.ranked_pairs_label(..., one_by_one=True)`). Medians of `--repeat` runs (one run beyond 20 s); the load average is printed per profile.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

import rankagg as ra
from _common import wall_and_cpu
from rankagg import _core
from rankagg import vote as vote_module

try:
    from rankagg.reference import vote as ref
except ImportError:  # a build before decision 37 (benches/all.py runs it with --cap 0 there)
    ref = None  # type: ignore[assignment]


def median_times(fn: Callable[[], Any], repeat: int, label: str | None = None) -> tuple[float, float]:
    """Median wall and CPU seconds of up to ``repeat`` runs, fewer once one passes 20 s (recorded
    under ``label`` when given, see _common.record)."""
    return wall_and_cpu(fn, repeat, stop_after=20, label=label)


def _child(fn: Callable[[], Any], out: Any) -> None:
    t0 = time.perf_counter()
    try:
        fn()
        out.send(time.perf_counter() - t0)
    except ra.RankaggError as e:
        out.send(f"raised after {time.perf_counter() - t0:.1f} s: {str(e)[:40]}")


def capped(fn: Callable[[], Any], cap: float) -> str:
    """One run in a forked child: its seconds, or "> cap"."""
    ctx = mp.get_context("fork")
    here, there = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(fn, there))
    child.start()
    child.join(cap)
    if child.is_alive():
        child.kill()
        child.join()
        return f"> {cap:.0f}"
    got = here.recv() if here.poll() else "failed"
    return f"{got:.3f}" if isinstance(got, float) else got


def noisy_utilities(n: int, voters: int, seed: int = 0) -> ra.Rankings:
    """Complete rankings from noisy utilities (as benches/consensus.py --many)."""
    rng = np.random.default_rng(seed)
    u = rng.normal(0, 1, n) + 3 * rng.gumbel(size=(voters, n))
    return ra.Rankings.from_lists(np.argsort(-u, axis=1).tolist())


def impartial_culture(n: int, voters: int, seed: int = 0) -> ra.Rankings:
    """Uniformly random complete rankings, built straight in CSR form."""
    rng = np.random.default_rng(seed)
    order = np.argsort(rng.random((voters, n)), axis=1).astype(np.uint32).reshape(-1)
    return ra.Rankings(
        labels=ra.Rankings.from_lists([list(range(n))]).labels,
        offsets=np.arange(0, voters * n + 1, n, dtype=np.uint64),
        items=order,
        levels=np.tile(np.arange(n, dtype=np.uint32), voters),
        weights=None,
        voters=ra.Rankings.from_lists([[0]] * voters).voters,
    )


def rules(votes: ra.Rankings) -> list[tuple[str, Callable[[], Any], Callable[[np.ndarray], Any] | None]]:
    """(name, after, before on the margin matrix m)."""

    def schulze_before(m: np.ndarray) -> Any:
        p = m  # winning votes and margins agree on complete rankings; the work is the paths
        return ref.widest_paths(np.where(p > 0, p, 0.0))

    def schulze_incremental() -> Any:
        """Schulze as it ran before decision 37 (NumPy around the incremental paths)."""
        p = ra.pairwise_preferences(votes)
        d = np.array(np.where(p > p.T, p - p.T, 0.0), order="C")
        _core.widest_paths(len(p), d.reshape(-1), "incremental")
        above = d > d.T
        return 1 + above.sum(axis=0), above.sum(axis=1)

    def label_one_by_one() -> Any:
        """Ranked pairs' label locking as before decision 37 (sorted edges, one at a time)."""
        p = ra.pairwise_preferences(votes)
        return _core.ranked_pairs_label(len(p), p.reshape(-1), True)

    def old(name: str) -> Callable[[np.ndarray], Any] | None:
        return None if ref is None else getattr(ref, name)

    return [
        ("Schulze", lambda: ra.schulze(votes, strength="margin"), schulze_before),
        ("Schulze, incremental (before 37)", schulze_incremental, None),
        ("ranked pairs, label", lambda: ra.ranked_pairs(votes, tie_break="label"), old("ranked_pairs_label")),
        ("ranked pairs, label, one by one (before 37)", label_one_by_one, None),
        ("ranked pairs, all", lambda: ra.ranked_pairs(votes), old("ranked_pairs_winners")),
        ("Smith set", lambda: ra.smith_set(votes), old("smith_set")),
        ("Condorcet winner", lambda: ra.condorcet_winner(votes), old("condorcet_winner")),
        ("instant runoff", lambda: ra.instant_runoff(votes), None),
    ]


def profile_rows(name: str, votes: ra.Rankings, args: argparse.Namespace, pref_voting: bool) -> None:
    n = len(votes.labels)
    print(f"load average {os.getloadavg()[0]:.1f} before {name}", flush=True)
    t_margins, cpu = median_times(lambda: ra.pairwise_preferences(votes), args.repeat, f"{name}: margins")
    p = ra.pairwise_preferences(votes)
    m = p - p.T
    print(f"| {name} | margins | {t_margins:.3f} ({cpu:.2f} CPU) | | | |", flush=True)
    for rule, after, before in rules(votes):
        if rule in args.skip:
            continue
        try:
            t, cpu = median_times(after, args.repeat, f"{name}: {rule}")
            shown = f"{t:.3f} ({cpu:.2f} CPU)"
            own = f"{max(t - t_margins, 0.0):.3f}" if rule != "instant runoff" else f"{t:.3f}"
        except ra.RankaggError:
            shown, own = "raised", ""
        if args.cap <= 0 or rule.endswith("(before 37)"):
            old = ""
        elif before is not None:
            old = capped(lambda: before(m), args.cap)
        else:
            old = capped(lambda: vote_module._instant_runoff_exact(votes), args.cap)
        pv = capped(lambda: pref_voting_rule(rule, votes), args.cap) if pref_voting and old else ""
        print(f"| {name} | {rule} | {shown} | {own} | {old} | {pv} |", flush=True)
    del n


def pref_voting_rule(rule: str, votes: ra.Rankings) -> Any:
    from pref_voting.profiles import Profile
    from pref_voting.voting_methods import (
        condorcet,
        instant_runoff,
        ranked_pairs,
        ranked_pairs_tb,
        schulze,
        smith_set,
    )

    prof = Profile([list(map(int, r)) for r in votes.to_lists()])
    method = {
        "Schulze": schulze,
        "ranked pairs, label": ranked_pairs_tb,
        "ranked pairs, all": ranked_pairs,
        "Smith set": smith_set,
        "Condorcet winner": condorcet,
        "instant runoff": instant_runoff,
    }[rule]
    return method(prof)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cap", type=float, default=60.0)
    ap.add_argument("--pref-voting", action="store_true", help="also pref_voting (1,000 candidates only)")
    ap.add_argument("--sizes", default="1000,3000,10000", help="candidates of the 20-voter profiles ('' for none)")
    ap.add_argument("--skip-ic", action="store_true", help="leave out the 10,000 x 1,000 profile")
    ap.add_argument(
        "--skip", default="", help="rules to leave out, ';'-separated (e.g. 'ranked pairs, all;instant runoff')"
    )
    args = ap.parse_args()
    args.skip = {r.strip() for r in args.skip.split(";") if r.strip()}
    print("| profile | rule | after s (end to end) | rule alone s | before s (rule alone) | pref_voting s |")
    print("|---|---|---:|---:|---:|---:|")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    for n in [1_000] if args.quick else sizes:
        votes = noisy_utilities(n, 20)
        profile_rows(f"20 x {n:,}", votes, args, args.pref_voting and n == 1_000)
    if not args.skip_ic:
        profile_rows("10,000 x 1,000 IC", impartial_culture(1_000, 10_000), args, False)
    if not args.quick:
        rng = np.random.default_rng(1)
        irv = ra.Rankings.from_lists([rng.permutation(100_000).tolist() for _ in range(4)])
        t = median_times(lambda: ra.instant_runoff(irv), args.repeat, "4 x 100,000: instant runoff")[0]
        old = capped(lambda: vote_module._instant_runoff_exact(irv), args.cap) if args.cap > 0 else ""
        print(f"| 4 x 100,000 | instant runoff | {t:.3f} | {t:.3f} | {old} | |", flush=True)


if __name__ == "__main__":
    main()
