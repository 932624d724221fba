"""The one-pass reduce of item ids (decision 34): every item and outcome dtype it reads gives
the pair table a brute-force count gives, and whatever it declines goes to the general path
with the general path's errors."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rankagg as ra
from hypothesis_budget import examples
from rankagg import _core
from rankagg.intake import select_columns
from rankagg.pairs import Comparisons

INT_DTYPES = [pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64]
# A value range per dtype that reaches its ends (negative ids, the top of UInt64).
OFFSETS = {pl.Int8: -128, pl.Int16: 32_000, pl.Int32: -(2**31), pl.Int64: 2**63 - 200, pl.UInt64: 2**64 - 200}


def random_rows(seed: int, n: int, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``m`` random rows of ``n`` items: ids ``a`` and ``b`` (never the same) and outcomes 0,
    ½ or 1."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, n, m)
    return a, (a + rng.integers(1, n, m)) % n, rng.integers(0, 3, m) / 2.0


def brute_force(a: list[Any], b: list[Any], o: list[float]) -> dict[tuple[Any, Any], tuple[float, float, float]]:
    """Per unordered pair (in sorted label order): wins of the lower label, of the higher, ties."""
    counts: Counter[tuple[Any, Any, str]] = Counter()
    for x, y, v in zip(a, b, o, strict=True):
        lo, hi = min(x, y), max(x, y)
        if v == 0.5:
            counts[lo, hi, "t"] += 1
        else:
            counts[lo, hi, "lo" if (v == 1.0) == (x == lo) else "hi"] += 1
    pairs = {(x, y) for x, y, _ in counts}
    return {p: (counts[(*p, "lo")], counts[(*p, "hi")], counts[(*p, "t")]) for p in pairs}


def as_dict(t: ra.PairTable) -> dict[tuple[Any, Any], tuple[float, float, float]]:
    labels = t.labels.to_list()
    assert labels == sorted(labels)
    return {
        (labels[i], labels[j]): (wi, wj, tt)
        for i, j, wi, wj, tt in zip(t.i.tolist(), t.j.tolist(), t.wins_i.tolist(), t.wins_j.tolist(), t.ties.tolist())
    }


def same_table(x: ra.PairTable, y: ra.PairTable) -> None:
    assert x.labels.dtype == y.labels.dtype and x.labels.name == y.labels.name
    assert x.labels.to_list() == y.labels.to_list() and x.rows == y.rows
    for f in ("i", "j", "wins_i", "wins_j", "ties"):
        got, want = getattr(x, f), getattr(y, f)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


@pytest.fixture
def took_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Records, per `_core.reduce_ids` or `_core.reduce_names` call, whether it returned a table."""
    calls: list[bool] = []

    def spy(real: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            found = real(*args, **kwargs)
            calls.append(found is not None)
            return found

        return call

    monkeypatch.setattr(_core, "reduce_ids", spy(_core.reduce_ids))
    monkeypatch.setattr(_core, "reduce_names", spy(_core.reduce_names))
    return calls


def rows_strategy() -> st.SearchStrategy[tuple[list[int], list[int], list[float]]]:
    @st.composite
    def rows(draw: st.DrawFn) -> tuple[list[int], list[int], list[float]]:
        n = draw(st.integers(2, 40))
        m = draw(st.integers(1, 60))
        a = draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
        shift = draw(st.lists(st.integers(1, n - 1), min_size=m, max_size=m))
        o = draw(st.lists(st.sampled_from([0.0, 0.5, 1.0]), min_size=m, max_size=m))
        return a, [(x + s) % n for x, s in zip(a, shift, strict=True)], o

    return rows()


@settings(max_examples=examples(30), deadline=None)
@given(rows=rows_strategy(), dtype=st.sampled_from([*INT_DTYPES, pl.String, pl.Categorical, pl.Enum]))
def test_every_item_dtype_counts_as_brute_force(rows: tuple[list[int], list[int], list[float]], dtype: Any) -> None:
    a, b, o = rows
    if dtype in INT_DTYPES:
        offset = OFFSETS.get(dtype, 0)
        xa, xb = [x + offset for x in a], [x + offset for x in b]
        frame = pl.DataFrame({"a": pl.Series(xa, dtype=dtype), "b": pl.Series(xb, dtype=dtype), "outcome": o})
    else:
        names = [f"m{x:02d}" if x % 3 else f"a longer name, item {x}" for x in range(40)]
        xa, xb = [names[x] for x in a], [names[x] for x in b]
        cast = pl.Enum(sorted(set(names), reverse=True)) if dtype == pl.Enum else dtype
        frame = pl.DataFrame({"a": pl.Series(xa).cast(cast), "b": pl.Series(xb).cast(cast), "outcome": o})
    before = frame.clone()
    t = ra.PairTable.from_comparisons(frame)
    assert as_dict(t) == brute_force(xa, xb, o)
    assert t.rows == len(a)
    same_table(t, Comparisons.from_frame(frame).pair_table())
    assert frame.equals(before)


@pytest.mark.parametrize("kind", ["int", "bool", "labels", "winner/loser"])
def test_every_outcome_dtype_takes_the_fast_path(kind: str, took_the_fast_path: list[bool]) -> None:
    rng = np.random.default_rng(5)
    a = rng.integers(-20, 20, 3000)
    b = a + rng.integers(1, 40, 3000)
    o = rng.integers(0, 3, 3000) / 2.0 if kind == "labels" else rng.integers(0, 2, 3000).astype(float)
    columns: dict[str, Any] = {"a": a, "b": b}
    if kind == "int":
        columns["outcome"] = o.astype(np.int64)
    elif kind == "bool":
        columns["outcome"] = o.astype(bool)
    elif kind == "labels":
        columns["outcome"] = np.array(["model_b", "tie", "model_a"])[(2 * o).astype(int)]
    frame = pl.DataFrame(columns)
    if kind == "winner/loser":
        t = ra.PairTable.from_comparisons(frame, winner="a", loser="b")
        assert as_dict(t) == brute_force(a.tolist(), b.tolist(), [1.0] * len(a))
    else:
        t = ra.PairTable.from_comparisons(frame)
        assert as_dict(t) == brute_force(a.tolist(), b.tolist(), o.tolist())
    assert took_the_fast_path == [True]
    assert t.labels.dtype == pl.Int64


def test_declined_rows_take_the_general_path_with_its_errors(took_the_fast_path: list[bool]) -> None:
    rng = np.random.default_rng(1)
    a = rng.integers(0, 50, 5000)
    b = (a + rng.integers(1, 50, 5000)) % 50
    o = rng.integers(0, 3, 5000) / 2.0
    same = a.copy()
    same[[7, 4000]] = b[[7, 4000]]
    with pytest.raises(ra.SelfComparisonError, match=r"rows \[7, 4000\]"):
        ra.PairTable.from_comparisons(pl.DataFrame({"a": same, "b": b, "outcome": o}))
    bad = o.copy()
    bad[[3, 4999]] = [np.nan, 1.5]
    with pytest.raises(ra.OutcomeRangeError, match=r"rows \[3, 4999\]"):
        ra.PairTable.from_comparisons(pl.DataFrame({"a": a, "b": b, "outcome": bad}))
    assert took_the_fast_path == [False, False]
    # Probabilistic outcomes, and ids over more than 256 values: the general path's table.
    soft = o.copy()
    soft[100] = 0.3
    wide = {"a": a * 10, "b": b * 10, "outcome": o}
    for frame in (pl.DataFrame({"a": a, "b": b, "outcome": soft}), pl.DataFrame(wide)):
        t = ra.PairTable.from_comparisons(frame)
        same_table(t, Comparisons.from_frame(frame).pair_table())
    assert took_the_fast_path[2] is False  # the wide ids never reach the counting pass
    # An id first seen in the last row (outside the first rows' range) is counted.
    late = a.copy()
    late[-1] = 200
    frame = pl.DataFrame({"a": late, "b": b, "outcome": o})
    same_table(ra.PairTable.from_comparisons(frame), Comparisons.from_frame(frame).pair_table())
    assert took_the_fast_path[-1] is True


def test_row_order_streaming_and_fits_agree() -> None:
    rng = np.random.default_rng(2)
    a = rng.integers(0, 30, 20_000).astype(np.int16)
    b = ((a + rng.integers(1, 30, 20_000)) % 30).astype(np.int16)
    o = rng.integers(0, 3, 20_000) / 2.0
    frame = pl.DataFrame({"a": a, "b": b, "outcome": o})
    t = ra.PairTable.from_comparisons(frame)
    perm = rng.permutation(len(a))
    same_table(ra.PairTable.from_comparisons(frame[perm]), t)
    same_table(ra.PairTable.from_comparisons(frame.lazy()), t)
    general = Comparisons.from_frame(frame).pair_table()
    assert ra.bradley_terry(frame).table.equals(ra.bradley_terry(general).table)


def test_declined_string_items_are_hashed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # 300 names (past the square): the codes of the one factorization go to the general reduce.
    calls = []
    real = _core.factorize_strings

    def spy(columns: Any) -> Any:
        calls.append(len(columns))
        return real(columns)

    rng = np.random.default_rng(4)
    a = rng.integers(0, 300, 4000)
    b = (a + rng.integers(1, 300, 4000)) % 300
    names = np.array([f"model {k}" for k in range(300)])
    o = np.array(["model_a", "model_b", "tie"])[rng.integers(0, 3, 4000)]
    frame = pl.DataFrame({"a": names[a], "b": names[b], "winner": o})
    want = Comparisons.from_frame(frame, outcome="winner").pair_table()
    monkeypatch.setattr(_core, "factorize_strings", spy)
    same_table(ra.PairTable.from_comparisons(frame, outcome="winner"), want)
    assert calls == [2, 1]  # the items once, the outcome labels once
    same = frame.with_columns(pl.when(pl.int_range(4000) == 17).then(pl.col("b")).otherwise(pl.col("a")).alias("a"))
    with pytest.raises(ra.SelfComparisonError, match=r"rows \[17\]"):
        ra.PairTable.from_comparisons(same, outcome="winner")


OUTCOME_KINDS = [
    "Float64",
    "Float32",
    "Int8",
    "Int64",
    "UInt8",
    "UInt64",
    "Boolean",
    "Boolean, two chunks",
    "String",
    "String, two chunks",
    "Categorical",
    "Enum",
    "String, own labels",
]


def outcome_series(o: np.ndarray, kind: str) -> tuple[pl.Series, dict[str, float] | None]:
    """Outcomes 0, ½, 1 (``o``) as a column of ``kind`` (numbers without ties for the integer
    and boolean kinds), and the ``outcomes=`` mapping it needs."""
    decisive = (o >= 0.5).astype(np.int64)
    if kind in ("Float64", "Float32"):
        return pl.Series("o", o).cast(getattr(pl, kind)), None
    if kind in ("Int8", "Int64", "UInt8", "UInt64"):
        return pl.Series("o", decisive).cast(getattr(pl, kind)), None
    if kind == "Boolean":
        return pl.Series("o", decisive.astype(bool)), None
    if kind == "Boolean, two chunks":
        half = len(o) // 2
        return pl.concat(
            [pl.Series("o", decisive[:half].astype(bool)), pl.Series("o", decisive[half:].astype(bool))], rechunk=False
        ), None
    if kind == "String, own labels":
        labels = np.array(["B won", "a draw, of sorts", "A won"])[(2 * o).astype(np.int64)]
        return pl.Series("o", labels), {"A won": 1, "B won": 0.0, "a draw, of sorts": 0.5, "unused": 0.25}
    labels = np.array(["model_b", "tie (bothbad)", "model_a"])[(2 * o).astype(np.int64)]
    labels[(o == 0.5) & (np.arange(len(o)) % 2 == 0)] = "tie"
    s = pl.Series("o", labels)
    if kind == "String, two chunks":
        return pl.concat([s[:100], s[100:]], rechunk=False), None
    if kind == "Categorical":
        return s.cast(pl.Categorical), None
    if kind == "Enum":
        return s.cast(pl.Enum(["tie", "model_b", "tie (bothbad)", "model_a", "not seen"])), None
    return s, None


ITEM_KINDS = [*INT_DTYPES, "short names", "long names", "Categorical", "Enum"]


def item_series(codes: np.ndarray, kind: Any) -> pl.Series:
    if kind in INT_DTYPES:
        return pl.Series([int(x) + OFFSETS.get(kind, 0) for x in codes], dtype=kind)
    # Short names (≤ 12 bytes) whose byte order is not the code order, with non-ASCII ones.
    names = [f"m{k}é" if k % 5 == 0 else f"Model {k}" for k in range(40)]
    if kind == "long names":
        names = [f"a much longer model name {k}" for k in range(40)]
    s = pl.Series(np.array(names)[codes])
    if kind == "Categorical":
        return s.cast(pl.Categorical)
    if kind == "Enum":
        return s.cast(pl.Enum(sorted(set(names), reverse=True)))
    return s


@pytest.mark.parametrize("outcome_kind", OUTCOME_KINDS)
def test_every_item_and_outcome_dtype_gives_the_general_table(
    outcome_kind: str, took_the_fast_path: list[bool]
) -> None:
    # Decision 39: outcomes read in their own dtype (no float64 cast, no hashing of labels),
    # short names read as string views; the table is the general path's, bit for bit.
    rng = np.random.default_rng(len(outcome_kind))
    m = 3000
    a = rng.integers(0, 40, m)
    b = (a + rng.integers(1, 40, m)) % 40
    o = rng.integers(0, 3, m) / 2.0
    outcome, mapping = outcome_series(o, outcome_kind)
    for kind in ITEM_KINDS:
        frame = pl.DataFrame({"a": item_series(a, kind), "b": item_series(b, kind), "o": outcome})
        before = frame.clone()
        took_the_fast_path.clear()
        t = ra.PairTable.from_comparisons(frame, outcome="o", outcomes=mapping)
        assert frame.equals(before)
        same_table(t, Comparisons.from_frame(frame, outcome="o", outcomes=mapping).pair_table())
        assert took_the_fast_path[-1:] == [True], kind
        assert t.rows == m


@pytest.mark.parametrize("items", ["short names", "Int64", "300 names"])
def test_long_outcome_labels_are_matched_in_the_pass(items: str, took_the_fast_path: list[bool]) -> None:
    # LMArena's "tie (bothbad)" (13 bytes: a view into the data buffer) is read through its
    # bytes in the counting pass: one call (coding the labels apart and a second pass took
    # 45 ms of 73 at 10M rows); a long label of the same length and first bytes that the
    # mapping does not hold declines to the general path, which names it.
    rng = np.random.default_rng(9)
    m = 20_000
    n = 300 if items == "300 names" else 40
    a = rng.integers(0, n, m)
    b = (a + rng.integers(1, n, m)) % n
    o = rng.integers(0, 3, m) / 2.0
    labels = np.array(["model_b", "tie (bothbad)", "model_a"])[(2 * o).astype(np.int64)]
    labels[(o == 0.5) & (rng.random(m) < 0.5)] = "tie"
    names = np.array([f"model {k}" for k in range(n)])
    column = (lambda c: pl.Series(c)) if items == "Int64" else (lambda c: pl.Series(names[c]))
    frame = pl.DataFrame({"a": column(a), "b": column(b), "winner": labels})
    want = Comparisons.from_frame(frame, outcome="winner").pair_table()
    took_the_fast_path.clear()
    same_table(ra.PairTable.from_comparisons(frame, outcome="winner"), want)
    # (past 256 names the names' pass and the ids' pass decline on the items, once each)
    assert took_the_fast_path == ([False, False] if items == "300 names" else [True])
    wrong = labels.copy()
    wrong[12_345] = "tie (bothbaX)"
    with pytest.raises(ra.UnknownOutcomeError, match=r"tie \(bothbaX\)"):
        ra.PairTable.from_comparisons(frame.with_columns(winner=pl.Series(wrong)), outcome="winner")


@pytest.mark.parametrize("outcome_kind", ["Int8", "UInt64", "Boolean", "String", "Categorical", "Enum"])
def test_outcomes_the_pass_declines_get_the_general_errors(outcome_kind: str) -> None:
    rng = np.random.default_rng(3)
    m = 2000
    a = rng.integers(0, 20, m)
    b = (a + rng.integers(1, 20, m)) % 20
    o = rng.integers(0, 2, m).astype(float)
    # Another number than 0, ½, 1 in a float32 column: the general path's table.
    soft = pl.Series("o", o.astype(np.float32)).scatter(7, 0.25)
    frame = pl.DataFrame({"a": a, "b": b, "o": soft})
    same_table(
        ra.PairTable.from_comparisons(frame, outcome="o"), Comparisons.from_frame(frame, outcome="o").pair_table()
    )
    outcome, _ = outcome_series(o, outcome_kind)
    if outcome_kind in ("Int8", "UInt64"):
        bad = outcome.scatter([5, 1999], [2, 3])
        error: type[Exception] = ra.OutcomeRangeError
    elif outcome_kind == "Boolean":
        # Booleans are always 0 or 1: a self-comparison in the last row instead.
        bad = outcome
        b[1999] = a[1999]
        error = ra.SelfComparisonError
    else:
        labels = outcome.cast(pl.String).scatter([5, 1999], ["model_c", "model_c"])
        bad = labels.cast(outcome.dtype) if outcome_kind == "Categorical" else labels
        if outcome_kind == "Enum":
            bad = labels.cast(pl.Enum(["model_a", "model_b", "model_c"]))
        error = ra.UnknownOutcomeError
    for items in (a, np.array([f"m{k}" for k in range(20)])):
        frame = pl.DataFrame({"a": items if items is a else items[a], "b": b if items is a else items[b], "o": bad})
        with pytest.raises(
            error, match=r"rows \[5, 1999\]" if error is not ra.SelfComparisonError else r"rows \[1999\]"
        ):
            ra.PairTable.from_comparisons(frame, outcome="o")
        with pytest.raises(error):
            Comparisons.from_frame(frame, outcome="o").pair_table()


def test_long_string_items_are_read_in_the_view_pass(took_the_fast_path: list[bool]) -> None:
    # Names past 12 bytes are read from their bytes in the pass (decision 53): the general
    # path's table; a column in two chunks (each with its own data buffers) too.
    rng = np.random.default_rng(8)
    a = rng.integers(0, 30, 4000)
    b = (a + rng.integers(1, 30, 4000)) % 30
    o = rng.integers(0, 3, 4000) / 2.0
    names = np.array([f"item {k}" if k % 4 else f"a longer item name {k}" for k in range(30)])
    chunked = pl.concat([pl.Series("a", names[a[:1000]]), pl.Series("a", names[a[1000:]])], rechunk=False)
    frame = pl.DataFrame({"a": chunked, "b": names[b], "outcome": o})
    assert frame["a"].n_chunks() == 2
    same_table(ra.PairTable.from_comparisons(frame), Comparisons.from_frame(frame).pair_table())
    assert took_the_fast_path == [True]


@pytest.mark.parametrize("source", ["gather", "parquet", "csv", "list"])
def test_long_names_whose_views_repeat(source: str, took_the_fast_path: list[bool], tmp_path: Any) -> None:
    # Long names only: a gathered column, and a Parquet read (each row group's dictionary
    # lists the names in its own order), point each name's rows at one copy of its bytes: the
    # same view is another name in another chunk or column. Those views are found through the
    # columns' fronts of views, per chunk (decisions 55, 56); CSV reads and lists (each row its own bytes)
    # through their bytes (decision 54). Always the general path's table.
    rng = np.random.default_rng(21)
    m = 40_000
    a = rng.integers(0, 60, m)
    b = (a + rng.integers(1, 60, m)) % 60
    o = rng.integers(0, 3, m) / 2.0
    names = [f"model-{k:03d}-instruct-v0.{k % 7}" for k in range(60)]
    whole = pl.DataFrame({"a": np.array(names)[a], "b": np.array(names)[b], "o": o})
    if source == "gather":
        frame = pl.DataFrame({"a": pl.Series(names).gather(a), "b": pl.Series(names[::-1]).gather(59 - b), "o": o})
    elif source == "parquet":
        # (a chunk per row group, its dictionary in the order its rows name them)
        whole.write_parquet(tmp_path / "rows.parquet", row_group_size=5000)
        frame = pl.read_parquet(tmp_path / "rows.parquet")
    elif source == "csv":
        whole.write_csv(tmp_path / "rows.csv")
        frame = pl.read_csv(tmp_path / "rows.csv", schema_overrides={"a": pl.String, "b": pl.String})
    else:
        frame = pl.DataFrame({"a": [names[k] for k in a], "b": [names[k] for k in b], "o": o})
    took_the_fast_path.clear()
    same_table(
        ra.PairTable.from_comparisons(frame, outcome="o"), Comparisons.from_frame(whole, outcome="o").pair_table()
    )
    assert took_the_fast_path == [True]


@pytest.mark.parametrize("source", ["chunks", "parquet", "csv"])
def test_string_columns_in_chunks_take_the_view_pass(
    source: str, took_the_fast_path: list[bool], tmp_path: Any
) -> None:
    # Columns read from Parquet (a chunk per row group) or CSV (per batch), or concatenated,
    # come in chunks: each chunk's views are read in place in the pass (the general path took
    # 3.5x as long at 10M rows); the frame keeps its chunks. The chunks of the item and
    # outcome columns need not line up.
    a, b, o = random_rows(12, 50, 30_000)
    # (a third of the names past 12 bytes: read in each chunk's own data buffers)
    names = np.array([f"model {k}" if k % 3 else f"a longer model name, {k}" for k in range(50)])
    labels = np.array(["model_b", "tie (bothbad)", "model_a"])[(2 * o).astype(np.int64)]
    whole = pl.DataFrame({"a": names[a], "b": names[b], "winner": labels})
    if source == "chunks":
        frame = pl.DataFrame(
            {
                # (an empty chunk too, where Polars keeps one)
                "a": pl.concat([whole["a"][:0], whole["a"][:7000], whole["a"][7000:]], rechunk=False),
                "b": pl.concat([whole["b"][:12_000], whole["b"][12_000:]], rechunk=False),
                "winner": pl.concat([whole["winner"][:100], whole["winner"][100:]], rechunk=False),
            }
        )
    elif source == "parquet":
        whole.write_parquet(tmp_path / "rows.parquet", row_group_size=4000)
        frame = pl.read_parquet(tmp_path / "rows.parquet")
    else:
        whole.write_csv(tmp_path / "rows.csv")
        frame = pl.read_csv(tmp_path / "rows.csv", infer_schema=False)
    chunks = [frame[c].n_chunks() for c in frame.columns]
    if source == "chunks":  # (how many chunks a Parquet or CSV read makes is Polars' choice)
        assert min(chunks) > 1
    took_the_fast_path.clear()
    same_table(
        ra.PairTable.from_comparisons(frame, outcome="winner"),
        Comparisons.from_frame(whole, outcome="winner").pair_table(),
    )
    assert took_the_fast_path == [True]
    assert [frame[c].n_chunks() for c in frame.columns] == chunks


def test_columns_whose_chunks_do_not_line_up_reach_the_pass_in_place(monkeypatch: pytest.MonkeyPatch) -> None:
    # Item columns read from CSV (in chunks) beside an outcome column built in memory (one
    # chunk): the columns reach the pass as they are, not rechunked on the way (a select of
    # such a frame rechunked every column: 37 ms and a copy at 10M rows), and the table is
    # the general path's.
    a, b, o = random_rows(14, 40, 20_000)
    names = np.array([f"model {k}" if k % 2 else f"a longer model name, {k}" for k in range(40)])
    items = pl.DataFrame(
        {
            "a": pl.concat([pl.Series("a", names[a[:5000]]), pl.Series("a", names[a[5000:]])], rechunk=False),
            "b": pl.concat([pl.Series("b", names[b[:9000]]), pl.Series("b", names[b[9000:]])], rechunk=False),
        }
    )
    seen: list[list[int]] = []
    real = _core.reduce_names

    def spy(sa: pl.Series, sb: pl.Series, **kwargs: Any) -> Any:
        labels = kwargs.get("outcome_labels")
        seen.append([sa.n_chunks(), sb.n_chunks()] + ([labels[0].n_chunks()] if labels else []))
        return real(sa, sb, **kwargs)

    monkeypatch.setattr(_core, "reduce_names", spy)
    texts = np.array(["model_b", "tie", "model_a"])[(2 * o).astype(int)]
    for outcome in (pl.Series("outcome", o), pl.Series("outcome", texts)):
        frame = items.with_columns(outcome)
        chunks = [frame[c].n_chunks() for c in frame.columns]
        assert chunks == [2, 2, 1]
        assert [s.n_chunks() for s in select_columns(frame, [("a", "a"), ("b", "b"), ("outcome", "outcome")])] == chunks
        seen.clear()
        same_table(ra.PairTable.from_comparisons(frame), Comparisons.from_frame(frame).pair_table())
        assert seen == [chunks[:2] + ([1] if outcome.dtype == pl.String else [])]


@pytest.mark.parametrize("spread", [60, 200])
@pytest.mark.parametrize("outcome", ["float", "bool", "labels", "none"])
@pytest.mark.parametrize("items", ["Int64", "UInt16", "Categorical"])
def test_id_columns_in_chunks_that_line_up_are_read_where_they_lie(
    items: str, outcome: str, spread: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Columns whose chunks end at the same rows (a Parquet read: a row group each): one pass
    # reads each chunk where it lies (a list of the chunks' arrays, no copy of the column into
    # one array), and the table is the general path's; ids that span more than 256 values in
    # all (each chunk's fewer, `spread` 200) decline to the general path, the same table. A
    # chunk that compares an item with itself leaves the frame to the general path, which
    # names the row.
    rng = np.random.default_rng(15)
    m, cut = 3 * 70_000, [0, 70_000, 140_000, 210_000]
    a = rng.integers(0, 40, m)
    a[cut[1] : cut[2]] += spread  # (the chunks' ids apart: 80 ids in all)
    a[cut[2] :] += 2 * spread
    b = a + rng.integers(1, 40, m)
    o = rng.integers(0, 3, m) / 2.0
    cast: Any = {"Int64": pl.Int64, "UInt16": pl.UInt16, "Categorical": pl.Categorical}[items]
    decisive = (o >= 0.5).astype(float)
    columns: dict[str, Any] = {
        "a": a if items != "Categorical" else a.astype(str),
        "b": b if items != "Categorical" else b.astype(str),
        "outcome": {
            "float": o,
            "bool": decisive.astype(bool),
            "labels": np.array(["model_b", "tie", "model_a"])[(2 * o).astype(int)],
            "none": o,
        }[outcome],
    }
    whole = pl.DataFrame(columns).with_columns(pl.col("a", "b").cast(cast))
    if outcome == "none":
        whole = whole.drop("outcome")

    def chunked(frame: pl.DataFrame) -> pl.DataFrame:
        return pl.concat([frame[cut[k] : cut[k + 1]] for k in range(3)], rechunk=False)

    frame = chunked(whole)
    assert {frame[c].n_chunks() for c in frame.columns} == {3}
    kwargs: dict[str, Any] = {"winner": "a", "loser": "b"} if outcome == "none" else {}
    calls: list[tuple[Any, bool]] = []
    real = _core.reduce_ids

    def spy(a: Any, b: Any, **rest: Any) -> Any:
        found = real(a, b, **rest)
        calls.append((a, found is not None))
        return found

    monkeypatch.setattr(_core, "reduce_ids", spy)
    same_table(ra.PairTable.from_comparisons(frame, **kwargs), Comparisons.from_frame(whole, **kwargs).pair_table())
    (ids, found), *later = calls
    assert isinstance(ids, list) and [len(x) for x in ids] == [70_000] * 3
    # (a Categorical's codes are its 200 or so names in order met, whatever the spread)
    assert found == (items == "Categorical" or spread * 2 + 80 <= 256) and later == []
    # (a self-comparison in the last chunk: the general path's error, naming its row)
    bad = whole.with_columns(pl.when(pl.int_range(m) == m - 5).then(pl.col("a")).otherwise(pl.col("b")).alias("b"))
    with pytest.raises(ra.SelfComparisonError, match=f"rows \\[{m - 5}\\]"):
        ra.PairTable.from_comparisons(chunked(bad), **kwargs)
    # Chunks that do not line up: each column as one array.
    want = ra.PairTable.from_comparisons(whole, **kwargs)
    calls.clear()
    apart = frame.with_columns(pl.concat([whole["b"][:5], whole["b"][5:]], rechunk=False))
    assert (apart["a"].n_chunks(), apart["b"].n_chunks()) == (3, 2)
    same_table(ra.PairTable.from_comparisons(apart, **kwargs), want)
    assert [isinstance(ids, np.ndarray) for ids, _ in calls] == [True]


@pytest.mark.parametrize("items", ["String", "Int64"])
@pytest.mark.parametrize("dtype", [pl.Float64, pl.Int64, pl.Boolean])
def test_outcome_columns_in_chunks_are_read_where_they_lie(
    items: str, dtype: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A float, int64 or boolean outcome column in chunks (a Parquet file's row groups) beside
    # item columns in one chunk: the pass reads the chunks where they lie (a list of arrays,
    # none copied; the boolean column's chunks through the Arrow C stream, their bits, the
    # chunks after the first starting past their bytes' first bit), and the table is the
    # general path's.
    rng = np.random.default_rng(16)
    m = 4 * 70_000
    a = rng.integers(0, 30, m)
    b = (a + rng.integers(1, 30, m)) % 30
    o = rng.integers(0, 3, m) / 2.0 if dtype == pl.Float64 else rng.integers(0, 2, m)
    s = pl.Series("outcome", o).cast(dtype)
    outcome = pl.concat([s[:70_000], s[70_000:150_001], s[150_001:]], rechunk=False)
    names = np.array([f"item {k}" for k in range(30)])
    frame = pl.DataFrame({"a": names[a] if items == "String" else a, "b": names[b] if items == "String" else b})
    frame = frame.with_columns(outcome)
    assert frame["outcome"].n_chunks() == 3
    seen: list[Any] = []
    for name in ("reduce_ids", "reduce_names"):
        real = getattr(_core, name)

        def spy(*args: Any, real: Any = real, **kwargs: Any) -> Any:
            found = real(*args, **kwargs)
            assert found is not None, "the pass declined"
            seen.append(kwargs.get("outcome"))
            return found

        monkeypatch.setattr(_core, name, spy)
    same_table(ra.PairTable.from_comparisons(frame), Comparisons.from_frame(frame).pair_table())
    if dtype == pl.Boolean:
        assert len(seen) == 1 and isinstance(seen[0], pl.Series) and seen[0].n_chunks() == 3
        assert seen[0].equals(frame["outcome"])
        return
    assert len(seen) == 1 and isinstance(seen[0], list) and [len(x) for x in seen[0]] == [70_000, 80_001, m - 150_001]
    assert not any(x.flags.owndata for x in seen[0])


def test_sliced_boolean_outcomes_are_read_from_their_bits(took_the_fast_path: list[bool]) -> None:
    # A one-chunk Boolean column whose first row is not the first bit of its buffer.
    rng = np.random.default_rng(9)
    a = rng.integers(0, 20, 1003)
    b = (a + rng.integers(1, 20, 1003)) % 20
    won = pl.Series("o", rng.integers(0, 2, 1003).astype(bool))[3:]
    frame = pl.DataFrame({"a": a[3:], "b": b[3:], "o": won})
    assert frame["o"].n_chunks() == 1
    t = ra.PairTable.from_comparisons(frame, outcome="o")
    assert took_the_fast_path == [True]
    assert as_dict(t) == brute_force(a[3:].tolist(), b[3:].tolist(), won.cast(pl.Float64).to_list())


def test_the_counting_kernels_edge_cases_give_the_general_table(took_the_fast_path: list[bool]) -> None:
    # Decision 43: float outcomes are classified by their bits (−0.0 is a 0; the floats next
    # to 0, ½ and 1 are not them), a cell may hold far more than 65,535 rows of a block, and
    # names are found through a perfect-hash front table: 12 bytes is still a short name, 13
    # is not (read from its bytes, decision 53), neither is 40; 256 names are counted in the
    # pass, a 257th is not (nor its codes), short or long.
    rng = np.random.default_rng(43)
    m = 200_000
    a = rng.integers(0, 30, m)
    b = (a + rng.integers(1, 30, m)) % 30
    o = rng.integers(0, 3, m) / 2.0
    a[1000:71_000], b[1000:71_000], o[1000:71_000] = 3, 9, 1.0  # 70,000 rows in one cell
    o[5] = -0.0

    def check(frame: pl.DataFrame, fast: list[bool]) -> None:
        took_the_fast_path.clear()
        same_table(ra.PairTable.from_comparisons(frame), Comparisons.from_frame(frame).pair_table())
        assert took_the_fast_path == fast

    check(pl.DataFrame({"a": a, "b": b, "outcome": o}), [True])
    t = ra.PairTable.from_comparisons(pl.DataFrame({"a": a, "b": b, "outcome": o}))
    assert (t.wins_i[(t.i == 3) & (t.j == 9)] >= 70_000).all()
    for near in (np.nextafter(0.5, 1.0), np.nextafter(1.0, 0.0), 5e-324):
        nudged = o.copy()
        nudged[77_777] = near
        check(pl.DataFrame({"a": a, "b": b, "outcome": nudged}), [False])
    for width in (12, 13, 40):
        names = np.array([f"{k:0{width}d}" for k in range(30)])
        check(pl.DataFrame({"a": names[a], "b": names[b], "outcome": o}), [True])
    for n, fast in ((256, [True]), (257, [False, False])):  # (257 codes: past the square too)
        wide_a = rng.integers(0, n, m)
        wide_b = (wide_a + rng.integers(1, n, m)) % n
        for long in ("", "-a-long-model-name"):
            names = np.array([f"n{k * 7919 % 1009}{long * (k % 2)}" for k in range(n)])
            check(pl.DataFrame({"a": names[wide_a], "b": names[wide_b], "outcome": o}), fast)


def test_names_the_front_table_holds_or_cannot_place(took_the_fast_path: list[bool]) -> None:
    # Decision 46: a front slot holds a name's view and code, and an empty slot a key that
    # does not hash to it (0, the empty name's view, or 2^b: the view of b NUL bytes). Names
    # equal to those keys, and two names whose halves fold to the same word (so that they
    # share a slot under every multiplier and one is always found by the directory), are
    # counted as brute force counts them, as items and as outcome labels. (Lists, not numpy
    # strings, which drop trailing NULs.)
    rng = np.random.default_rng(46)
    m = 30_000
    names = ["", "\x00", "\x00\x00", "\x00" * 4, "abcdefghwxyz", "efghabcdwxyz", "tie"] + [f"m{k}" for k in range(20)]
    a = rng.integers(0, len(names), m).tolist()
    b = [(x + int(s)) % len(names) for x, s in zip(a, rng.integers(1, len(names), m), strict=True)]
    sa, sb = [names[x] for x in a], [names[y] for y in b]
    o = (rng.integers(0, 3, m) / 2.0).tolist()
    label = [("model_b", "tie", "model_a")[int(2 * v)] for v in o]
    want = brute_force(sa, sb, o)
    for outcome in (o, label):
        frame = pl.DataFrame({"a": sa, "b": sb, "outcome": outcome})
        took_the_fast_path.clear()
        t = ra.PairTable.from_comparisons(frame)
        assert took_the_fast_path == [True]
        assert t.n_items == len(names) and as_dict(t) == want
        same_table(t, Comparisons.from_frame(frame).pair_table())
    # Outcome labels that are those keys too.
    odd = {"": 1.0, "\x00\x00": 0.0, "abcdefghwxyz": 0.5, "efghabcdwxyz": 1.0}
    texts = [list(odd)[k] for k in rng.integers(0, 4, m)]
    frame = pl.DataFrame({"a": sa, "b": sb, "outcome": texts})
    took_the_fast_path.clear()
    t = ra.PairTable.from_comparisons(frame, outcomes=odd)
    assert took_the_fast_path == [True]
    assert as_dict(t) == brute_force(sa, sb, [odd[x] for x in texts])
