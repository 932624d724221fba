"""Distances and correlations between two rankings of the same items.

Rankings are given as two sequences of scores or ranks aligned by item (like
``scipy.stats.kendalltau``), or as two mappings ``{item: rank}`` over the same items. Only the
order matters; equal values are ties. Larger or smaller is better alike, as long as both
inputs use the same direction.

>>> import rankagg as ra
>>> ra.kendall_tau([1, 2, 3, 4], [1, 3, 2, 4])
0.6666666666666666
>>> ra.kemeny_distance({"a": 1, "b": 2, "c": 3}, {"a": 2, "b": 1, "c": 3})
1.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from rankagg import _core
from rankagg.errors import RankaggError

__all__ = ["kendall_tau", "spearman_footrule", "kemeny_distance"]


def _aligned(
    x: Sequence[Any] | Mapping[Any, Any], y: Sequence[Any] | Mapping[Any, Any]
) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(x, Mapping) or isinstance(y, Mapping):
        if not (isinstance(x, Mapping) and isinstance(y, Mapping)):
            raise RankaggError("give two mappings {item: rank}, or two aligned sequences")
        if set(x) != set(y):
            raise RankaggError(f"the rankings rank different items: {sorted(map(str, set(x) ^ set(y)))[:10]}")
        keys = list(x)
        x, y = [x[k] for k in keys], [y[k] for k in keys]
    a = np.asarray(x, dtype=float)
    b = np.asarray(y, dtype=float)
    if a.shape != b.shape or a.ndim != 1:
        raise RankaggError(f"the rankings must be two vectors of the same length, not shapes {a.shape} and {b.shape}")
    if np.isnan(a).any() or np.isnan(b).any():
        raise RankaggError("the rankings contain NaN")
    return a, b


def kendall_tau(x: Sequence[Any] | Mapping[Any, Any], y: Sequence[Any] | Mapping[Any, Any]) -> float:
    """Kendall's τ-b (ties adjusted), in O(n log n) (Knight 1966). NaN if one ranking is all
    ties."""
    return _tau_b(*_aligned(x, y))


def _tau_b(a: np.ndarray, b: np.ndarray) -> float:
    """τ-b of two aligned float vectors (already checked); NaN when either is all ties."""
    d, tx, ty, tb, n0 = _core.kendall_counts(a, b)
    denominator = float(n0 - tx) * float(n0 - ty)
    return float((n0 - tx - ty + tb - 2 * d) / np.sqrt(denominator)) if denominator > 0 else float("nan")


def kemeny_distance(x: Sequence[Any] | Mapping[Any, Any], y: Sequence[Any] | Mapping[Any, Any]) -> float:
    """Pairs the two rankings order oppositely, plus half of the pairs tied in exactly one of
    them (the Kemeny–Snell distance divided by 2)."""
    a, b = _aligned(x, y)
    d, tx, ty, tb, _ = _core.kendall_counts(a, b)
    return float(d + 0.5 * (tx + ty - 2 * tb))


def spearman_footrule(x: Sequence[Any] | Mapping[Any, Any], y: Sequence[Any] | Mapping[Any, Any]) -> float:
    """Σ |rank_x(i) − rank_y(i)| over items, with tied items at their average rank."""
    a, b = _aligned(x, y)

    def ranks(v: np.ndarray) -> np.ndarray:
        order = np.argsort(v, kind="stable")
        r = np.empty(len(v))
        r[order] = np.arange(1, len(v) + 1)
        _uniq, inv = np.unique(v, return_inverse=True)
        return np.bincount(inv, r)[inv] / np.bincount(inv)[inv]

    return float(np.abs(ranks(a) - ranks(b)).sum())
