"""Judges who differ (issue: heterogeneous judges): rankagg's mixture of Bradley–Terry models and
Crowd-BT vs the numpy references (`rankagg.reference.crowd`, the same EM written over rows) and
crowd-kit's NoisyBradleyTerry.

    python benches/judges.py --repeat 3          # the issue's sizes (several minutes)
    python benches/judges.py --quick             # smaller, for a smoke run
    python benches/judges.py --only crowd --no-reference --no-crowdkit

Workloads (seed 0; string item names `item-042` and judge names `judge-00042`, outcomes 1/0,
no ties; each judge makes ~rows/judges comparisons of random pairs):
- mixture: the judges fall into `--groups` equal groups, each with its own N(0, 1) strengths;
  `ra.bradley_terry_mixture(frame, groups=3)` (8 restarts) timed from the Polars frame, plus the
  split reading/reducing the frame vs the fit, the adjusted Rand index of the judges' groups
  against the truth and each found group's Kendall τ against its true strengths. The numpy
  `mixture_em` does a dense Newton M-step per group over the rows on every iteration, so at
  full size it runs one restart for `--ref-iter` EM iterations and is compared per EM
  iteration with rankagg's one-restart fit; the full run (8 restarts × 20 short iterations,
  the best continuing to convergence, as rankagg does) is compared on a `--small-rows`
  instance (same rows per judge).
- crowd: N(0, 1) strengths, a share `--adversarial` of the judges reports the reverse of the
  Bradley–Terry draw; `ra.crowd_bradley_terry(frame)` vs the numpy `crowd_em` (from integer
  codes) and crowd-kit's `NoisyBradleyTerry` (from a pandas frame worker/left/right/label,
  pre-converted). NoisyBT's gradient is a Python loop over rows, so it runs on the small
  instance. Quality: Kendall τ of each order against the true strengths (plain
  `ra.bradley_terry` too), and the share of adversarial (and honest) judges each method flags
  (reliability η < 0.5; NoisyBT's `skills_` < 0.5).
Prints Markdown tables: median seconds and "× slower than rankagg" in the same run.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import polars as pl
from sklearn.metrics import adjusted_rand_score

import rankagg as ra
from _common import paired_table, timed
from rankagg import _core
from rankagg._util import tau_b
from rankagg.crowd import _judge_rows

T = TypeVar("T")
SHORT_ITER = 20  # rankagg's short-run length per restart (rust/core/src/rate/crowd.rs)


@dataclass
class Instance:
    frame: pl.DataFrame
    judge: np.ndarray
    a: np.ndarray
    b: np.ndarray
    outcome: np.ndarray
    n_items: int
    n_judges: int
    strength: np.ndarray  # groups × items (mixture) or items (crowd)
    truth: np.ndarray  # per judge: its group (mixture) or whether it is adversarial (crowd)


def make(rows: int, judges: int, items: int, seed: int = 0, *, groups: int = 0, adversarial: float = 0.0) -> Instance:
    """Mixture data (groups > 0) or crowd data (groups = 0, a share of adversarial judges)."""
    rng = np.random.default_rng(seed)
    judge = rng.integers(0, judges, rows)
    a = rng.integers(0, items, rows)
    b = (a + rng.integers(1, items, rows)) % items
    if groups:
        strength = rng.normal(0, 1, (groups, items))
        truth = rng.permutation(np.arange(judges) % groups)
        d = strength[truth[judge], a] - strength[truth[judge], b]
    else:
        strength = rng.normal(0, 1, items)
        truth = np.zeros(judges, dtype=bool)
        truth[rng.choice(judges, round(adversarial * judges), replace=False)] = True
        d = strength[a] - strength[b]
        d = np.where(truth[judge], -d, d)
    outcome = (rng.random(rows) < 1 / (1 + np.exp(-d))).astype(np.float64)
    item_names = np.array([f"item-{k:03d}" for k in range(items)])
    judge_names = np.array([f"judge-{k:05d}" for k in range(judges)])
    frame = pl.DataFrame({"a": item_names[a], "b": item_names[b], "outcome": outcome, "judge": judge_names[judge]})
    return Instance(frame, judge, a, b, outcome, items, judges, strength, truth)


def kendall_tau(x: np.ndarray, y: np.ndarray) -> float:
    """Kendall's τ-b (rankagg's own counting, O(n log n))."""
    return tau_b(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))


def item_scores(table: pl.DataFrame, n: int) -> np.ndarray:
    """Scores by item code (names are `item-042`)."""
    out = np.full(n, np.nan)
    codes = np.array([int(s[5:]) for s in table["item"].to_list()])
    out[codes] = table["score"].to_numpy()
    return out


def group_taus(theta: np.ndarray, inst: Instance, found: np.ndarray) -> list[float]:
    """For each found group, τ of its strengths against those of the true group most of its
    judges belong to."""
    taus = []
    for g in range(theta.shape[0]):
        members = inst.truth[found == g]
        true_g = int(np.bincount(members, minlength=inst.strength.shape[0]).argmax()) if len(members) else 0
        taus.append(kendall_tau(theta[g], inst.strength[true_g]))
    return taus


def reference_mixture(inst: Instance, groups: int, restarts: int, short_iter: int) -> dict[str, Any]:
    """rankagg's schedule with the numpy EM: `restarts` random balanced partitions run
    `short_iter` iterations each, the best continues to convergence."""
    from rankagg.reference import crowd as ref

    args = (inst.judge, inst.a, inst.b, inst.outcome)
    kw = dict(groups=groups, n_items=inst.n_items, n_judges=inst.n_judges)
    short = [ref.mixture_em(*args, **kw, seed=s, max_iter=short_iter) for s in range(restarts)]
    best = max(short, key=lambda f: f["log_likelihood"])
    if best["converged"]:
        fit = best
    else:
        # From the best run's posteriors: its next M-step is the one it would have taken.
        fit = ref.mixture_em(*args, **kw, responsibilities=best["responsibilities"])
        fit["iterations"] += best["iterations"]
    fit["total_iterations"] = sum(f["iterations"] for f in short) + fit["iterations"] - best["iterations"]
    return fit


def bench_mixture(args: argparse.Namespace) -> None:
    g, repeat = args.groups, args.repeat
    inst = make(args.rows, args.judges, args.items, args.seed, groups=g)
    df = inst.frame
    kw = dict(a="a", b="b", outcome="outcome", judge="judge", weight=None, outcomes=None, winner=None, loser=None)

    def ours(restarts: int) -> ra.Mixture:
        return ra.bradley_terry_mixture(df, groups=g, restarts=restarts)

    def quality(m: ra.Mixture, inst: Instance) -> str:
        found = m.judges.sort("judge")["group"].to_numpy().astype(np.int64) - 1
        theta = np.stack([item_scores(m.group(k + 1), inst.n_items) for k in range(g)])
        taus = group_taus(theta, inst, found)
        return f"ARI {adjusted_rand_score(found, inst.truth):.4f}; groups' τ {min(taus):.3f}–{max(taus):.3f}"

    size = f"{args.rows:,} rows, {args.judges:,} judges"
    t_full, m = timed(lambda: ours(8), repeat, label=f"mixture {size}: bradley_terry_mixture (8 restarts)")
    t_read, (_, _, table) = timed(lambda: _judge_rows(df, **kw), repeat, label=f"mixture {size}: _judge_rows")
    opts = dict(groups=g, seed=0, regularization=1.0, tol=1e-9, max_iter=1000)
    t_fit, _ = timed(
        lambda: _core.bradley_terry_mixture(table, restarts=8, **opts), repeat, label=f"mixture {size}: fit, 8 restarts"
    )
    t_fit1, fit1 = timed(
        lambda: _core.bradley_terry_mixture(table, restarts=1, **opts), repeat, label=f"mixture {size}: fit, 1 restart"
    )
    per_iter = t_fit1 / fit1.iterations
    rows: list[tuple[str, float, float, str]] = [
        (
            "rankagg `bradley_terry_mixture(groups=3)` (8 restarts, from the frame)",
            t_full,
            1.0,
            f"{m.iterations} it (best run, its 20 short ones included), converged {m.converged}; {quality(m, inst)}",
        ),
        (
            "— of which reading + reducing the frame (`_judge_rows`)",
            t_read,
            t_read / t_full,
            f"{table.judge_counts().size} judges",
        ),
        ("— of which the fit (`_core`, 8 restarts)", t_fit, t_fit / t_full, ""),
        (
            "rankagg fit, 1 restart (`_core`), per EM iteration",
            per_iter,
            1.0,
            f"{t_fit1:.3f} s / {fit1.iterations} it; ll {fit1.log_likelihood:.6g}",
        ),
    ]
    if not args.no_reference:
        from rankagg.reference import crowd as ref

        k = min(args.ref_iter, fit1.iterations)
        t0 = time.perf_counter()
        r = ref.mixture_em(
            inst.judge, inst.a, inst.b, inst.outcome, groups=g, n_items=inst.n_items, n_judges=inst.n_judges, max_iter=k
        )
        t = time.perf_counter() - t0
        rows.append(
            (
                "numpy `mixture_em`, 1 restart, per EM iteration (coded arrays)",
                t / r["iterations"],
                t / r["iterations"] / per_iter,
                f"{t:.1f} s / {r['iterations']} it (capped at {k}), once",
            )
        )
    paired_table(f"Mixture EM: {args.rows:,} comparisons, {args.judges:,} judges, {args.items} items, {g} groups", rows)

    # The full run on a smaller instance, where the reference can finish.
    small_judges = max(g, round(args.judges * args.small_rows / args.rows))
    inst = make(args.small_rows, small_judges, args.items, args.seed, groups=g)
    df = inst.frame
    t_small, m = timed(
        lambda: ours(8), repeat, label=f"mixture {args.small_rows:,} rows: bradley_terry_mixture (8 restarts)"
    )
    rows = [
        (
            "rankagg `bradley_terry_mixture(groups=3)` (8 restarts)",
            t_small,
            1.0,
            f"{m.iterations} it; {quality(m, inst)}",
        )
    ]
    if not args.no_reference:
        t0 = time.perf_counter()
        r = reference_mixture(inst, g, 8, SHORT_ITER)
        t = time.perf_counter() - t0
        found = r["responsibilities"].argmax(axis=1)
        taus = group_taus(r["theta"], inst, found)
        rows.append(
            (
                "numpy `mixture_em`, same schedule (8 × 20 short iterations, best continues)",
                t,
                t / t_small,
                f"once; {r['iterations']} it (best run), {r['total_iterations']} in all; "
                f"ARI {adjusted_rand_score(found, inst.truth):.4f}; groups' τ {min(taus):.3f}–{max(taus):.3f}; "
                f"ll {r['log_likelihood']:.6g} (rankagg {m.log_likelihood:.6g})",
            )
        )
    paired_table(f"Mixture EM, full run: {args.small_rows:,} comparisons, {small_judges:,} judges", rows)


def noisy_bt(inst: Instance, n_iter: int, tol: float) -> tuple[float, int, np.ndarray, np.ndarray] | None:
    """crowd-kit's NoisyBradleyTerry: seconds, objective evaluations, item scores, worker skills."""
    try:
        import crowdkit
        import pandas as pd
        from crowdkit.aggregation import NoisyBradleyTerry
    except ImportError:
        return None
    left = np.array([f"item-{k:03d}" for k in inst.a], dtype=object)
    right = np.array([f"item-{k:03d}" for k in inst.b], dtype=object)
    data = pd.DataFrame(
        {
            "worker": inst.frame["judge"].to_numpy().astype(object),
            "left": left,
            "right": right,
            "label": np.where(inst.outcome == 1.0, left, right),
        }
    )
    calls = [0]
    loss = NoisyBradleyTerry._compute_log_likelihood

    def counted(*a: Any) -> float:
        calls[0] += 1
        return loss(*a)

    model = NoisyBradleyTerry(n_iter=n_iter, tol=tol, random_state=0)
    model._compute_log_likelihood = counted  # type: ignore[method-assign]
    t0 = time.perf_counter()
    model.fit(data)
    t = time.perf_counter() - t0
    print(f"(crowd-kit {crowdkit.__version__} NoisyBradleyTerry: {calls[0]} objective + gradient evaluations)\n")
    scores = np.array([model.scores_[f"item-{k:03d}"] for k in range(inst.n_items)])
    skills = model.skills_.reindex([f"judge-{k:05d}" for k in range(inst.n_judges)]).to_numpy()
    return t, calls[0], scores, skills


