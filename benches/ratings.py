"""Confidence intervals and Elo, side by side (issue 3): rankagg vs evalica, arena-rank and the
pure-Python reference, on arena-style inputs (a Polars frame with string model names and LMArena
outcome labels, as in benches/bt.py).

    python benches/ratings.py            # full workloads, 5 repeats for rankagg (medians)
    python benches/ratings.py --quick    # smaller, for a smoke run

Workloads:
- bootstrap: 1,000 rounds of Bradley–Terry on n = 100 items, m = 100k comparisons. The peers are
  too slow for 1,000 rounds, so they run fewer (evalica 100, arena-rank 10, the reference 2) and
  their time is scaled to 1,000 rounds (stated in the table).
- sandwich: Bradley–Terry with sandwich intervals, rankagg vs arena-rank (also checks agreement).
- elo: online Elo over 1M rows.
- plackett_luce: 20,000 rankings of 10 items out of 100, vs choix and the reference.
Prints Markdown tables: median seconds and "× slower than rankagg" in the same run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).parent))

import rankagg as ra
from _common import make, table, timed
from rankagg import reference
from rankagg.reference.bootstrap import row_bootstrap

OUT = {"model_a": 1.0, "model_b": 0.0, "tie": 0.5}


def bench_bootstrap(n: int, m: int, rounds: int, repeat: int, with_reference: bool) -> None:
    df = make(n, m)
    rows = []
    t, r = timed(
        lambda: ra.bradley_terry(df, a="model_a", b="model_b", outcome="winner", ci=ra.Bootstrap(rounds=rounds)),
        repeat,
        label=f"bootstrap {rounds} rounds, n = {n}, m = {m:,}",
    )
    width = float((r.table["upper"] - r.table["lower"]).median())
    rows.append(
        ("rankagg (count resampling, Rust, 2 threads)", t, f"{rounds} rounds; median 95% width {width:.1f} Elo")
    )
    xs, ys = df["model_a"].to_list(), df["model_b"].to_list()
    try:
        import evalica

        wmap = {"model_a": evalica.Winner.X, "model_b": evalica.Winner.Y, "tie": evalica.Winner.Draw}
        ws = [wmap[w] for w in df["winner"].to_list()]
        k = max(2, rounds // 10)
        t0 = time.perf_counter()
        evalica.bootstrap(
            evalica.bradley_terry, xs, ys, ws, n_resamples=k, bootstrap_method="percentile", random_state=0
        )
        t = (time.perf_counter() - t0) * rounds / k
        rows.append(
            (
                f"evalica {evalica.__version__} bootstrap (percentile, lists)",
                t,
                f"ran {k} rounds, ×{rounds // k} to {rounds}",
            )
        )
    except ImportError:
        rows.append(("evalica (not installed)", float("nan"), ""))
    k = max(2, rounds // 100)
    peer = arena_rank(df, "bootstrap", k)
    if peer is None:
        rows.append(("arena-rank (not installed: pip install arena-rank)", float("nan"), ""))
    else:
        rows.append(
            (
                "arena-rank 0.1.1 bootstrap (jax L-BFGS, process pool)",
                peer["seconds"] * rounds / k,
                f"ran {k} rounds in a fresh process, ×{rounds // k} to {rounds}",
            )
        )
    if with_reference:
        o = df["winner"].replace_strict(OUT).to_list()
        k = 2
        t0 = time.perf_counter()
        row_bootstrap(xs, ys, o, rounds=k, seed=0, tol=1e-6)
        t = (time.perf_counter() - t0) * rounds / k
        rows.append(
            ("pure-Python reference (row resampling + MM, tol 1e-6)", t, f"ran {k} rounds, ×{rounds // k} to {rounds}")
        )
    table(f"Bootstrap: {rounds:,} rounds of Bradley–Terry, n = {n}, m = {m:,}", rows)


def bench_sandwich(n: int, m: int, repeat: int) -> None:
    df = make(n, m)
    rows = []
    t, r = timed(
        lambda: ra.bradley_terry(df, a="model_a", b="model_b", outcome="winner", ci=ra.Sandwich()),
        repeat,
        label=f"sandwich, n = {n}, m = {m:,}",
    )
    rows.append(("rankagg Sandwich", t, ""))
    peer = arena_rank(df, "sandwich", 0)
    if peer is None:
        rows.append(("arena-rank (not installed: pip install arena-rank)", float("nan"), ""))
    else:
        ours = {row["item"]: row for row in r.table.iter_rows(named=True)}
        names = peer["competitors"]
        lo, hi, score = (np.asarray(peer[k]) for k in ("rating_lower", "rating_upper", "ratings"))
        dw = max(
            abs((hi[k] - lo[k]) - (ours[x]["upper"] - ours[x]["lower"])) / (hi[k] - lo[k]) for k, x in enumerate(names)
        )
        # arena-rank fixes its scale differently (no mean-zero constraint): compare score gaps.
        gaps = [abs((score[k] - score[0]) - (ours[x]["score"] - ours[names[0]]["score"])) for k, x in enumerate(names)]
        rows.append(
            (
                "arena-rank 0.1.1 sandwich (pandas in, incl. PairDataset)",
                peer["seconds"],
                f"max rel. Δ interval width {dw:.1e}; max |Δ score gap| {max(gaps):.1e} Elo",
            )
        )
    table(f"Sandwich intervals: Bradley–Terry, n = {n}, m = {m:,}", rows)


def arena_rank(df: pl.DataFrame, mode: str, rounds: int) -> dict | None:
    """Runs arena-rank in a fresh process (its bootstrap forks a process pool, which deadlocks in
    a process that already runs threads, e.g. rankagg's). Returns its output and time, or None
    when arena-rank is not installed."""
    import json
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "battles.parquet"
        df.write_parquet(path)
        out = subprocess.run(
            [sys.executable, __file__, "--arena-rank", str(path), mode, str(rounds)], capture_output=True, text=True
        )
    if out.returncode == 3:
        return None
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def arena_rank_child(path: str, mode: str, rounds: int) -> None:
    import json
    import multiprocessing as mp

    try:
        from arena_rank.models.bradley_terry import BradleyTerry
        from arena_rank.utils.data_utils import PairDataset
    except ImportError:
        sys.exit(3)
    import pandas as pd

    mp.set_start_method("forkserver")
    df = pd.read_parquet(path)
    t0 = time.perf_counter()
    ds = PairDataset.from_pandas(df, competitor_cols=["model_a", "model_b"], outcome_col="winner")
    out = BradleyTerry(len(ds.competitors)).compute_ratings_and_cis(
        ds, ci_method=mode, **({"num_bootstrap": rounds} if mode == "bootstrap" else {})
    )
    seconds = time.perf_counter() - t0
    result = {k: np.asarray(v).tolist() for k, v in out.items() if k != "competitors"}
    result["competitors"] = list(out["competitors"])
    result["seconds"] = seconds
    print(json.dumps(result))


def bench_elo(n: int, m: int, repeat: int, with_reference: bool) -> None:
    df = make(n, m)
    rows = []
    t, r = timed(
        lambda: ra.elo(df, a="model_a", b="model_b", outcome="winner"), repeat, label=f"elo, n = {n}, m = {m:,}"
    )
    rows.append(("rankagg (from the Polars frame)", t, ""))
    ours = dict(r.table.select("item", "score").iter_rows())
    xs, ys = df["model_a"].to_list(), df["model_b"].to_list()
    try:
        import evalica

        wmap = {"model_a": evalica.Winner.X, "model_b": evalica.Winner.Y, "tie": evalica.Winner.Draw}
        ws = [wmap[w] for w in df["winner"].to_list()]
        t, res = timed(lambda: evalica.elo(xs, ys, ws), max(1, repeat // 2))
        gap = max(abs(ours[k] - v) for k, v in res.scores.items())
        rows.append((f"evalica {evalica.__version__} (lists, pre-converted)", t, f"max |Δscore| vs rankagg {gap:.1e}"))
    except ImportError:
        rows.append(("evalica (not installed)", float("nan"), ""))
    if with_reference:
        o = df["winner"].replace_strict(OUT).to_list()
        t, ref = timed(lambda: reference.elo(xs, ys, o), 1)
        gap = max(abs(ours[k] - v) for k, v in ref.items())
        rows.append(("pure-Python reference (lists)", t, f"max |Δscore| {gap:.1e}"))
    table(f"Elo: n = {n} items, m = {m:,} rows", rows)


def bench_plackett_luce(n: int, rankings: int, k: int, repeat: int, with_reference: bool) -> None:
    """Rankings of random k-item subsets of n items, drawn from a Plackett–Luce model (Gumbel
    trick)."""
    rng = np.random.default_rng(0)
    theta = rng.normal(0, 1, n)
    subsets = np.argsort(rng.random((rankings, n)), axis=1)[:, :k]
    noisy = theta[subsets] + rng.gumbel(size=subsets.shape)
    orders = np.take_along_axis(subsets, np.argsort(-noisy, axis=1), axis=1)
    lists = orders.tolist()
    rows = []
    # Complete rankings of random subsets (the model of choix's ilsr_rankings and the reference).
    t, r = timed(
        lambda: ra.plackett_luce(ra.Rankings.from_lists(lists), unranked="ignore"),
        repeat,
        label=f"plackett_luce, {rankings:,} rankings",
    )
    rows.append(("rankagg (fast solver, from lists)", t, f"{r.iterations} it"))
    t, r_mm = timed(
        lambda: ra.plackett_luce(ra.Rankings.from_lists(lists), unranked="ignore", solver="mm"),
        repeat,
        label=f"plackett_luce (mm), {rankings:,} rankings",
    )
    rows.append(("rankagg (MM solver)", t, f"{r_mm.iterations} it"))
    ours = r.table.sort("item")["score"].to_numpy()
    try:
        import choix

        t, est = timed(lambda: choix.ilsr_rankings(n, lists, tol=1e-9), max(1, repeat // 2))
        gap = np.max(np.abs((est - est.mean()) - ours))
        rows.append(("choix 0.4 ilsr_rankings (I-LSR, tol 1e-9)", t, f"max |Δθ| vs rankagg {gap:.1e}"))
    except ImportError:
        rows.append(("choix (not installed: pip install choix)", float("nan"), ""))
    if with_reference:
        t, ref = timed(lambda: reference.plackett_luce(lists, n, tol=1e-9), 1)
        rows.append(("pure-Python reference (MM)", t, f"max |Δθ| {np.max(np.abs(np.asarray(ref) - ours)):.1e}"))
    table(f"Plackett–Luce: {rankings:,} rankings of {k}-item subsets of {n} items (unranked='ignore')", rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-reference", action="store_true")
    ap.add_argument("--only", choices=["bootstrap", "sandwich", "elo", "plackett_luce"])
    ap.add_argument("--arena-rank", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.arena_rank:
        arena_rank_child(args.arena_rank[0], args.arena_rank[1], int(args.arena_rank[2]))
        return
    m_boot, m_elo = (20_000, 100_000) if args.quick else (100_000, 1_000_000)
    print(f"machine: {os.cpu_count()} cores; rankagg {ra.__version__}, polars {pl.__version__}\n")
    if args.only in (None, "bootstrap"):
        bench_bootstrap(100, m_boot, 1000, args.repeat, not args.no_reference)
    if args.only in (None, "sandwich"):
        bench_sandwich(100, m_boot, args.repeat)
    if args.only in (None, "elo"):
        bench_elo(100, m_elo, args.repeat, not args.no_reference)
    if args.only in (None, "plackett_luce"):
        bench_plackett_luce(100, 2_000 if args.quick else 20_000, 10, args.repeat, not args.no_reference)


if __name__ == "__main__":
    main()
