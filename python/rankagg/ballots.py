"""Cardinal ballots: each voter gives items scores (approval ballots: 1 for the approved items)
instead of ranking them, and the rules that read them, approval voting and STAR.

A voter who gave an item no score gave it 0 (STAR's rule for a blank, and approval's: not
approved). Scores are added exactly (integers, or rationals for fractional scores and weights),
so a tie is never decided by a rounding error.

>>> import rankagg as ra
>>> ballots = ra.ScoreBallots.from_dicts([{"a": 5, "b": 3}, {"b": 4, "c": 5}, {"a": 1, "c": 4}])
>>> ra.star(ballots).winners, ra.approval([{"a", "b"}, {"b"}, {"c"}]).winners
(['c'], ['b'])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import polars as pl

from rankagg._util import MAX_SHOWN, repeated_in_ranking, sorted_rank, voter_weights
from rankagg.checks import floats
from rankagg.consensus import Consensus, make_consensus
from rankagg.errors import EmptyDataError, InvalidWeightError, MissingColumnError, NonFiniteValueError, RankaggError
from rankagg.intake import Frame, checked_frame, factorize
from rankagg.rankings import Rankings, float_totals

__all__ = ["ScoreBallots", "approval", "star"]


class _RepeatedItemError(RankaggError):
    """An item twice for one voter; ``rows``: the frame's rows at fault."""

    def __init__(self, message: str, rows: list[int]) -> None:
        super().__init__(message)
        self.rows = rows


