"""Rank metrics and reward transforms (issue 15) against their peers, in one process.

    python benches/metrics.py --repeat 5
    python benches/metrics.py --quick            # smaller, for a smoke run

Workloads (seed 0):
- ndcg: `--queries` queries × `--docs` documents, relevance 0–4, scores rounded to one decimal
  (so ties occur, ~50 distinct scores per query). rankagg: `ra.ndcg(frame, by="query", k=10)`
  from a long Polars frame (the query column holds strings); scikit-learn: `ndcg_score(y_true,
  y_score, k=10)` on the dense matrices (pre-built, not timed), with its default
  `ignore_ties=False` (the same numbers, checked) and with `ignore_ties=True` on the same data
  (a different number when there are ties: vectorised, no per-query loop, shown for scale).
  Also `ra.average_precision` (whole lists) vs a loop of `average_precision_score` per query.
- ranking_accuracy: `--pairs` preference rows over `--items` string-named items, outcomes 0/1
  with a small share of ties, every item scored; vs plain numpy on integer codes (the accuracy
  alone, by a lookup and a comparison; no validation, no idealized bound), the floor of what a
  frame-based function can cost.
- combine_rewards: `--samples` rows, 3 reward columns, per-prompt median reference over
  `--prompts` prompts, log-sigmoid; vs the same computation written as one Polars expression
  (`quantile(0.5).over(prompt)`, `log_sigmoid` through `-log1p(exp(-|x|)) + min(x, 0)`).
Prints a Markdown table: median seconds of `--repeat` runs and the ratio peer / rankagg.
"""

from __future__ import annotations

import argparse

import numpy as np
import polars as pl
from sklearn.metrics import average_precision_score, ndcg_score

import rankagg as ra
from _common import timed


def row(name: str, ours: float, peer_name: str, peer: float, note: str = "") -> str:
    return f"| {name} | {ours:.3f} | {peer_name} | {peer:.3f} | {peer / ours:.1f}× | {note} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--docs", type=int, default=100)
    parser.add_argument("--pairs", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--prompts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.queries, args.pairs, args.items, args.samples, args.prompts = 1000, 100_000, 10_000, 100_000, 10_000
    rng = np.random.default_rng(0)
    lines = ["| workload | rankagg (s) | peer | peer (s) | peer / rankagg | note |", "|---|---|---|---|---|---|"]

    # nDCG and average precision
    q, d = args.queries, args.docs
    y_true = rng.integers(0, 5, (q, d)).astype(float)
    y_score = np.round(rng.normal(size=(q, d)), 1)
    frame = pl.DataFrame(
        {
            "query": np.repeat(np.array([f"query-{i:06d}" for i in range(q)]), d),
            "score": y_score.ravel(),
            "relevance": y_true.ravel(),
        }
    )
    t_ours, m = timed(lambda: ra.ndcg(frame, by="query", k=10), args.repeat, label=f"ndcg, {q} x {d}")
    t_sk, ref = timed(lambda: ndcg_score(y_true, y_score, k=10), args.repeat)
    assert abs(m.mean - ref) < 1e-12, (m.mean, ref)
    lines.append(row(f"ndcg, {q} queries × {d} docs, k=10", t_ours, "sklearn ndcg_score", t_sk, "same value"))
    t_sk2, ref2 = timed(lambda: ndcg_score(y_true, y_score, k=10, ignore_ties=True), args.repeat)
    lines.append(
        row(
            "ndcg (same)",
            t_ours,
            "sklearn ndcg_score(ignore_ties=True)",
            t_sk2,
            f"ties broken arbitrarily: {ref2:.6f} vs {ref:.6f}",
        )
    )
    t_ap, ap = timed(
        lambda: ra.average_precision(frame, by="query"), args.repeat, label=f"average_precision, {q} x {d}"
    )
    relevant = y_true > 0
    t_ap_sk, ap_ref = timed(
        lambda: np.mean([average_precision_score(relevant[i], y_score[i]) for i in range(q)]), max(1, args.repeat // 2)
    )
    assert abs(ap.mean - ap_ref) < 1e-12, (ap.mean, ap_ref)
    lines.append(
        row("average_precision, same data", t_ap, "sklearn average_precision_score per query", t_ap_sk, "same value")
    )

    # ranking accuracy
    n, items = args.pairs, args.items
    names = np.array([f"completion-{i:07d}" for i in range(items)])
    score = rng.normal(size=items)
    a = rng.integers(0, items, n)
    b = (a + rng.integers(1, items, n)) % items
    p = 1 / (1 + np.exp(-(score[a] - score[b])))
    outcome = np.where(rng.random(n) < 0.05, 0.5, (rng.random(n) < p).astype(float))
    scores = pl.DataFrame({"item": names, "score": score + rng.normal(scale=0.5, size=items)})
    prefs = pl.DataFrame({"a": names[a], "b": names[b], "outcome": outcome})
    noisy = scores["score"].to_numpy()

    def numpy_accuracy() -> float:
        sa, sb = noisy[a], noisy[b]
        return float(np.mean(np.where(sa > sb, outcome, np.where(sa < sb, 1 - outcome, 0.5))))

    t_acc, acc = timed(
        lambda: ra.ranking_accuracy(scores, prefs), args.repeat, label=f"ranking_accuracy, {n} pairs, {items} items"
    )
    t_np, acc_np = timed(numpy_accuracy, args.repeat)
    assert abs(acc.accuracy - acc_np) < 1e-12
    lines.append(
        row(
            f"ranking_accuracy, {n} pairs over {items} items",
            t_acc,
            "numpy on integer codes (accuracy only)",
            t_np,
            f"accuracy {acc.accuracy:.4f}, idealized {acc.idealized:.4f}",
        )
    )

    # reward transform
    s, prompts = args.samples, args.prompts
    rewards = pl.DataFrame(
        {
            "prompt": rng.integers(0, prompts, s),
            "r1": rng.normal(size=s),
            "r2": rng.normal(size=s),
            "r3": rng.normal(size=s),
        }
    )

    def polars_transform() -> pl.DataFrame:
        def log_sigmoid(x: pl.Expr) -> pl.Expr:
            return pl.min_horizontal(x, 0.0) - (-x.abs()).exp().log1p()

        centred = [
            pl.col(c) - pl.col(c).quantile(0.5, interpolation="linear").over("prompt") for c in ("r1", "r2", "r3")
        ]
        return rewards.with_columns(pl.sum_horizontal([log_sigmoid(x) for x in centred]).alias("combined"))

    t_rw, out = timed(
        lambda: ra.combine_rewards(rewards, rewards=["r1", "r2", "r3"], prompt="prompt"),
        args.repeat,
        label=f"combine_rewards, {s} rows, {prompts} prompts",
    )
    t_pl, out_pl = timed(polars_transform, args.repeat)
    assert np.allclose(out["combined"].to_numpy(), out_pl["combined"].to_numpy(), rtol=1e-12, atol=1e-12)
    lines.append(
        row(
            f"combine_rewards, {s} rows × 3 rewards, {prompts} prompts",
            t_rw,
            "one Polars expression",
            t_pl,
            "same values",
        )
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
