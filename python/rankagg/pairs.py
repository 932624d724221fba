"""Comparison rows and their pair table: :class:`Comparisons` (a frame read into item codes,
outcomes and weights, row order kept) and :class:`PairTable` (per unordered pair that met, the
weighted wins of each side and the ties), with streaming (a LazyFrame in batches) and merging.
Frame intake itself is in ``intake.py``.

``data`` arguments accept a Polars DataFrame or LazyFrame, a pandas DataFrame, a pyarrow Table,
or a dict of columns. Only the named columns are read; the caller's object is never modified.
Item names of any dtype Polars can hold are factorized into dense ``uint32`` codes; the labels
keep their dtype and come back as the ``item`` column of every result.

>>> import rankagg as ra
>>> pairs = ra.PairTable.from_comparisons(
...     {"a": ["x", "y", "x"], "b": ["y", "z", "z"], "outcome": [1.0, 0.5, 0.0]})
>>> pairs.to_frame()
shape: (3, 5)
┌─────┬─────┬────────┬────────┬──────┐
│ a   ┆ b   ┆ wins_a ┆ wins_b ┆ ties │
│ --- ┆ --- ┆ ---    ┆ ---    ┆ ---  │
│ str ┆ str ┆ f64    ┆ f64    ┆ f64  │
╞═════╪═════╪════════╪════════╪══════╡
│ x   ┆ y   ┆ 1.0    ┆ 0.0    ┆ 0.0  │
│ x   ┆ z   ┆ 0.0    ┆ 1.0    ┆ 0.0  │
│ y   ┆ z   ┆ 0.0    ┆ 0.0    ┆ 1.0  │
└─────┴─────┴────────┴────────┴──────┘
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from rankagg import _core, intake
from rankagg._util import MAX_SHOWN, sorted_rank
from rankagg.display import count_text, display_name
from rankagg.errors import (
    EmptyDataError,
    InvalidWeightError,
    OutcomeRangeError,
    RankaggError,
    SelfComparisonError,
    UnknownOutcomeError,
)
from rankagg.intake import (
    Frame,
    check_columns,
    checked_frame,
    comparison_columns,
    factorize,
    index_labels_in_errors,
    is_text,
    select_columns,
)

__all__ = ["PairTable", "Comparisons", "LMARENA_OUTCOMES", "STREAM_BATCH_ROWS"]

LMARENA_OUTCOMES: dict[str, float] = {
    "model_a": 1.0,
    "model_b": 0.0,
    "tie": 0.5,
    "tie (bothbad)": 0.5,
}
"""Outcome labels understood without a mapping: LMArena's ``winner`` column."""


STREAM_BATCH_ROWS = 1 << 20
"""Rows per batch when a LazyFrame is reduced in streaming batches."""