@dataclass(frozen=True)
class ScoreBallots:
    """Score ballots in compact form: ballot ``k`` gives ``items[offsets[k]:offsets[k+1]]``
    (codes into ``labels``, which are sorted) the ``scores`` at the same positions (finite,
    ≥ 0); ``weights`` per ballot (or None) and ``voters`` naming each ballot. Items a ballot
    does not list have score 0.

    >>> import rankagg as ra
    >>> b = ra.ScoreBallots.from_frame({"voter": [1, 1, 2], "item": ["x", "y", "x"], "score": [3, 0, 5]})
    >>> len(b), b.labels.to_list(), b.scores.tolist()
    (2, ['x', 'y'], [3.0, 0.0, 5.0])
    """

    labels: pl.Series
    offsets: np.ndarray
    items: np.ndarray
    scores: np.ndarray
    weights: np.ndarray | None
    voters: pl.Series

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @classmethod
    def from_frame(
        cls,
        data: Frame,
        *,
        voter: str = "voter",
        item: str = "item",
        score: str | None = "score",
        weight: str | None = None,
    ) -> ScoreBallots:
        """Long format: one row per (voter, item) with the voter's score for the item (numeric
        or boolean, finite, ≥ 0; higher is better). ``score=None``: each row is an approval
        (score 1). ``weight``: a per-voter weight or count, constant within a voter. The rows at
        fault are named in the errors (nulls, NaN, negative scores, an item twice for a voter).

        >>> import rankagg as ra
        >>> ra.ScoreBallots.from_frame({"voter": ["ann", "ann", "bo"], "item": ["x", "y", "y"]}, score=None).scores.tolist()
        [1.0, 1.0, 1.0]
        """
        cols = [("voter", voter), ("item", item)] + [
            (k, c) for k, c in (("score", score), ("weight", weight)) if c is not None
        ]
        frame = checked_frame(data, cols)
        frame = frame.with_row_index("_row")
        if score is None:
            values = np.ones(frame.height)
        else:
            s = frame.get_column(score)
            if not (s.dtype.is_numeric() or s.dtype == pl.Boolean):
                raise RankaggError(f"column {score!r} (score=) must be numeric or boolean, not {s.dtype}")
            values = s.cast(pl.Float64).to_numpy()
            bad = np.flatnonzero(~np.isfinite(values))
            if len(bad):
                raise NonFiniteValueError(
                    f"column {score!r} (score=) has NaN or infinite values: rows {bad[:MAX_SHOWN].tolist()}"
                )
            bad = np.flatnonzero(values < 0)
            if len(bad):
                raise RankaggError(
                    f"column {score!r} (score=) has negative scores (a score ballot gives each item 0 or more): "
                    f"rows {bad[:MAX_SHOWN].tolist()}"
                )
        # Voters in order of first appearance, rows within a voter in order (a stable sort).
        (voter_codes,), _ = factorize([frame.get_column(voter)])
        order = np.argsort(np.asarray(voter_codes), kind="stable")
        frame = frame[order]
        (codes,), labels = factorize([frame.get_column(item)])
        codes, labels = sorted_rank(labels)[np.asarray(codes)], labels.sort().rename("item")
        owner = np.asarray(voter_codes)[order]
        offsets = np.searchsorted(owner, np.arange(int(owner[-1]) + 2)).astype(np.uint64)
        if repeated_in_ranking(offsets, codes, limit=1):
            key = owner.astype(np.int64) * len(labels) + codes
            _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
            rows = np.sort(frame.get_column("_row").to_numpy()[counts[inverse.reshape(-1)] > 1])
            raise _RepeatedItemError(
                f"an item appears twice for one voter (columns {voter!r}, {item!r}): rows {rows[:MAX_SHOWN].tolist()}",
                rows[:MAX_SHOWN].tolist(),
            )
        weights = voter_weights(frame, weight, offsets) if weight is not None else None
        voters = frame.get_column(voter).gather(pl.Series(offsets[:-1].astype(np.int64)))
        return cls(labels, offsets, codes.astype(np.uint32), values[order], weights, voters)

    @classmethod
    def from_dicts(
        cls, ballots: Iterable[Mapping[Any, float]], *, weights: Sequence[float] | None = None
    ) -> ScoreBallots:
        """One mapping item → score per voter (voters numbered 0, 1, …; a ballot with no item
        counts for nothing). Errors name the voter and item.

        >>> import rankagg as ra
        >>> ra.star([{"a": 5, "b": 4}, {"b": 5, "c": 1}, {"a": 3, "c": 5}]).winners
        ['a']
        """
        ballots = list(ballots)
        voter: list[int] = []
        item: list[Any] = []
        score: list[Any] = []
        for k, ballot in enumerate(ballots):
            if not isinstance(ballot, Mapping):
                raise RankaggError(f"ballot {k} is a {type(ballot).__name__}, not a mapping item → score")
            voter.extend([k] * len(ballot))
            item.extend(ballot.keys())
            score.extend(ballot.values())
        return cls._from_columns(ballots, voter, item, score, weights)

    @classmethod
    def from_sets(cls, ballots: Iterable[Iterable[Any]], *, weights: Sequence[float] | None = None) -> ScoreBallots:
        """Approval ballots: one collection of approved items per voter (score 1 each; voters
        numbered 0, 1, …).

        >>> import rankagg as ra
        >>> ra.ScoreBallots.from_sets([{"a", "b"}, ["b"]]).labels.to_list()
        ['a', 'b']
        """
        ballots = list(ballots)
        voter, item = [], []
        for k, ballot in enumerate(ballots):
            if isinstance(ballot, (str, bytes, Mapping)) or not isinstance(ballot, Iterable):
                raise RankaggError(
                    f"ballot {k} is a {type(ballot).__name__}: an approval ballot is a set or list of items"
                )
            approved = list(ballot)
            voter.extend([k] * len(approved))
            item.extend(approved)
        return cls._from_columns(ballots, voter, item, [1] * len(item), weights)

    @classmethod
    def _from_columns(
        cls, ballots: list[Any], voter: list[int], item: list[Any], score: list[Any], weights: Sequence[float] | None
    ) -> ScoreBallots:
        if not item:
            raise EmptyDataError("no ballots (or only empty ones)")
        try:
            items = pl.Series("item", item, strict=False)
            scores = pl.Series("score", score, strict=False)
        except (pl.exceptions.PolarsError, OverflowError, TypeError) as e:
            raise RankaggError(f"the ballots' items or scores cannot be held in one column: {e}") from None
        if items.null_count():
            raise RankaggError(f"the ballots name None as an item: ballots {_ballots_at(items.is_null(), voter)}")
        if not (scores.dtype.is_numeric() or scores.dtype == pl.Boolean):
            raise RankaggError(
                f"scores must be numbers, not {scores.dtype} (e.g. {scores.drop_nulls().head(1).to_list()})"
            )
        w = None
        if weights is not None:
            w = floats("weights", weights, InvalidWeightError)
            if w.shape != (len(ballots),):
                raise InvalidWeightError(f"weights has {w.size} entries for {len(ballots)} ballots")
            bad = np.flatnonzero(~(np.isfinite(w) & (w >= 0)))
            if len(bad):
                raise InvalidWeightError(
                    f"weights has NaN, infinite or negative values at ballots {bad[:MAX_SHOWN].tolist()}"
                )
        frame = pl.DataFrame({"voter": voter, "item": items, "score": scores})
        nonfinite = frame.filter(pl.col("score").is_null() | ~pl.col("score").cast(pl.Float64).is_finite())
        if nonfinite.height:
            raise NonFiniteValueError(f"scores must be finite numbers: (ballot, item) {_pairs(nonfinite)}")
        negative = frame.filter(pl.col("score").cast(pl.Float64) < 0)
        if negative.height:
            raise RankaggError(
                f"scores must be ≥ 0 (a score ballot gives each item 0 or more): (ballot, item) {_pairs(negative)}"
            )
        try:
            out = cls.from_frame(frame)
        except _RepeatedItemError as e:  # named by (ballot, item) rather than by rows of `frame`
            raise RankaggError(f"a ballot lists an item twice: (ballot, item) {_pairs(frame[e.rows])}") from None
        kept = out.voters.to_numpy()
        return cls(out.labels, out.offsets, out.items, out.scores, None if w is None else w[kept], out.voters)

    @property
    def is_approval(self) -> bool:
        """Whether every score is 0 or 1."""
        return bool(np.all((self.scores == 0) | (self.scores == 1)))

    def to_rankings(self) -> Rankings:
        """The ballots as rankings: higher scores first, equal scores tied; the items a ballot
        does not list are left unranked (below the listed ones under ``unranked="below"``, as
        their score 0 is at most any listed score). For the ranking rules.

        >>> import rankagg as ra
        >>> ra.ScoreBallots.from_dicts([{"a": 1, "b": 3, "c": 1}]).to_rankings().to_lists()
        [['b', ('a', 'c')]]
        """
        owner = np.repeat(np.arange(len(self)), np.diff(self.offsets.astype(np.int64)))
        long = pl.DataFrame(
            {"voter": owner, "item": self.labels.gather(self.items.astype(np.int64)), "rank": -self.scores}
        )
        r = Rankings.from_frame(long)
        return Rankings(r.labels, r.offsets, r.items, r.levels, self.weights, self.voters)


