"""Voting rules on :class:`Rankings`: positional rules (Borda, plurality), instant runoff, and
the majority-margin rules (Copeland, minimax, Schulze, ranked pairs), with the Condorcet winner
and the Smith set.

Margins: ``P[i, j]`` is the (weighted) number of voters who rank i above j. Items a voter did not
rank are, by default, below every item the voter ranked and tied among themselves
(``unranked="below"``, the usual reading of truncated ballots); ``unranked="ignore"`` counts
only pairs the voter ranked both of.

Ties between items in a result are broken by label order (documented per rule), so every rule
is deterministic.

>>> import rankagg as ra
>>> votes = ra.Rankings.from_lists([["a", "b", "c"]] * 5 + [["b", "c", "a"]] * 2 + [["c", "a", "b"]] * 2)
>>> ra.copeland(votes).winners, ra.condorcet_winner(votes)
(['a'], 'a')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal, Union

import numpy as np
import polars as pl

from rankagg import _core
from rankagg.budget import check_dense
from rankagg.data import PairTable
from rankagg.distance import _tau_b
from rankagg.errors import RankaggError
from rankagg.preferences import Preferences, preference_matrix
from rankagg.rankings import Rankings

__all__ = [
    "Consensus",
    "pairwise_preferences",
    "borda",
    "plurality",
    "copeland",
    "minimax",
    "schulze",
    "ranked_pairs",
    "instant_runoff",
    "condorcet_winner",
    "smith_set",
    "kemeny",
    "linear_ordering",
    "LinearOrdering",
]

Unranked = Literal["below", "ignore"]
Method = Literal["auto", "exact", "heuristic"]


@dataclass(frozen=True, repr=False)
class Consensus:
    """The result of a voting rule or consensus method. ``table``: item, position (1 = best),
    score (where the rule has one), best first; ``winners``: the items at position 1."""

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
        place[[index[v] for v in self.table["item"].to_list()]] = self.table["position"].to_numpy()
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
            tau = _tau_b(x, y)
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
            return f"Consensus({self.method}, {self.table.height} items, winners {self.winners!r})\n{self.table!r}"


def _levels(r: Rankings, unranked: Unranked) -> np.ndarray:
    """(rankings × items) levels: 0 best; unranked items +inf ("below") or NaN ("ignore")."""
    n = len(r.labels)
    lengths = np.diff(r.offsets).astype(np.int64)
    owner = np.repeat(np.arange(len(r)), lengths)
    out = np.full((len(r), n), np.inf if unranked == "below" else np.nan)
    out[owner, r.items] = r.levels
    return out


def pairwise_preferences(rankings: Rankings, *, unranked: Unranked = "below") -> np.ndarray:
    """``P[i, j]``: the weighted number of voters ranking item i (label order) above item j.

    >>> import rankagg as ra
    >>> ra.pairwise_preferences(ra.Rankings.from_lists([["x", "y"], ["y", "x"], ["x"]])).tolist()
    [[0.0, 2.0], [1.0, 0.0]]
    """
    if unranked not in ("below", "ignore"):
        raise RankaggError(f"unranked must be 'below' or 'ignore', not {unranked!r}")
    n = len(rankings.labels)
    check_dense((n, n), "the majority matrix", hint="maximal_lottery(method='first_order') and bradley_terry work on pairwise data without it")
    weights = None if rankings.weights is None else np.ascontiguousarray(rankings.weights, dtype=np.float64)
    p = _core.pairwise_preferences(
        n,
        np.ascontiguousarray(rankings.offsets, dtype=np.uint64),
        np.ascontiguousarray(rankings.items, dtype=np.uint32),
        np.ascontiguousarray(rankings.levels, dtype=np.uint32),
        weights,
        unranked == "below",
    )
    return p.reshape(n, n)


def _result(r: Any, score: np.ndarray, method: str, order: np.ndarray | None = None, **options: Any) -> Consensus:
    """Positions from ``order`` (item indices best first; equal scores share a position) or
    from ``score`` (higher is better; ties share a position)."""
    n = len(r.labels)
    if order is None:
        order = np.lexsort((np.arange(n), -score))
        position = pl.Series(-score).rank("min").cast(pl.UInt32).to_numpy()
    else:
        position = np.empty(n, dtype=np.uint32)
        position[order] = np.arange(1, n + 1, dtype=np.uint32)
    table = pl.DataFrame({"item": r.labels.gather(order), "position": position[order], "score": score[order]})
    winners = table.filter(pl.col("position") == 1)["item"].to_list()
    return Consensus(table, method, winners, options, votes=r if isinstance(r, Rankings) else None)


def borda(rankings: Votes, *, unranked: Unranked = "below") -> Consensus:
    """Borda count: an item scores one point per (voter, item ranked below it); on complete
    strict rankings of n items, n − 1 for a first place down to 0 for a last. Ties in a ranking
    give no points between the tied items. On pairwise data: the (weighted) pairwise wins."""
    holder, p = _preferences(rankings, unranked, "borda")
    return _result(holder, p.sum(axis=1), "borda", unranked=unranked)


def plurality(rankings: Rankings) -> Consensus:
    """Plurality: weighted first places (a tie for first shares the vote equally)."""
    rankings = _rankings_only(rankings, "plurality")
    n = len(rankings.labels)
    w = rankings.weights if rankings.weights is not None else np.ones(len(rankings))
    lengths = np.diff(rankings.offsets).astype(np.int64)
    owner = np.repeat(np.arange(len(rankings)), lengths)
    top = rankings.levels == 0
    share = w[owner] / np.bincount(owner[top], minlength=len(rankings))[owner]
    return _result(rankings, np.bincount(rankings.items[top], share[top], n), "plurality")


Votes = Union[Rankings, Preferences, PairTable]
"""What the rules on the majority matrix take: rankings, or pairwise data (a preference matrix
or a pair table, whose ties count half each way)."""


def _preferences(data: Votes, unranked: Unranked, rule: str) -> tuple[Any, np.ndarray]:
    """(something with ``.labels``, P) where P[i, j] = the weight preferring i to j."""
    if isinstance(data, Rankings):
        return data, pairwise_preferences(data, unranked=unranked)
    if isinstance(data, (Preferences, PairTable)):
        prefs = preference_matrix(data)
        return prefs, prefs.matrix
    raise RankaggError(
        f"{rule} takes rankagg.Rankings, rankagg.Preferences or a rankagg.PairTable, not {type(data).__name__}; "
        "for comparison rows use rankagg.preference_matrix(data, a=..., b=..., outcome=...)"
    )


def _margins(data: Votes, unranked: Unranked, rule: str) -> tuple[Any, np.ndarray]:
    holder, p = _preferences(data, unranked, rule)
    return holder, p - p.T


def _rankings_only(data: Any, rule: str) -> Rankings:
    if not isinstance(data, Rankings):
        raise RankaggError(f"{rule} needs each voter's ranking (rankagg.Rankings), not {type(data).__name__}: pairwise data do not say who was first")
    return data


def copeland(rankings: Votes, *, unranked: Unranked = "below") -> Consensus:
    """Copeland: one point per majority win, half per majority tie."""
    holder, m = _margins(rankings, unranked, "copeland")
    off = ~np.eye(len(m), dtype=bool)
    score = ((m > 0) & off).sum(axis=1) + 0.5 * ((m == 0) & off).sum(axis=1)
    return _result(holder, score.astype(float), "copeland", unranked=unranked)


def minimax(rankings: Votes, *, unranked: Unranked = "below") -> Consensus:
    """Minimax (Simpson–Kramer): score = −(the largest margin by which another item beats this
    one); the winner's worst defeat is the mildest."""
    holder, m = _margins(rankings, unranked, "minimax")
    np.fill_diagonal(m, -np.inf)
    worst = np.maximum(m.max(axis=0), 0.0)
    return _result(holder, -worst, "minimax", unranked=unranked)


