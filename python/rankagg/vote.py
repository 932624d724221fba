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

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal, TypeVar

import numpy as np
import polars as pl

from rankagg import _core
from rankagg.budget import check_dense, dense_peak
from rankagg.checks import one_of
from rankagg.consensus import (
    Consensus,
    Votes,
    exact_shares,
    level_table,
    majority_margins,
    make_consensus,
    preferences_of,
    rankings_only,
    smith_indices,
)
from rankagg.display import display_frame, progress_delay
from rankagg.errors import RankaggError
from rankagg.preferences import Preferences, Unranked, pairwise_preferences, preference_matrix
from rankagg.rankings import Rankings, weights_overflow

__all__ = [
    "Consensus",
    "LinearOrdering",
    "borda",
    "condorcet_winner",
    "copeland",
    "instant_runoff",
    "kemeny",
    "linear_ordering",
    "minimax",
    "plurality",
    "ranked_pairs",
    "schulze",
    "smith_set",
]

Method = Literal["auto", "exact", "heuristic"]
Strength = Literal["winning_votes", "margin"]
TieBreak = Literal["all", "label"]


def borda(rankings: Votes, *, unranked: Unranked = "below") -> Consensus:
    """Borda count: an item scores one point per (voter, item ranked below it); on complete
    strict rankings of n items, n − 1 for a first place down to 0 for a last. Ties in a ranking
    give no points between the tied items. On pairwise data: the (weighted) pairwise wins."""
    holder, p = preferences_of(rankings, unranked, "borda")
    score = p.sum(axis=1)
    if not np.isfinite(score).all():
        raise weights_overflow("the Borda scores")
    return make_consensus(holder, score, "borda", unranked=unranked)


def plurality(rankings: Rankings) -> Consensus:
    """Plurality: weighted first places. A voter who ties k items for first gives each 1/k of
    their vote; the shares are added exactly (as rationals), so three thirds and a whole vote
    tie with two whole votes. Equal totals share a position."""
    rankings = rankings_only(rankings, "plurality")
    n = len(rankings.labels)
    w = rankings.weights if rankings.weights is not None else np.ones(len(rankings))
    lengths = np.diff(rankings.offsets).astype(np.int64)
    owner = np.repeat(np.arange(len(rankings)), lengths)
    top = rankings.levels == 0
    size = np.bincount(owner[top], minlength=len(rankings))
    key, totals = exact_shares(rankings.items[top], size[owner[top]], w[owner[top]], n)
    return make_consensus(rankings, totals, "plurality", key=key)


@dense_peak(3, "copeland")
def copeland(rankings: Votes, *, unranked: Unranked = "below", alpha: float = 0.5) -> Consensus:
    """Copeland^α: one point per majority win, ``alpha`` per majority tie (Faliszewski,
    Hemaspaandra & Hemaspaandra 2009). The default ½ is Copeland's rule (pref_voting's
    ``copeland``); ``alpha=1`` is Llull's rule (pref_voting's ``llull``), ``alpha=0`` counts
    wins only. Scores are compared exactly (``alpha`` as the rational its float is), so equal
    totals share a position.

    >>> import rankagg as ra
    >>> votes = ra.Rankings.from_lists([list("acdb"), list("cdba"), list("abcd"), list("dbca")])
    >>> [ra.copeland(votes, alpha=alpha).winners for alpha in (0, 0.5, 1)]
    [['c', 'd'], ['c'], ['a', 'c']]
    """
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0.0 <= alpha <= 1.0:
        raise RankaggError(f"copeland: alpha (the points for a majority tie) must be a number in [0, 1], not {alpha!r}")
    holder, m = majority_margins(rankings, unranked, "copeland")
    off = ~np.eye(len(m), dtype=bool)
    wins, ties = ((m > 0) & off).sum(axis=1), ((m == 0) & off).sum(axis=1)
    score = wins + float(alpha) * ties
    key = [w + Fraction(float(alpha)) * t for w, t in zip(wins.tolist(), ties.tolist())]
    options: dict[str, Any] = {"unranked": unranked} if alpha == 0.5 else {"unranked": unranked, "alpha": float(alpha)}
    return make_consensus(holder, score.astype(float), "copeland", key=key, **options)


