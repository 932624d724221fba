"""Defensive aggregation and welfare rules in pure Python: the definitions
:func:`rankagg.defensive` and :func:`rankagg.welfare` must reproduce (plain loops over lists and
dicts; no code shared with the Rust core).

>>> from rankagg.reference.robust import defensive
>>> d = defensive(["a", "a", "b"], [1, 2, 1], [0.2, 0.8, 0.4], prior=0.0)
>>> d["a"]["score"], d["b"]["score"]
(0.8, 0.4)
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence

__all__ = ["tail_count", "defensive", "welfare"]


def tail_count(tail: float, k: int) -> int:
    """⌈tail·k⌉ clamped to [1, k]; a product within 1e-9 (relative) of an integer is that integer."""
    x = tail * k
    r = round(x)
    m = r if abs(x - r) <= 1e-9 * max(x, 1.0) else math.ceil(x)
    return min(max(int(m), 1), max(k, 1))


def defensive(
    items: Sequence[Hashable],
    over: Sequence[Hashable],
    values: Sequence[float],
    groups: Sequence[Hashable] | None = None,
    *,
    tail: float = 0.0,
    prior: float = 1.0,
    higher_is: str = "risk",
) -> dict[Hashable, dict[str, float]]:
    """Per item: ``worst`` (mean of the ⌈tail·k⌉ largest risks), ``mean``, ``n``, ``floor``
    (prior × the group's mean of ``worst``; NaN when prior = 0) and ``score`` =
    max(worst, floor) (``worst`` when prior = 0). With ``higher_is="better"`` the risk is the
    normalised regret (best − value) / (best − worst) within each observation (0 when equal)."""
    rows = list(zip(items, over, [float(v) for v in values]))
    if higher_is == "better":
        best: dict[Hashable, float] = {}
        low: dict[Hashable, float] = {}
        for _, o, v in rows:
            best[o] = max(best.get(o, v), v)
            low[o] = min(low.get(o, v), v)
        rows = [(i, o, (best[o] - v) / (best[o] - low[o]) if best[o] > low[o] else 0.0) for i, o, v in rows]
    per_item: dict[Hashable, list[float]] = {}
    for i, _, r in rows:
        per_item.setdefault(i, []).append(r)
    group_of = {i: (0 if groups is None else g) for i, g in zip(items, groups if groups is not None else items)}
    out: dict[Hashable, dict[str, float]] = {}
    for i, risks in per_item.items():
        top = sorted(risks, reverse=True)[: tail_count(tail, len(risks))]
        out[i] = {"worst": math.fsum(top) / len(top), "mean": math.fsum(risks) / len(risks), "n": len(risks)}
    by_group: dict[Hashable, list[float]] = {}
    for i, stats in out.items():
        by_group.setdefault(group_of[i], []).append(stats["worst"])
    for i, stats in out.items():
        peers = by_group[group_of[i]]
        floor = prior * math.fsum(peers) / len(peers) if prior > 0 else math.nan
        stats["floor"] = floor
        stats["score"] = max(stats["worst"], floor) if prior > 0 else stats["worst"]
    return out


def welfare(
    items: Sequence[Hashable],
    groups: Sequence[Hashable],
    values: Sequence[float],
    *,
    rule: str = "utilitarian",
    q: float | None = None,
) -> dict[Hashable, float | tuple[float, ...]]:
    """Per item, the welfare of its utilities (one per group): the mean (``utilitarian``), the
    minimum (``worst_group``), the ascending sorted tuple (``leximin``: compare tuples), the
    ``q``-quantile by linear interpolation (``quantile``), or Sen's mean × (1 − Gini) computed
    as the mean of min(u_a, u_b) over ordered pairs (``gini``)."""
    u: dict[Hashable, list[float]] = {}
    for i, _, v in zip(items, groups, values):
        u.setdefault(i, []).append(float(v))
    out: dict[Hashable, float | tuple[float, ...]] = {}
    for i, xs in u.items():
        s = sorted(xs)
        g = len(s)
        if rule == "utilitarian":
            out[i] = math.fsum(s) / g
        elif rule == "worst_group":
            out[i] = s[0]
        elif rule == "leximin":
            out[i] = tuple(s)
        elif rule == "quantile":
            assert q is not None
            pos = q * (g - 1)
            lo = math.floor(pos)
            hi = min(lo + 1, g - 1)
            out[i] = s[lo] + (pos - lo) * (s[hi] - s[lo])
        elif rule == "gini":
            out[i] = math.fsum(min(a, b) for a in s for b in s) / (g * g)
        else:
            raise ValueError(rule)
    return out