def schulze(rankings: Votes, *, unranked: Unranked = "below") -> Consensus:
    """Schulze (beat-path) with winning votes: d[i, j] = P[i, j] when i beats j by majority;
    path strengths by Floyd–Warshall; i is above j when its strongest path to j is stronger.
    Score = the number of items an item is above."""
    holder, p = _preferences(rankings, unranked, "schulze")
    n = len(p)
    d = np.where(p > p.T, p, 0.0)
    np.fill_diagonal(d, 0.0)
    for k in range(n):
        d = np.maximum(d, np.minimum(d[:, k : k + 1], d[k : k + 1, :]))
    np.fill_diagonal(d, 0.0)
    score = (d > d.T).sum(axis=1).astype(float)
    return _result(holder, score, "schulze", unranked=unranked)


def ranked_pairs(rankings: Votes, *, unranked: Unranked = "below") -> Consensus:
    """Ranked pairs (Tideman): lock in majorities from the largest margin down, skipping any
    that would close a cycle; the result is the locked order. Equal margins are taken in label
    order of (winner, loser)."""
    holder, m = _margins(rankings, unranked, "ranked_pairs")
    n = len(m)
    pairs = [(m[i, j], i, j) for i in range(n) for j in range(n) if m[i, j] > 0]
    pairs.sort(key=lambda t: (-t[0], t[1], t[2]))
    reach = np.eye(n, dtype=bool)  # reach[i, j]: a locked path from i to j
    for _, i, j in pairs:
        if not reach[j, i]:
            reach |= np.outer(reach[:, i], reach[j, :])
    score = reach.sum(axis=1).astype(float) - 1.0  # items below in the locked order
    return _result(holder, score, "ranked_pairs", unranked=unranked)


