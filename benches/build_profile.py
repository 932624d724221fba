"""Times one installed rankagg build, for comparing build profiles (issue 16): run it with the
Python of each venv, alternating, and compare the medians.

    python benches/build_profile.py [REPEAT]

Prints, in seconds (median of REPEAT runs, default 5): Bradley–Terry on n = 1,000 items and
m = 1M comparisons (benches/bt.py's workload, ingest included), the same with a 20-round
bootstrap (median of 3), Elo on the same rows, and Bradley–Terry on n = 100, m = 10M. Needs
only polars and numpy, so it runs in a venv holding just a wheel.
"""

from __future__ import annotations

import sys

import rankagg as ra
from _common import make, median_time


def main() -> None:
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    kw = dict(a="model_a", b="model_b", outcome="winner")
    out = {}
    df = make(1_000, 1_000_000)
    ra.bradley_terry(df, **kw)  # warm-up
    out["bt n=1k m=1M"] = median_time(lambda: ra.bradley_terry(df, **kw), repeat, "bt n=1k m=1M")
    out["bt+bootstrap(20)"] = median_time(
        lambda: ra.bradley_terry(df, **kw, ci=ra.Bootstrap(rounds=20, seed=0)), 3, "bt+bootstrap(20)"
    )
    out["elo m=1M"] = median_time(lambda: ra.elo(df, **kw), repeat, "elo m=1M")
    df = make(100, 10_000_000)
    ra.bradley_terry(df, **kw)
    out["bt n=100 m=10M"] = median_time(lambda: ra.bradley_terry(df, **kw), repeat, "bt n=100 m=10M")
    print(ra._core.__file__, "  ".join(f"{k}: {v:.4f}" for k, v in out.items()))


if __name__ == "__main__":
    main()
