"""The result of the voting rules, :class:`Consensus`, and the building blocks the rules share
(in ``vote.py``, ``majority.py``, ``elimination.py``, ``positional.py``, ``ballots.py`` and
``scores.py``): the result table with competition ranks, exact split shares, the rankings ×
items level table, the majority margins of any vote data, the Smith set and strongest paths.

>>> import rankagg as ra
>>> votes = ra.Rankings.from_lists([["a", "b", "c"], ["b", "a", "c"], ["a", "c", "b"]])
>>> ra.borda(votes).table["rank"].to_list()
[1, 2, 3]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Any, Literal

import numpy as np
import polars as pl

from rankagg import _core
from rankagg._util import tau_b
from rankagg.budget import check_dense
from rankagg.display import display_frame, display_name
from rankagg.errors import RankaggError
from rankagg.pairs import PairTable
from rankagg.preferences import Preferences, Unranked, pairwise_preferences, preference_matrix
from rankagg.rankings import Rankings, float_totals

__all__ = ["Consensus", "Votes"]


@dataclass(frozen=True, repr=False)
class Consensus:
    """The result of a voting rule or consensus method. ``table``: item, rank (1 = best; items
    the rule does not separate share a rank: competition ranks, as in :class:`rankagg.Ratings` and
    :class:`rankagg.Aggregate`), score (where the rule has one), best first; ``winners``: the items
    of rank 1, in label order."""

    table: pl.DataFrame
    method: str
    winners: list[Any]
    options: dict[str, Any] = field(default_factory=dict)
    cost: float | None = None
    """Kemeny: the total weighted pairwise disagreement of the order with the voters."""
    optimal: bool | None = None
    """Kemeny: True only when ``cost`` equals a proven lower bound."""
    lower_bound: float | None = None
    components: list[list[Any]] | None = None
    """Kemeny: the strongly connected components of the majority graph, in order."""
    stats: dict[str, Any] | None = None
    """Kemeny: search effort (nodes, cut_rounds, lp_iterations, timed_out)."""
    votes: Rankings | None = field(default=None, repr=False, compare=False)
    """The rankings the consensus was computed from (None for pairwise data)."""

    @cached_property
    def agreement(self) -> pl.DataFrame | None:
        """Per ranking (voter, or task for benchmark aggregation): ``voter``, ``weight``,
        ``items`` (how many it ranks) and ``agreement``, Kendall's τ-b between the ranking and
        the consensus order (1: same order, −1: reversed). Items a voter did not rank follow
        the consensus's ``unranked`` convention: tied below the ranked ones (``"below"``), or
        left out (``"ignore"``); null when fewer than two items remain or they are all tied.
        Computed on first access; None when the consensus came from pairwise data.

        >>> import rankagg as ra
        >>> votes = ra.Rankings.from_lists([["a", "b", "c"], ["a", "c", "b"], ["c", "b", "a"]])
        >>> ra.borda(votes).agreement["agreement"].round(3).to_list()
        [1.0, 0.333, -1.0]
        """
        r = self.votes
        if r is None:
            return None
        index = {v: k for k, v in enumerate(r.labels.to_list())}
        place = np.empty(len(index))
        place[[index[v] for v in self.table["item"].to_list()]] = self.table["rank"].to_numpy()
        below = self.options.get("unranked", "below") == "below"
        taus: list[float | None] = []
        for k in range(len(r)):
            lo, hi = int(r.offsets[k]), int(r.offsets[k + 1])
            if below:
                level = np.full(len(place), float(r.levels[lo:hi].max(initial=0)) + 1.0)
                level[r.items[lo:hi]] = r.levels[lo:hi]
                x, y = level, place
            else:
                x, y = r.levels[lo:hi].astype(float), place[r.items[lo:hi]]
            if len(x) < 2:
                taus.append(None)
                continue
            tau = tau_b(x, y)
            taus.append(None if np.isnan(tau) else tau)
        return pl.DataFrame(
            {
                "voter": r.voters,
                "weight": r.weights if r.weights is not None else np.ones(len(r)),
                "items": np.diff(r.offsets).astype(np.uint32),
                "agreement": pl.Series(taus, dtype=pl.Float64),
            }
        )

    def plot(self, ax: Any = None, top: int | None = None, *, kind: Literal["items", "agreement"] = "items") -> Any:
        """A bar chart: ``kind="items"`` the consensus, best at the top (the rule's scores, or
        the positions when it has none); ``kind="agreement"`` each voter's (or task's)
        agreement with it (:attr:`agreement`). Returns the matplotlib ``Axes`` (a new figure
        when ``ax`` is None). Needs matplotlib (``pip install "rankagg[plot]"``); see
        :func:`rankagg.plot.consensus`."""
        from rankagg.plot import consensus

        return consensus(self, ax, top=top, kind=kind)

    def __repr__(self) -> str:
        with pl.Config(tbl_rows=12, tbl_hide_dataframe_shape=True):
            winners = ", ".join(display_name(w, quote=True) for w in self.winners)
            return f"Consensus({self.method}, {self.table.height} items, winners [{winners}])\n{display_frame(self.table)!r}"


def level_table(r: Rankings, unranked: Unranked) -> np.ndarray:
    """(rankings × items) levels: 0 best; unranked items +inf ("below") or NaN ("ignore")."""
    n = len(r.labels)
    lengths = np.diff(r.offsets).astype(np.int64)
    owner = np.repeat(np.arange(len(r)), lengths)
    check_dense((len(r), n), "the rankings × items table", copies=3)  # the callers' peak (Python runoff)
    out = np.full((len(r), n), np.inf if unranked == "below" else np.nan)
    out[owner, r.items] = r.levels
    return out


def make_consensus(
    r: Any,
    score: np.ndarray,
    method: str,
    order: np.ndarray | None = None,
    *,
    position: np.ndarray | None = None,
    key: Sequence[Any] | None = None,
    **options: Any,
) -> Consensus:
    """The result table, best first. Positions come from ``order`` (item indices best first,
    positions 1 … n), from ``position`` (given per item; the table sorts by position, then
    score, then label), or else from ``key`` (exact per-item values compared exactly, e.g.
    :class:`fractions.Fraction`) or ``score``, higher is better: an item's position is one
    more than the number of items strictly better, so equal values share a position."""
    n = len(r.labels)
    if order is not None:
        position = np.empty(n, dtype=np.uint32)
        position[order] = np.arange(1, n + 1, dtype=np.uint32)
    else:
        if position is None:
            position = competition_positions(list(score) if key is None else list(key))
        order = np.lexsort((np.arange(n), -score, position))
    table = pl.DataFrame(
        {"item": r.labels.gather(order), "rank": position[order].astype(np.uint32), "score": score[order]}
    )
    winners = r.labels.gather(np.flatnonzero(position == 1)).to_list()  # in label order
    return Consensus(table, method, winners, options, votes=r if isinstance(r, Rankings) else None)


def competition_positions(key: list[Any]) -> np.ndarray:
    """1 + the number of items whose key is strictly greater (exact comparisons)."""
    n = len(key)
    by_value = sorted(range(n), key=lambda i: key[i], reverse=True)
    position = np.empty(n, dtype=np.uint32)
    for rank, i in enumerate(by_value):
        same = rank > 0 and key[i] == key[by_value[rank - 1]]
        position[i] = position[by_value[rank - 1]] if same else rank + 1
    return position


def exact_shares(item: np.ndarray, size: np.ndarray, weight: np.ndarray, n: int) -> tuple[list[Any], np.ndarray]:
    """Per item, the exact sum over rows of ``weight / size`` (a vote split ``size`` ways):
    exact keys to compare (integers in units of 1 / lcm(sizes), or :class:`fractions.Fraction`)
    and the totals as floats. Float sums would make ``1/3 + 1/3 + 1/3 + 1`` differ from ``2``
    and break (or invent) ties.

    With integer weights (counts), every share is a multiple of 1 / lcm(sizes), and float sums
    of integers below 2**53 are exact. Otherwise every float weight is a dyadic rational, so the
    rows are collapsed to distinct (item, size, weight) triples with their counts and added as
    fractions."""
    if not len(item):
        return [0] * n, np.zeros(n)
    scale = math.lcm(*(int(g) for g in np.unique(size).tolist()))
    if np.all(weight == np.round(weight)) and float(np.abs(weight).sum()) * scale < 2.0**53:
        scaled = np.bincount(item, weight * (scale // size.astype(np.int64)), minlength=n)
        return [int(t) for t in scaled.tolist()], scaled / scale
    values, which = np.unique(weight, return_inverse=True)
    rows = np.stack([item.astype(np.int64), size.astype(np.int64), which.reshape(-1).astype(np.int64)], axis=1)
    triples, counts = np.unique(rows, axis=0, return_counts=True)
    exact = [Fraction(float(v)) for v in values]
    totals = [Fraction(0)] * n
    for (i, g, k), c in zip(triples.tolist(), counts.tolist()):
        totals[i] += exact[k] * c / g
    return totals, float_totals(totals, "the totals")


Votes = Rankings | Preferences | PairTable
"""What the rules on the majority matrix take: rankings, or pairwise data (a preference matrix
or a pair table, whose ties count half each way)."""


def preferences_of(data: Votes, unranked: Unranked, rule: str) -> tuple[Any, np.ndarray]:
    """(something with ``.labels``, P) where P[i, j] = the weight preferring i to j."""
    if isinstance(data, Rankings):
        return data, pairwise_preferences(data, unranked=unranked)
    if isinstance(data, (Preferences, PairTable)):
        prefs = preference_matrix(data)
        return prefs, prefs.matrix
    raise RankaggError(
        f"{rule} takes rankagg.Rankings, rankagg.Preferences or a rankagg.PairTable, not {type(data).__name__}; "
        "for comparison rows use rankagg.preference_matrix(data, a=..., b=..., outcome=...)" + _score_hint(data)
    )


def majority_margins(data: Votes, unranked: Unranked, rule: str) -> tuple[Any, np.ndarray]:
    holder, p = preferences_of(data, unranked, rule)
    return holder, p - p.T


def _score_hint(data: Any) -> str:
    """For score ballots given to a ranking rule: how to get rankings, or the rules for scores."""
    if type(data).__name__ != "ScoreBallots":
        return ""
    return "; score ballots are read by rankagg.approval and rankagg.star, or ranked with ballots.to_rankings()"


def rankings_only(data: Any, rule: str) -> Rankings:
    if not isinstance(data, Rankings):
        raise RankaggError(
            f"{rule} needs each voter's ranking (rankagg.Rankings), not {type(data).__name__}: pairwise data do not say who was first"
            + _score_hint(data)
        )
    return data


def widest_paths(links: np.ndarray) -> np.ndarray:
    """Strongest paths (a path is as strong as its weakest link) between all pairs, given the
    n × n link strengths (0: no link); the diagonal is ignored and returned as 0. Rust."""
    n = len(links)
    # the links' copy, and Rust's list of links sorted by strength (16 bytes per link, at most
    # n(n − 1) of them, with its per-row parts while it is assembled)
    check_dense((n, n), "the strongest-path matrix", copies=5)
    d = np.array(links, dtype=np.float64, order="C")  # Rust updates it in place
    _core.widest_paths(n, d.reshape(-1))
    np.fill_diagonal(d, 0.0)
    return d


def smith_indices(m: np.ndarray) -> np.ndarray:
    """Indices (ascending) of the Smith set of a preference or margin matrix (i beats j when
    ``m[i, j] > m[j, i]``), in O(n²) in Rust."""
    flat = np.ascontiguousarray(m, dtype=np.float64).reshape(-1)
    return np.sort(_core.smith_set(len(m), flat).astype(np.int64))
