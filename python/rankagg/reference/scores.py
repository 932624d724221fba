"""Counting scores and the spectral methods, by their definitions: the oracles of
:func:`rankagg.counting`, :func:`rankagg.win_rate`, :func:`rankagg.average_win_rate`,
:func:`rankagg.pagerank`, :func:`rankagg.eigenvector` and :func:`rankagg.rank_centrality`.

Rows are ``(a[r], b[r], outcome[r])`` with outcome 1 when a won, 0 when b won and 0.5 for a tie
(any value in [0, 1] splits the row), weighted by ``weight[r]``. The counting scores are loops
over the rows; the spectral scores build the dense matrix of their definition and take its
eigenvector with ``numpy.linalg.eig`` (no power iteration, unlike the Rust core).

Definitions: the average win rate is the mean of the pairwise win rates against the opponents
an item met (as in Chiang et al. 2024, "Chatbot Arena", ICML); the eigenvector scores are
Keener's (1993, "The Perron–Frobenius theorem and the ranking of football teams", SIAM Review
35(1)); PageRank is Brin & Page's (1998) stationary vector of the damped walk, here with each
loser linking to the items that beat it; Rank Centrality is Negahban, Oh & Shah's (2017,
Operations Research 65(1)) walk with its d_max normalisation.

>>> from rankagg.reference.scores import win_rate, average_win_rate
>>> win_rate(["x", "x"], ["y", "z"], [1.0, 0.5], tie_weight=0.0)
{'x': 0.5, 'y': 0.0, 'z': 0.0}
>>> average_win_rate(["x", "x", "x"], ["y", "y", "z"], [1.0, 1.0, 0.5], tie_weight=0.0)["x"]
0.5
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence

import numpy as np

__all__ = ["average_win_rate", "counting", "eigenvector", "pagerank", "rank_centrality", "win_rate"]


def _results(
    a: Sequence[Hashable], b: Sequence[Hashable], outcome: Sequence[float], weight: Sequence[float] | None
) -> tuple[list[Hashable], dict[tuple[Hashable, Hashable], list[float]]]:
    """Items (sorted) and, per ordered pair (x, y) with x < y, [wins of x, wins of y, ties]."""
    pairs: dict[tuple[Hashable, Hashable], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    items: set[Hashable] = set()
    for r in range(len(a)):
        x, y, o = a[r], b[r], float(outcome[r])
        w = 1.0 if weight is None else float(weight[r])
        items.update((x, y))
        if x == y or w == 0.0:
            continue
        if y < x:  # type: ignore[operator]  # labels are orderable here (str or int); Hashable does not say so
            x, y, o = y, x, 1.0 - o
        counts = pairs[(x, y)]
        if o == 0.5:
            counts[2] += w
        else:  # a fractional outcome splits the row between the two wins
            counts[0] += w * o
            counts[1] += w * (1.0 - o)
    return sorted(items), pairs  # type: ignore[type-var]  # as above: orderable labels, typed Hashable


def counting(a, b, outcome, weight=None, *, tie_weight: float = 0.5) -> dict[Hashable, float]:
    """Wins + ``tie_weight`` × ties, per item."""
    items, pairs = _results(a, b, outcome, weight)
    score = dict.fromkeys(items, 0.0)
    for (x, y), (wx, wy, t) in pairs.items():
        score[x] += wx + tie_weight * t
        score[y] += wy + tie_weight * t
    return score


def win_rate(a, b, outcome, weight=None, *, tie_weight: float = 0.5) -> dict[Hashable, float]:
    """(wins + ``tie_weight`` × ties) / comparisons, per item (0 without comparisons)."""
    items, pairs = _results(a, b, outcome, weight)
    won, played = dict.fromkeys(items, 0.0), dict.fromkeys(items, 0.0)
    for (x, y), (wx, wy, t) in pairs.items():
        won[x] += wx + tie_weight * t
        won[y] += wy + tie_weight * t
        played[x] += wx + wy + t
        played[y] += wx + wy + t
    return {k: won[k] / played[k] if played[k] > 0 else 0.0 for k in items}


def average_win_rate(a, b, outcome, weight=None, *, tie_weight: float = 0.5) -> dict[Hashable, float]:
    """The mean over the opponents an item met of :func:`win_rate` on that pair alone."""
    items, pairs = _results(a, b, outcome, weight)
    rates: dict[Hashable, list[float]] = {k: [] for k in items}
    for (x, y), (wx, wy, t) in pairs.items():
        games = wx + wy + t
        if games > 0:
            rates[x].append((wx + tie_weight * t) / games)
            rates[y].append((wy + tie_weight * t) / games)
    return {k: sum(v) / len(v) if v else 0.0 for k, v in rates.items()}


def _matrix(a, b, outcome, weight) -> tuple[list[Hashable], np.ndarray]:
    """Items and s[i, j] = wins of i over j + ½ ties."""
    items, pairs = _results(a, b, outcome, weight)
    index = {k: i for i, k in enumerate(items)}
    s = np.zeros((len(items), len(items)))
    for (x, y), (wx, wy, t) in pairs.items():
        s[index[x], index[y]] += wx + t / 2
        s[index[y], index[x]] += wy + t / 2
    return items, s


def _leading(m: np.ndarray) -> np.ndarray:
    """The eigenvector of the eigenvalue of largest real part, signed to be non-negative."""
    values, vectors = np.linalg.eig(m)
    v = np.real(vectors[:, int(np.argmax(values.real))])
    return v if v.sum() >= 0 else -v


def eigenvector(a, b, outcome, weight=None) -> dict[Hashable, float]:
    """Keener's scores: the Perron vector of s (r ∝ s r), of unit Euclidean length."""
    items, s = _matrix(a, b, outcome, weight)
    r = _leading(s)
    return dict(zip(items, (r / np.linalg.norm(r)).tolist()))


def pagerank(a, b, outcome, weight=None, *, damping: float = 0.85) -> dict[Hashable, float]:
    """The stationary vector of the Google matrix d·M + (1 − d)/n, where column j of M (a
    loser j) spreads j's weight over the items that beat it in proportion to s[i, j], and a
    column of an item that never lost is uniform. Sums to 1."""
    items, s = _matrix(a, b, outcome, weight)
    n = len(items)
    lost = s.sum(axis=0)
    m = np.where(lost > 0, s / np.where(lost > 0, lost, 1.0), 1.0 / n)
    r = _leading(damping * m + (1 - damping) / n)
    return dict(zip(items, (r / r.sum()).tolist()))


def rank_centrality(a, b, outcome, weight=None) -> dict[Hashable, float]:
    """The stationary distribution of the walk moving from i to j with probability
    s[j, i] / (s[i, j] + s[j, i]) / d_max (d_max: the most distinct opponents of any item),
    staying put otherwise. Sums to 1."""
    items, s = _matrix(a, b, outcome, weight)
    total = s + s.T
    met = total > 0
    d_max = max(int(met.sum(axis=1).max()), 1)
    p = np.where(met, s.T / np.where(met, total, 1.0), 0.0) / d_max  # p[i, j]: i → j
    p += np.diag(1.0 - p.sum(axis=1))
    r = _leading(p.T)
    return dict(zip(items, (r / r.sum()).tolist()))
