"""Elimination rules on rankings: Nanson and Baldwin (repeated Borda counts among the items
still in the race) and Coombs (repeatedly drop the item most voters rank last).

Nanson and Baldwin score the remaining items by the symmetric Borda count: an item's majority
margins against the other remaining items, added (pairwise wins minus pairwise losses). For
complete strict rankings this is 2 · Borda − (k − 1) · voters among k remaining items, an
increasing affine map of the Borda count, so the eliminations are those of the classical rules
(and of pref_voting's ``strict_nanson``, ``weak_nanson`` and ``baldwin``). On ties, truncated
ballots and pairwise data it keeps both rules Condorcet-consistent: a Condorcet winner's margin
sum is positive while the remaining items' sums add up to zero, so it is never eliminated.
Restricting the candidates does not change the margin between two remaining items (whether a
voter ranks i above j does not depend on the other items, under either ``unranked``
convention), so every round reads a submatrix of the one majority-margin matrix of
:func:`rankagg.pairwise_preferences`.

>>> import rankagg as ra
>>> votes = ra.Rankings.from_lists([list("cdab")] * 5 + [list("bacd")] * 4 + [list("dabc")] * 2)
>>> ra.nanson(votes).winners, ra.baldwin(votes).winners, ra.coombs(votes).winners, ra.instant_runoff(votes).winners
(['a'], ['a'], ['c'], ['b'])
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from rankagg._util import MAX_SHOWN
from rankagg.budget import check_dense
from rankagg.checks import one_of
from rankagg.consensus import Consensus, Votes, exact_shares, majority_margins, make_consensus, rankings_only
from rankagg.errors import RankaggError
from rankagg.preferences import Unranked
from rankagg.rankings import Rankings

__all__ = ["baldwin", "coombs", "nanson"]


def nanson(
    rankings: Votes, *, unranked: Unranked = "below", variant: Literal["strict", "weak"] = "strict"
) -> Consensus:
    """Nanson's rule (Nanson 1882; Niou 1987): repeatedly eliminate, all at once, every
    remaining item whose Borda score among the remaining items is below the average
    (``variant="strict"``: strictly below, pref_voting's ``strict_nanson``; ``"weak"``: at or
    below, its ``weak_nanson``), until one item remains. When no item is strictly below the
    average (strict), or every item is at it (weak), the remaining items all win.

    The Borda score is the symmetric one, the sum of the item's majority margins against the
    other remaining items (see the module doc): the same eliminations as the Borda count on
    complete strict rankings. ``unranked`` as in :func:`rankagg.borda`; also takes pairwise
    data (:class:`Preferences`, :class:`PairTable`). Each round reads a submatrix of the
    majority margins (a candidate's removal changes no margin between the others).

    Table: ``score`` is the round in which the item was eliminated (1 = first out), the
    winners' one more than the last round; items eliminated together share a position.
    Time: the margin matrix, then O(n²) per round, O(n³) at worst (n − 1 rounds).

    >>> import rankagg as ra
    >>> votes = ra.Rankings.from_lists([["a", "b", "c"]] * 2 + [["b", "c", "a"]] * 2 + [["c", "a", "b"]])
    >>> ra.nanson(votes).winners, ra.nanson(votes, variant="weak").winners  # Borda a 5, b 6, c 4
    (['a'], ['b'])
    """
    if not one_of(variant, ("strict", "weak")):
        raise RankaggError(f"nanson: variant must be 'strict' or 'weak', not {variant!r}")
    return _borda_elimination(rankings, unranked, "nanson", variant, variant=variant)


def baldwin(rankings: Votes, *, unranked: Unranked = "below") -> Consensus:
    """Baldwin's rule (Baldwin 1926): repeatedly eliminate, all at once, the remaining items
    with the lowest Borda score among the remaining items, until one remains; when all the
    remaining items have the same score they all win (pref_voting's ``baldwin``, which removes
    every item tied for last rather than breaking the tie).

    The Borda score is the symmetric one (see the module doc and :func:`nanson`), the same
    eliminations as the Borda count on complete strict rankings; ``unranked`` as in
    :func:`rankagg.borda`; also takes pairwise data. Table as :func:`nanson`'s. Time: the
    margin matrix, then O(n²) per round, O(n³) at worst.

    >>> import rankagg as ra
    >>> votes = ra.Rankings.from_lists([["a", "b", "c"]] * 2 + [["b", "c", "a"]] * 2 + [["c", "a", "b"]])
    >>> ra.baldwin(votes).table["item"].to_list()
    ['a', 'b', 'c']
    """
    return _borda_elimination(rankings, unranked, "baldwin", "lowest")


def _borda_elimination(
    data: Votes,
    unranked: Unranked,
    rule: str,
    drop: Literal["lowest", "strict", "weak"],
    **options: Any,
) -> Consensus:
    """Eliminates the remaining items of the lowest symmetric Borda score (``"lowest"``), or
    those below the average (``"strict"``), or at or below it (``"weak"``), until one item
    remains or none or all would go. The average is compared exactly as k · s < Σ s."""
    holder, m = majority_margins(data, unranked, rule)
    n = len(m)
    out = np.zeros(n, dtype=np.int64)  # the round an item was eliminated in; 0: never
    alive = np.arange(n)
    rounds = 0
    while len(alive) > 1:
        s = m[np.ix_(alive, alive)].sum(axis=1)  # the submatrix of the remaining items' margins
        if drop == "lowest":
            gone = s == s.min()
        else:
            gone = len(s) * s < s.sum() if drop == "strict" else len(s) * s <= s.sum()
        if not gone.any() or gone.all():
            break
        rounds += 1
        out[alive[gone]] = rounds
        alive = alive[~gone]
    key = np.where(out == 0, rounds + 1, out)
    return make_consensus(holder, key.astype(float), rule, unranked=unranked, **options)


def coombs(rankings: Rankings) -> Consensus:
    """Coombs' rule (Coombs 1964): if an item is ranked first among the remaining items by a
    strict majority of the (weighted) voters, it wins; otherwise every item ranked last by the
    most voters is eliminated (all of them at once, pref_voting's ``coombs``), and so on. When
    the eliminations would remove every remaining item, those items all win.

    Needs complete rankings without ties (last places are not defined otherwise): the rankings
    that list fewer items or tie some are named in the error. Counts are added exactly (as
    integers or rationals). Table: ``score`` is the round in which the item was eliminated
    (1 = first out); the items still in the race when a majority winner emerged come just
    below the winner. Time O(n · voters): each round reads one first and one last item per voter.

    >>> import rankagg as ra
    >>> votes = ra.Rankings.from_lists([["a", "b", "c"]] * 2 + [["b", "c", "a"]] * 2 + [["c", "b", "a"]])
    >>> ra.coombs(votes).winners
    ['b']
    """
    r = rankings_only(rankings, "coombs")
    _complete_strict(r, "coombs")
    n, voters = len(r.labels), len(r)
    check_dense((voters, n), "coombs's rankings × items table")
    # order[v, j]: voter v's j-th item; each voter's first and last items still in the race are
    # found by moving two pointers past eliminated items (O(voters · n) in all, not per round).
    order = np.empty((voters, n), dtype=np.int64)
    order[np.repeat(np.arange(voters), n), r.levels.astype(np.int64)] = r.items
    top, bottom = np.zeros(voters, dtype=np.int64), np.full(voters, n - 1, dtype=np.int64)
    every = np.arange(voters)
    w = r.weights if r.weights is not None else np.ones(voters)
    one = np.ones(voters, dtype=np.int64)
    alive = np.ones(n, dtype=bool)
    out = np.zeros(n, dtype=np.int64)
    rounds = 0
    while True:
        first, _ = exact_shares(order[every, top], one, w, n)
        total = sum(first)
        winners = [c for c in np.flatnonzero(alive).tolist() if 2 * first[c] > total]
        if winners:
            break
        last, _ = exact_shares(order[every, bottom], one, w, n)
        most = max(last[c] for c in np.flatnonzero(alive).tolist())
        gone = [c for c in np.flatnonzero(alive).tolist() if last[c] == most]
        rounds += 1
        if len(gone) == int(alive.sum()):
            winners = gone
            break
        out[gone] = rounds
        alive[gone] = False
        for pointer, step in ((top, 1), (bottom, -1)):
            moved = every
            while len(moved := moved[~alive[order[moved, pointer[moved]]]]):
                pointer[moved] += step
    key = np.where(out == 0, rounds + 1, out)
    key[winners] = rounds + 2
    return make_consensus(r, key.astype(float), "coombs")


def _complete_strict(r: Rankings, rule: str) -> None:
    """Raises unless every ranking lists every item, without ties."""
    n = len(r.labels)
    short = np.flatnonzero(np.diff(r.offsets.astype(np.int64)) != n)
    if len(short):
        raise RankaggError(
            f"{rule} needs complete rankings (each of the {n} items ranked): rankings "
            f"{short[:MAX_SHOWN].tolist()} rank fewer; instant_runoff, bucklin or the margin rules take truncated ballots"
        )
    tied = r.tied_rankings()
    if tied:
        raise RankaggError(f"{rule} needs rankings without ties: rankings {tied[:MAX_SHOWN]} tie some items")
