"""Scale (issue 7): the memory budget stops oversized dense requests before they allocate; the
group-by recipes for DuckDB and Apache Spark (docs/scale.md) give the pair table, and so the
ratings, of the in-memory path exactly; many items stay sparse.

Spark needs Java: without it the Spark test skips, unless RANKAGG_REQUIRE_SPARK is set (CI)."""

from __future__ import annotations

import os
import shutil
import time
import tracemalloc

import numpy as np
import polars as pl
import pytest

import rankagg as ra


@pytest.fixture
def budget():
    """Restores the default budget after the test."""
    yield ra.set_memory_budget
    ra.set_memory_budget(None)


def ring(items: int, laps: int = 2) -> pl.DataFrame:
    """Item k meets k + 1 once per lap; the successor wins on even laps, the predecessor on odd
    ones: a cycle, strongly connected, every item as strong as every other."""
    k = np.arange(items * laps) % items
    return pl.DataFrame({"a": k, "b": (k + 1) % items, "outcome": (np.arange(items * laps) // items % 2).astype(float)})


# -- the memory budget ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, names",
    [
        (lambda d: ra.preference_matrix(d), "dense preference matrix"),
        (lambda d: ra.maximal_lottery(d), "dense preference matrix"),
        (lambda d: ra.kemeny(d), "dense preference matrix"),
        (lambda d: ra.copeland(ra.preference_matrix(d)), "dense preference matrix"),
        (lambda d: ra.bradley_terry(d, regularization=1.0, ci=ra.Sandwich()), "sandwich covariance"),
        (lambda d: ra.consistency(d), "dense preference matrix"),
        (
            lambda d: ra.consistency(d.with_columns(judge=pl.lit("j1")), group="judge"),
            "preference matrix of group 'j1'",
        ),
    ],
)
def test_an_oversized_dense_request_fails_before_allocating(call, names):
    # 300,000 items: an n × n float64 matrix is 720 GB, beyond any default budget.
    data = ring(300_000, laps=1)
    tracemalloc.start()
    t = time.perf_counter()
    try:
        with pytest.raises(ra.MemoryBudgetError, match=names) as err:
            call(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - t < 30
    assert peak < 1 << 30, f"allocated {peak / 2**20:.0f} MiB before failing"
    message = str(err.value)
    assert "300000 × 300000" in message or "300001 × 300001" in message
    assert "set_memory_budget" in message


def test_the_budget_is_configurable(budget):
    data = {"a": ["x"] * 40, "b": [f"y{k}" for k in range(40)], "outcome": [1.0] * 40}
    assert ra.preference_matrix(data).matrix.shape == (41, 41)
    default = ra.memory_budget()
    assert budget("10K") is None  # the previous setting: the default
    # 41² · 8 bytes = 13.1 KiB, three times over in preference_matrix (its measured peak)
    with pytest.raises(ra.MemoryBudgetError, match=r"39\.4 KiB, over the memory budget of 10\.0 KiB \(ra"):
        ra.preference_matrix(data)
    assert ra.memory_budget() == 10 << 10
    assert budget(None) == 10 << 10
    assert abs(ra.memory_budget() - default) < 0.01 * default  # the default follows the process's use
    for bad in ("lots", -1, 0, 1.5, True):
        with pytest.raises(ra.RankaggError, match="memory budget"):
            budget(bad)


def test_the_budget_comes_from_the_environment():
    import subprocess
    import sys

    code = "import rankagg as ra; print(ra.memory_budget())"
    env = {**os.environ, "RANKAGG_MEMORY_BUDGET": "3G"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert int(out.stdout) == 3 << 30


def test_many_items_stay_sparse():
    # 200,000 items: sparse all the way (a dense table would be 160 GB); the answer is the
    # ring's: every item has one win and one loss, so all strengths are equal.
    r = ra.bradley_terry(ring(200_000), regularization=0.1)
    assert r.converged
    assert np.allclose(r.table["score"].to_numpy(), 1000.0, atol=1e-6)
    w = ra.win_rate(ring(200_000))
    assert np.allclose(w.table["score"].to_numpy(), 0.5)


# -- reduced elsewhere: DuckDB and Spark -----------------------------------------------------------


@pytest.fixture(scope="module")
def battles(tmp_path_factory) -> tuple[str, pl.DataFrame]:
    """Arena battles in Parquet: 30 models, 20,000 rows, LMArena labels."""
    rng = np.random.default_rng(7)
    m, n = 20_000, 30
    strength = rng.normal(0, 1, n)
    a = rng.integers(0, n, m)
    b = (a + rng.integers(1, n, m)) % n
    p = 1 / (1 + np.exp(strength[b] - strength[a]))
    winner = np.where(
        rng.random(m) < 0.15,
        np.where(rng.random(m) < 0.5, "tie", "tie (bothbad)"),
        np.where(rng.random(m) < p, "model_a", "model_b"),
    )
    frame = pl.DataFrame(
        {"model_a": [f"model-{k:02d}" for k in a], "model_b": [f"model-{k:02d}" for k in b], "winner": winner}
    )
    path = tmp_path_factory.mktemp("battles") / "battles.parquet"
    frame.write_parquet(path)
    return str(path), frame


COUNTS_SQL = """
    SELECT model_a, model_b,
           count(*) FILTER (WHERE winner = 'model_a')      AS wins_a,
           count(*) FILTER (WHERE winner = 'model_b')      AS wins_b,
           count(*) FILTER (WHERE winner LIKE 'tie%')      AS ties
    FROM read_parquet('{path}')
    GROUP BY model_a, model_b
"""


def assert_same_as_in_memory(counts: pl.DataFrame, frame: pl.DataFrame) -> None:
    table = ra.PairTable.from_counts(counts, a="model_a", b="model_b")
    direct = ra.PairTable.from_comparisons(frame, a="model_a", b="model_b", outcome="winner")
    assert table.to_frame().equals(direct.to_frame())
    assert table.rows == direct.rows
    mine = ra.bradley_terry(table)
    want = ra.bradley_terry(frame, a="model_a", b="model_b", outcome="winner")
    assert mine.table.equals(want.table)
    boot = ra.bradley_terry(table, ci=ra.Bootstrap(rounds=50, seed=3))
    boot_direct = ra.bradley_terry(direct, ci=ra.Bootstrap(rounds=50, seed=3))
    assert boot.table.equals(boot_direct.table)


def test_duckdb_group_by_gives_the_in_memory_ratings(battles):
    duckdb = pytest.importorskip("duckdb")
    path, frame = battles
    counts = duckdb.sql(COUNTS_SQL.format(path=path)).pl()
    assert counts.height < frame.height
    assert_same_as_in_memory(counts, frame)


def test_spark_group_by_gives_the_in_memory_ratings(battles):
    required = bool(os.environ.get("RANKAGG_REQUIRE_SPARK"))
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        if required:
            pytest.fail("RANKAGG_REQUIRE_SPARK is set but Java is not installed")
        pytest.skip("Spark needs Java")
    try:
        from pyspark.sql import SparkSession
        from pyspark.sql import functions as F
    except ImportError:
        if required:
            raise
        pytest.skip("pyspark is not installed")
    path, frame = battles
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("rankagg-test")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    try:
        spark.sparkContext.setLogLevel("ERROR")
        sdf = spark.read.parquet(path)
        counts = sdf.groupBy("model_a", "model_b").agg(
            F.sum((F.col("winner") == "model_a").cast("long")).alias("wins_a"),
            F.sum((F.col("winner") == "model_b").cast("long")).alias("wins_b"),
            F.sum(F.col("winner").startswith("tie").cast("long")).alias("ties"),
        )
        result = pl.from_arrow(counts.toArrow())
    finally:
        spark.stop()
    assert isinstance(result, pl.DataFrame)
    assert_same_as_in_memory(result, frame)


def test_duckdb_and_spark_style_counts_merge_incrementally(battles):
    # Two days of battles reduced separately and added equal one reduce of both.
    _, frame = battles
    first, second = frame.head(12_000), frame.tail(8_000)
    both = ra.PairTable.from_comparisons(frame, a="model_a", b="model_b", outcome="winner")
    parts = [ra.PairTable.from_comparisons(p, a="model_a", b="model_b", outcome="winner") for p in (first, second)]
    summed = parts[0] + parts[1]
    assert summed.to_frame().equals(both.to_frame())
    assert summed.rows == both.rows
