"""Small helpers shared across rankagg's modules (internal: not part of the public API, which
is ``rankagg.__all__``). Each was private to one module and is used by several.

>>> import polars as pl
>>> from rankagg._util import sorted_rank
>>> sorted_rank(pl.Series(["b", "c", "a"])).tolist()
[1, 2, 0]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from rankagg import _core
from rankagg.errors import InvalidWeightError, RankaggError

__all__ = [
    "MAX_SHOWN",
    "is_column",
    "numeric_column",
    "repeated_in_ranking",
    "sorted_rank",
    "tau_b",
    "voter_weights",
]

MAX_SHOWN = 10
"""How many offending rows, items or labels an error message lists."""


def is_column(x: Any) -> bool:
    """A one-dimensional column: a Polars or pandas Series, a numpy vector, a list or tuple."""
    if isinstance(x, pl.Series | list | tuple):
        return True
    if isinstance(x, np.ndarray):
        return x.ndim == 1
    return type(x).__module__.split(".")[0] == "pandas" and type(x).__name__ == "Series"


def numeric_column(frame: pl.DataFrame, column: str, keyword: str) -> np.ndarray:
    s = frame.get_column(column)
    if not (s.dtype.is_numeric() or s.dtype == pl.Boolean):
        raise RankaggError(f"column {column!r} ({keyword}=) must be numeric, not {s.dtype}")
    return s.cast(pl.Float64).to_numpy()


def repeated_in_ranking(offsets: np.ndarray, values: np.ndarray, limit: int | None = MAX_SHOWN) -> list[int]:
    """Indices of the rankings in which some value occurs twice (vectorised)."""
    lengths = np.diff(offsets).astype(np.int64)
    if not len(values):
        return []
    owner = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    span = int(values.max()) + 1
    key = np.sort(owner * span + values.astype(np.int64))  # (ranking, value) pairs, sorted
    found = np.unique(key[1:][key[1:] == key[:-1]] // span).tolist()
    return found if limit is None else found[:limit]


def sorted_rank(labels: pl.Series) -> np.ndarray:
    """rank[code] = the position of label ``code`` in sorted order."""
    order = labels.arg_sort().to_numpy()
    rank = np.empty(len(order), dtype=np.uint32)
    rank[order] = np.arange(len(order), dtype=np.uint32)
    return rank


def tau_b(a: np.ndarray, b: np.ndarray) -> float:
    """τ-b of two aligned float vectors (already checked); NaN when either is all ties."""
    d, tx, ty, tb, n0 = _core.kendall_counts(a, b)
    denominator = float(n0 - tx) * float(n0 - ty)
    return float((n0 - tx - ty + tb - 2 * d) / np.sqrt(denominator)) if denominator > 0 else float("nan")


def voter_weights(frame: pl.DataFrame, weight: str, offsets: np.ndarray) -> np.ndarray:
    """One weight per voter from a long frame sorted by voter (voter k's rows at
    ``offsets[k]:offsets[k+1]``, original row numbers in ``_row``): the column must be numeric,
    constant within each voter, finite and ≥ 0; the errors name the rows or voters."""
    w = frame.get_column(weight)
    if not w.dtype.is_numeric():
        raise InvalidWeightError(f"column {weight!r} (weight=) must be numeric, not {w.dtype}")
    wv = w.cast(pl.Float64).to_numpy()
    per = wv[offsets[:-1].astype(np.int64)]
    varies = np.flatnonzero(np.repeat(per, np.diff(offsets).astype(np.int64)) != wv)
    if len(varies):
        rows = frame.get_column("_row").to_numpy()[varies][:MAX_SHOWN].tolist()
        raise InvalidWeightError(f"column {weight!r} (weight=) must be constant within a voter: rows {rows}")
    bad = np.flatnonzero(~(np.isfinite(per) & (per >= 0)))
    if len(bad):
        raise InvalidWeightError(
            f"column {weight!r} (weight=) has NaN, infinite or negative values for voters at rankings {bad[:MAX_SHOWN].tolist()}"
        )
    return per
