"""Cost as the work grows (issue 7): rows streamed from Parquet, and items in a sparse table.

    python benches/scale.py rows  --max-rows 100000000    # 1e5 … 1e8 rows, 1,000-item arena
    python benches/scale.py items --max-items 1000000     # 1e2 … 1e6 items, 10 comparisons each
    python benches/scale.py plot                          # benches/scale.png from the last runs

Rows: an arena of 1,000 models (string names, LMArena ``winner`` labels) written once as Parquet
files of at most 10⁷ rows under ``--dir`` (kept between runs), then
``ra.bradley_terry(pl.scan_parquet(dir/*.parquet))`` — streamed in batches, never all rows in
memory. Items: n items, each in about 20 comparisons (m = 10·n rows, a random sparse graph plus a
ring that connects it), ``ra.bradley_terry(frame, regularization=1.0)`` from an in-memory frame.

Every point runs in a fresh process (``--point``), so its peak resident memory (VmHWM) is its
own; the wall time is the call alone (the process start and, for items, building the frame are
not counted). Each point is repeated ``--repeat`` times; the median time and the largest peak
are reported, as a Markdown table, and appended as JSON lines to ``benches/out/scale.jsonl`` for
the plot.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).parent))

from _common import record

OUT = Path(__file__).parent / "out"
FILE_ROWS = 10_000_000


def peak_rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def arena_files(directory: Path, rows: int, items: int = 1000, seed: int = 0) -> list[Path]:
    """Parquet files holding ``rows`` arena battles (written once, reused)."""
    directory.mkdir(parents=True, exist_ok=True)
    names = np.array([f"model-{k:05d}" for k in range(items)])
    strength = np.random.default_rng(seed).normal(0, 1, items)
    files = []
    for part, start in enumerate(range(0, rows, FILE_ROWS)):
        m = min(FILE_ROWS, rows - start)
        path = directory / f"part-{part:03d}-{m}.parquet"
        files.append(path)
        if path.exists():
            continue
        rng = np.random.default_rng([seed, part])
        a = rng.integers(0, items, m)
        b = (a + rng.integers(1, items, m)) % items
        p = 1 / (1 + np.exp(strength[b] - strength[a]))
        winner = np.where(rng.random(m) < 0.2, 2, np.where(rng.random(m) < p, 0, 1))
        frame = pl.DataFrame(
            {
                "model_a": pl.Series(names).gather(a),
                "model_b": pl.Series(names).gather(b),
                "winner": pl.Series(["model_a", "model_b", "tie"]).gather(winner),
            }
        )
        tmp = path.with_suffix(".tmp")
        frame.write_parquet(tmp, row_group_size=1 << 20)
        tmp.rename(path)
    return files


def sparse_frame(items: int, seed: int = 0) -> pl.DataFrame:
    """n items, m = 10·n comparisons: a ring (connects every item both ways over time) plus
    random pairs, outcomes drawn from Bradley–Terry strengths."""
    rng = np.random.default_rng(seed)
    m = 10 * items
    strength = rng.normal(0, 1, items)
    ring = np.arange(items)
    a = np.concatenate([ring, rng.integers(0, items, m - items)])
    b = np.concatenate([(ring + 1) % items, (a[items:] + rng.integers(1, items, m - items)) % items])
    p = 1 / (1 + np.exp(strength[b] - strength[a]))
    return pl.DataFrame(
        {"a": a.astype(np.int64), "b": b.astype(np.int64), "outcome": (rng.random(m) < p).astype(np.float64)}
    )


def point(kind: str, size: int, directory: str) -> None:
    """Runs one measurement in this (fresh) process and prints a JSON line."""
    import rankagg as ra

    if kind == "rows":
        files = arena_files(Path(directory), size)
        scan = pl.scan_parquet(files)
        t = time.perf_counter()
        r = ra.bradley_terry(scan, a="model_a", b="model_b", outcome="winner")
        seconds = time.perf_counter() - t
        n, rows = len(r.table), size
    else:
        frame = sparse_frame(size)
        t = time.perf_counter()
        r = ra.bradley_terry(frame, regularization=1.0)
        seconds = time.perf_counter() - t
        n, rows = len(r.table), frame.height
    print(
        json.dumps(
            {
                "kind": kind,
                "size": size,
                "items": n,
                "rows": rows,
                "seconds": seconds,
                "peak_rss": peak_rss(),
                "converged": bool(r.converged),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=["rows", "items", "plot"])
    parser.add_argument("--max-rows", type=float, default=1e8)
    parser.add_argument("--max-items", type=float, default=1e6)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", default="/tmp/rankagg-scale", help="where the generated Parquet files are kept")
    parser.add_argument("--point", nargs=2, metavar=("KIND", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.point:
        point(args.point[0], int(args.point[1]), args.dir)
        return
    if args.kind == "plot":
        plot()
        return
    top = int(args.max_rows if args.kind == "rows" else args.max_items)
    first = 100_000 if args.kind == "rows" else 100
    sizes = [s for s in (first * 10**k for k in range(8)) if s <= top]
    OUT.mkdir(exist_ok=True)
    if args.kind == "rows":
        arena_files(Path(args.dir), max(sizes))  # generation is not timed
        for s in sizes:
            arena_files(Path(args.dir), s)
    print(f"| {args.kind} | items | rows | median s | runs s | peak RSS MB | rows/s |")
    print("|---:|---:|---:|---:|---|---:|---:|")
    for s in sizes:
        runs = []
        for _ in range(args.repeat):
            out = subprocess.run(
                [sys.executable, __file__, args.kind, "--dir", args.dir, "--point", args.kind, str(s)],
                capture_output=True,
                text=True,
                check=True,
            )
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        med = statistics.median(r["seconds"] for r in runs)
        peak = max(r["peak_rss"] for r in runs)
        record(f"{args.kind} {s:.0e}", med)
        record(f"{args.kind} {s:.0e} (peak RSS)", peak / 2**20, unit="MiB")
        row = {**runs[0], "seconds": med, "runs": [r["seconds"] for r in runs], "peak_rss": peak}
        with open(OUT / "scale.jsonl", "a") as f:
            f.write(json.dumps(row) + "\n")
        times = ", ".join(f"{r['seconds']:.2f}" for r in runs)
        print(
            f"| {s:.0e} | {row['items']} | {row['rows']} | {med:.3f} | {times} | {peak / 2**20:.0f} | {row['rows'] / med:.3g} |",
            flush=True,
        )


def plot() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows: dict[str, dict[int, dict]] = {"rows": {}, "items": {}}
    for line in (OUT / "scale.jsonl").read_text().splitlines():
        r = json.loads(line)
        rows[r["kind"]][r["size"]] = r  # the last run of each point wins
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, kind, label in zip(
        axes,
        ("rows", "items"),
        ("rows streamed from Parquet (1,000 items)", "items n (m = 10·n comparisons, regularized BT)"),
    ):
        pts = sorted(rows[kind].values(), key=lambda r: r["size"])
        if not pts:
            continue
        x = [r["size"] for r in pts]
        ax.loglog(x, [r["seconds"] for r in pts], "o-", label="wall time (s)")
        ax.loglog(x, [r["peak_rss"] / 2**30 for r in pts], "s--", label="peak RSS (GiB)")
        ax.set_xlabel(label)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.suptitle("rankagg.bradley_terry: cost as the work grows")
    fig.tight_layout()
    fig.savefig(Path(__file__).parent / "scale.png", dpi=110)
    print("wrote benches/scale.png")


if __name__ == "__main__":
    main()