@dense_peak(3, "minimax")
def minimax(rankings: Votes, *, unranked: Unranked = "below") -> Consensus:
    """Minimax (Simpson–Kramer): score = −(the largest margin by which another item beats this
    one); the winner's worst defeat is the mildest."""
    holder, m = majority_margins(rankings, unranked, "minimax")
    np.fill_diagonal(m, -np.inf)
    worst = np.maximum(m.max(axis=0), 0.0)
    return make_consensus(holder, -worst, "minimax", unranked=unranked)


@dense_peak(5, "schulze")
def schulze(rankings: Votes, *, unranked: Unranked = "below", strength: Strength = "winning_votes") -> Consensus:
    """Schulze (beat-path). A majority i over j is a link of strength P[i, j] (``strength=
    "winning_votes"``, Schulze's choice) or P[i, j] − P[j, i] (``"margin"``, pref_voting's
    default); d[i, j] is the strength of the strongest path of links from i to j (Rust: one
    reachability per distinct strength when they are few, else links taken strongest first),
    and i is above j in Schulze's order when d[i, j] > d[j, i]. This order is transitive but
    not complete: items neither above nor below each other are not ordered.

    The winners are every item that no item is above (Schulze 2011). The table follows
    Schulze's order: ``rank`` is 1 + the number of items above the item, ``score`` the
    number of items it is above; an item above another always has a smaller position, and
    items sharing a position are never ordered by the rule (a tie). The two strengths agree on
    complete strict rankings, where P[i, j] + P[j, i] is the number of voters.

    >>> import rankagg as ra
    >>> votes = ra.Rankings.from_lists([list("bca"), list("cab"), list("abc"), list("cab"), list("bca")])
    >>> ra.schulze(votes).winners
    ['b', 'c']
    """
    if not one_of(strength, ("winning_votes", "margin")):
        raise RankaggError(f"strength must be 'winning_votes' or 'margin', not {strength!r}")
    holder, p = preferences_of(rankings, unranked, "schulze")
    n = len(p)
    # Rust: the links and their strongest paths (n × n), the list of links sorted by strength
    # when they are many distinct ones (16 bytes per link, with its per-row parts)
    check_dense((n, n), "the strongest-path matrix", copies=4)
    flat = np.ascontiguousarray(p, dtype=np.float64).reshape(-1)
    above, below = _core.schulze(n, flat, strength == "winning_votes")
    position = 1 + above.astype(np.int64)  # 1 + the number of items above the item
    score = below.astype(float)  # the number of items it is above
    return make_consensus(holder, score, "schulze", position=position, unranked=unranked, strength=strength)


