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

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import numpy as np

from rankagg import _core
from rankagg._util import tau_b
from rankagg.checks import floats, one_of
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
    a, b = floats("the rankings", x), floats("the rankings", y)
    if a.shape != b.shape or a.ndim != 1:
        raise RankaggError(f"the rankings must be two vectors of the same length, not shapes {a.shape} and {b.shape}")
    if np.isnan(a).any() or np.isnan(b).any():
        raise RankaggError("the rankings contain NaN")
    return a, b


Weights = Literal["dcg", "hyperbolic"]

_WEIGHERS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "dcg": lambda r: 1.0 / np.log2(r + 2.0),
    "hyperbolic": lambda r: 1.0 / (r + 1.0),
}


def kendall_tau(
    x: Sequence[Any] | Mapping[Any, Any],
    y: Sequence[Any] | Mapping[Any, Any],
    *,
    weights: Weights | None = None,
    top: Literal["largest", "smallest"] = "largest",
) -> float:
    """Kendall's τ-b (ties adjusted), in O(n log n) (Knight 1966). NaN if one ranking is all
    ties.

    ``weights``: a position-weighted τ, where disagreements near the top count more — Vigna's
    additive weighted τ ("A weighted correlation index for rankings with ties", WWW 2015): a
    pair of items at positions r and s (0 = top) weighs w(r) + w(s), with ``"dcg"``: w(r) =
    1 / log₂(r + 2), the discount of :func:`rankagg.ndcg`, or ``"hyperbolic"``: w(r) = 1 / (r + 1)
    (Vigna's τ_h); the numerator sums concordant minus discordant pairs' weights, the
    denominator is the geometric mean of the weights of the pairs untied in x and in y (τ-b's
    tie adjustment). Positions come from the two vectors themselves: the value averages the
    index with positions ordered by (x, then y) and by (y, then x), as
    ``scipy.stats.weightedtau`` does with its default ``rank=True``, so it equals
    ``scipy.stats.weightedtau(x, y, weigher=w)``. ``top``: which end is the top, the
    ``"largest"`` values (scores) or the ``"smallest"`` (ranks, 1 = best); it only matters with
    ``weights``. Weighted τ takes O(n²) time (fine to tens of thousands of items).

    >>> import rankagg as ra
    >>> round(ra.kendall_tau([4, 3, 2, 1], [3, 4, 2, 1], weights="dcg"), 4)  # swap at the top
    0.5755
    >>> round(ra.kendall_tau([4, 3, 2, 1], [4, 3, 1, 2], weights="dcg"), 4)  # swap at the bottom
    0.7578
    >>> round(ra.kendall_tau([1, 2, 3, 4], [2, 1, 3, 4], weights="dcg", top="smallest"), 4)
    0.5755
    """
    a, b = _aligned(x, y)
    if not one_of(top, ("largest", "smallest")):
        raise RankaggError(f"top must be 'largest' or 'smallest', not {top!r}")
    if weights is None:
        return tau_b(a, b)
    if not one_of(weights, _WEIGHERS):
        raise RankaggError(f"weights must be 'dcg', 'hyperbolic' or None, not {weights!r}")
    return _weighted_tau(a, b, _WEIGHERS[weights], top)


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


def _weighted_tau(
    a: np.ndarray, b: np.ndarray, weigher: Callable[[np.ndarray], np.ndarray], top: Literal["largest", "smallest"]
) -> float:
    """Vigna's additive weighted τ (WWW 2015): Σ_{i<j} sgn(a_i − a_j) sgn(b_i − b_j) (w_i + w_j)
    over √(Σ_{a_i ≠ a_j} (w_i + w_j) · Σ_{b_i ≠ b_j} (w_i + w_j)), with w = weigher(rank) and
    the rank (0 = top) by decreasing (a, b) lexicographically, averaged with the rank by
    (b, a). O(n²) time in blocks of rows, O(n) memory beyond a block. NaN when either vector
    is all ties."""
    if top == "smallest":
        a, b = -a, -b
    n = len(a)
    concord, untied_a, untied_b = np.zeros(n), np.zeros(n), np.zeros(n)
    block = max(1, (1 << 22) // max(n, 1))
    for lo in range(0, n, block):
        sa = np.sign(a[lo : lo + block, None] - a[None, :])
        sb = np.sign(b[lo : lo + block, None] - b[None, :])
        concord[lo : lo + block] = (sa * sb).sum(axis=1)
        untied_a[lo : lo + block] = np.abs(sa).sum(axis=1)
        untied_b[lo : lo + block] = np.abs(sb).sum(axis=1)
    values = []
    for first, second in ((a, b), (b, a)):
        rank = np.empty(n)
        rank[np.lexsort((-second, -first))] = np.arange(n)
        w = weigher(rank)
        # Σ_{i<j} f_ij (w_i + w_j) = Σ_i w_i Σ_j f_ij for a symmetric f with f_ii = 0.
        denominator = float(w @ untied_a) * float(w @ untied_b)
        values.append(float(w @ concord) / np.sqrt(denominator) if denominator > 0 else float("nan"))
    return float(np.mean(values))
