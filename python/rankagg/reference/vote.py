"""The voting rules on the majority margins as they were in Python before they moved to Rust
(issue 18): test oracles for ``rankagg.vote`` and the "before" of ``benches/rules_scale.py``.
Margins ``m[i, j] = P[i, j] − P[j, i]`` as NumPy arrays; items are indices.

>>> import numpy as np
>>> from rankagg.reference.vote import condorcet_winner, ranked_pairs_label, smith_set
>>> m = np.array([[0, 1, -1], [-1, 0, 3], [1, -3, 0]])  # a cycle: 0 > 1 > 2 > 0
>>> condorcet_winner(m), smith_set(m).tolist(), ranked_pairs_label(m)
(None, [0, 1, 2], [2, 1, 0])
"""

from __future__ import annotations

import numpy as np

from rankagg.errors import RankaggError

__all__ = ["condorcet_winner", "ranked_pairs_label", "ranked_pairs_winners", "smith_set", "widest_paths"]


def condorcet_winner(m: np.ndarray) -> int | None:
    """The item beating every other by majority, or None (the double loop)."""
    n = len(m)
    for i in range(n):
        if all(m[i, j] > 0 for j in range(n) if j != i):
            return i
    return None


def widest_paths(links: np.ndarray) -> np.ndarray:
    """Strongest paths by Floyd–Warshall over max/min (NumPy, one row-and-column update per
    intermediate item); the diagonal is 0."""
    d = np.array(links, dtype=np.float64)
    np.fill_diagonal(d, 0.0)
    for k in range(len(d)):
        through = np.minimum(d[:, k : k + 1], d[k : k + 1, :])
        np.maximum(d, through, out=d)
        np.fill_diagonal(d, 0.0)
    return d


def ranked_pairs_label(m: np.ndarray) -> list[int]:
    """Ranked pairs, ties in (winner, loser) index order: per item, the number of items it is
    locked above."""
    n = len(m)
    i, j = np.nonzero((m >= 0) & ~np.eye(n, dtype=bool))  # row-major: (i, j) ascending
    by_margin = np.argsort(-m[i, j], kind="stable")  # largest margin first, then (i, j)
    reach = lock_in_order([1 << a for a in range(n)], list(zip(i[by_margin].tolist(), j[by_margin].tolist())))
    return [r.bit_count() - 1 for r in reach]


WORK_LIMIT = 30_000_000
"""Work the all-orders search of ranked pairs may do before it gives up (a few seconds): each
edge visited costs the number of items searched, as updating what each item reaches does."""


def _lock(reach: list[int], i: int, j: int) -> None:
    """Adds i → j to the transitive closure ``reach`` (bitsets of the items each reaches)."""
    bit, target = 1 << i, reach[j]
    for a in range(len(reach)):
        if reach[a] & bit:
            reach[a] |= target


def lock_in_order(reach: list[int], edges: list[tuple[int, int]]) -> list[int]:
    """Locks the edges in order, skipping those that would close a cycle; returns the closure.

    Keeps the reverse closure too (``above[b]``: the items reaching b), so locking i → j only
    visits the items above i and below j, and an edge already implied costs one bit test."""
    reach = list(reach)
    above = [0] * len(reach)
    for a, r in enumerate(reach):
        while r:
            low = r & -r
            above[low.bit_length() - 1] |= 1 << a
            r ^= low
    for i, j in edges:
        if (reach[j] >> i) & 1 or (reach[i] >> j) & 1:
            continue  # would close a cycle, or is already implied
        up, down = above[i], reach[j]
        x = up
        while x:
            low = x & -x
            reach[low.bit_length() - 1] |= down
            x ^= low
        x = down
        while x:
            low = x & -x
            above[low.bit_length() - 1] |= up
            x ^= low
    return reach


def smith_set(m: np.ndarray) -> np.ndarray:
    """Indices (ascending) of the Smith set of the margin matrix ``m``: the smallest set whose
    every item beats every item outside it. It is a prefix of the items sorted by Copeland
    score (an inside item wins against all outside ones, an outside item loses to all inside)."""
    n = len(m)
    off = ~np.eye(n, dtype=bool)
    copeland_score = ((m > 0) & off).sum(axis=1) + 0.5 * ((m == 0) & off).sum(axis=1)
    order = np.lexsort((np.arange(n), -copeland_score))
    # The prefix of k items dominates the rest iff no item among the first k fails to beat an
    # item at position k or later: with last[i] the last position item i does not beat, the
    # smallest k with max(last[:k]) < k.
    fails = ~(m[np.ix_(order, order)] > 0) & off[np.ix_(order, order)]
    last = np.where(fails.any(axis=1), n - 1 - np.argmax(fails[:, ::-1], axis=1), -1)
    k = int(np.flatnonzero(np.maximum.accumulate(last) < np.arange(1, n + 1))[0]) + 1
    return np.sort(order[:k])


