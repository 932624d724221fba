"""PairTable built from counts reduced elsewhere, merged tables, and round trips."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

import rankagg as ra

KW = {"a": "left", "b": "right", "outcome": "winner", "outcomes": ra.datasets.LLMFAO_OUTCOMES}


def same_table(x: ra.PairTable, y: ra.PairTable) -> None:
    assert x.labels.to_list() == y.labels.to_list()
    for f in ("i", "j"):
        np.testing.assert_array_equal(getattr(x, f), getattr(y, f))
    for f in ("wins_i", "wins_j", "ties"):
        np.testing.assert_allclose(getattr(x, f), getattr(y, f), rtol=1e-12)


def group_by_counts(data: pl.DataFrame) -> pl.DataFrame:
    """The reduce a user would run in another engine: one row per ordered pair."""
    return data.group_by("left", "right").agg(
        wins_a=(pl.col("winner") == "left").sum(),
        wins_b=(pl.col("winner") == "right").sum(),
        ties=(pl.col("winner") == "tie").sum(),
    )


def test_from_counts_equals_the_in_memory_reduce_and_its_ratings():
    data = ra.datasets.llmfao()
    direct = ra.PairTable.from_comparisons(data, **KW)
    counted = ra.PairTable.from_counts(group_by_counts(data), a="left", b="right")
    same_table(direct, counted)
    assert counted.rows == direct.rows == data.height
    for method in (ra.bradley_terry, ra.win_rate, ra.pagerank):
        np.testing.assert_allclose(
            method(counted).table["score"].to_numpy(), method(direct).table["score"].to_numpy(), rtol=1e-10
        )
    # Same cells and draws: the bootstrap is the same too.
    b1 = ra.bradley_terry(counted, ci=ra.Bootstrap(rounds=30)).replicates
    b2 = ra.bradley_terry(direct, ci=ra.Bootstrap(rounds=30)).replicates
    np.testing.assert_allclose(b1["score"].to_numpy(), b2["score"].to_numpy(), rtol=1e-9)


def test_to_frame_round_trip_and_merge_of_halves():
    data = ra.datasets.llmfao()
    whole = ra.PairTable.from_comparisons(data, **KW)
    same_table(ra.PairTable.from_counts(whole.to_frame()), whole)
    first = ra.PairTable.from_comparisons(data.head(4000), **KW)
    second = ra.PairTable.from_comparisons(data.tail(data.height - 4000), **KW)
    merged = first + second
    same_table(merged, whole)
    assert merged.rows == whole.rows


def test_from_counts_errors():
    ok = {"a": ["x", "y"], "b": ["y", "z"], "wins_a": [1, 2], "wins_b": [0, 1], "ties": [0, 0]}
    with pytest.raises(ra.InvalidWeightError, match=r"'wins_b'.*rows \[1\]"):
        ra.PairTable.from_counts(dict(ok, wins_b=[0, -1]))
    with pytest.raises(ra.SelfComparisonError, match=r"rows \[1\]"):
        ra.PairTable.from_counts(dict(ok, b=["y", "y"]))
    with pytest.raises(ra.MissingColumnError, match="ties"):
        ra.PairTable.from_counts({k: v for k, v in ok.items() if k != "ties"})
    with pytest.raises(ra.NullValueError, match="wins_a"):
        ra.PairTable.from_counts(dict(ok, wins_a=[1, None]))
    with pytest.raises(ra.EmptyDataError):
        ra.PairTable.from_counts(dict(ok, wins_a=[0, 0], wins_b=[0, 0]))
    ints = ra.PairTable.from_comparisons({"a": [1], "b": [2], "outcome": [1.0]})
    with pytest.raises(ra.RankaggError, match="dtype"):
        ints + ra.PairTable.from_counts(ok)


@pytest.mark.parametrize("seed", range(6))
def test_margin_rules_run_on_pair_tables(seed):
    # Complete strict rankings, also written as one comparison row per ranked pair: the pair
    # table's preference matrix is the rankings' majority matrix, so every rule on margins
    # (and Borda, the row sums) gives the same consensus from either.
    rng = np.random.default_rng(seed)
    items = [f"c{k}" for k in range(6)]
    ballots = [list(rng.permutation(items)) for _ in range(9)]
    votes = ra.Rankings.from_lists(ballots)
    rows = [(r[x], r[y]) for r in ballots for x in range(6) for y in range(x + 1, 6)]
    table = ra.PairTable.from_comparisons(
        {"a": [p[0] for p in rows], "b": [p[1] for p in rows], "outcome": [1.0] * len(rows)}
    )
    for rule in (ra.borda, ra.copeland, ra.minimax, ra.schulze, ra.ranked_pairs, ra.kemeny):
        assert rule(table).table.equals(rule(votes).table), rule.__name__
        assert rule(ra.preference_matrix(table)).table.equals(rule(votes).table), rule.__name__
    assert ra.condorcet_winner(table) == ra.condorcet_winner(votes)
    assert ra.smith_set(table) == ra.smith_set(votes)
    for rule in (ra.plurality, ra.instant_runoff):
        with pytest.raises(ra.RankaggError, match="needs each voter's ranking"):
            rule(table)
    with pytest.raises(ra.RankaggError, match="preference_matrix"):
        ra.copeland({"a": ["x"], "b": ["y"], "outcome": [1.0]})