def instant_runoff(rankings: Rankings) -> Consensus:
    """Instant runoff: repeatedly eliminate the item with the fewest first preferences among
    those remaining (a voter's vote goes to their top remaining item; tied tops share it;
    ballots with no remaining item are exhausted). Ties for elimination: the item last in label
    order goes first. Position = reverse order of elimination; score = the round survived."""
    rankings = _rankings_only(rankings, "instant_runoff")
    lv = _levels(rankings, "below")
    w = rankings.weights if rankings.weights is not None else np.ones(len(rankings))
    n = lv.shape[1]
    alive = np.ones(n, dtype=bool)
    eliminated: list[int] = []
    while alive.sum() > 1:
        sub = np.where(alive, lv, np.inf)
        best = sub.min(axis=1, keepdims=True)
        top = (sub == best) & np.isfinite(best)
        share = np.divide(w, top.sum(axis=1), out=np.zeros_like(w), where=top.sum(axis=1) > 0)
        votes = share @ top
        candidates = np.flatnonzero(alive)
        fewest = candidates[votes[candidates] == votes[candidates].min()]
        loser = int(fewest.max())
        alive[loser] = False
        eliminated.append(loser)
    order = np.array([int(np.flatnonzero(alive)[0])] + eliminated[::-1])
    score = np.empty(n)
    score[order] = np.arange(n, 0, -1, dtype=float)
    return _result(rankings, score, "instant_runoff", order=order)


def condorcet_winner(rankings: Votes, *, unranked: Unranked = "below") -> Any:
    """The item that beats every other by majority, or ``None``."""
    holder, m = _margins(rankings, unranked, "condorcet_winner")
    n = len(m)
    for i in range(n):
        if all(m[i, j] > 0 for j in range(n) if j != i):
            return holder.labels[i]
    return None


def smith_set(rankings: Votes, *, unranked: Unranked = "below") -> list[Any]:
    """The smallest non-empty set of items each of which beats every item outside it by
    majority (in label order)."""
    holder, m = _margins(rankings, unranked, "smith_set")
    n = len(m)
    off = ~np.eye(n, dtype=bool)
    copeland_score = ((m > 0) & off).sum(axis=1) + 0.5 * ((m == 0) & off).sum(axis=1)
    order = np.lexsort((np.arange(n), -copeland_score))
    for k in range(1, n + 1):
        inside, outside = order[:k], order[k:]
        if len(outside) == 0 or np.all(m[np.ix_(inside, outside)] > 0):
            return [holder.labels[int(i)] for i in sorted(inside)]
    return holder.labels.to_list()  # pragma: no cover - k = n always returns


