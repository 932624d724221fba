"""The preference matrix: one dense view of any preference input, for the methods that work on
margins (maximal lotteries, judge consistency, tournament statistics).

``W[i, j]`` is the (weighted) number of times item i was preferred to item j, items in label
order. Comparison rows count a tie as half a win each way (outcome ``o`` adds ``o·w`` to
``W[a, b]`` and ``(1 − o)·w`` to ``W[b, a]``); rankings count the voters ranking i above j
(see :func:`rankagg.pairwise_preferences`); a square matrix is taken as it is.

>>> import rankagg as ra
>>> p = ra.preference_matrix({"a": ["x", "x", "y"], "b": ["y", "z", "z"], "outcome": [1, 0.5, 0]})
>>> p.labels.to_list(), p.matrix.tolist()
(['x', 'y', 'z'], [[0.0, 1.0, 0.5], [0.0, 0.0, 0.0], [0.5, 1.0, 0.0]])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import polars as pl

from rankagg import _core
from rankagg.budget import SPARSE_HINT, check_dense, dense_peak
from rankagg.checks import one_of
from rankagg.errors import RankaggError
from rankagg.intake import Frame, index_labels_in_errors
from rankagg.pairs import PairTable
from rankagg.rankings import Rankings, weights_overflow

Unranked = Literal["below", "ignore"]
"""How rankings treat the items they do not list: ``"below"`` every listed item (top-k ballots)
or ``"ignore"`` (no preference either way)."""

__all__ = ["Preferences", "Unranked", "pairwise_preferences", "preference_matrix"]


@dataclass(frozen=True)
class Preferences:
    """A square matrix of pairwise preferences with its item labels.

    ``matrix[i, j]``: how often (or how strongly) ``labels[i]`` was preferred to ``labels[j]``.
    Build one from a NumPy array (``Preferences(labels, matrix)`` checks the shape and values)
    to pass a matrix wherever comparisons are accepted.

    >>> import numpy as np, rankagg as ra
    >>> p = ra.Preferences(["rock", "paper", "scissors"], np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0]]))
    >>> p.margins().tolist()
    [[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]]
    """

    labels: pl.Series
    matrix: np.ndarray

    def __init__(self, labels: Sequence[Any] | pl.Series, matrix: Any) -> None:
        lab = labels if isinstance(labels, pl.Series) else pl.Series("item", list(labels))
        m = np.array(matrix, dtype=np.float64)  # a copy: the caller's array is never touched
        if m.ndim != 2 or m.shape[0] != m.shape[1]:
            raise RankaggError(f"a preference matrix must be square, got shape {m.shape}")
        if m.shape[0] != len(lab):
            raise RankaggError(f"{len(lab)} labels for a {m.shape[0]}×{m.shape[0]} preference matrix")
        if lab.n_unique() != len(lab):
            dup = lab.filter(lab.is_duplicated()).unique().to_list()
            raise RankaggError(f"duplicate labels in a preference matrix: {dup[:10]}")
        bad = ~np.isfinite(m) | (m < 0)
        if bad.any():
            rows, cols = np.nonzero(bad)
            cells = [(lab[int(r)], lab[int(c)]) for r, c in zip(rows[:10], cols[:10])]
            raise RankaggError(f"preference matrix entries must be finite and ≥ 0; bad cells (row, column): {cells}")
        if np.any(np.diag(m) != 0):
            raise RankaggError("a preference matrix must have a zero diagonal (an item is not preferred to itself)")
        m.setflags(write=False)
        object.__setattr__(self, "labels", lab.alias("item"))
        object.__setattr__(self, "matrix", m)

    @property
    def n_items(self) -> int:
        return len(self.labels)

    def margins(self) -> np.ndarray:
        """``W − Wᵀ``: the skew-symmetric margin matrix."""
        return self.matrix - self.matrix.T

    def probabilities(self) -> np.ndarray:
        """``W / (W + Wᵀ)`` where the pair met, 0.5 on pairs that never met and on the diagonal."""
        total = self.matrix + self.matrix.T
        with np.errstate(invalid="ignore", divide="ignore"):
            p = np.where(total > 0, self.matrix / np.where(total > 0, total, 1.0), 0.5)
        return p


def pairwise_preferences(rankings: Rankings, *, unranked: Unranked = "below") -> np.ndarray:
    """``P[i, j]``: the weighted number of voters ranking item i (label order) above item j.

    >>> import rankagg as ra
    >>> ra.pairwise_preferences(ra.Rankings.from_lists([["x", "y"], ["y", "x"], ["x"]])).tolist()
    [[0.0, 2.0], [1.0, 0.0]]
    """
    if not one_of(unranked, ("below", "ignore")):
        raise RankaggError(f"unranked must be 'below' or 'ignore', not {unranked!r}")
    n = len(rankings.labels)
    check_dense(
        (n, n),
        "the majority matrix",
        copies=1.5,
        hint="maximal_lottery(method='first_order') and bradley_terry work on pairwise data without it",
    )
    weights = None if rankings.weights is None else np.ascontiguousarray(rankings.weights, dtype=np.float64)
    p = _core.pairwise_preferences(
        n,
        np.ascontiguousarray(rankings.offsets, dtype=np.uint64),
        np.ascontiguousarray(rankings.items, dtype=np.uint32),
        np.ascontiguousarray(rankings.levels, dtype=np.uint32),
        weights,
        unranked == "below",
    )
    if not np.isfinite(p).all():
        raise weights_overflow("the majority matrix")
    return p.reshape(n, n)


@index_labels_in_errors
@dense_peak(3, "preference_matrix")
def preference_matrix(
    data: Frame | PairTable | Rankings | Preferences,
    *,
    a: str = "a",
    b: str = "b",
    outcome: str = "outcome",
    weight: str | None = None,
    outcomes: Mapping[Any, float] | None = None,
    winner: str | None = None,
    loser: str | None = None,
    unranked: Unranked = "below",
) -> Preferences:
    """The :class:`Preferences` of comparisons (a frame or a :class:`PairTable`, same keywords as
    :func:`rankagg.bradley_terry`), of :class:`Rankings` (``unranked`` as in
    :func:`rankagg.pairwise_preferences`), or a :class:`Preferences` unchanged.

    A tie counts half a win each way. The result is dense (n × n): meant for up to a few
    thousand items.
    """
    if isinstance(data, Preferences):
        check_dense(data.matrix.shape, "the work on a preference matrix", given=True)  # the caller's peak
        return data
    if isinstance(data, Rankings):
        return Preferences(data.labels, pairwise_preferences(data, unranked=unranked))
    if isinstance(data, np.ndarray):
        raise RankaggError("pass a matrix as rankagg.Preferences(labels, matrix), so that its items have names")
    table = (
        data
        if isinstance(data, PairTable)
        else PairTable.from_comparisons(
            data, a=a, b=b, outcome=outcome, weight=weight, outcomes=outcomes, winner=winner, loser=loser
        )
    )
    n = table.n_items
    check_dense((n, n), "a dense preference matrix", hint=SPARSE_HINT)
    w = np.zeros((n, n))
    half = 0.5 * table.ties
    np.add.at(w, (table.i, table.j), table.wins_i + half)
    np.add.at(w, (table.j, table.i), table.wins_j + half)
    return Preferences(table.labels, w)
