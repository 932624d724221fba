"""Defensive aggregation, side by side (issue 5): rankagg vs a pure Polars group_by and numpy.

    python benches/robust.py                 # 100k items × 100 observations = 10M rows
    python benches/robust.py --items 10000   # 1M rows
    python benches/robust.py --repeat 7 --layout shuffled

The table is a KV-cache-like score table: items (integer token ids, or strings with
``--strings``) × observations (queries), groups of 64 consecutive items (attention heads),
values ~ Exponential(1). ``--layout query_major`` lists, query by query, every item (a
flattened attention matrix); ``shuffled`` permutes the rows.

Every implementation starts from the same Polars frame and returns per-item defended scores:

- rankagg: ``ra.defensive(frame, ..., group="head")`` — factorizing the item, observation and
  group columns, the checks (nulls, finite values, duplicate (item, observation) pairs, one
  group per item), the Rust pass and the sorted result table, all inside the timer.
- Polars: one lazy ``group_by("item").agg(max / top_k mean, mean, first(head))``, then the
  group-mean floor with ``.over("head")`` and the sort (no duplicate or group checks).
- numpy: ``.to_numpy()`` of the columns, a stable ``argsort`` by item, ``reduceat`` for max /
  sum (for tail > 0, a ``lexsort`` by (item, −value) and a masked ``reduceat``), ``bincount`` for
  the group means, ``lexsort`` for the order (no checks).

The three results are compared (|Δscore| ≤ 1e-12, same order).
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics

import numpy as np
import polars as pl

import rankagg as ra
from _common import runs


def make(items: int, obs: int, group_size: int, strings: bool, layout: str, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    item = np.tile(np.arange(items, dtype=np.int64), obs)
    query = np.repeat(np.arange(obs, dtype=np.int64), items)
    value = rng.exponential(size=items * obs)
    frame = pl.DataFrame({"item": item, "query": query, "value": value, "head": item // group_size})
    if strings:
        frame = frame.with_columns(pl.format("tok-{}", pl.col("item")).alias("item"))
    if layout == "shuffled":
        frame = frame.sample(fraction=1.0, shuffle=True, seed=seed)
    return frame


def tail_count(tail: float, k: np.ndarray) -> np.ndarray:
    x = tail * k.astype(float)
    r = np.round(x)
    m = np.where(np.abs(x - r) <= 1e-9 * np.maximum(x, 1.0), r, np.ceil(x))
    return np.clip(m, 1, k).astype(np.int64)


def with_polars(frame: pl.DataFrame, tail: float, prior: float) -> pl.DataFrame:
    v = pl.col("value")
    if tail == 0:
        worst = v.max()
    else:
        worst = v.top_k((pl.len() * tail).round(9).ceil().clip(1).cast(pl.Int64)).mean()
    return (
        frame.lazy()
        .group_by("item")
        .agg(worst.alias("worst_case"), v.mean().alias("mean"), pl.col("head").first(), pl.len().alias("n"))
        .with_columns((prior * pl.col("worst_case").mean().over("head")).alias("floor"))
        .with_columns(pl.max_horizontal("worst_case", "floor").alias("score"))
        .sort(["score", "mean", "item"], descending=[True, True, False])
        .collect()
    )


def with_numpy(frame: pl.DataFrame, tail: float, prior: float) -> tuple[np.ndarray, np.ndarray]:
    """Returns (item labels best first, scores)."""
    item = frame["item"].to_numpy()
    value = frame["value"].to_numpy()
    head = frame["head"].to_numpy()
    labels, codes = np.unique(item, return_inverse=True)
    n = len(labels)
    count = np.bincount(codes, minlength=n)
    starts = np.concatenate([[0], np.cumsum(count)[:-1]])
    if tail == 0:
        order = np.argsort(codes, kind="stable")
        worst = np.maximum.reduceat(value[order], starts)
    else:
        order = np.lexsort((-value, codes))  # by item, largest value first
        m = tail_count(tail, count)
        position = np.arange(len(order)) - np.repeat(starts, count)
        top = np.where(position < np.repeat(m, count), value[order], 0.0)
        worst = np.add.reduceat(top, starts) / m
    mean = np.bincount(codes, value, n) / count
    head_of = np.empty(n, dtype=head.dtype)
    head_of[codes] = head
    hcodes = np.unique(head_of, return_inverse=True)[1]
    floor = prior * (np.bincount(hcodes, worst) / np.bincount(hcodes))[hcodes]
    score = np.maximum(worst, floor)
    best = np.lexsort((np.arange(n), -mean, -score))
    return labels[best], score[best]


def timed(fn, repeat: int, label: str | None = None) -> tuple[float, list[float], object]:
    times, out = runs(fn, repeat, label=label)
    return statistics.median(times), times, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=100_000)
    ap.add_argument("--obs", type=int, default=100)
    ap.add_argument("--group-size", type=int, default=64)
    ap.add_argument("--tail", type=float, nargs="+", default=[0.0, 0.1])
    ap.add_argument("--prior", type=float, default=1.0)
    ap.add_argument("--strings", action="store_true", help="string item names (tok-123) instead of integers")
    ap.add_argument("--layout", choices=["query_major", "shuffled"], default="query_major")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    frame = make(args.items, args.obs, args.group_size, args.strings, args.layout, args.seed)
    print(
        f"{frame.height:,} rows: {args.items:,} items ({'strings' if args.strings else 'int64'}) × {args.obs} observations, "
        f"groups of {args.group_size}, layout {args.layout}; {os.cpu_count()} CPUs, {platform.machine()}, "
        f"polars {pl.__version__}, numpy {np.__version__}; medians of {args.repeat} runs\n"
    )
    print("| tail | rankagg s | Polars group_by s | × rankagg | numpy s | × rankagg | agree |")
    print("|---:|---:|---:|---:|---:|---:|---|")
    for tail in args.tail:
        kw = dict(item="item", over="query", value="value", group="head", tail=tail, prior=args.prior)
        t_ra, all_ra, res = timed(
            lambda: ra.defensive(frame, **kw), args.repeat, label=f"defensive, {frame.height:,} rows, tail {tail:g}"
        )
        t_pl, _, pol = timed(lambda: with_polars(frame, tail, args.prior), args.repeat)
        t_np, _, (np_items, np_scores) = timed(lambda: with_numpy(frame, tail, args.prior), args.repeat)
        ours = res.table  # type: ignore[union-attr]
        agree = (
            ours["item"].to_list() == pol["item"].to_list() == np_items.tolist()  # type: ignore[index]
            and np.allclose(ours["score"].to_numpy(), pol["score"].to_numpy(), rtol=1e-12, atol=0)  # type: ignore[index]
            and np.allclose(ours["score"].to_numpy(), np_scores, rtol=1e-12, atol=0)
        )
        runs = ", ".join(f"{t:.3f}" for t in all_ra)
        print(
            f"| {tail:g} | **{t_ra:.3f}** ({runs}) | {t_pl:.3f} | {t_pl / t_ra:.1f} | {t_np:.3f} | {t_np / t_ra:.1f} | {agree} |"
        )
    assert not math.isnan(t_ra)


if __name__ == "__main__":
    main()