@dataclass(frozen=True)
class PairTable:
    """The reduced statistics of pairwise comparisons: for each unordered pair of items that
    met, the (weighted) wins of each side and the ties. Every pairwise method fits from it.

    ``i < j`` index into ``labels``. A row with outcome ``o`` and weight ``w`` adds ``o·w`` wins
    to ``a`` and ``(1 - o)·w`` to ``b``, except that ``o == 0.5`` exactly counts as a tie.
    ``rows`` is the number of comparisons behind the table (rows of positive weight); the
    bootstrap draws that many per round.
    """

    labels: pl.Series
    i: np.ndarray
    j: np.ndarray
    wins_i: np.ndarray
    wins_j: np.ndarray
    ties: np.ndarray
    rows: int = 0

    @property
    def n_items(self) -> int:
        return len(self.labels)

    def __repr__(self) -> str:
        wins = float(self.wins_i.sum() + self.wins_j.sum())
        ties = float(self.ties.sum())
        shown = ", ".join(display_name(x, quote=True) for x in self.labels.head(3).to_list())
        more = f", … ({self.n_items} in all)" if self.n_items > 3 else ""
        return (
            f"PairTable({self.n_items} items, {len(self.i)} pairs that met, {self.rows:,} comparisons: "
            f"{count_text(wins)} decisive, {count_text(ties)} tied; items {shown}{more})"
        )

    @classmethod
    @index_labels_in_errors
    def from_comparisons(
        cls,
        data: Frame,
        *,
        a: str = "a",
        b: str = "b",
        outcome: str = "outcome",
        weight: str | None = None,
        outcomes: Mapping[Any, float] | None = None,
        winner: str | None = None,
        loser: str | None = None,
        progress: bool = False,
    ) -> PairTable:
        """Reduces comparison rows to a pair table (see :func:`rankagg.bradley_terry` for the
        meaning of the arguments). A LazyFrame is reduced in streaming batches; ``progress``
        then prints the rows read so far to standard error."""
        columns: dict[str, Any] = dict(
            a=a, b=b, outcome=outcome, weight=weight, outcomes=outcomes, winner=winner, loser=loser
        )
        if isinstance(data, pl.LazyFrame):
            return cls._stream(data, columns, progress)
        return _reduce_frame(data, columns)

    @classmethod
    def _stream(cls, data: pl.LazyFrame, columns: dict[str, Any], progress: bool = False) -> PairTable:
        """Reduces a LazyFrame batch by batch (``STREAM_BATCH_ROWS`` rows at a time), adding
        the batches' tables: peak memory is the pair table plus one batch, not the rows."""
        cols = comparison_columns(
            columns["a"], columns["b"], columns["outcome"], columns["weight"], columns["winner"], columns["loser"]
        )
        check_columns(data.collect_schema().names(), cols)  # before any work, without collecting
        names = list(dict.fromkeys(c for _, c in cols))
        # Batch tables wait in `pending` until they hold as many pairs as the running total,
        # then all are merged at once: each pair is re-sorted O(log batches) times, not once
        # per batch (which would cost batches × table with many items).
        total: PairTable | None = None
        pending: list[PairTable] = []
        offset = 0
        for batch in data.select(names).collect_batches(chunk_size=STREAM_BATCH_ROWS):
            if batch.height == 0:
                continue
            try:
                pending.append(_reduce_frame(batch, columns, offset))
            except EmptyDataError:
                pass  # a batch of zero-weight rows
            offset += batch.height
            if pending and sum(len(t.i) for t in pending) >= (0 if total is None else len(total.i)):
                total = PairTable.merge(([] if total is None else [total]) + pending)
                pending = []
            if progress:
                sys.stderr.write(f"\rreading comparisons: {offset:,} rows")
                sys.stderr.flush()
        if progress and offset:
            sys.stderr.write("\n")
        if offset == 0:
            raise EmptyDataError("the data have no rows")
        if pending:
            total = PairTable.merge(([] if total is None else [total]) + pending)
        if total is None:
            raise EmptyDataError("every row has zero weight: nothing to fit")
        return total

    @classmethod
    def from_counts(
        cls,
        data: Frame,
        *,
        a: str = "a",
        b: str = "b",
        wins_a: str = "wins_a",
        wins_b: str = "wins_b",
        ties: str | None = "ties",
    ) -> PairTable:
        """A pair table from counts reduced elsewhere (a group-by in DuckDB, Spark, SQL…): one
        row per pair with the wins of each side and the ties. Pairs may repeat (they are added)
        and come in either orientation. ``ties=None`` when there are no ties.

        >>> import rankagg as ra
        >>> t = ra.PairTable.from_counts({"a": ["x", "z"], "b": ["y", "x"], "wins_a": [3, 1], "wins_b": [1, 2]}, ties=None)
        >>> t.to_frame().rows()
        [('x', 'y', 3.0, 1.0, 0.0), ('x', 'z', 2.0, 1.0, 0.0)]
        """
        cols = [("a", a), ("b", b), ("wins_a", wins_a), ("wins_b", wins_b)]
        if ties is not None:
            cols.append(("ties", ties))
        frame = checked_frame(data, cols)
        counts = {}
        for keyword, name in cols[2:]:
            col = frame.get_column(name)
            if not col.dtype.is_numeric():
                raise InvalidWeightError(f"column {name!r} ({keyword}=) must be numeric, not {col.dtype}")
            v = col.cast(pl.Float64).to_numpy()
            bad = np.flatnonzero(~(np.isfinite(v) & (v >= 0)))
            if len(bad):
                raise InvalidWeightError(
                    f"column {name!r} ({keyword}=) has {len(bad)} NaN, infinite or negative count(s): rows {bad[:MAX_SHOWN].tolist()}"
                )
            counts[keyword] = v
        (ca, cb), labels = factorize([frame.get_column(a), frame.get_column(b)])
        zero = np.zeros(frame.height)
        try:
            i, j, wi, wj, tt = _counts_table(
                ca, cb, counts["wins_a"], counts["wins_b"], counts.get("ties", zero), sorted_rank(labels)
            )
        except SelfComparisonError as e:
            bad_rows = sorted({r % frame.height for r in e.rows})
            raise SelfComparisonError(
                f"rows {bad_rows} pair an item with itself (columns {a!r} and {b!r} are equal)"
            ) from None
        if len(i) == 0:
            raise EmptyDataError("every count is zero: nothing to fit")
        _check_finite_sums((wi, wj, tt), "the counts")
        table = PairTable(labels.sort(), i, j, wi, wj, tt)
        total = float(table.wins_i.sum() + table.wins_j.sum() + table.ties.sum())
        return cls(table.labels, table.i, table.j, table.wins_i, table.wins_j, table.ties, max(1, round(total)))

    def __add__(self, other: PairTable) -> PairTable:
        """The table of both tables' comparisons (for incremental updates): items are matched
        by label, counts added.

        >>> import rankagg as ra
        >>> t1 = ra.PairTable.from_comparisons({"a": ["x"], "b": ["y"], "outcome": [1.0]})
        >>> t2 = ra.PairTable.from_comparisons({"a": ["y", "z"], "b": ["x", "x"], "outcome": [0.5, 1.0]})
        >>> (t1 + t2).to_frame().rows()
        [('x', 'y', 1.0, 0.0, 1.0), ('x', 'z', 0.0, 1.0, 0.0)]
        """
        if not isinstance(other, PairTable):
            return NotImplemented
        return PairTable.merge([self, other])

    @staticmethod
    def merge(tables: Sequence[PairTable]) -> PairTable:
        """The table of all the tables' comparisons (``t1 + t2 + …`` in one step): items are
        matched by label, counts added, in the order given.

        >>> import rankagg as ra
        >>> parts = [ra.PairTable.from_comparisons({"a": [x], "b": ["z"], "outcome": [1.0]}) for x in "xyx"]
        >>> ra.PairTable.merge(parts).to_frame().rows()
        [('x', 'z', 2.0, 0.0, 0.0), ('y', 'z', 1.0, 0.0, 0.0)]
        """
        if not tables:
            raise EmptyDataError("no pair tables to merge")
        dtypes = {str(t.labels.dtype) for t in tables}
        if len(dtypes) > 1:
            raise RankaggError(f"cannot add pair tables with item dtypes {' and '.join(sorted(dtypes))}")
        merged = pl.concat([t.labels for t in tables]).unique().sort()
        n = len(merged)
        # Every label list is sorted, so each renaming is increasing and keeps i < j.
        keys = np.concatenate(
            [
                (lambda c: c[t.i].astype(np.int64) * n + c[t.j])(
                    merged.search_sorted(t.labels).to_numpy().astype(np.int64)
                )
                for t in tables
            ]
        )
        unique, where = np.unique(keys, return_inverse=True)

        def added(column: str) -> np.ndarray:
            return np.bincount(where, np.concatenate([getattr(t, column) for t in tables]), len(unique))

        return PairTable(
            merged.rename("item"),
            (unique // n).astype(np.uint32),
            (unique % n).astype(np.uint32),
            added("wins_i"),
            added("wins_j"),
            added("ties"),
            sum(t.rows for t in tables),
        )

    def to_frame(self) -> pl.DataFrame:
        """The table as a frame with columns a, b, wins_a, wins_b, ties (one row per pair)."""
        idx_i = pl.Series(self.i, dtype=pl.UInt32)
        idx_j = pl.Series(self.j, dtype=pl.UInt32)
        return pl.DataFrame(
            {
                "a": self.labels.gather(idx_i),
                "b": self.labels.gather(idx_j),
                "wins_a": self.wins_i,
                "wins_b": self.wins_j,
                "ties": self.ties,
            }
        )

    def item_totals(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per item (in label order): weighted wins, losses and ties."""
        return _core.item_totals(self.n_items, core_table(self))


def core_table(table: PairTable) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``table`` as the table-level ``_core`` calls take it (``bradley_terry``, ``pair_scores``,
    ``item_totals``): (i, j, wins_i, wins_j, ties)."""
    return (table.i, table.j, table.wins_i, table.wins_j, table.ties)


CoreRows = tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None, np.ndarray | None, np.ndarray | None]
"""Comparison rows as the row-level ``_core`` calls take them (``reduce_pairs``, ``judge_table``,
``elo``, ``trueskill``, ``covariate_terms``): a, b, outcome, outcome_codes, outcome_values, weight."""


def core_rows(
    a: np.ndarray,
    b: np.ndarray,
    *,
    outcome: np.ndarray | None = None,
    outcome_codes: np.ndarray | None = None,
    outcome_values: np.ndarray | None = None,
    weight: np.ndarray | None = None,
) -> CoreRows:
    """The :data:`CoreRows` of item codes ``a``, ``b``, the outcomes (numbers, or codes into a
    table of values, or neither: every row a win of ``a``) and optional weights."""
    return (a, b, outcome, outcome_codes, outcome_values, weight)


@dataclass(frozen=True)
class Comparisons:
    """Comparison rows as codes, in row order: the input of order-dependent methods (Elo) and
    of the reduce to a :class:`PairTable`.

    ``a``/``b`` hold codes in order of first appearance; ``rank[code]`` is the item's index in
    ``labels``, which are sorted (so results do not depend on the row order).
    """

    labels: pl.Series
    rank: np.ndarray
    a: np.ndarray
    b: np.ndarray
    outcome: dict[str, np.ndarray]
    weight: np.ndarray | None
    rows: int
    names: tuple[str, str, str | None, str | None]
    """The columns read: a, b, outcome (None for winner/loser), weight."""
    x: np.ndarray | None = None
    """Per-row features (rows × features), when ``features`` were asked for."""
    feature_names: tuple[str, ...] = ()
    row_offset: int = 0
    """The number of the first row (error messages of a streamed batch)."""
    keys: dict[str, tuple[np.ndarray, pl.Series]] = field(default_factory=dict)
    """Per ``keys=`` keyword (e.g. ``"judge"``): per-row codes (uint32, in sorted label order)
    and the sorted labels."""

    def __repr__(self) -> str:
        return f"Comparisons({self.rows:,} rows, {len(self.labels):,} items; columns {self.names!r})"

    @classmethod
    def from_frame(
        cls,
        data: Frame,
        *,
        a: str = "a",
        b: str = "b",
        outcome: str = "outcome",
        weight: str | None = None,
        outcomes: Mapping[Any, float] | None = None,
        winner: str | None = None,
        loser: str | None = None,
        order_by: str | None = None,
        features: Sequence[str | tuple[str, str]] = (),
        row_offset: int = 0,
        keys: Sequence[tuple[str, str]] = (),
    ) -> Comparisons:
        """Reads, checks and codes the named columns (rows sorted by ``order_by`` if given,
        keeping the order of equal keys). ``features``: numeric columns, or (column for a,
        column for b) pairs whose difference is the feature. ``row_offset``: the number of the
        first row, for error messages (a batch of a stream). ``keys``: (keyword, column) pairs of
        grouping columns (e.g. ``("judge", "annotator")``), coded into :attr:`keys`."""
        if outcomes is not None and not isinstance(outcomes, Mapping):
            raise RankaggError(
                f"outcomes= maps outcome labels to numbers in [0, 1] (e.g. {{'model_a': 1, 'model_b': 0, 'tie': 0.5}}), "
                f"not {type(outcomes).__name__} {outcomes!r:.80}"
            )
        cols = comparison_columns(a, b, outcome, weight, winner, loser)
        cols.extend(keys)
        col_a, col_b = cols[0][1], cols[1][1]
        col_o = outcome if winner is None else None
        if order_by is not None:
            cols.append(("order_by", order_by))
        feature_cols: list[tuple[str, ...]] = []
        for f in features:
            pair = (f,) if isinstance(f, str) else tuple(f) if isinstance(f, Sequence) else (f,)
            if len(pair) not in (1, 2) or not all(isinstance(c, str) for c in pair):
                raise RankaggError(f"covariates: each entry is a column name or a (column_a, column_b) pair, not {f!r}")
            feature_cols.append(pair)
            cols.extend(("covariates", c) for c in pair)
        frame = checked_frame(data, cols, offset=row_offset)
        if order_by is not None:
            frame = frame.sort(order_by, maintain_order=True)
        (codes_a, codes_b), labels = factorize([frame.get_column(col_a), frame.get_column(col_b)])
        outcome_arrays: dict[str, np.ndarray] = {}
        rows = frame.height
        if col_o is not None:
            outcome_arrays = _outcome_arrays(frame.get_column(col_o), outcomes, row_offset)
        weights = None
        if weight is not None:
            ws = frame.get_column(weight)
            if not ws.dtype.is_numeric():
                raise InvalidWeightError(f"column {weight!r} (weight=) must be numeric, not {ws.dtype}")
            weights = ws.cast(pl.Float64).to_numpy()
            rows = int((weights > 0).sum())
        # Items are numbered in sorted label order, so that the result does not depend on the
        # order of the rows (the codes come in order of first appearance).
        rank = sorted_rank(labels)
        x = None
        if feature_cols:
            for pair in feature_cols:
                for c in pair:
                    dt = frame.schema[c]
                    if not (dt.is_numeric() or dt == pl.Boolean):
                        raise RankaggError(f"covariate column {c!r} must be numeric, not {dt}")
            x = np.column_stack(
                [
                    frame.get_column(p[0]).cast(pl.Float64).to_numpy()
                    - (frame.get_column(p[1]).cast(pl.Float64).to_numpy() if len(p) == 2 else 0.0)
                    for p in feature_cols
                ]
            )
            bad = np.flatnonzero(~np.isfinite(x).all(axis=1))
            if len(bad):
                raise RankaggError(
                    f"covariates have NaN or infinite values: rows {(bad[:MAX_SHOWN] + row_offset).tolist()}"
                )
        coded_keys = {}
        for keyword, name in keys:
            (codes,), key_labels = factorize([frame.get_column(name)])
            key_rank = sorted_rank(key_labels)
            coded_keys[keyword] = (key_rank[codes], key_labels.sort())
        return cls(
            labels.sort(),
            rank,
            codes_a,
            codes_b,
            outcome_arrays,
            weights,
            rows,
            (col_a, col_b, col_o, weight),
            x,
            tuple(" - ".join(p) for p in feature_cols),
            row_offset,
            coded_keys,
        )

    def in_label_order(self, v: np.ndarray) -> np.ndarray:
        """Per-item values indexed by code (the last axis) → in the order of :attr:`labels`."""
        out = np.empty_like(v)
        out[..., self.rank] = v
        return out

    def explain(self, e: Exception) -> Exception:
        """Rewords a row error from the core with the column names."""
        col_a, col_b, col_o, weight = self.names
        if hasattr(e, "rows"):
            e.rows = [r + self.row_offset for r in e.rows]
        if isinstance(e, SelfComparisonError):
            return SelfComparisonError(
                f"{e.count} row(s) compare an item with itself (columns {col_a!r} and {col_b!r} "
                f"are equal): rows {e.rows}"
            )
        if isinstance(e, OutcomeRangeError):
            return OutcomeRangeError(
                f"column {col_o!r} (outcome=) has {e.count} value(s) outside [0, 1] or NaN: rows {e.rows}"
            )
        if isinstance(e, InvalidWeightError):
            return InvalidWeightError(
                f"column {weight!r} (weight=) has {e.count} NaN, infinite or negative value(s): rows {e.rows}"
            )
        return e

    def row_values(self) -> tuple[np.ndarray, np.ndarray]:
        """Per row: the outcome (probability that ``a`` won) and the weight (1 without weights)."""
        m = len(self.a)
        if "outcome" in self.outcome:
            o = self.outcome["outcome"]
        elif "outcome_codes" in self.outcome:
            o = self.outcome["outcome_values"][self.outcome["outcome_codes"]]
        else:
            o = np.ones(m)
        return o, (np.ones(m) if self.weight is None else self.weight)

    def core_rows(self, a: np.ndarray | None = None, b: np.ndarray | None = None) -> CoreRows:
        """These rows as the row-level ``_core`` calls take them; ``a``, ``b``: other codes for
        the same rows (e.g. in label order) instead of :attr:`a`, :attr:`b`."""
        return core_rows(self.a if a is None else a, self.b if b is None else b, weight=self.weight, **self.outcome)

    def pair_table(self) -> PairTable:
        """Reduces the rows to a :class:`PairTable` (in Rust, GIL released)."""
        try:
            i, j, wi, wj, t = _core.reduce_pairs(len(self.labels), self.core_rows(), relabel=self.rank)
        except (SelfComparisonError, OutcomeRangeError, InvalidWeightError) as e:
            raise self.explain(e) from None
        if len(i) == 0:
            raise EmptyDataError("every row has zero weight: nothing to fit")
        if self.weight is not None:  # unit weights and outcomes in [0, 1] sum to at most the row count
            _check_finite_sums((wi, wj, t), f"column {self.names[3]!r} (weight=): the weights")
        return PairTable(self.labels, i, j, wi, wj, t, self.rows)


def _reduce_frame(data: Frame, columns: dict[str, Any], offset: int = 0) -> PairTable:
    """Comparison rows → their pair table: through :func:`_id_table` when it applies, else
    factorized (:class:`Comparisons`) and reduced, which also words every error."""
    outcomes = columns["outcomes"]
    if columns["weight"] is None and (outcomes is None or isinstance(outcomes, Mapping)):
        names = comparison_columns(
            columns["a"], columns["b"], columns["outcome"], None, columns["winner"], columns["loser"]
        )
        data = select_columns(data, names)
        found = _id_table(data, [c for _, c in names], outcomes, offset)
        if isinstance(found, PairTable):
            return found
        if found is not None:
            return found.pair_table()
    return Comparisons.from_frame(data, **columns, row_offset=offset).pair_table()


def _id_table(
    frame: pl.DataFrame, names: list[str], outcomes: Mapping[Any, float] | None, offset: int
) -> PairTable | Comparisons | None:
    """The pair table of unweighted rows in one pass over the id columns (``_core.reduce_ids``,
    decisions 34 and 39): integer item columns of any width (read in place), Categorical and
    Enum columns (their physical codes), String columns of at most 256 names
    (``_core.reduce_names``: the string views read in place, long names in their data buffers)
    or else factorized first; outcomes of 0, ½ and 1 read in
    their own dtype (:func:`_outcome_kwargs`). None when the rows need the general path:
    nulls, other dtypes, ids spanning more than 256 values, self-comparisons or other outcomes
    (the general path then reports them); for String columns that had to be factorized, their
    :class:`Comparisons` instead (so that the names are not hashed twice).

    >>> import polars as pl
    >>> t = _id_table(pl.DataFrame({"a": [7, 3], "b": [3, 9], "o": [1.0, 0.5]}), ["a", "b", "o"], None, 0)
    >>> t.labels.to_list(), t.i.tolist(), t.j.tolist(), t.wins_i.tolist(), t.wins_j.tolist(), t.ties.tolist()
    ([3, 7, 9], [0, 0], [1, 2], [0.0, 0.0], [1.0, 0.0], [0.0, 1.0])
    """
    if frame.height == 0 or any(frame.get_column(c).null_count() for c in names):
        return None
    sa, sb = frame.get_column(names[0]), frame.get_column(names[1])
    dtype = sa.dtype
    if sb.dtype != dtype:
        return None
    so = frame.get_column(names[2]) if len(names) == 3 else None
    if dtype.is_integer():
        found = _reduce_ids(sa, sb, so, outcomes)
        if found is None:
            return None
        keys, i, j, wins_i, wins_j, ties = found
        # Keys ascending are the values ascending: the labels come sorted.
        values = (keys ^ np.uint64(1 << 63)).view(np.int64) if dtype.is_signed_integer() else keys
        return PairTable(pl.Series("item", values).cast(dtype), i, j, wins_i, wins_j, ties, frame.height)
    if dtype == pl.String:
        kwargs = {} if so is None else _outcome_kwargs(so, outcomes)
        if kwargs is None:
            return None
        # (a column read from Parquet or CSV comes in chunks, a row group or a batch each: the
        # pass reads each chunk's views in place)
        named = _core.reduce_names(sa, sb, **kwargs)
        if named is not None:
            texts, i, j, wins_i, wins_j, ties = named  # the names come sorted
            return PairTable(pl.Series("item", texts, dtype=pl.String), i, j, wins_i, wins_j, ties, frame.height)
        # More than 256 names (or views not read in place): factorized once, then counted by
        # code (or reduced in general).
        (ca, cb), labels = factorize([sa, sb])
        found = _core.reduce_ids(ca, cb, **kwargs)
        if found is None:
            general = {} if len(names) == 2 else _outcome_arrays(frame.get_column(names[2]), outcomes, offset)
            read = (names[0], names[1], names[2] if len(names) == 3 else None, None)
            return Comparisons(
                labels.sort(), sorted_rank(labels), ca, cb, general, None, frame.height, read, row_offset=offset
            )
        # (the keys are the codes 0 … n−1: every factorized name appears in a row)
    elif (dtype == pl.Categorical or isinstance(dtype, pl.Enum)) and intake.SHARED_CATEGORIES:
        physical = [sa.to_physical(), sb.to_physical()]
        found = _reduce_ids(physical[0], physical[1], so, outcomes)
        if found is None:
            return None
        labels = pl.Series("item", found[0]).cast(physical[0].dtype).cat.to(dtype).cast(pl.String)
    else:
        return None
    # Items numbered in sorted label order (as Comparisons does): the counts renamed,
    # re-oriented and re-sorted in Rust.
    _, i, j, wins_i, wins_j, ties = found
    table = _counts_table(i, j, wins_i, wins_j, ties, sorted_rank(labels))
    return PairTable(labels.sort(), *table, frame.height)


MIN_CHUNK_ROWS = 1 << 16
"""Least mean length of the chunks of a column that is read chunk by chunk (integer id
columns by :func:`_reduce_ids`, numeric and boolean outcomes by :func:`_outcome_kwargs`); shorter ones
are copied into one array first."""


def _in_chunks(s: pl.Series) -> bool:
    """Whether ``s`` is read chunk by chunk: more than one, of :data:`MIN_CHUNK_ROWS` rows or
    more on average."""
    return s.n_chunks() > 1 and len(s) >= MIN_CHUNK_ROWS * s.n_chunks()


def _reduce_ids(
    sa: pl.Series, sb: pl.Series, so: pl.Series | None, outcomes: Mapping[Any, float] | None
) -> tuple[np.ndarray, ...] | None:
    """``_core.reduce_ids`` of integer id columns ``sa``, ``sb`` with outcome column ``so``
    (None: every row a win of ``a``; read as :func:`_outcome_kwargs` says). Where the id
    columns come in chunks that end at the same rows (a Parquet read: a row group each), the
    pass reads each chunk where it lies (a list of the chunks' arrays, decision 62): a column
    in chunks is copied into one array by ``to_numpy`` (27 ms for three columns in 10 row
    groups at 10M rows, more than the pass). None as ``reduce_ids``, or for an outcome column
    it cannot read.

    >>> a = pl.concat([pl.Series([1, 2] * 40_000), pl.Series([2, 3] * 40_000)], rechunk=False).cast(pl.UInt8)
    >>> b = pl.concat([pl.Series([2, 1] * 40_000), pl.Series([3, 2] * 40_000)], rechunk=False).cast(pl.UInt8)
    >>> keys, i, j, wins_i, wins_j, ties = _reduce_ids(a, b, None, None)
    >>> keys.tolist(), i.tolist(), j.tolist(), wins_i.tolist(), wins_j.tolist()
    ([1, 2, 3], [0, 1], [1, 2], [40000.0, 40000.0], [40000.0, 40000.0])
    """
    kwargs = {} if so is None else _outcome_kwargs(so, outcomes)
    if kwargs is None:
        return None
    if _in_chunks(sa) and sb.chunk_lengths() == sa.chunk_lengths():
        return _core.reduce_ids(
            [c.to_numpy() for c in sa.get_chunks()], [c.to_numpy() for c in sb.get_chunks()], **kwargs
        )
    return _core.reduce_ids(sa.to_numpy(), sb.to_numpy(), **kwargs)


def _counts_table(
    a: np.ndarray, b: np.ndarray, wins_a: np.ndarray, wins_b: np.ndarray, ties: np.ndarray, rank: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The pair table (i, j, wins_i, wins_j, ties) of per-pair counts (codes ``a``, ``b``, in
    either orientation, pairs may repeat) with item ``k`` renamed ``rank[k]``: each count is
    a weighted row of ``_core.reduce_pairs`` (a win of ``a``, of ``b``, a tie), which adds,
    re-orients and sorts them (a count is added to zero exactly: integer counts stay exact).
    Raises the core's :class:`SelfComparisonError` (rows past the first third are the same
    pairs again)."""
    m = len(a)
    return _core.reduce_pairs(
        len(rank),
        core_rows(
            np.concatenate([a, a, a]),
            np.concatenate([b, b, b]),
            outcome=np.repeat([1.0, 0.0, 0.5], m),
            weight=np.concatenate([wins_a, wins_b, ties]),
        ),
        relabel=rank,
    )


MAX_OUTCOME_CODES = 4096
"""Largest Categorical physical code whose label :func:`_outcome_kwargs` looks up (a table of
values per code); past it the outcome column takes the general path."""


def _outcome_kwargs(s: pl.Series, outcomes: Mapping[Any, float] | None) -> dict[str, Any] | None:
    """The outcome column as ``_core.reduce_ids`` / ``reduce_names`` read it, without a cast or
    a hash (decision 39): numbers in their own dtype (read in place; a float64 or int64
    column in chunks as a list of its chunks' arrays, decision 61), booleans as bits (one
    chunk or chunks averaging :data:`MIN_CHUNK_ROWS` or more, decision 62) or bytes, labels as codes into the values of ``outcomes`` (LMArena's by default):
    String labels compared with the few known ones in the counting pass (each chunk's views
    in place; long labels such as ``"tie (bothbad)"`` through their bytes), Categorical
    and Enum labels through their physical codes. None when the general path must read the
    column: another dtype, a mapping for numbers, a label or a value the mapping does not
    give (the general path words the error).

    >>> import polars as pl
    >>> sorted(_outcome_kwargs(pl.Series(["tie", "model_a"]), None))
    ['outcome_labels', 'outcome_values']
    >>> _outcome_kwargs(pl.Series([1, 0]), {1: 1.0, 0: 0.0}) is None  # a mapping for numbers
    True
    """
    dtype = s.dtype
    if outcomes is None and not is_text(dtype):
        if dtype == pl.Boolean:
            # (its bits where they lie, through the Arrow C stream: one chunk or large ones)
            return {"outcome": s if s.n_chunks() == 1 or _in_chunks(s) else s.to_numpy()}
        if dtype in (pl.Int64, pl.Float64) and _in_chunks(s):
            # (a column in chunks, a Parquet file's row groups: read where they lie, not
            # copied into one array)
            return {"outcome": [c.to_numpy() for c in s.get_chunks()]}
        if dtype.is_integer() or dtype in (pl.Float32, pl.Float64):
            return {"outcome": s.to_numpy()}
        return None
    if not is_text(dtype):
        return None
    mapping = LMARENA_OUTCOMES if outcomes is None else outcomes
    if not all(isinstance(v, (int, float)) and 0.0 <= float(v) <= 1.0 for v in mapping.values()):
        return None
    labels = [k for k in mapping if isinstance(k, str)]
    if len(labels) > 255:
        return None
    if dtype == pl.String:
        values = np.array([float(mapping[k]) for k in labels])
        return {"outcome_labels": (s, labels), "outcome_values": values}
    if isinstance(dtype, pl.Enum):
        categories = dtype.categories.to_list()
    elif intake.SHARED_CATEGORIES:
        top = s.to_physical().max()
        if not isinstance(top, int) or top >= MAX_OUTCOME_CODES:
            return None
        codes_series = pl.Series(np.arange(top + 1)).cast(s.to_physical().dtype)
        try:
            categories = codes_series.cat.to(dtype).to_list()
        except pl.exceptions.PolarsError:
            return None
    else:
        return None
    values = np.array([float(mapping.get(c, np.nan)) for c in categories])
    return {"outcome_codes": s.to_physical().to_numpy(), "outcome_values": values}


def _check_finite_sums(counts: Sequence[np.ndarray], what: str) -> None:
    """Per-pair sums of finite weights can still overflow to inf: say so, not a NaN later."""
    if not all(np.isfinite(c).all() for c in counts):
        raise InvalidWeightError(
            f"{what} of some pairs sum beyond double precision (1.8e308); divide them by a constant "
            "(no rating method but elo, trueskill and counting depends on their scale)"
        )


def _outcome_arrays(s: pl.Series, outcomes: Mapping[Any, float] | None, offset: int = 0) -> dict[str, np.ndarray]:
    """Outcome column → either one float per row, or codes plus a table of values."""
    name = s.name
    is_label = is_text(s.dtype)
    if outcomes is None and not is_label:
        if s.dtype == pl.Boolean or s.dtype.is_numeric():
            return {"outcome": s.cast(pl.Float64).to_numpy()}
        raise OutcomeRangeError(f"column {name!r} (outcome=) must be numeric or labels, not {s.dtype}")
    mapping = dict(LMARENA_OUTCOMES if outcomes is None else outcomes)
    for label, value in mapping.items():
        if not (isinstance(value, (int, float)) and 0.0 <= float(value) <= 1.0):
            raise OutcomeRangeError(f"outcomes[{label!r}] = {value!r} is not a number in [0, 1]")
    (codes,), labels = factorize([s])
    values = np.array([float(mapping.get(lab, np.nan)) for lab in labels.to_list()])
    unknown = [lab for lab, v in zip(labels.to_list(), values) if np.isnan(v)]
    if unknown:
        bad_codes = np.flatnonzero(np.isnan(values))
        rows = (np.flatnonzero(np.isin(codes, bad_codes))[:MAX_SHOWN] + offset).tolist()
        known = ", ".join(repr(k) for k in mapping)
        hint = "" if outcomes is not None else " (pass outcomes={label: value} to map them)"
        raise UnknownOutcomeError(
            f"column {name!r} (outcome=) has labels not in outcomes: {unknown[:MAX_SHOWN]!r}, "
            f"e.g. rows {rows}; known labels: {known}{hint}"
        )
    return {"outcome_codes": codes, "outcome_values": values}
