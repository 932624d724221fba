"""Positional rules beyond Borda and plurality: anti-plurality (fewest last places), Bucklin
and weighted Bucklin (scores accumulated rank by rank until a majority threshold is reached).

Counts are added exactly (integers, or rationals for fractional weights), so a threshold or a
tie is never decided by a rounding error.

>>> import rankagg as ra
>>> votes = ra.Rankings.from_lists([["a", "b", "c"]] * 2 + [["b", "c", "a"]] * 2 + [["c", "b", "a"]])
>>> ra.bucklin(votes).winners, ra.anti_plurality(votes).winners
(['b'], ['b'])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any, Literal

import numpy as np

from rankagg._util import MAX_SHOWN
from rankagg.budget import check_dense
from rankagg.checks import flag
from rankagg.consensus import Consensus, exact_shares, level_table, make_consensus, rankings_only
from rankagg.errors import RankaggError
from rankagg.rankings import Rankings

__all__ = ["anti_plurality", "bucklin", "weighted_bucklin"]


def anti_plurality(rankings: Rankings) -> Consensus:
    """Anti-plurality (veto): the winners are the items the fewest (weighted) voters rank last
    (pref_voting's ``anti_plurality`` on complete strict rankings). A voter's last place is
    their bottom tie group, or, on a truncated ballot, the items they did not rank (tied below
    the ranked ones); k items sharing a voter's last place get 1/k of the vote each, added
    exactly as rationals. Table: ``score`` = −(last-place votes).

    >>> import rankagg as ra
    >>> votes = ra.Rankings.from_lists([["a", "b", "c"], ["b", "a", "c"], ["c", "a", "b"]])
    >>> ra.anti_plurality(votes).table.rows()
    [('a', 1, 0.0), ('b', 2, -1.0), ('c', 3, -2.0)]
    """
    r = rankings_only(rankings, "anti_plurality")
    n, voters = len(r.labels), len(r)
    check_dense((voters, n), "anti_plurality's rankings × items table", copies=2)
    lv = level_table(r, "below")
    last = lv == lv.max(axis=1, keepdims=True)
    voter, item = np.nonzero(last)
    w = r.weights if r.weights is not None else np.ones(voters)
    key, totals = exact_shares(item, last.sum(axis=1)[voter], w[voter], n)
    return make_consensus(r, 0.0 - totals, "anti_plurality", key=[-k for k in key])


def bucklin(rankings: Rankings) -> Consensus:
    """Bucklin's rule (Hoag and Hallett 1926): count each item's first places; if some item has
    a strict majority of the voters (more than half their weight), stop; otherwise add the second places, and so on. The
    winners are the items with the most votes in the round where some item first reached a
    majority (or after the last round, when truncated ballots leave every item short).
    pref_voting's ``bucklin`` on complete rankings and ``bucklin_for_truncated_linear_orders``
    on truncated ones (voters with an empty ballot do not count towards the majority).

    Ballots may be truncated but not tied (a tied group has no single rank). Table: ``score`` =
    the votes in that round (exact); ``options["round"]`` the round.

    >>> import rankagg as ra
    >>> votes = ra.Rankings.from_lists([["a", "b", "c"]] * 2 + [["b", "c", "a"]] * 2 + [["c", "b", "a"]])
    >>> r = ra.bucklin(votes)
    >>> r.winners, r.options["round"], r.table["score"].to_list()
    (['b'], 2, [5.0, 3.0, 2.0])
    """
    r = rankings_only(rankings, "bucklin")
    return _bucklin(r, [1] * len(r.labels), threshold="above_half", rule="bucklin")


def weighted_bucklin(
    rankings: Rankings, *, points: Sequence[float] | None = None, strict_threshold: bool = False
) -> Consensus:
    """Weighted Bucklin (Kilgour, Grégoire and Foley 2020), pref_voting's ``weighted_bucklin``:
    the k-th score of an item adds, for each rank j ≤ k, ``points[j − 1]`` times the (weighted)
    voters ranking it j-th; scores are computed for k = 1, 2, … until some item's reaches half
    voters' weight W (``strict_threshold=True``: pref_voting's strict majority size ⌊W/2⌋ + 1,
    the number of whole voters that make a strict majority), and the items with the highest
    k-th score win. ``points`` default to the normalised Borda vector (n − j)/(n − 1) (1 for a
    single item); ``points=[1] * n`` with ``strict_threshold=True`` is :func:`bucklin` when the
    weights are whole numbers (for other weights :func:`bucklin` asks for more than W/2).

    Ballots may be truncated but not tied; sums are exact (points as given, in rationals).
    Table: ``score`` = the k-th score; ``options["round"]`` = k.

    >>> import rankagg as ra
    >>> votes = ra.Rankings.from_lists([["a", "b", "c"]] * 2 + [["b", "c", "a"]] * 2 + [["c", "b", "a"]])
    >>> ra.weighted_bucklin(votes).table.rows()
    [('b', 1, 3.5), ('a', 2, 2.0), ('c', 2, 2.0)]
    """
    r = rankings_only(rankings, "weighted_bucklin")
    n = len(r.labels)
    if points is None:
        exact: list[Any] = [Fraction(n - j, n - 1) for j in range(1, n + 1)] if n > 1 else [1]
    else:
        try:
            values = np.array(points, dtype=float)
        except (TypeError, ValueError):
            raise RankaggError("weighted_bucklin: points must be a sequence of numbers") from None
        if values.shape != (n,) or not np.all(np.isfinite(values)):
            raise RankaggError(
                f"weighted_bucklin: points must be {n} finite numbers (one per rank, the first for a first place), "
                f"not {list(np.atleast_1d(values))[:MAX_SHOWN]}"
            )
        exact = [Fraction(float(v)) for v in values.tolist()]
    return _bucklin(
        r,
        exact,
        threshold="majority_size" if flag("strict_threshold", strict_threshold) else "half",
        rule="weighted_bucklin",
        points=None if points is None else list(points),
    )


def _bucklin(
    r: Rankings,
    weights: Sequence[Any],
    *,
    threshold: Literal["half", "above_half", "majority_size"],
    rule: str,
    **options: Any,
) -> Consensus:
    """Scores accumulated rank by rank (exact ``weights`` per rank) until one reaches the
    threshold, from W, the weight of the non-empty ballots: at least W/2 (``"half"``), above
    W/2 (``"above_half"``), or at least ⌊W/2⌋ + 1 (``"majority_size"``)."""
    tied = r.tied_rankings()
    if tied:
        raise RankaggError(
            f"{rule} needs rankings without ties (a tied group has no single rank): rankings {tied[:MAX_SHOWN]}"
        )
    n, voters = len(r.labels), len(r)
    check_dense((n, n), f"{rule}'s items × ranks counts")
    lengths = np.diff(r.offsets.astype(np.int64))
    owner = np.repeat(np.arange(voters), lengths)
    w = r.weights if r.weights is not None else np.ones(voters)
    # count[c * n + j]: the exact weight of the voters ranking c at rank j + 1 (levels are ranks: no ties).
    count, _ = exact_shares(
        r.items.astype(np.int64) * n + r.levels, np.ones(len(owner), dtype=np.int64), w[owner], n * n
    )
    ballots = lengths > 0
    total, _ = exact_shares(np.zeros(int(ballots.sum()), dtype=np.int64), np.ones(int(ballots.sum())), w[ballots], 1)
    half = Fraction(total[0]) / 2
    bar = math.floor(half) + 1 if threshold == "majority_size" else half
    score: list[Any] = [0] * n
    for k in range(n):
        score = [score[c] + weights[k] * count[c * n + k] for c in range(n)]
        if any(s > bar if threshold == "above_half" else s >= bar for s in score):
            break
    return make_consensus(r, np.array([float(s) for s in score]), rule, key=score, round=k + 1, **options)
