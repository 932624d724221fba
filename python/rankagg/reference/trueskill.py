"""Two-player TrueSkill as a plain loop: the textbook update of Herbrich, Minka & Graepel (2006),
with Φ and φ from ``math.erfc`` and the V/W ratios written as in the paper (no care for the far
tails). A bench baseline and a second oracle next to the ``trueskill`` package."""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from statistics import NormalDist


def _cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def _pdf(x: float) -> float:
    return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def trueskill(
    a: Sequence[Hashable],
    b: Sequence[Hashable],
    outcome: Sequence[float],
    *,
    mu: float = 25.0,
    sigma: float = 25.0 / 3.0,
    beta: float = 25.0 / 6.0,
    tau: float = 25.0 / 300.0,
    draw_probability: float = 0.1,
) -> dict[Hashable, tuple[float, float]]:
    """(μ, σ) per item after one pass over rows ``(a[r], b[r], outcome[r])`` in order; outcome 1
    a wins, 0 b wins, 0.5 a draw.

    >>> r = trueskill(["x"], ["y"], [1.0])  # the trueskill package's README: 29.396, 7.171
    >>> [round(v, 3) for v in r["x"] + r["y"]]
    [29.396, 7.171, 20.604, 7.171]
    """
    eps = NormalDist().inv_cdf((draw_probability + 1) / 2) * math.sqrt(2.0) * beta
    r: dict[Hashable, tuple[float, float]] = {}
    for x, y, o in zip(a, b, outcome):
        if o == 0.0:
            x, y = y, x
        (mx, sx), (my, sy) = r.get(x, (mu, sigma)), r.get(y, (mu, sigma))
        vx, vy = sx * sx + tau * tau, sy * sy + tau * tau
        c2 = 2 * beta * beta + vx + vy
        c = math.sqrt(c2)
        t, e = (mx - my) / c, eps / c
        if o == 0.5:
            s = abs(t)
            lo, hi = -e - s, e - s
            den = _cdf(hi) - _cdf(lo)
            v = (_pdf(lo) - _pdf(hi)) / den
            w = v * v + (hi * _pdf(hi) - lo * _pdf(lo)) / den
            if t < 0:
                v = -v
        else:
            d = t - e
            v = _pdf(d) / _cdf(d)
            w = v * (v + d)
        r[x] = (mx + vx / c * v, math.sqrt(vx * (1 - vx / c2 * w)))
        r[y] = (my - vy / c * v, math.sqrt(vy * (1 - vy / c2 * w)))
    return r
