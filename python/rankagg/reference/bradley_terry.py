"""Bradley–Terry by textbook iterations, in pure Python.

- ties "half" / "drop": Hunter's (2004) MM iteration π_i ← W_i / Σ_j n_ij / (π_i + π_j).
- ties "davidson": Davidson's (1970) model, by the fixed point on (π, ν) from the score
  equations: π_i ← (W_i + T_i/2) / Σ_j n_ij (1 + ν/2 √(π_j/π_i)) / D_ij and
  ν ← T / Σ_{i<j} n_ij √(π_i π_j) / D_ij, with D_ij = π_i + π_j + ν √(π_i π_j).

Regularization r adds r wins and r losses against a virtual item of strength 1, as the fast
implementation does. Stops when π (and ν) change by less than ``tol`` (relative) in an iteration.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

__all__ = ["BTFit", "bradley_terry"]

_VIRTUAL = object()


@dataclass
class BTFit:
    theta: dict[Hashable, float]
    """Natural-log strengths, centred to mean 0."""
    tie_parameter: float | None
    iterations: int
    converged: bool


def bradley_terry(
    a: Sequence[Hashable],
    b: Sequence[Hashable],
    outcome: Sequence[float],
    weight: Sequence[float] | None = None,
    *,
    ties: str = "half",
    regularization: float = 0.0,
    tol: float = 1e-12,
    max_iter: int = 100_000,
) -> BTFit:
    """Fits Bradley–Terry to rows ``(a[k], b[k], outcome[k])``; outcome is P(a wins), 0.5 a tie."""
    wins: dict[tuple[Hashable, Hashable], float] = defaultdict(float)  # (x, y): x beat y
    tie: dict[frozenset, float] = defaultdict(float)
    items: dict[Hashable, None] = {}
    for k in range(len(a)):
        x, y, o = a[k], b[k], float(outcome[k])
        w = 1.0 if weight is None else float(weight[k])
        items.setdefault(x)
        items.setdefault(y)
        if o == 0.5:
            if ties == "half":
                wins[(x, y)] += 0.5 * w
                wins[(y, x)] += 0.5 * w
            elif ties == "davidson":
                tie[frozenset((x, y))] += w
        else:
            wins[(x, y)] += o * w
            wins[(y, x)] += (1.0 - o) * w
    names = list(items)
    if regularization > 0:
        for x in names:
            wins[(x, _VIRTUAL)] += regularization
            wins[(_VIRTUAL, x)] += regularization
    # Per item: neighbours with (won, lost, tied).
    nbrs: dict[Hashable, dict[Hashable, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0, 0.0]))
    for (x, y), w in wins.items():
        nbrs[x][y][0] += w
        nbrs[y][x][1] += w
    for pair, w in tie.items():
        x, y = tuple(pair)
        nbrs[x][y][2] += w
        nbrs[y][x][2] += w
    pi = dict.fromkeys(names, 1.0)
    pi[_VIRTUAL] = 1.0
    nu = 0.0
    if ties == "davidson":
        total_ties = sum(tie.values())
        nu = 1.0 if total_ties > 0 else 0.0
    converged = False
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 (the count is returned)
        new = {}
        for x in names:
            if ties == "davidson":
                num = sum(c[0] + 0.5 * c[2] for c in nbrs[x].values())
                den = 0.0
                for y, (won, lost, tt) in nbrs[x].items():
                    s = math.sqrt(pi[x] * pi[y])
                    den += (won + lost + tt) * (1.0 + 0.5 * nu * s / pi[x]) / (pi[x] + pi[y] + nu * s)
            else:
                num = sum(c[0] for c in nbrs[x].values())
                den = sum((won + lost) / (pi[x] + pi[y]) for y, (won, lost, _) in nbrs[x].items())
            new[x] = num / den if den > 0 else pi[x]
        if ties == "davidson" and nu > 0:
            s_sum = 0.0
            for x in names:
                for y, (won, lost, tt) in nbrs[x].items():
                    if y is _VIRTUAL:
                        s_sum += 0.0
                        continue
                    s = math.sqrt(pi[x] * pi[y])
                    s_sum += 0.5 * (won + lost + tt) * s / (pi[x] + pi[y] + nu * s)
                # virtual edges are counted once each (not shared with another real item)
                if _VIRTUAL in nbrs[x]:
                    won, lost, tt = nbrs[x][_VIRTUAL]
                    s = math.sqrt(pi[x])
                    s_sum += (won + lost + tt) * s / (pi[x] + 1.0 + nu * s)
            new_nu = sum(tie.values()) / s_sum
            nu_change = abs(new_nu / nu - 1.0)
            nu = new_nu
        else:
            nu_change = 0.0
        if regularization <= 0:
            g = math.exp(sum(math.log(v) for v in new.values()) / len(new))
            new = {x: v / g for x, v in new.items()}
        change = max([abs(new[x] / pi[x] - 1.0) for x in names] + [nu_change])
        pi.update(new)
        if change < tol:
            converged = True
            break
    logs = {x: math.log(pi[x]) for x in names}
    mean = sum(logs.values()) / len(logs)
    return BTFit(
        theta={x: v - mean for x, v in logs.items()},
        tie_parameter=nu if ties == "davidson" else None,
        iterations=it,
        converged=converged,
    )
