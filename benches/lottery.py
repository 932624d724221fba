"""Maximal lotteries, side by side (issues 5, 20): rankagg vs its former simplex vs HiGHS vs pref_voting.

    python benches/lottery.py                     # n = 100, 300, 1000, 2000
    python benches/lottery.py --quick             # n = 100, 300
    python benches/lottery.py --sizes 1000 2000   # the issue 20 targets

Two kinds of payoff: random skew-symmetric margins (uniform on [−1, 1]; about half the items
in the support) and Bradley–Terry-generated margins (strengths N(0, 1), 50 comparisons per
pair, M = (W − Wᵀ)/50; usually a Condorcet winner or a small cycle at the top).

- rankagg: `ra.Lottery.from_matrix(M)` (exact: the blocked simplex with sketched steepest
  edge + LU polish, decision 35).
- tableau: the same call's solver with the former dense tableau simplex (exact steepest edge,
  the whole tableau rewritten per pivot), `_core.maximal_lottery(..., algorithm="tableau")`,
  plus the same polish. Its repeats alternate with rankagg's, so that load from other
  processes falls on both; wall-clock medians and the process's CPU seconds (all threads).
- HiGHS: `scipy.optimize.linprog(method="highs")` on max v s.t. Mᵀp ≥ v, Σp = 1 (the
  formulation pref_voting uses), timed on the LP alone.
- pref_voting: `maximal_lottery(MarginGraph(...), algorithm="lp")`, building the margin graph
  included (it is how a pref_voting user gets there); same LP underneath.

Exploitability max_j −(Mᵀp)_j is recomputed here from each answer. A peer is skipped for the
next size once one of its runs exceeds --cap seconds.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from scipy.optimize import linprog

sys.path.insert(0, str(Path(__file__).parent))

import rankagg as ra
from _common import record
from rankagg import _core


def random_margins(n: int, rng: np.random.Generator) -> np.ndarray:
    m = np.triu(rng.uniform(-1, 1, (n, n)), 1)
    return m - m.T


def bt_margins(n: int, rng: np.random.Generator, k: int = 50) -> np.ndarray:
    s = rng.normal(0, 1, n)
    p = 1 / (1 + np.exp(s[None, :] - s[:, None]))
    wins = np.triu(rng.binomial(k, p), 1)
    w = wins + np.triu(k - wins, 1).T
    return (w - w.T) / k


def highs(m: np.ndarray) -> np.ndarray:
    n = len(m)
    c = np.zeros(n + 1)
    c[-1] = -1
    res = linprog(
        c,
        A_ub=np.hstack([-m.T, np.ones((n, 1))]),
        b_ub=np.zeros(n),
        A_eq=[[1.0] * n + [0.0]],
        b_eq=[1.0],
        bounds=[(0, None)] * n + [(None, None)],
        method="highs",
    )
    return res.x[:n]


def pref_voting_lottery(m: np.ndarray) -> np.ndarray:
    from pref_voting.probabilistic_methods import maximal_lottery
    from pref_voting.weighted_majority_graphs import MarginGraph

    n = len(m)
    i, j = np.nonzero(m > 0)
    mg = MarginGraph(list(range(n)), [(int(a), int(b), float(m[a, b])) for a, b in zip(i, j)])
    out = maximal_lottery(mg, algorithm="lp")
    return np.array([out[c] for c in range(n)])


def exploitability(m: np.ndarray, p: np.ndarray) -> float:
    return float(max(0.0, (-(m.T @ p)).max()))


def tableau(m: np.ndarray) -> np.ndarray:
    """The former exact solver on the same payoff (rankagg's scaling is 1; the polish included).
    A build before decision 35 has no ``algorithm`` argument: its one solver is the tableau."""
    flat = np.ascontiguousarray(m, dtype=np.float64).ravel()
    if "algorithm" not in (_core.maximal_lottery.__text_signature__ or ""):
        return np.asarray(_core.maximal_lottery(flat, len(m))["p"])  # type: ignore[call-arg]
    return np.asarray(_core.maximal_lottery(flat, len(m), "tableau")["p"])


def alternated(fns: list, repeat: int) -> list[tuple[float, float, object]]:
    """Median wall and CPU seconds of each function, the repeats interleaved: a, b, a, b, …"""
    walls: list[list[float]] = [[] for _ in fns]
    cpus: list[list[float]] = [[] for _ in fns]
    outs: list[object] = [None for _ in fns]
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            gc.collect()
            c0, t0 = time.process_time(), time.perf_counter()
            outs[k] = fn()
            walls[k].append(time.perf_counter() - t0)
            cpus[k].append(time.process_time() - c0)
    return [(statistics.median(w), statistics.median(c), o) for w, c, o in zip(walls, cpus, outs)]


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cap", type=float, default=60.0)
    ap.add_argument("--sizes", type=int, nargs="+")
    ap.add_argument("--payoffs", nargs="+", choices=["random", "bt"], default=["random", "bt"])
    args = ap.parse_args()
    sizes = args.sizes or ([100, 300] if args.quick else [100, 300, 1000, 2000])
    try:
        import pref_voting  # noqa: F401

        have_pv = True
    except ImportError:
        have_pv = False
    kinds = {"random": ("random margins", random_margins), "bt": ("Bradley–Terry margins", bt_margins)}
    for kind, make in (kinds[k] for k in args.payoffs):
        print(f"### Maximal lottery, {kind}\n")
        print(
            "| n | rankagg s | CPU s | support | exploitability | tableau s | CPU s | exploitability | × rankagg "
            "| HiGHS s | × rankagg | HiGHS exploitability | pref_voting s | × rankagg | load 1/5/15 min |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        skip_highs, skip_pv = False, not have_pv
        rng = np.random.default_rng(0)
        for n in sizes:
            m = make(n, rng)
            (t, cpu, lot), (tt, tcpu, q) = alternated(
                [lambda: ra.Lottery.from_matrix(m), lambda: tableau(m)], args.repeat
            )
            assert isinstance(lot, ra.Lottery) and isinstance(q, np.ndarray)
            record(f"{kind}, n = {n}: Lottery.from_matrix", t)
            record(f"{kind}, n = {n}: Lottery.from_matrix (CPU)", cpu, unit="CPU s")
            p = lot.table.sort("item")["probability"].to_numpy()
            cells = [f"{n}", f"{t:.3f}", f"{cpu:.2f}", f"{len(lot.support)}", f"{exploitability(m, p):.1e}"]
            cells += [f"{tt:.3f}", f"{tcpu:.2f}", f"{exploitability(m, q):.1e}", f"{tt / t:.1f}"]
            if skip_highs:
                cells += ["skipped", "", ""]
            else:
                gc.collect()
                t0 = time.perf_counter()
                q = highs(m)
                th = time.perf_counter() - t0
                cells += [f"{th:.3f}", f"{th / t:.0f}", f"{exploitability(m, q):.1e}"]
                skip_highs = th > args.cap / 8
            if skip_pv:
                cells += ["skipped", ""]
            else:
                t0 = time.perf_counter()
                pref_voting_lottery(m)
                tp = time.perf_counter() - t0
                cells += [f"{tp:.3f}", f"{tp / t:.0f}"]
                skip_pv = tp > args.cap / 8
            cells.append(load())
            print("| " + " | ".join(cells) + " |", flush=True)
        print()


if __name__ == "__main__":
    main()