@dense_peak(4, "ranked_pairs")
def ranked_pairs(rankings: Votes, *, unranked: Unranked = "below", tie_break: TieBreak = "all") -> Consensus:
    """Ranked pairs (Tideman): take the majorities from the largest margin down and lock each
    in unless it would close a cycle with those already locked.

    Equal margins need an order. ``tie_break="all"`` (the default, as pref_voting's
    ``ranked_pairs``) tries every order of the equal margins: the winners are every item that
    nothing is locked above in the outcome of some order (a tied pair, margin 0, locks
    nothing: both its items can win). The table puts the winners at position 1 and the other
    items after them in the order ``"label"`` locks (below the winners, the table is the
    label-order one). The number of orders can grow exponentially (deciding whether an item
    wins is NP-complete: Brill & Fischer 2012). Only the Smith set is searched (every winner
    lies in it, whatever the order), items that cannot win are ruled out by their beat-paths
    first, and the search for each other item stops at the first order it wins under; a
    profile needing more than a few seconds of search raises :class:`RankaggError`, pointing
    to ``"label"``.

    ``tie_break="label"``: equal margins are taken in label order of (winner, loser), and tied
    pairs (margin 0) are then locked in label order too, as pref_voting's ``ranked_pairs_tb``
    with the labels' order: one winner and a complete order (positions 1 … n).

    ``score``: the number of items placed below the item (the winners: all but the winners).

    >>> import rankagg as ra
    >>> votes = ra.Rankings.from_lists([list("bca"), list("abc")])
    >>> ra.ranked_pairs(votes).winners, ra.ranked_pairs(votes, tie_break="label").winners
    (['a', 'b'], ['a'])
    """
    if not one_of(tie_break, ("all", "label")):
        raise RankaggError(f"tie_break must be 'all' or 'label', not {tie_break!r}")
    holder, p = preferences_of(rankings, unranked, "ranked_pairs")
    n = len(p)
    # the majorities (margin >= 0, both ways for a tie) sorted in Rust: 16 bytes each, with
    # their per-row parts while the list is assembled
    check_dense((n, n), "ranked pairs' majorities sorted by margin", copies=4)
    flat = np.ascontiguousarray(p, dtype=np.float64).reshape(-1)
    below = _core.ranked_pairs_label(n, flat).astype(np.int64)
    if tie_break == "label":
        return make_consensus(
            holder,
            below.astype(float),
            "ranked_pairs",
            order=np.argsort(-below, kind="stable"),
            unranked=unranked,
            tie_break=tie_break,
        )
    winners = _ranked_pairs_winners(p)
    won = set(winners)
    rest = [a for a in np.argsort(-below, kind="stable").tolist() if a not in won]
    position = np.empty(n, dtype=np.uint32)
    position[winners] = 1
    position[rest] = np.arange(len(winners) + 1, n + 1, dtype=np.uint32)
    score = (n - position).astype(float)
    score[winners] = n - len(winners)
    return make_consensus(holder, score, "ranked_pairs", position=position, unranked=unranked, tie_break=tie_break)


_RP_WORK_LIMIT = 3_000_000_000
"""Word operations the every-order search of ranked pairs may do before it gives up (a few
seconds): closure updates and copies, edge scans."""
_RP_MEMORY_LIMIT = 1 << 30
"""Bytes of search states it may store (the states seen and those waiting)."""


def _ranked_pairs_winners(p: np.ndarray) -> list[int]:
    """The items (indices, ascending) that win ranked pairs under some order of equal margins:
    the Rust search (``_core.ranked_pairs_winners``) on the Smith set, where every winner lies
    whatever the order (nothing outside beats anything inside, so no locked path leads back
    into it and locking inside it is unaffected by the rest)."""
    smith = smith_indices(p)
    block = p[np.ix_(smith, smith)]
    sub = block - block.T
    won = _core.ranked_pairs_winners(
        len(smith), np.ascontiguousarray(sub).reshape(-1), _RP_WORK_LIMIT, _RP_MEMORY_LIMIT
    )
    if won is None:
        raise RankaggError(
            "ranked_pairs: too many orders of equal margins to try (deciding the winners under every order is "
            "NP-complete, Brill & Fischer 2012); pass tie_break='label' for the fixed label-order tie-break"
        )
    return [int(smith[a]) for a in won]


