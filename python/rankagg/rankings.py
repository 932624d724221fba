"""Rankings: orderings of items by voters (races, judges, benchmark tasks), the input of
Plackett–Luce and of the consensus methods.

A ranking lists the items a voter ranked, best first; items a voter did not rank are absent
from that ranking (a partial or top-k ranking), not ranked last. Equal ranks are ties.

>>> import rankagg as ra
>>> r = ra.Rankings.from_lists([["a", "b", "c"], ["b", "a"], ["c", ["a", "b"]]])
>>> len(r), r.labels.to_list(), r.has_ties
(3, ['a', 'b', 'c'], True)
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence, Sized
from dataclasses import dataclass
from itertools import chain, groupby
from operator import itemgetter
from typing import Any

import numpy as np
import polars as pl

from rankagg._util import MAX_SHOWN, repeated_in_ranking, sorted_rank, voter_weights
from rankagg.checks import floats, shown
from rankagg.display import count_text, display_name
from rankagg.errors import EmptyDataError, InvalidWeightError, RankaggError
from rankagg.intake import Frame, checked_frame, factorize, index_labels_in_errors

__all__ = ["Rankings"]


@dataclass(frozen=True)
class Rankings:
    """Rankings in compact form: ranking ``k`` holds ``items[offsets[k]:offsets[k+1]]`` (codes
    into ``labels``, best first) with their ``levels`` (equal levels are tied; 0 is the top
    group), ``weights`` per ranking (or None), and ``voters`` naming each ranking."""

    labels: pl.Series
    offsets: np.ndarray
    items: np.ndarray
    levels: np.ndarray
    weights: np.ndarray | None
    voters: pl.Series

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @property
    def has_ties(self) -> bool:
        """Whether some ranking has two items at the same level."""
        return bool(self.tied_rankings())

    @classmethod
    @index_labels_in_errors
    def from_frame(
        cls, data: Frame, *, voter: str = "voter", item: str = "item", rank: str = "rank", weight: str | None = None
    ) -> Rankings:
        """Long format: one row per (voter, item) with the item's rank for that voter (smaller
        is better; equal ranks are ties). ``weight`` is a per-voter weight or count (constant
        within a voter).

        >>> import rankagg as ra
        >>> long = {"voter": [1, 1, 1, 2, 2], "item": ["x", "y", "z", "z", "x"], "rank": [1, 2, 3, 1, 2]}
        >>> ra.Rankings.from_frame(long).to_lists()
        [['x', 'y', 'z'], ['z', 'x']]
        """
        cols = [("voter", voter), ("item", item), ("rank", rank)] + ([("weight", weight)] if weight is not None else [])
        frame = checked_frame(data, cols)
        if not frame.schema[rank].is_numeric():
            raise RankaggError(f"column {rank!r} (rank=) must be numeric, not {frame.schema[rank]}")
        frame = frame.with_row_index("_row")
        if frame.schema[rank].is_float():
            bad_rows = frame.filter(~pl.col(rank).is_finite())
            if bad_rows.height:
                raise RankaggError(
                    f"column {rank!r} (rank=) has NaN or infinite values: rows {bad_rows['_row'].head(MAX_SHOWN).to_list()}"
                )
        elif frame.schema[rank].is_integer():
            # Ranks are compared as float64 below, which merges integers above 2**53.
            big = pl.col(rank) > 2**53
            if frame.schema[rank].is_signed_integer():
                big = big | (pl.col(rank) < -(2**53))
            bad_rows = frame.filter(big)
            if bad_rows.height:
                raise RankaggError(
                    f"column {rank!r} (rank=) has values beyond ±2**53, which cannot be compared exactly: rows {bad_rows['_row'].head(MAX_SHOWN).to_list()}"
                )
        dup = frame.filter(pl.struct(voter, item).is_duplicated())
        if dup.height:
            raise RankaggError(
                f"an item appears twice for one voter (columns {voter!r}, {item!r}): rows {dup['_row'].head(MAX_SHOWN).to_list()}"
            )
        # Voters in order of first appearance; within a voter, by rank (stable).
        first = frame.group_by(voter, maintain_order=True).agg(pl.col("_row").min().alias("_first"))
        frame = frame.join(first, on=voter, how="left").sort(["_first", rank, "_row"])
        (codes,), labels = factorize([frame.get_column(item)])
        codes, labels = sorted_rank(labels)[np.asarray(codes)], labels.sort().rename("item")
        voter_ids = frame.get_column("_first").to_numpy()
        boundary = np.flatnonzero(np.diff(voter_ids)) + 1
        offsets = np.concatenate([[0], boundary, [frame.height]]).astype(np.uint64)
        levels = (
            frame.select(pl.col(rank).cast(pl.Float64).rank("dense").over("_first").cast(pl.UInt32) - 1)
            .to_series()
            .to_numpy()
        )
        weights = voter_weights(frame, weight, offsets) if weight is not None else None
        voters = frame.get_column(voter).gather(pl.Series(offsets[:-1].astype(np.int64)))
        return cls(labels, offsets, codes.astype(np.uint32), levels, weights, voters)

    @classmethod
    def from_lists(cls, rankings: Iterable[Sequence[Any]], *, weights: Sequence[float] | None = None) -> Rankings:
        """Lists of items, best first; a list, tuple or set inside a ranking is a group of tied
        items, e.g. ``["a", ("b", "c"), "d"]``. Voters are numbered 0, 1, …

        >>> import rankagg as ra
        >>> ra.Rankings.from_lists([[3, 1, 2], [1, 3]]).to_lists()
        [[3, 1, 2], [1, 3]]
        """
        if not isinstance(rankings, Iterable):
            raise RankaggError(f"rankings must be a list of rankings (lists of items), not {shown(rankings)}")
        rankings = list(rankings)
        for k, ranking in enumerate(rankings):
            if isinstance(ranking, (str, bytes)):
                raise RankaggError(f"ranking {k} is a string, not a list of items")
            if not (isinstance(ranking, Sized) and isinstance(ranking, Iterable)):
                raise RankaggError(f"ranking {k} is {shown(ranking)}, not a list of items")
        group_types = (list, tuple, set, frozenset)
        flat: list[Hashable] = list(chain.from_iterable(rankings))
        lengths = np.fromiter(map(len, rankings), dtype=np.int64, count=len(rankings))
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        if not any(issubclass(t, group_types) for t in set(map(type, flat))):
            # No tie groups: an item's level is its position.
            levels = np.arange(len(flat), dtype=np.int64) - np.repeat(offsets[:-1], lengths)
        else:
            flat, level_list, off_list = [], [], [0]
            for ranking in rankings:
                for level, entry in enumerate(ranking):
                    group = list(entry) if isinstance(entry, group_types) else [entry]
                    flat.extend(group)
                    level_list.extend([level] * len(group))
                off_list.append(len(flat))
            levels, offsets = np.array(level_list, dtype=np.int64), np.array(off_list)
        if not flat:
            raise EmptyDataError("no rankings (or only empty ones)")
        try:
            series = pl.Series("item", flat, strict=False)
        except (pl.exceptions.PolarsError, OverflowError, TypeError) as e:
            raise RankaggError(f"the rankings' items cannot be held in one column: {e}") from None
        if series.null_count():
            raise RankaggError("rankings contain None")
        (codes,), labels = factorize([series])
        codes, labels = sorted_rank(labels)[np.asarray(codes)], labels.sort().rename("item")
        off = np.array(offsets, dtype=np.uint64)
        twice = repeated_in_ranking(off, codes)
        if twice:
            raise RankaggError(f"rankings {twice} list an item twice")
        w = None
        if weights is not None:
            w = floats(
                "weights", weights, InvalidWeightError
            )  # a copy: editing the caller's array later changes nothing here
            if w.shape != (len(off) - 1,):
                raise InvalidWeightError(f"weights has {w.size} entries for {len(off) - 1} rankings")
            bad = np.flatnonzero(~(np.isfinite(w) & (w >= 0)))
            if len(bad):
                raise InvalidWeightError(
                    f"weights has NaN, infinite or negative values at rankings {bad[:MAX_SHOWN].tolist()}"
                )
        return cls(
            labels,
            off,
            codes.astype(np.uint32),
            levels.astype(np.uint32),
            w,
            pl.Series("voter", np.arange(len(off) - 1)),
        )

    def to_lists(self) -> list[list[Any]]:
        """The rankings as lists of labels, best first, in the form :meth:`from_lists` takes:
        items tied with each other are one tuple, in label order, so
        ``Rankings.from_lists(r.to_lists(), weights=r.weights)`` gives back the same rankings.

        >>> import rankagg as ra
        >>> ra.Rankings.from_lists([["c", ("b", "a")], ["a", "c"]]).to_lists()
        [['c', ('a', 'b')], ['a', 'c']]
        """
        return self._lists(0, len(self))

    def _lists(self, start: int, stop: int) -> list[list[Any]]:
        """:meth:`to_lists` of the rankings ``start`` to ``stop`` (exclusive)."""
        names = self.labels.to_list()
        out: list[list[Any]] = []
        for lo, hi in zip(self.offsets[start:stop].tolist(), self.offsets[start + 1 : stop + 1].tolist()):
            ranking: list[Any] = []
            # By level, then label order within a level; one pass groups the ties.
            for _, group in groupby(
                sorted(zip(self.levels[lo:hi].tolist(), self.items[lo:hi].tolist())), key=itemgetter(0)
            ):
                codes = [c for _, c in group]
                ranking.append(names[codes[0]] if len(codes) == 1 else tuple(names[c] for c in codes))
            out.append(ranking)
        return out

    def __repr__(self) -> str:
        sizes = np.diff(self.offsets)
        lo, hi = (int(sizes.min()), int(sizes.max())) if len(sizes) else (0, 0)
        size = f"{lo}" if lo == hi else f"{lo}–{hi}"
        weighted = "" if self.weights is None else f", weights summing to {count_text(float(self.weights.sum()))}"
        head = [
            " > ".join(
                " = ".join(display_name(v, quote=True) for v in x)
                if isinstance(x, tuple)
                else display_name(x, quote=True)
                for x in ranking
            )
            for ranking in self._lists(0, min(len(self), 3))
        ]
        shown = "".join(f"\n  {v!r}: {h}" for v, h in zip(self.voters.head(3).to_list(), head, strict=True))
        more = f"\n  … ({len(self) - 3:,} more)" if len(self) > 3 else ""
        return (
            f"Rankings({len(self):,} ranking{'' if len(self) == 1 else 's'} of {len(self.labels):,} items, {size} items each"
            f"{', with ties' if self.has_ties else ''}{weighted}){shown}{more}"
        )

    def tied_rankings(self) -> list[int]:
        """Indices of the rankings that contain a tie."""
        return repeated_in_ranking(self.offsets, self.levels, limit=None)

    def pairwise_totals(self) -> tuple[np.ndarray, np.ndarray]:
        """Per item (label order): weighted number of items ranked below it (wins) and above
        it (losses), over all rankings."""
        n = len(self.labels)
        lengths = np.diff(self.offsets).astype(np.int64)
        start = np.repeat(self.offsets[:-1].astype(np.int64), lengths)
        pos = np.arange(len(self.items)) - start
        size = np.repeat(lengths, lengths)
        w = np.repeat(self.weights, lengths) if self.weights is not None else 1.0
        wins = np.bincount(self.items, (size - 1 - pos) * w, n)
        losses = np.bincount(self.items, pos * w, n)
        return wins, losses


def weights_overflow(what: str) -> InvalidWeightError:
    """The error for finite weights whose sums pass double precision (1.8e308) in ``what``
    (the majority matrix, Borda scores, first-place totals): no rule's winners depend on the
    weights' scale, so dividing them by a constant is the cure.

    >>> print(weights_overflow("the majority matrix"))
    the weights sum beyond double precision (1.8e308) in the majority matrix; divide the weights by a constant (no rule's winners depend on their scale)
    """
    return InvalidWeightError(
        f"the weights sum beyond double precision (1.8e308) in {what}; divide the weights by a constant "
        "(no rule's winners depend on their scale)"
    )


def float_totals(exact: Sequence[Any], what: str) -> np.ndarray:
    """Exact totals (``Fraction``s, integers) as floats, or :func:`weights_overflow`."""
    try:
        out = np.array([float(x) for x in exact], dtype=float)
    except OverflowError:
        raise weights_overflow(what) from None
    if not np.isfinite(out).all():
        raise weights_overflow(what)
    return out