def kemeny(
    data: Any,
    *,
    method: Method = "auto",
    time_limit: float | None = None,
    seed: int = 0,
    exact_limit: int = 16,
    unranked: Unranked = "below",
    progress: bool = False,
    a: str = "a",
    b: str = "b",
    outcome: str = "outcome",
    weight: str | None = None,
    outcomes: Mapping[Any, float] | None = None,
    winner: str | None = None,
    loser: str | None = None,
) -> Consensus:
    """Kemeny–Young consensus: the order with the least total pairwise disagreement with the
    voters (the maximum-likelihood order under the Mallows model), with a proof.

    The majority graph is split into strongly connected components (an optimal order keeps
    them in majority order). Each component of at most ``exact_limit`` items is solved exactly
    by dynamic programming over subsets; a larger one by branch and bound on the linear
    programming relaxation with 3-cycle cuts, from a heuristic start (Borda, Copeland and
    KwikSort orders improved by insertion moves). ``optimal`` is True only when ``cost`` equals
    the proven ``lower_bound``; otherwise (``method="heuristic"``, or ``time_limit`` ran out)
    the best order found is returned with the best bound proven.

    Args:
        data: :class:`Rankings`; a preference matrix (NumPy array or nested lists, ``P[i, j]`` =
            weight of preferring i to j; items are then 0 … n−1) or :class:`Preferences`;
            or pairwise comparisons (a frame or :class:`PairTable`, read with the keywords
            ``a`` … ``loser`` as in :func:`rankagg.bradley_terry`; a tie counts half each way).
        method: ``"auto"`` (exact search for components up to 200 items, the heuristic beyond),
            ``"exact"`` (exact search whatever the size) or ``"heuristic"``.
        time_limit: seconds for the whole search (None: until proved).
        seed: seeds the heuristic's random starts and the LP's cost perturbation.
        exact_limit: largest component solved by the subset DP (at most 22: time ~k²·2^k,
            memory 9·2^k bytes); 0 sends every component to the LP search.
        unranked: the convention for items a voter did not rank (see the module doc).
        progress: print the search's progress to stderr: per cut round (or half second) of a
            component's LP search, the value of its best order so far (the agreement
            Σ P[i, j] over i placed before j, within the component) and its upper bound.

    Ctrl-C interrupts a long search (``KeyboardInterrupt``). ``stats`` has the search effort
    (nodes, cut_rounds, lp_iterations, timed_out).

    Example:

    >>> import rankagg as ra
    >>> votes = ra.Rankings.from_lists([["a", "b", "c"]] * 4 + [["b", "c", "a"]] * 3 + [["c", "a", "b"]] * 2)
    >>> k = ra.kemeny(votes)
    >>> k.table["item"].to_list(), k.cost, k.optimal
    (['a', 'b', 'c'], 10.0, True)
    """
    from rankagg.preferences import Preferences, preference_matrix

    options = _search_options(method, time_limit, seed, exact_limit)
    if isinstance(data, Rankings):
        p = pairwise_preferences(data, unranked=unranked)
        labels = data.labels
    elif isinstance(data, Preferences):
        p, labels = data.matrix, data.labels
    elif isinstance(data, (np.ndarray, list, tuple)):
        p = _as_matrix(data, "kemeny")
        if p.ndim != 2 or p.shape[0] != p.shape[1]:
            raise RankaggError(f"kemeny: a matrix must be square, not of shape {p.shape}")
        labels = pl.Series("item", np.arange(p.shape[0]))
    else:
        prefs = preference_matrix(data, a=a, b=b, outcome=outcome, weight=weight, outcomes=outcomes, winner=winner, loser=loser)
        p, labels = prefs.matrix, prefs.labels
    n = len(p)
    p = np.array(p, dtype=float)
    np.fill_diagonal(p, 0.0)
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise RankaggError("kemeny: preferences must be finite and >= 0")
    sol = _core.kemeny(np.ascontiguousarray(p).reshape(-1), n, exact_limit, method, time_limit, seed, bool(progress))
    order = sol["order"].astype(np.int64)
    score = np.empty(n)
    score[order] = np.arange(n, 0, -1, dtype=float)  # n for the first, 1 for the last
    table = pl.DataFrame({"item": labels.gather(order), "position": np.arange(1, n + 1, dtype=np.uint32), "score": score[order]})
    names = labels.to_list()
    return Consensus(
        table,
        "kemeny",
        [names[int(order[0])]] if n else [],
        {**options, "unranked": unranked},
        cost=float(sol["cost"]),
        optimal=bool(sol["optimal"]),
        lower_bound=float(sol["lower_bound"]),
        components=[[names[i] for i in c] for c in sol["components"]],
        stats={k: sol[k] for k in ("nodes", "cut_rounds", "lp_iterations", "timed_out")},
        votes=data if isinstance(data, Rankings) else None,
    )


