"""LazyFrames are reduced in streaming batches: identical tables and ratings, errors naming
rows of the whole stream."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

import rankagg as ra
from rankagg import pairs as pairs_module

KW = {"a": "left", "b": "right", "outcome": "winner", "outcomes": ra.datasets.LLMFAO_OUTCOMES}


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(pairs_module, "STREAM_BATCH_ROWS", 1000)


def test_streamed_and_in_memory_tables_are_identical(small_batches, tmp_path):
    frame = ra.datasets.llmfao()
    path = tmp_path / "battles.parquet"
    frame.write_parquet(path)
    streamed = ra.PairTable.from_comparisons(pl.scan_parquet(path), **KW)
    direct = ra.PairTable.from_comparisons(frame, **KW)
    assert streamed.labels.equals(direct.labels) and streamed.rows == direct.rows
    for f in ("i", "j", "wins_i", "wins_j", "ties"):
        np.testing.assert_array_equal(getattr(streamed, f), getattr(direct, f))  # integer counts: exact
    for method in (ra.bradley_terry, ra.average_win_rate):
        assert method(pl.scan_parquet(path), **KW).table.equals(method(frame, **KW).table)


def test_stream_errors_name_rows_of_the_whole_stream(small_batches):
    frame = ra.datasets.llmfao()
    bad = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 4321).then(pl.lit("zzz")).otherwise(pl.col("winner")).alias("winner")
    )
    with pytest.raises(ra.UnknownOutcomeError, match=r"rows \[4321\]"):
        ra.bradley_terry(bad.lazy(), **KW)
    same = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 5555).then(pl.col("left")).otherwise(pl.col("right")).alias("right")
    )
    with pytest.raises(ra.SelfComparisonError, match=r"rows \[5555\]"):
        ra.bradley_terry(same.lazy(), **KW)
    nulls = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 2500).then(None).otherwise(pl.col("left")).alias("left")
    )
    with pytest.raises(ra.NullValueError, match=r"rows \[2500\]"):
        ra.bradley_terry(nulls.lazy(), **KW)
    with pytest.raises(ra.MissingColumnError, match="nope"):
        ra.bradley_terry(frame.lazy(), a="nope", b="right", outcome="winner")
    with pytest.raises(ra.EmptyDataError):
        ra.bradley_terry(frame.lazy().filter(pl.lit(False)), **KW)