def bench_crowd(args: argparse.Namespace) -> None:
    repeat = args.repeat
    sizes = [
        (args.rows, args.judges, args.crowd_iter),
        (args.small_rows, round(args.judges * args.small_rows / args.rows), 1000),
        (args.noisy_rows, round(args.judges * args.noisy_rows / args.rows), 1000),
    ]
    for rows_, judges_, max_iter in sizes:
        capped = max_iter < 1000
        peer = rows_ == args.noisy_rows
        if peer and args.no_crowdkit:
            continue
        inst = make(rows_, judges_, args.items, args.seed, adversarial=args.adversarial)
        df = inst.frame
        adv = inst.truth

        def flags(eta: np.ndarray, adv: np.ndarray = adv) -> str:
            low = eta < 0.5
            return f"flags {low[adv].mean():.1%} of adversarial, {low[~adv].mean():.1%} of honest judges"

        def ours(max_iter: int = max_iter, df: pl.DataFrame = df) -> ra.Ratings:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ra.ConvergenceWarning)
                return ra.crowd_bradley_terry(df, max_iter=max_iter)

        t_ours, r = timed(ours, repeat, label=f"crowd {rows_:,} rows: crowd_bradley_terry")
        eta = r.judges.sort("judge")["reliability"].to_numpy()
        it = f"{r.iterations} it" + (" (capped)" if capped else f", converged {r.converged}")
        per = f" = {t_ours / r.iterations:.3f} s/it" if capped else ""
        rows: list[tuple[str, float, float, str]] = [
            (
                "rankagg `crowd_bradley_terry` (from the frame)",
                t_ours,
                1.0,
                f"{it}{per}; τ {kendall_tau(item_scores(r.table, inst.n_items), inst.strength):.4f}; {flags(eta)}",
            )
        ]
        t, p = timed(lambda df=df: ra.bradley_terry(df), repeat, label=f"crowd {rows_:,} rows: bradley_terry")
        rows.append(
            (
                "rankagg `bradley_terry` (plain, ignores judges)",
                t,
                t / t_ours,
                f"τ {kendall_tau(item_scores(p.table, inst.n_items), inst.strength):.4f}",
            )
        )
        if not args.no_reference and not peer:
            from rankagg.reference import crowd as ref

            try:
                t0 = time.perf_counter()
                f = ref.crowd_em(
                    inst.judge,
                    inst.a,
                    inst.b,
                    inst.outcome,
                    n_items=inst.n_items,
                    n_judges=inst.n_judges,
                    max_iter=max_iter,
                )
                t = time.perf_counter() - t0
                per = f" = {t / f['iterations']:.3f} s/it" if capped else ""
                rows.append(
                    (
                        "numpy `crowd_em` (coded arrays)",
                        t,
                        t / t_ours,
                        f"once; {f['iterations']} it{per}; "
                        f"τ {kendall_tau(f['theta'], inst.strength):.4f}; {flags(f['reliability'])}",
                    )
                )
            except np.linalg.LinAlgError as e:
                rows.append(("numpy `crowd_em` (coded arrays)", float("nan"), float("nan"), f"failed: {e}"))
        if peer:
            out = noisy_bt(inst, args.noisy_iter, args.noisy_tol)
            if out is None:
                rows.append(("crowd-kit (not installed: pip install crowd-kit)", float("nan"), float("nan"), ""))
            else:
                t, calls, scores, skills = out
                rows.append(
                    (
                        f"crowd-kit 1.4.2 `NoisyBradleyTerry(n_iter={args.noisy_iter}, tol={args.noisy_tol:g})` "
                        "(pandas frame pre-converted)",
                        t,
                        t / t_ours,
                        f"once; {calls} L-BFGS evaluations ({t / calls:.3f} s each); "
                        f"τ {kendall_tau(scores, inst.strength):.4f}; skill < 0.5 {flags(skills)[6:]}",
                    )
                )
        cap = f", EM capped at {max_iter} iterations" if capped else ""
        paired_table(
            f"Crowd-BT: {rows_:,} comparisons, {judges_:,} judges, {args.items} items, "
            f"{args.adversarial:.0%} adversarial{cap}",
            rows,
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--judges", type=int, default=10_000)
    ap.add_argument("--items", type=int, default=100)
    ap.add_argument("--groups", type=int, default=3)
    ap.add_argument("--adversarial", type=float, default=0.2)
    ap.add_argument("--small-rows", type=int, default=100_000, help="size where the slow peers run in full")
    ap.add_argument("--ref-iter", type=int, default=5, help="numpy mixture_em iterations at full size")
    ap.add_argument("--crowd-iter", type=int, default=20, help="Crowd-BT EM iterations (both) at full size")
    ap.add_argument("--noisy-rows", type=int, default=10_000, help="size where crowd-kit runs")
    ap.add_argument("--noisy-iter", type=int, default=100, help="NoisyBradleyTerry n_iter (its default)")
    ap.add_argument("--noisy-tol", type=float, default=1e-5, help="NoisyBradleyTerry tol (its default)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", choices=["mixture", "crowd"])
    ap.add_argument("--no-reference", action="store_true", help="skip the numpy references")
    ap.add_argument("--no-crowdkit", action="store_true")
    ap.add_argument("--quick", action="store_true", help="rows 100k, judges 1k, small 20k, crowd-kit 5k")
    args = ap.parse_args()
    if args.quick:
        args.rows, args.judges, args.small_rows, args.noisy_rows = 100_000, 1_000, 20_000, 5_000
    print(
        f"machine: {os.cpu_count()} cores; polars {pl.__version__}, numpy {np.__version__}, rankagg {ra.__version__}\n"
    )
    if args.only in (None, "mixture"):
        bench_mixture(args)
    if args.only in (None, "crowd"):
        bench_crowd(args)


if __name__ == "__main__":
    main()