Ballots = ScoreBallots | Frame | Sequence[Mapping[Any, float]] | Sequence[Iterable[Any]]
"""What :func:`approval` and :func:`star` take: :class:`ScoreBallots`, a long frame with columns
``voter``, ``item`` and ``score`` (:meth:`ScoreBallots.from_frame`; build one yourself for other
column names), a list of mappings item → score, or (approval) a list of sets of approved items."""


def _ballots_at(mask: pl.Series, voter: list[int]) -> list[int]:
    return sorted({voter[i] for i in np.flatnonzero(mask.to_numpy())})[:MAX_SHOWN]


def _pairs(frame: pl.DataFrame) -> list[tuple[Any, Any]]:
    return list(zip(frame["voter"].head(MAX_SHOWN).to_list(), frame["item"].head(MAX_SHOWN).to_list()))


def _score_ballots(data: Any, rule: str) -> ScoreBallots:
    if isinstance(data, ScoreBallots):
        return data
    if isinstance(data, Rankings):
        raise RankaggError(
            f"{rule} reads score ballots (each voter's score or approval per item), not rankings: pass "
            "rankagg.ScoreBallots, a voter/item/score frame, dicts of scores or sets of approved items; for "
            "rankings use a ranking rule (borda, instant_runoff, ...)"
        )
    if isinstance(data, (list, tuple)) and data and all(isinstance(b, Mapping) for b in data):
        return ScoreBallots.from_dicts(data)
    if isinstance(data, (list, tuple)) and data and not any(isinstance(b, (str, bytes, Mapping)) for b in data):
        return ScoreBallots.from_sets(data)
    if isinstance(data, (list, tuple)):
        raise RankaggError(
            f"{rule}: a list of ballots holds either mappings item → score or sets of approved items"
            + ("" if data else ", and not none")
        )
    try:
        return ScoreBallots.from_frame(data)
    except MissingColumnError as e:
        raise MissingColumnError(
            f"{rule}: {e}; for other column names, rankagg.ScoreBallots.from_frame(data, voter=..., item=..., "
            "score=...) (score=None: one row per approval)"
        ) from None


def _weighted_sums(index: np.ndarray, value: np.ndarray, weight: np.ndarray, n: int) -> tuple[list[Any], np.ndarray]:
    """Per index, the exact Σ value · weight: integers when every value and weight is a whole
    number and the sums stay below 2**53 (float sums are then exact), else rationals over the
    distinct (index, value, weight) triples. Also as floats."""
    if not len(index):
        return [0] * n, np.zeros(n)
    whole = np.all(value == np.round(value)) and np.all(weight == np.round(weight))
    if whole and float(np.abs(value * weight).sum()) < 2.0**53:
        sums = np.bincount(index, value * weight, minlength=n)
        return [int(s) for s in sums.tolist()], sums
    rows = np.stack([index.astype(float), value, weight], axis=1)
    triples, counts = np.unique(rows, axis=0, return_counts=True)
    exact = [Fraction(0)] * n
    for (i, v, w), c in zip(triples.tolist(), counts.tolist()):
        exact[int(i)] += Fraction(v) * Fraction(w) * c
    return list(exact), float_totals(exact, "the totals")