def instant_runoff(rankings: Rankings) -> Consensus:
    """Instant runoff: repeatedly eliminate the item with the fewest first preferences among
    those remaining (a voter's vote goes to their top remaining item; k tied tops get 1/k each,
    added exactly as rationals; ballots with no remaining item are exhausted). Ties for
    elimination: the item last in label order goes first (pref_voting's ``instant_runoff``
    with ``tie_breaker`` the reversed label order, split scores). Position = reverse order of
    elimination; score = the round survived."""
    rankings = rankings_only(rankings, "instant_runoff")
    n = len(rankings.labels)
    exact = _whole_weights(rankings)
    if exact is None:
        order = _instant_runoff_exact(rankings)
    else:
        weights, unit = exact
        order = _core.instant_runoff(
            n,
            np.ascontiguousarray(rankings.offsets, dtype=np.uint64),
            np.ascontiguousarray(rankings.items, dtype=np.uint32),
            np.ascontiguousarray(rankings.levels, dtype=np.uint32),
            weights,
            unit,
        ).astype(np.int64)
    score = np.empty(n)
    score[order] = np.arange(n, 0, -1, dtype=float)
    return make_consensus(rankings, score, "instant_runoff", order=order)


def _largest_tie(r: Rankings) -> int:
    """The most items sharing one level in a ranking (1 without ties). A ranking's levels never
    decrease, so a tie is an entry equal to the one before it in the same ranking: one compare
    pass settles the common untied case; the run lengths are measured only when there are ties."""
    same = r.levels[1:] == r.levels[:-1]
    starts = r.offsets[1:-1].astype(np.int64)
    same[starts[(starts > 0) & (starts < len(r.levels))] - 1] = False  # a ranking's first entry starts afresh
    if not same.any():
        return 1
    new_level = np.ones(len(r.levels), dtype=bool)
    new_level[1:] = ~same
    return int(np.diff(np.append(np.flatnonzero(new_level), len(r.levels))).max())


def _whole_weights(r: Rankings) -> tuple[np.ndarray | None, int] | None:
    """Exact integer tallies for instant runoff: whole-number weights proportional to the
    rankings' (every float is a dyadic rational, so a power of two scales them to integers;
    None for unit weights) and ``unit`` = lcm(1 … largest tie in a ranking), a multiple of every
    number of top items a vote can be split between, so every share ``weight · unit / g`` is an
    integer. None when the tallies could exceed 2¹²⁶ (weights spanning hundreds of binary
    orders of magnitude, ties of more than ~40 items): then the rationals are added in Python."""
    largest_tie = _largest_tie(r)
    unit = math.lcm(*range(1, largest_tie + 1))
    if unit >= 2**63:
        return None
    if r.weights is None:
        return (None, unit) if len(r) * unit < 2**126 else None
    w = np.asarray(r.weights, dtype=np.float64)
    positive = w[w > 0]
    if not len(positive):
        return np.zeros(len(w), dtype=np.uint64), unit
    mantissa, exponent = np.frexp(positive)  # w = m · 2^e, m · 2^53 a whole number
    whole = (mantissa * 2.0**53).astype(np.uint64)
    lowest = exponent.astype(np.int64) - 53 + np.log2(whole & (~whole + np.uint64(1))).astype(np.int64)
    with np.errstate(over="ignore"):  # inf when the weights span too far: caught just below
        scaled = np.ldexp(w, -int(lowest.min()))  # every weight a whole number, the smallest odd
    top = float(scaled.max())
    if top >= 2.0**63 or int(top) * len(w) * unit >= 2**126:
        return None
    return scaled.astype(np.uint64), unit


def _instant_runoff_exact(rankings: Rankings) -> np.ndarray:
    """Instant runoff's order (the winner first, then the eliminated from last to first) over
    the dense levels, each round's shares added as exact rationals: for weights whose integer
    tallies would not fit 128 bits (``_whole_weights``)."""
    lv = level_table(rankings, "below")
    w = rankings.weights if rankings.weights is not None else np.ones(len(rankings))
    n = lv.shape[1]
    alive = np.ones(n, dtype=bool)
    eliminated: list[int] = []
    while alive.sum() > 1:
        sub = np.where(alive, lv, np.inf)
        best = sub.min(axis=1, keepdims=True)
        top = (sub == best) & np.isfinite(best)
        voter, item = np.nonzero(top)
        votes, _ = exact_shares(item, top.sum(axis=1)[voter], w[voter], n)
        candidates = np.flatnonzero(alive).tolist()
        least = min(votes[c] for c in candidates)
        loser = max(c for c in candidates if votes[c] == least)
        alive[loser] = False
        eliminated.append(loser)
    return np.array([int(np.flatnonzero(alive)[0])] + eliminated[::-1])