def _as_matrix(data: Any, name: str) -> np.ndarray:
    try:
        return np.array(data, dtype=float)
    except (TypeError, ValueError):
        raise RankaggError(
            f"{name}: an array or nested list is read as a square numeric matrix; pass rankings as ra.Rankings.from_lists(...)"
        ) from None


def _search_options(method: Any, time_limit: Any, seed: Any, exact_limit: Any) -> dict[str, Any]:
    if method not in ("auto", "exact", "heuristic"):
        raise RankaggError(f"method must be 'auto', 'exact' or 'heuristic', not {method!r}")
    if time_limit is not None and not (isinstance(time_limit, (int, float)) and not isinstance(time_limit, bool) and time_limit >= 0):
        raise RankaggError(f"time_limit must be None or a number of seconds >= 0, not {time_limit!r}")
    if not (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and 0 <= seed < 2**64):
        raise RankaggError(f"seed must be an integer in [0, 2**64), not {seed!r}")
    if not (isinstance(exact_limit, int) and not isinstance(exact_limit, bool) and 0 <= exact_limit <= 22):
        raise RankaggError(f"exact_limit must be an integer in [0, 22], not {exact_limit!r}")
    return {"method": method, "time_limit": time_limit, "seed": int(seed), "exact_limit": exact_limit}


@dataclass(frozen=True, repr=False)
class LinearOrdering:
    """The result of :func:`linear_ordering`. ``order``: the items, first first; ``value``: the
    sum of ``matrix[i, j]`` over i placed before j; ``optimal`` is True only when ``value``
    equals the proven ``upper_bound``. ``table``: item, position (1 = first)."""

    table: pl.DataFrame
    order: list[Any]
    value: float
    upper_bound: float
    optimal: bool
    components: list[list[Any]]
    """Strongly connected components of the "not worse" graph, in order."""
    stats: dict[str, Any]

    def __repr__(self) -> str:
        proof = "optimal" if self.optimal else f"upper bound {self.upper_bound:g}"
        return f"LinearOrdering({len(self.order)} items, value {self.value:g}, {proof})\n{self.table!r}"


def linear_ordering(
    matrix: Any,
    *,
    method: Method = "auto",
    time_limit: float | None = None,
    seed: int = 0,
    exact_limit: int = 16,
    progress: bool = False,
) -> LinearOrdering:
    """The linear ordering problem: an order of the items maximising the sum of
    ``matrix[i, j]`` over the pairs with i placed before j (any finite weights; the diagonal
    is ignored), with a proof of optimality. Kemeny consensus is this problem on the
    preference matrix. Same search and keywords as :func:`kemeny`.

    Args:
        matrix: an n × n array (items 0 … n−1) or :class:`Preferences` (items by label).

    Example:

    >>> import rankagg as ra
    >>> r = ra.linear_ordering([[0, 5, 1], [2, 0, 7], [4, 1, 0]])
    >>> r.order, r.value, r.optimal
    ([0, 1, 2], 13.0, True)
    """
    from rankagg.preferences import Preferences

    _search_options(method, time_limit, seed, exact_limit)
    if isinstance(matrix, Preferences):
        w, labels = np.array(matrix.matrix, dtype=float), matrix.labels
    else:
        w = _as_matrix(matrix, "linear_ordering")
        if w.ndim != 2 or w.shape[0] != w.shape[1]:
            raise RankaggError(f"linear_ordering: a matrix must be square, not of shape {w.shape}")
        labels = pl.Series("item", np.arange(w.shape[0]))
    n = len(w)
    np.fill_diagonal(w, 0.0)
    if not np.all(np.isfinite(w)):
        raise RankaggError("linear_ordering: matrix entries must be finite")
    sol = _core.linear_ordering(np.ascontiguousarray(w).reshape(-1), n, exact_limit, method, time_limit, seed, bool(progress))
    order = sol["order"].astype(np.int64)
    names = labels.to_list()
    table = pl.DataFrame({"item": labels.gather(order), "position": np.arange(1, n + 1, dtype=np.uint32)})
    return LinearOrdering(
        table,
        [names[int(i)] for i in order],
        float(sol["value"]),
        float(sol["upper_bound"]),
        bool(sol["optimal"]),
        [[names[i] for i in c] for c in sol["components"]],
        {k: sol[k] for k in ("nodes", "cut_rounds", "lp_iterations", "timed_out")},
    )
