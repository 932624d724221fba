"""Coverage-guided fuzzing of the comparison pipeline (atheris / libFuzzer): frame → codes →
Rust reduce → Rust fits, lotteries, Kemeny and consistency.

    python fuzz/fuzz_comparisons.py fuzz/corpus/comparisons -max_total_time=60
    python fuzz/fuzz_comparisons.py fuzz/corpus/comparisons -runs=0          # replay

The bytes decode into a small comparison frame (items, outcomes with NaN/inf/out-of-range
values, weights from 0 to 1e300, self-comparisons, nulls); every call must return a result
that satisfies its invariants or raise a RankaggError, and never change the frame.
"""

import math
import sys
import warnings

import atheris
import numpy as np  # third-party code is not instrumented (only rankagg's Python layer)
import polars as pl

with atheris.instrument_imports(include=["rankagg"]):
    import rankagg as ra

VALUES = [0.0, 1.0, 0.5, 0.25, 1e-300, 1e300, -1.0, 2.0, math.nan, math.inf, 1 - 1e-16]


def frame_of(fdp: atheris.FuzzedDataProvider) -> pl.DataFrame:
    m = fdp.ConsumeIntInRange(0, 40)
    items = fdp.ConsumeIntInRange(1, 8)
    a = [fdp.ConsumeIntInRange(0, items) for _ in range(m)]  # `items` itself is a null
    b = [fdp.ConsumeIntInRange(0, items - 1) for _ in range(m)]
    o = [
        VALUES[fdp.ConsumeIntInRange(0, len(VALUES) - 1)]
        if fdp.ConsumeBool()
        else float(fdp.ConsumeIntInRange(0, 2)) / 2
        for _ in range(m)
    ]
    w = [VALUES[fdp.ConsumeIntInRange(0, len(VALUES) - 1)] if fdp.ConsumeBool() else 1.0 for _ in range(m)]
    return pl.DataFrame(
        {"a": [None if x == items else f"m{x}" for x in a], "b": [f"m{x}" for x in b], "outcome": o, "w": w}
    )


def calls(df: pl.DataFrame, weighted: bool):
    kw = {"weight": "w"} if weighted else {}
    yield "bt", lambda: ra.bradley_terry(df, **kw)
    yield "bt_reg", lambda: ra.bradley_terry(df, regularization=0.5, **kw)
    yield "davidson", lambda: ra.bradley_terry(df, ties="davidson", regularization=0.5, **kw)
    yield "elo", lambda: ra.elo(df, **kw)
    yield "win_rate", lambda: ra.win_rate(df, **kw)
    yield "rank_centrality", lambda: ra.rank_centrality(df, **kw)
    yield "lottery", lambda: ra.maximal_lottery(df, **kw)
    yield "kemeny", lambda: ra.kemeny(df, **kw)
    yield "consistency", lambda: ra.consistency(df, **kw)


def check(name: str, out) -> None:
    if name == "lottery":
        p = out.table["probability"].to_numpy()
        assert np.all(p >= -1e-12) and abs(p.sum() - 1) < 1e-9 and out.exploitability <= 1e-6, out
    elif name == "kemeny":
        assert out.cost >= out.lower_bound - 1e-9 * max(1.0, abs(out.cost))
        assert not out.optimal or abs(out.cost - out.lower_bound) <= 1e-9 * max(1.0, abs(out.cost))
    elif name == "consistency":
        assert 0 <= out.intransitive_share <= 1 + 1e-9 and out.cycles >= 0
    else:
        scores = out.table["score"].to_numpy()
        assert np.all(np.isfinite(scores)), (name, out.table)
        assert out.table["rank"].min() == 1


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    df = frame_of(fdp)
    weighted = fdp.ConsumeBool()
    before = df.clone()
    for name, call in calls(df, weighted):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out = call()
        except ra.InternalError:
            raise
        except ra.RankaggError:
            continue
        check(name, out)
    assert df.equals(before)


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
