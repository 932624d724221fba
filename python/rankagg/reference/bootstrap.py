"""Bootstrap by resampling rows, in pure Python: the slow, obvious definition that
:class:`rankagg.Bootstrap` (which resamples counts, in Rust) must agree with in distribution.

>>> from rankagg.reference.bootstrap import row_bootstrap
>>> reps = row_bootstrap(["x", "y", "x", "y"], ["y", "x", "y", "x"], [1.0, 1.0, 0.0, 1.0],
...                      rounds=5, seed=1, regularization=1.0)
>>> len(reps), sorted(reps[0])
(5, ['x', 'y'])
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Sequence

from rankagg.reference.bradley_terry import bradley_terry

__all__ = ["row_bootstrap"]


def row_bootstrap(
    a: Sequence[Hashable],
    b: Sequence[Hashable],
    outcome: Sequence[float],
    *,
    rounds: int,
    seed: int,
    ties: str = "half",
    regularization: float = 0.0,
    tol: float = 1e-10,
) -> list[dict[Hashable, float]]:
    """``rounds`` Bradley–Terry fits (centred log-strengths) on rows drawn with replacement.
    Resamples in which the fit does not exist (an item never wins or never loses) are drawn
    again, as :class:`rankagg.Bootstrap` does."""
    rng = random.Random(seed)
    m = len(a)
    out: list[dict[Hashable, float]] = []
    while len(out) < rounds:
        rows = [rng.randrange(m) for _ in range(m)]
        ra_, rb, ro = [a[k] for k in rows], [b[k] for k in rows], [outcome[k] for k in rows]
        if regularization <= 0 and not _strongly_connected(list(set(a) | set(b)), ra_, rb, ro, ties):
            continue
        out.append(bradley_terry(ra_, rb, ro, ties=ties, regularization=regularization, tol=tol).theta)
    return out


def _strongly_connected(items: list[Hashable], a: list, b: list, o: list, ties: str) -> bool:
    """Whether every item reaches every other along "beat" edges (a tie beats both ways
    unless ``ties="davidson"``, where only decisive outcomes count)."""
    forward: dict[Hashable, set] = {x: set() for x in items}
    backward: dict[Hashable, set] = {x: set() for x in items}
    for x, y, v in zip(a, b, o):
        tie = v == 0.5
        if v > 0 and not (tie and ties != "half"):
            forward[x].add(y)
            backward[y].add(x)
        if v < 1 and not (tie and ties != "half"):
            forward[y].add(x)
            backward[x].add(y)

    def reaches_all(graph: dict[Hashable, set]) -> bool:
        seen, stack = {items[0]}, [items[0]]
        while stack:
            for y in graph[stack.pop()]:
                if y not in seen:
                    seen.add(y)
                    stack.append(y)
        return len(seen) == len(items)

    return reaches_all(forward) and reaches_all(backward)
