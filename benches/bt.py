"""Bradley–Terry, side by side: rankagg vs the pure-Python reference, a vectorised numpy
baseline and evalica, on the same arena-style inputs (a Polars frame with string item names and
LMArena outcome labels; ingest included for rankagg).

    python benches/bt.py                 # both workloads, 5 repeats (medians)
    python benches/bt.py --quick         # smaller inputs, for a smoke run

Prints a Markdown table of median seconds and ratios (how many times slower than rankagg: the
median, over rounds, of a peer's run over a rankagg run made just before it, so that drifts in
the shared machine's speed cancel), and rankagg's peak memory over the input columns. Results
are recorded in benches/RESULTS.md.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).parent))

import numpy_baseline
import rankagg as ra
from _common import make, paired_table, timed
from rankagg import reference


def rss_peak_reset() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def rss_peak_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def rss_now_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def memory_in_fresh_process(df: pl.DataFrame) -> tuple[int, int]:
    """Peak resident memory added by one rankagg call, measured in a fresh process (so that no
    memory freed earlier is reused), over the in-memory size of the input columns."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "battles.parquet"
        df.write_parquet(path)
        out = subprocess.run(
            [sys.executable, __file__, "--memory-probe", str(path)], capture_output=True, text=True, check=True
        )
    peak, inputs = out.stdout.split()
    return int(peak), int(inputs)


def memory_probe(path: str) -> None:
    df = pl.read_parquet(path)
    gc.collect()
    base = rss_now_bytes()
    rss_peak_reset()
    ra.bradley_terry(df, a="model_a", b="model_b", outcome="winner")
    print(rss_peak_bytes() - base, df.estimated_size())


def run(n: int, m: int, repeat: int, with_reference: bool) -> list[tuple[str, float, float, str]]:
    """Each peer's run is paired with a rankagg run made just before it, and its ratio is the
    median over the pairs: the machine's speed drifts over a run (shared cores), so ratios of
    runs made side by side are steadier than ratios of medians taken minutes apart."""
    df = make(n, m)

    def rankagg_fit():
        return ra.bradley_terry(df, a="model_a", b="model_b", outcome="winner")

    peak, inputs = memory_in_fresh_process(df)
    own: list[float] = []
    t, r = timed(rankagg_fit, repeat, label=f"bradley_terry n = {n:,}, m = {m:,}")
    own.append(t)

    def paired(fn, rounds: int) -> tuple[float, float, object]:
        times, ratios, out = [], [], None
        for _ in range(rounds):
            mine, _ = timed(rankagg_fit, 1)
            theirs, out = timed(fn, 1)
            own.append(mine)
            times.append(theirs)
            ratios.append(theirs / mine)
        return statistics.median(times), statistics.median(ratios), out

    peers: list[tuple[str, float, float, str]] = []
    rounds = max(1, repeat // 2)
    outcome = df["winner"].replace_strict({"model_a": 1.0, "model_b": 0.0, "tie": 0.5}).to_numpy()
    a_np, b_np = df["model_a"].to_numpy(), df["model_b"].to_numpy()
    t, ratio, (labels, theta, it) = paired(lambda: numpy_baseline.bradley_terry(a_np, b_np, outcome), rounds)
    ours = dict(zip(r.table["item"].to_list(), r.table["score"].to_list()))
    gap = max(abs(ours[lab] - (1000 + 400 * th / np.log(10))) for lab, th in zip(labels, theta))
    peers.append(
        (
            "numpy baseline (pandas.factorize + bincount, from numpy arrays)",
            t,
            ratio,
            f"{it} it; max |Δscore| vs rankagg {gap:.1e}",
        )
    )

    try:
        import evalica

        wmap = {"model_a": evalica.Winner.X, "model_b": evalica.Winner.Y, "tie": evalica.Winner.Draw}
        # Python lists are evalica's fastest input here (pandas Series were ~3× slower).
        xs, ys = df["model_a"].to_list(), df["model_b"].to_list()
        ws = [wmap[w] for w in df["winner"].to_list()]
        t, ratio, res = paired(lambda: evalica.bradley_terry(xs, ys, ws), rounds)
        peers.append(
            (
                f"evalica {evalica.__version__} (inputs pre-converted, not timed)",
                t,
                ratio,
                f"{res.iterations} it, tol 1e-6",
            )
        )

        def evalica_from_frame():
            # The same start as rankagg's: the Polars frame (evalica takes lists or pandas).
            w = [wmap[v] for v in df["winner"].to_list()]
            return evalica.bradley_terry(df["model_a"].to_list(), df["model_b"].to_list(), w)

        t, ratio, res = paired(evalica_from_frame, rounds)
        peers.append(
            (
                f"evalica {evalica.__version__} from the Polars frame (conversion to lists timed)",
                t,
                ratio,
                f"{res.iterations} it",
            )
        )
    except ImportError:
        peers.append(("evalica (not installed: pip install evalica==0.4.2)", float("nan"), float("nan"), ""))

    if with_reference:
        a_l, b_l, o_l = a_np.tolist(), b_np.tolist(), outcome.tolist()
        t, ratio, fit = paired(lambda: reference.bradley_terry(a_l, b_l, o_l, tol=1e-9), 1)
        peers.append(("pure-Python reference (rankagg.reference, from lists)", t, ratio, f"{fit.iterations} it (MM)"))
    note = f"{r.iterations} it; peak memory +{peak / 2**20:.0f} MiB = {peak / inputs:.2f}× the input columns ({inputs / 2**20:.0f} MiB)"
    return [
        (
            "rankagg",
            own[0],
            1.0,
            note + f"; its {len(own) - 1} runs paired with the peers' runs: median {statistics.median(own[1:]):.3f} s",
        )
    ] + peers


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-reference", action="store_true", help="skip the (slow) pure-Python reference")
    ap.add_argument("--items", type=int, choices=[100, 1000], help="run only the workload with this many items")
    ap.add_argument("--memory-probe", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.memory_probe:
        memory_probe(args.memory_probe)
        return
    workloads = [(100, 10_000_000), (1_000, 1_000_000)]
    if args.quick:
        workloads = [(100, 200_000), (1_000, 100_000)]
    if args.items:
        workloads = [w for w in workloads if w[0] == args.items]
    print(
        f"machine: {os.cpu_count()} cores; polars {pl.__version__}, numpy {np.__version__}, rankagg {ra.__version__}\n"
    )
    for n, m in workloads:
        paired_table(f"n = {n:,} items, m = {m:,} comparisons", run(n, m, args.repeat, not args.no_reference))


if __name__ == "__main__":
    main()
