"""Online Elo in pure Python: the definition :func:`rankagg.elo` must reproduce.

>>> from rankagg.reference.elo import elo
>>> elo(["x"], ["y"], [1.0], k=32)
{'x': 1016.0, 'y': 984.0}
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

__all__ = ["elo"]


def elo(
    a: Sequence[Hashable],
    b: Sequence[Hashable],
    outcome: Sequence[float],
    weight: Sequence[float] | None = None,
    *,
    k: float = 4.0,
    base: float = 10.0,
    scale: float = 400.0,
    initial: float = 1000.0,
) -> dict[Hashable, float]:
    """Ratings after one pass over rows ``(a[r], b[r], outcome[r])`` in order: with
    E = 1 / (1 + base^((R_b − R_a)/scale)), R_a += k·w·(o − E) and R_b −= k·w·(o − E)."""
    r: dict[Hashable, float] = {}
    for row in range(len(a)):
        x, y, o = a[row], b[row], float(outcome[row])
        w = 1.0 if weight is None else float(weight[row])
        rx, ry = r.setdefault(x, initial), r.setdefault(y, initial)
        e = 1.0 / (1.0 + base ** ((ry - rx) / scale))
        r[x] = rx + k * w * (o - e)
        r[y] = ry - k * w * (o - e)
    return r