def ranked_pairs_winners(m: np.ndarray) -> list[int]:
    """The items (indices, ascending) that win ranked pairs under some order of equal margins.

    Only the Smith set is searched: every winner, for any order, lies in it and wins ranked
    pairs on it alone (nothing outside beats anything inside, so no locked path leads back
    into it and locking inside it is unaffected by the rest). An item c can win only if, for
    each b beating it by μ, c has a path to b of margins ≥ μ (else b → c is locked when its
    turn comes), which rules most items out at once. For each remaining item, a depth-first
    search over the orders of each group of equal margins looks for one that leaves nothing
    locked above c: it never locks an edge into c, tries first the edges that extend what c
    reaches, and drops states already seen; every outcome found adds all its sources."""
    smith = smith_set(m)
    k = len(smith)
    sub = m[np.ix_(smith, smith)]
    if k == 1:
        return [int(smith[0])]
    edges = sorted((-float(sub[i, j]), i, j) for i in range(k) for j in range(k) if sub[i, j] > 0)
    groups: list[tuple[tuple[int, int], ...]] = []
    for key, i, j in edges:
        if groups and -key == float(sub[groups[-1][0]]):
            groups[-1] += ((i, j),)
        else:
            groups.append(((i, j),))
    if not groups:  # every pair tied: nothing is ever locked
        return [int(i) for i in smith]
    d = widest_paths(np.where(sub > 0, sub, 0.0))
    budget = [WORK_LIMIT]
    winners = 0
    for c in range(k):
        if (winners >> c) & 1 or np.any((sub[:, c] > 0) & (d[c, :] < sub[:, c])):
            continue
        outcome = _ranked_pairs_search(c, groups, k, budget)
        if outcome is not None:
            has_above = 0
            for a in range(k):
                has_above |= outcome[a] & ~(1 << a)
            winners |= ((1 << k) - 1) & ~has_above
    return [int(smith[a]) for a in range(k) if (winners >> a) & 1]


def _ranked_pairs_search(
    c: int, groups: list[tuple[tuple[int, int], ...]], k: int, budget: list[int]
) -> tuple[int, ...] | None:
    """An outcome of ranked pairs (the closure of the locked edges) with nothing above ``c``,
    under some order of the edges within each group, or None if there is none."""
    start = tuple(1 << a for a in range(k))
    stack: list[tuple[int, tuple[int, ...], tuple[tuple[int, int], ...]]] = [(0, start, groups[0])]
    seen: set[tuple[int, tuple[int, ...], tuple[tuple[int, int], ...]]] = set()
    bit_c = 1 << c
    while stack:
        g, reach, rest = stack.pop()
        if g == len(groups):
            return reach  # every group locked, nothing above c
        budget[0] -= (len(rest) + 1) * k
        if budget[0] < 0:
            raise RankaggError(
                "ranked_pairs: too many orders of equal margins to try (deciding the winners under every order is "
                "NP-complete, Brill & Fischer 2012); pass tie_break='label' for the fixed label-order tie-break"
            )
        # An edge already implied, or blocked by a path back, stays so: drop it.
        live = tuple((i, j) for i, j in rest if not (reach[i] >> j) & 1 and not (reach[j] >> i) & 1)
        following = groups[g + 1] if g + 1 < len(groups) else ()
        if not live:
            stack.append((g + 1, reach, following))
            continue
        if all(j == c for _, j in live):
            continue  # only edges into c are left, and locking any puts something above it
        # If one order locks every live edge, they close no cycle and every order ends the same.
        closure = list(reach)
        for i, j in live:
            if (closure[j] >> i) & 1:
                break
            _lock(closure, i, j)
        else:
            if not any(closure[a] & bit_c for a in range(k) if a != c):
                stack.append((g + 1, tuple(closure), following))
            continue
        if (g, reach, live) in seen:
            continue
        seen.add((g, reach, live))
        # Pushed last is tried first: edges from what c reaches, then the others; never one into c.
        mine = reach[c]
        choices = sorted((e for e in live if e[1] != c), key=lambda e: (mine >> e[0]) & 1)
        budget[0] -= len(choices) * (k + len(live))  # each child copies the closure and the edges left
        for e in choices:
            nxt = list(reach)
            _lock(nxt, *e)
            stack.append((g, tuple(nxt), tuple(x for x in live if x != e)))
    return None
