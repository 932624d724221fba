"""Plackett–Luce by Hunter's (2004) MM iteration, in pure Python.

A ranking ``[a, b, c]`` (best first) is the choices "a from {a, b, c}", then "b from {b, c}"; the
last item is no choice. Subset rankings: a ranking lists only the items it ranks, and items it
does not list are in none of its choice sets. Rankings of fewer than two items carry no
information and are skipped.

MM update (Hunter 2004, Ann. Statist. 32:384, eq. 30): π_i ← W_i / Σ_{sets S ∋ i} 1 / Σ_{j∈S} π_j,
with W_i the number of sets in which i is chosen. Regularization r adds, for every item, the
pairwise rankings ``[i, virtual]`` and ``[virtual, i]`` with weight r, against a virtual item
whose worth stays 1 (as the Rust implementation does).

Stops when, for every item, |W_i − expected choices of i| / (number of sets containing i) is at
most ``tol``: the test of the Rust solvers.

>>> theta = fit([[0, 1], [0, 1], [0, 1], [1, 0]], 2)  # 3 wins to 1
>>> round(theta[0] - theta[1], 6)  # ln 3
1.098612
>>> [round(t, 4) for t in fit([[0, 1, 2], [1, 0, 2], [0, 2, 1], [2, 1]], 3)]
[1.0897, -0.5038, -0.5859]
"""

from __future__ import annotations

import itertools
import math

__all__ = ["fit"]


def _strongly_connected(rankings: list[list[int]], n: int) -> bool:
    """Whether every item reaches every other along "ranked above" edges (and back)."""
    forward: list[set[int]] = [set() for _ in range(n)]
    backward: list[set[int]] = [set() for _ in range(n)]
    for r in rankings:
        for a, b in itertools.pairwise(r):  # consecutive items suffice (transitivity)
            forward[a].add(b)
            backward[b].add(a)
    for edges in (forward, backward):
        seen = {0}
        stack = [0]
        while stack:
            for v in edges[stack.pop()]:
                if v not in seen:
                    seen.add(v)
                    stack.append(v)
        if len(seen) < n:
            return False
    return True


def fit(
    rankings: list[list[int]],
    n: int,
    *,
    regularization: float = 0.0,
    tol: float = 1e-10,
    max_iter: int = 100_000,
) -> list[float]:
    """Plackett–Luce maximum-likelihood log-worths of items ``0..n-1``, centred to mean 0.

    Raises ``ValueError`` for bad input or data without a finite estimate (regularization 0 and
    a "ranked above" graph that is not strongly connected), ``RuntimeError`` if ``max_iter``
    iterations do not reach ``tol``.
    """
    if n < 1:
        raise ValueError("no items")
    if not (math.isfinite(regularization) and regularization >= 0):
        raise ValueError("regularization must be finite and >= 0")
    for q, r in enumerate(rankings):
        if any(not 0 <= i < n for i in r):
            raise ValueError(f"ranking {q}: item code out of range")
        if len(set(r)) != len(r):
            raise ValueError(f"ranking {q}: an item is ranked twice")
    data = [(list(r), 1.0) for r in rankings if len(r) >= 2]
    if regularization == 0 and n > 1 and not _strongly_connected([r for r, _ in data], n):
        raise ValueError("no finite maximum-likelihood estimate: the data are not strongly connected")
    virtual = n
    if regularization > 0:
        for i in range(n):
            data.append(([i, virtual], regularization))
            data.append(([virtual, i], regularization))
    size = n + 1
    wins = [0.0] * size  # W_i: weighted number of sets in which i is chosen
    sets = [0.0] * size  # weighted number of sets containing i
    for r, w in data:
        for k, i in enumerate(r[:-1]):
            wins[i] += w
            for j in r[k:]:
                sets[j] += w
    pi = [1.0] * size
    for _ in range(max_iter + 1):
        # denominator[i] = Σ_{sets S ∋ i} w / Σ_{j∈S} π_j
        denominator = [0.0] * size
        for r, w in data:
            for k in range(len(r) - 1):
                total = sum(pi[j] for j in r[k:])
                for j in r[k:]:
                    denominator[j] += w / total
        gradient = max(abs(wins[i] - pi[i] * denominator[i]) / sets[i] for i in range(n)) if n > 1 else 0.0
        if gradient <= tol:
            logs = [math.log(pi[i]) for i in range(n)]
            mean = sum(logs) / n
            return [t - mean for t in logs]
        for i in range(n):
            pi[i] = wins[i] / denominator[i]
        if regularization == 0:  # fix the scale (the virtual item is unused)
            g = math.exp(sum(math.log(pi[i]) for i in range(n)) / n)
            pi[:n] = [p / g for p in pi[:n]]
    raise RuntimeError(f"no convergence in {max_iter} iterations (scaled gradient {gradient:.3g})")