def _per_ballot(b: ScoreBallots) -> tuple[np.ndarray, np.ndarray]:
    """The ballot of each listed score, and each ballot's weight."""
    owner = np.repeat(np.arange(len(b)), np.diff(b.offsets.astype(np.int64)))
    return owner, b.weights if b.weights is not None else np.ones(len(b))


def approval(ballots: Ballots) -> Consensus:
    """Approval voting (Brams and Fishburn 1978): each voter approves any number of items; the
    items with the most (weighted) approvals win (pref_voting's ``approval``). Takes approval
    ballots: sets of approved items, or scores of 0 and 1 (:class:`ScoreBallots`, a
    voter/item/score frame, or dicts; an item a voter does not list is not approved). Table:
    ``score`` = the approvals.

    >>> import rankagg as ra
    >>> ra.approval([{"a", "b"}, {"b", "c"}, {"a"}]).table.rows()
    [('a', 1, 2.0), ('b', 1, 2.0), ('c', 3, 1.0)]
    """
    b = _score_ballots(ballots, "approval")
    other = np.flatnonzero((b.scores != 0) & (b.scores != 1))
    if len(other):
        owner, _ = _per_ballot(b)
        at = [(b.voters[int(owner[i])], b.labels[int(b.items[i])], float(b.scores[i])) for i in other[:MAX_SHOWN]]
        raise RankaggError(
            f"approval reads approvals (scores 0 or 1); (voter, item, score) {at} are other scores: use star for "
            "score ballots"
        )
    owner, w = _per_ballot(b)
    key, totals = _weighted_sums(b.items.astype(np.int64), b.scores, w[owner], len(b.labels))
    return make_consensus(b, totals, "approval", key=key)


def star(ballots: Ballots) -> Consensus:
    """STAR voting, Score Then Automatic Runoff (Equal Vote Coalition, starvoting.org): the two
    items with the highest score totals meet in a runoff, won by the one more (weighted)
    voters scored higher (an item a voter left blank has score 0 for that voter). Ties as in
    pref_voting's ``star``: when several items share the highest total, every pair of them
    meets; when one item leads and several share the second total, it meets each of them; an
    item wins if it wins (or ties) one of these runoffs. One item: it wins.

    Time: O(listed scores) for the totals and for each runoff (k items tied for the highest
    total make k(k − 1)/2 runoffs). Any finite scores ≥ 0 (STAR ballots use 0 to 5). pref_voting's ``star`` compares two items
    only on the ballots that score both; here a blank is a 0, as STAR's rules say. Table:
    ``score`` = the score total; the winners, then the other finalists, then the rest by total.

    >>> import rankagg as ra
    >>> ballots = ra.ScoreBallots.from_dicts([{"a": 5, "b": 4}] * 2 + [{"a": 0, "b": 1, "c": 5}] * 2 + [{"b": 5}])
    >>> ra.star(ballots).table.rows()
    [('b', 1, 15.0), ('a', 2, 10.0), ('c', 2, 10.0)]
    """
    b = _score_ballots(ballots, "star")
    n = len(b.labels)
    owner, w = _per_ballot(b)
    key, totals = _weighted_sums(b.items.astype(np.int64), b.scores, w[owner], n)
    tier = [0] * n
    values = sorted(set(key), reverse=True)
    first = [c for c in range(n) if key[c] == values[0]]
    if len(first) > 1:
        pairs = [(x, y) for i, x in enumerate(first) for y in first[i + 1 :]]
    elif len(values) > 1:
        pairs = [(first[0], y) for y in range(n) if key[y] == values[1]]
    else:
        pairs = []
    for x, y in pairs:  # the finalists
        tier[x], tier[y] = max(tier[x], 1), max(tier[y], 1)
    for x, y in pairs:
        ahead = _runoff_margin(b, owner, w, x, y)
        for c in [x] if ahead > 0 else [y] if ahead < 0 else [x, y]:
            tier[c] = 2
    if not pairs:
        tier = [2] * n
    # Winners share position 1; below them the other finalists, then the rest, each by total.
    return make_consensus(b, totals, "star", key=[(t, 0 if t == 2 else k) for t, k in zip(tier, key)])


def _runoff_margin(b: ScoreBallots, owner: np.ndarray, w: np.ndarray, x: int, y: int) -> Any:
    """The exact weight of the ballots scoring x above y minus those scoring y above x (blank = 0)."""
    sx, sy = np.zeros(len(b)), np.zeros(len(b))
    sx[owner[b.items == x]] = b.scores[b.items == x]
    sy[owner[b.items == y]] = b.scores[b.items == y]
    side = np.sign(sx - sy)
    keep = side != 0
    sums, _ = _weighted_sums((side[keep] > 0).astype(np.int64), np.ones(int(keep.sum())), w[keep], 2)
    return sums[1] - sums[0]
