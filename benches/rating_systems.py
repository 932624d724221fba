"""Two-player TrueSkill over 1M comparisons: rankagg vs the `trueskill` and `openskill` packages
and a plain-Python loop (issue 14).

    python benches/rating_systems.py               # m = 1M rows, n = 100 items, 5 repeats (medians)
    python benches/rating_systems.py --quick       # m = 100k, for a smoke run

Inputs: `benches/bt.py`'s generator (string model names, LMArena labels, 20 % ties). rankagg is
timed from the Polars frame to the `Ratings` table (factorizing the names and labels included).
The peers get Python lists prepared outside the timer. The packages are too slow for 1M games
per repeat, so they rate the first `--peer-rows` games and their median is scaled to m (their
per-game cost does not depend on m). openskill has no TrueSkill model; its
ThurstoneMostellerFull (the closest: Gaussian performances, a draw margin) is timed for speed
only. rankagg's numbers are checked against the plain loop (max relative difference printed).
Prints Markdown tables: median seconds and "× slower than rankagg" in the same run.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

import rankagg as ra
from _common import make, median_time, table, timed
from rankagg.reference import trueskill as plain

OUT = {"model_a": 1.0, "model_b": 0.0, "tie": 0.5}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--items", type=int, default=100)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--peer-rows", type=int, default=20_000)
    p.add_argument("--quick", action="store_true")
    args = p.parse_args()
    if args.quick:
        args.rows, args.peer_rows, args.repeat = 100_000, 5_000, 3
    m = args.rows
    df = make(args.items, m)
    kw = {"a": "model_a", "b": "model_b", "outcome": "winner", "outcomes": OUT}
    ra.trueskill(df, **kw)  # warm up (imports, page faults)
    t_ours, r = timed(lambda: ra.trueskill(df, **kw), args.repeat, label=f"trueskill, {m:,} rows")

    xs, ys = df["model_a"].to_list(), df["model_b"].to_list()
    os_ = [OUT[w] for w in df["winner"].to_list()]
    rows = [(f"rankagg `trueskill` (Polars frame, {m:,} rows)", t_ours, "")]

    t0 = time.perf_counter()
    ref = plain(xs, ys, os_)
    t_plain = [time.perf_counter() - t0]
    t_plain += [median_time(lambda: plain(xs, ys, os_), 1) for _ in range(max(2, args.repeat // 2))]
    ours = {k: (mu, sd) for k, mu, sd in r.table.select("item", "mu", "sigma").iter_rows()}
    diff = max(max(abs(ours[k][i] - v[i]) / abs(v[i]) for i in (0, 1)) for k, v in ref.items())
    rows.append(
        (
            "plain-Python loop (`rankagg.reference.trueskill`, lists)",
            float(np.median(t_plain)),
            f"{len(t_plain)} runs; max relative difference {diff:.1e}",
        )
    )

    k = min(args.peer_rows, m)

    def peer(name: str, games: Callable[[], None], note: str = "") -> None:
        """Times ``games`` (the first ``k`` rows, 3 runs) and adds its time scaled to ``m`` rows."""
        t = median_time(games, 3)
        rows.append((name, t * m / k, f"ran {k:,} games × 3 ({t:.2f} s median), scaled to {m:,}{note}"))

    try:
        import trueskill

        env = trueskill.TrueSkill()

        def package() -> None:
            rating: dict[str, object] = {}
            for x, y, o in zip(xs[:k], ys[:k], os_[:k]):
                rx, ry = rating.get(x) or env.create_rating(), rating.get(y) or env.create_rating()
                if o == 0.0:
                    ry, rx = trueskill.rate_1vs1(ry, rx, env=env)
                else:
                    rx, ry = trueskill.rate_1vs1(rx, ry, drawn=o == 0.5, env=env)
                rating[x], rating[y] = rx, ry

        peer(f"trueskill {trueskill.__version__} `rate_1vs1` (default backend)", package)
    except ImportError:
        print("trueskill not installed; skipped", file=sys.stderr)
    try:
        from importlib.metadata import version

        from openskill.models import ThurstoneMostellerFull

        model = ThurstoneMostellerFull()

        def openskill() -> None:
            rating: dict[str, object] = {}
            for x, y, o in zip(xs[:k], ys[:k], os_[:k]):
                rx, ry = rating.get(x) or model.rating(), rating.get(y) or model.rating()
                ranks = [0, 0] if o == 0.5 else ([0, 1] if o == 1.0 else [1, 0])
                [[rx], [ry]] = model.rate([[rx], [ry]], ranks=ranks)
                rating[x], rating[y] = rx, ry

        peer(
            f"openskill {version('openskill')} ThurstoneMostellerFull `rate`", openskill, "; another model, speed only"
        )
    except ImportError:
        print("openskill not installed; skipped", file=sys.stderr)
    table(f"TrueSkill: n = {args.items} items, m = {m:,} rows (rankagg median of {args.repeat})", rows)


if __name__ == "__main__":
    main()
