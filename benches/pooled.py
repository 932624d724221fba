"""Per-task leaderboards with partial pooling (issue 14): one ``bradley_terry(by=...)`` call vs a
plain loop of per-task ``bradley_terry`` fits (the baseline a user would write), on the same
frame.

    python benches/pooled.py            # 50 tasks × 100 items × 1M rows, 5 repeats (medians)
    python benches/pooled.py --quick    # 10 tasks × 30 items × 100k rows

Rows: string task and item names, 0/½/1 outcomes from θ_{t,i} = μ_i + δ_{t,i}
(μ ~ N(0, 1), δ ~ N(0, 0.5²)). Prints a Markdown table: median seconds and the ratio to the
loop of per-task fits, measured in the same run.
"""

from __future__ import annotations

import argparse

import numpy as np
import polars as pl

import rankagg as ra
from _common import timed


def make(tasks: int, items: int, rows: int, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    theta = rng.normal(0.0, 1.0, items)[None, :] + rng.normal(0.0, 0.5, (tasks, items))
    t = rng.integers(0, tasks, rows)
    a = rng.integers(0, items, rows)
    b = (a + rng.integers(1, items, rows)) % items
    p = 1.0 / (1.0 + np.exp(theta[t, b] - theta[t, a]))
    o = (rng.random(rows) < p).astype(float)
    o[rng.random(rows) < 0.1] = 0.5
    names = np.array([f"model-{k:03d}" for k in range(items)])
    return pl.DataFrame(
        {"task": np.array([f"task-{k:02d}" for k in range(tasks)])[t], "a": names[a], "b": names[b], "outcome": o}
    )


def loop(df: pl.DataFrame) -> list:
    return [ra.bradley_terry(part) for _, part in df.group_by("task", maintain_order=True)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    tasks, items, rows = (10, 30, 100_000) if args.quick else (50, 100, 1_000_000)
    df = make(tasks, items, rows)
    base, _ = timed(lambda: loop(df), args.repeat, label="loop of per-task bradley_terry")
    out = [("loop of per-task bradley_terry (group_by + fit)", base, "")]
    for pooling in (0.0, 1.0):
        t, r = timed(
            lambda p=pooling: ra.bradley_terry(df, by="task", pooling=p),
            args.repeat,
            label=f"bradley_terry(by='task', pooling={pooling:g})",
        )
        out.append((f"bradley_terry(by='task', pooling={pooling:g})", t, f"{r.iterations} iterations"))
    rounds = 20
    t, _ = timed(
        lambda: ra.bradley_terry(df, by="task", pooling=1.0, ci=ra.Bootstrap(rounds=rounds)),
        1,
        label=f"pooling=1, Bootstrap({rounds} rounds), one run",
    )
    out.append(
        (f"bradley_terry(by='task', pooling=1, Bootstrap({rounds} rounds)), one run", t, f"{t / rounds:.3f} s/round")
    )
    print(f"{tasks} tasks × {items} items × {rows:,} rows; medians of {args.repeat} runs\n")
    print("| method | seconds | vs loop | note |\n|---|---:|---:|---|")
    for name, t, note in out:
        print(f"| {name} | {t:.3f} | {t / base:.2f}× | {note} |")


if __name__ == "__main__":
    main()