@dense_peak(3, "condorcet_winner")
def condorcet_winner(rankings: Votes, *, unranked: Unranked = "below") -> Any:
    """The item that beats every other by majority, or ``None``."""
    holder, p = preferences_of(rankings, unranked, "condorcet_winner")
    n = len(p)
    # Only the item standing after one pass can win: a Condorcet winner, once reached, is
    # never replaced, since it beats every later item. Margins as P − Pᵀ would compute them.
    c = 0
    for j in range(1, n):
        if not p[c, j] - p[j, c] > 0:
            c = j
    others = np.arange(n) != c
    return holder.labels[c] if n and bool(np.all((p[c] - p[:, c])[others] > 0)) else None


@dense_peak(3, "smith_set")
def smith_set(rankings: Votes, *, unranked: Unranked = "below") -> list[Any]:
    """The smallest non-empty set of items each of which beats every item outside it by
    majority (in label order)."""
    holder, p = preferences_of(rankings, unranked, "smith_set")
    return holder.labels.gather(smith_indices(p)).to_list()


@dense_peak(4, "kemeny")
def kemeny(
    data: Any,
    *,
    method: Method = "auto",
    time_limit: float | None = None,
    seed: int = 0,
    exact_limit: int = 16,
    unranked: Unranked = "below",
    progress: bool | None = None,
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
    KwikSort orders improved by insertion moves; beyond 200 items, Borda and Copeland improved
    by moves within 64 places). ``optimal`` is True only when ``cost`` equals the proven
    ``lower_bound``; otherwise (``method="heuristic"``, or ``time_limit`` ran out) the best
    order found is returned with the best bound proven. The heuristic's bound is every pair's
    smaller majority less a packing of the majority 3-cycles through the pairs its order
    reverses (each cycle costs any order at least its shortest margin).

    Args:
        data: :class:`Rankings`; a preference matrix (NumPy array or nested lists, ``P[i, j]`` =
            weight of preferring i to j; items are then 0 … n−1) or :class:`Preferences`;
            or pairwise comparisons (a frame or :class:`PairTable`, read with the keywords
            ``a`` … ``loser`` as in :func:`rankagg.bradley_terry`; a tie counts half each way).
        method: ``"auto"`` (exact search for components up to 200 items, the heuristic beyond),
            ``"exact"`` (exact search whatever the size) or ``"heuristic"``.
        time_limit: seconds for the whole search (None: until proved). When the exact
            search is not proved in time, the heuristic's order is computed in full (~0.2 s at
            100 items, not cut by the limit) and kept if better, so the result is never worse
            than ``method="heuristic"``'s.
        seed: seeds the heuristic's random starts and the LP's cost perturbation.
        exact_limit: largest component solved by the subset DP (at most 22: time ~k²·2^k,
            memory 9·2^k bytes); 0 sends every component to the LP search.
        unranked: the convention for items a voter did not rank (see the module doc).
        progress: print the search's progress to stderr: per cut round (or half second) of a
            component's LP search, the value of its best order so far (the agreement
            Σ P[i, j] over i placed before j, within the component) and its upper bound.
            ``None`` (default): once the search has run 2 s, in a terminal or a notebook
            (``RANKAGG_PROGRESS=0`` turns it off, ``=1`` on); ``True``: from the start;
            ``False``: never.

    Ctrl-C interrupts a long search (``KeyboardInterrupt``). ``stats`` has the search effort
    (nodes, cut_rounds, lp_iterations, timed_out).

    Example:

    >>> import rankagg as ra
    >>> votes = ra.Rankings.from_lists([["a", "b", "c"]] * 4 + [["b", "c", "a"]] * 3 + [["c", "a", "b"]] * 2)
    >>> k = ra.kemeny(votes)
    >>> k.table["item"].to_list(), k.cost, k.optimal
    (['a', 'b', 'c'], 10.0, True)
    """
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
        prefs = preference_matrix(
            data, a=a, b=b, outcome=outcome, weight=weight, outcomes=outcomes, winner=winner, loser=loser
        )
        p, labels = prefs.matrix, prefs.labels
    n = len(p)
    check_dense((n, n), "kemeny's working copies", given=True)  # a matrix or Preferences given
    p = np.array(p, dtype=float)
    np.fill_diagonal(p, 0.0)
    if isinstance(data, Rankings) and np.any(np.isinf(p)):
        raise RankaggError(
            "kemeny: the rankings' weights sum beyond double precision (1.8e308) in the preference matrix; divide "
            "the weights by a constant — the optimal order does not change"
        )
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise RankaggError("kemeny: preferences must be finite and >= 0")
    sol, order, cost, e = _search_order(_core.kemeny, p, False, exact_limit, method, time_limit, seed, progress)
    # The certificate, checked: the cost of the order returned, recomputed, and a finite bound.
    sound = _certificate_holds(cost, float(sol["cost"]), float(sol["lower_bound"]))
    score = np.empty(n)
    score[order] = np.arange(n, 0, -1, dtype=float)  # n for the first, 1 for the last
    table = pl.DataFrame(
        {"item": labels.gather(order), "rank": np.arange(1, n + 1, dtype=np.uint32), "score": score[order]}
    )
    names = labels.to_list()
    return Consensus(
        table,
        "kemeny",
        [names[int(order[0])]] if n else [],
        {**options, "unranked": unranked},
        cost=_unscaled(cost, e, "kemeny", "cost"),
        optimal=bool(sol["optimal"]) and sound,
        lower_bound=_unscaled(float(sol["lower_bound"]), e, "kemeny", "lower bound"),
        components=[[names[i] for i in c] for c in sol["components"]],
        stats={k: sol[k] for k in ("nodes", "cut_rounds", "lp_iterations", "timed_out")},
        votes=data if isinstance(data, Rankings) else None,
    )


_SearchFit = TypeVar("_SearchFit", "_core.KemenyFit", "_core.LinearOrderingFit")


def _search_order(
    search: Callable[..., _SearchFit],
    w: np.ndarray,
    before: bool,
    exact_limit: int,
    method: str,
    time_limit: float | None,
    seed: int,
    progress: bool | None,
) -> tuple[_SearchFit, np.ndarray, float, int]:
    """Runs a Rust order search (``_core.kemeny`` or ``_core.linear_ordering``) on ``w`` (the
    caller's own copy, scaled in place by :func:`_power_of_two_scaled`). Returns its result, the
    order (``int64``), the order's own objective recomputed on the scaled matrix (Σ w[x, y] over
    x placed ``before`` y, or after it) and the scaling exponent."""
    scaled, e = _power_of_two_scaled(w)
    sol = search(
        np.ascontiguousarray(scaled).reshape(-1),
        len(w),
        exact_limit,
        method,
        time_limit,
        seed,
        progress_delay(progress),
    )
    order = sol["order"].astype(np.int64)
    return sol, order, _order_sum(scaled, order, before=before), e


def _power_of_two_scaled(w: np.ndarray) -> tuple[np.ndarray, int]:
    """Scales ``w`` (the caller's own copy) in place by ``2^−e`` so that its largest |entry| is in
    [0.5, 1), and returns it with ``e``: the optimal orders of the linear ordering and Kemeny
    problems do not change under positive scaling, and a power of two changes no digit (entries
    below 2^−1074 of the largest, far under the searches' tolerances, become 0). The searches then
    sum, bound and compare numbers of a fixed range whatever the input's magnitude: near the float
    maximum their sums would overflow to inf (and an inf bound "proves" any order optimal), near 0
    every entry would fall below their tolerances."""
    top = float(np.max(np.abs(w))) if w.size else 0.0
    if top == 0.0:
        return w, 0
    e = math.frexp(top)[1]
    np.ldexp(w, -e, out=w)
    return w, e


def _order_sum(w: np.ndarray, order: np.ndarray, *, before: bool) -> float:
    """Σ w[x, y] over the pairs with x placed before y (``before``) or after y in ``order``, one
    row at a time (no n × n permuted copy)."""
    return float(sum(w[x, order[k + 1 :] if before else order[:k]].sum() for k, x in enumerate(order.tolist())))


def _certificate_holds(recomputed: float, reported: float, bound: float) -> bool:
    """An optimality claim is kept only when the bound is finite and the search's value is the
    order's own (recomputed from the matrix)."""
    return (
        math.isfinite(bound) and math.isfinite(reported) and abs(recomputed - reported) <= 1e-9 * max(1.0, abs(bound))
    )


def _unscaled(x: float, e: int, name: str, what: str) -> float:
    try:
        v = math.ldexp(x, e)
    except OverflowError:
        v = math.inf
    if not math.isfinite(v):
        raise RankaggError(
            f"{name}: the {what} exceeds double precision (the matrix entries sum beyond 1.8e308); divide the "
            "matrix by a constant — the optimal order does not change"
        )
    return v


def _as_matrix(data: Any, name: str) -> np.ndarray:
    if isinstance(data, np.ndarray):
        check_dense(data.shape, f"{name}'s working copies", given=True)
    try:
        return np.array(data, dtype=float)
    except (TypeError, ValueError):
        raise RankaggError(
            f"{name}: an array or nested list is read as a square numeric matrix; pass rankings as ra.Rankings.from_lists(...)"
        ) from None


def _search_options(method: Any, time_limit: Any, seed: Any, exact_limit: Any) -> dict[str, Any]:
    if not one_of(method, ("auto", "exact", "heuristic")):
        raise RankaggError(f"method must be 'auto', 'exact' or 'heuristic', not {method!r}")
    if time_limit is not None and not (
        isinstance(time_limit, (int, float)) and not isinstance(time_limit, bool) and time_limit >= 0
    ):
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
    equals the proven ``upper_bound``. ``table``: item, rank (1 = first)."""

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
        return f"LinearOrdering({len(self.order)} items, value {self.value:g}, {proof})\n{display_frame(self.table)!r}"


@dense_peak(3, "linear_ordering")
def linear_ordering(
    matrix: Any,
    *,
    method: Method = "auto",
    time_limit: float | None = None,
    seed: int = 0,
    exact_limit: int = 16,
    progress: bool | None = None,
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
    _search_options(method, time_limit, seed, exact_limit)
    if isinstance(matrix, Preferences):
        check_dense(matrix.matrix.shape, "linear_ordering's working copies", given=True)
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
    sol, order, value, e = _search_order(
        _core.linear_ordering, w, True, exact_limit, method, time_limit, seed, progress
    )
    sound = _certificate_holds(value, float(sol["value"]), float(sol["upper_bound"]))
    names = labels.to_list()
    table = pl.DataFrame({"item": labels.gather(order), "rank": np.arange(1, n + 1, dtype=np.uint32)})
    return LinearOrdering(
        table,
        [names[int(i)] for i in order],
        _unscaled(value, e, "linear_ordering", "value"),
        _unscaled(float(sol["upper_bound"]), e, "linear_ordering", "upper bound"),
        bool(sol["optimal"]) and sound,
        [[names[i] for i in c] for c in sol["components"]],
        {k: sol[k] for k in ("nodes", "cut_rounds", "lp_iterations", "timed_out")},
    )
