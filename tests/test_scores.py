"""Benchmark aggregation (ra.aggregate_scores): against a pure-Python Borda oracle, the two-level
instance → task path against an explicit two-stage computation, properties (a system that wins
every task is first; relabelling and row order), missing systems, and the errors."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rankagg as ra
from hypothesis_budget import examples

METHODS = ["borda", "kemeny", "mean", "copeland", "minimax", "schulze", "ranked_pairs"]


@st.composite
def benchmarks(draw, instances: bool = False):
    """A long table: 2–6 systems, 1–5 tasks, integer scores (ties happen), some systems missing
    from some tasks."""
    systems = [f"s{k}" for k in range(draw(st.integers(2, 6)))]
    rows = []
    for t in range(draw(st.integers(1, 5))):
        present = [s for s in systems if draw(st.booleans()) or s == systems[0]]
        for i in range(draw(st.integers(1, 3)) if instances else 1):
            for s in present:
                rows.append({"task": f"t{t}", "instance": i, "system": s, "score": float(draw(st.integers(0, 4)))})
    return pl.DataFrame(rows)


def borda_oracle(frame: pl.DataFrame) -> dict[str, float]:
    """Per task, one point for each present system with a strictly lower score."""
    points: dict[str, float] = dict.fromkeys(frame["system"].unique().to_list(), 0.0)
    for _, part in frame.group_by("task"):
        score = dict(zip(part["system"].to_list(), part["score"].to_list()))
        for s, v in score.items():
            points[s] += sum(1 for w in score.values() if w < v)
    return points


@settings(max_examples=examples(60))
@given(benchmarks())
def test_borda_matches_the_oracle_and_mean_matches_group_by(frame):
    got = ra.aggregate_scores(frame, method="borda")
    want = borda_oracle(frame)
    assert dict(zip(got.table["item"].to_list(), got.table["score"].to_list())) == want
    mean = ra.aggregate_scores(frame, method="mean")
    by = frame.group_by("system").agg(pl.col("score").mean())
    assert dict(zip(mean.table["item"].to_list(), mean.table["score"].to_list())) == pytest.approx(
        dict(zip(by["system"].to_list(), by["score"].to_list()))
    )
    # positions follow the scores, best first
    assert mean.table["score"].to_list() == sorted(mean.table["score"].to_list(), reverse=True)


@settings(max_examples=examples(40))
@given(benchmarks(), st.sampled_from(METHODS), st.randoms(use_true_random=False))
def test_a_system_that_wins_every_task_is_first_and_row_order_does_not_matter(frame, method, rnd):
    best = frame.group_by("task").agg(pl.col("score").max().alias("best"))
    champ = best.select("task", pl.lit("champ").alias("system"), (pl.col("best") + 1.0).alias("score"))
    data = pl.concat([frame.select("task", "system", "score"), champ])
    result = ra.aggregate_scores(data, method=method)
    # (a mean over the tasks a system has can favour a system seen on fewer tasks: the rule's
    # known bias, so there the property needs every system on every task)
    complete = data.group_by("system").len()["len"].min() == data["task"].n_unique()
    if method != "mean" or complete:
        assert result.winners == ["champ"]
    order = list(range(data.height))
    rnd.shuffle(order)
    shuffled = ra.aggregate_scores(data[order], method=method)
    assert shuffled.table.equals(result.table)
    # renaming the systems renames the result (upper-casing keeps the labels' order, so ties are
    # broken the same way and the whole table maps back)
    renamed = ra.aggregate_scores(data.with_columns(pl.col("system").str.to_uppercase()), method=method)
    assert renamed.table.with_columns(pl.col("item").str.to_lowercase()).equals(result.table)
    lower = ra.aggregate_scores(data.with_columns(-pl.col("score")), method=method, higher_is="worse")
    assert lower.winners == result.winners


@settings(max_examples=examples(30))
@given(benchmarks(instances=True), st.sampled_from(["borda", "kemeny", "mean"]))
def test_two_level_equals_the_explicit_two_stages(frame, method):
    got = ra.aggregate_scores(frame, instance="instance", method=method)
    if method == "mean":
        per_task = frame.group_by("task", "system").agg(pl.col("score").mean())
        want = ra.aggregate_scores(per_task, method="mean")
    else:
        rule = getattr(ra, method)
        rows = []
        for (t,), part in frame.group_by("task", maintain_order=True):
            votes = ra.Rankings.from_frame(
                part.with_columns((-pl.col("score")).rank("dense").over("instance").alias("r")),
                voter="instance",
                item="system",
                rank="r",
            )
            table = rule(votes, unranked="ignore").table
            rows.append(
                table.select(
                    pl.lit(t).alias("task"),
                    pl.col("item").alias("system"),
                    (-pl.col("rank").cast(pl.Float64)).alias("score"),
                )
            )
        want = ra.aggregate_scores(pl.concat(rows), method=method)
    # (means are summed in another order: equal up to rounding)
    assert got.table["score"].to_list() == pytest.approx(want.table["score"].to_list(), rel=1e-12)
    assert got.table.drop("score").equals(want.table.drop("score")) or method == "mean"


def test_missing_systems_and_agreement_per_task():
    bench = pl.DataFrame(
        {
            "task": ["a", "a", "a", "b", "b", "c", "c", "c"],
            "system": ["x", "y", "z", "x", "y", "x", "y", "z"],
            "score": [3.0, 2.0, 1.0, 1.0, 2.0, 3.0, 1.0, 2.0],
        }
    )
    ignore = ra.aggregate_scores(bench, method="borda")
    below = ra.aggregate_scores(bench, method="borda", unranked="below")
    # z is missing from task b: ignored, it loses nothing there; below, it loses to x and y there.
    assert dict(zip(ignore.table["item"].to_list(), ignore.table["score"].to_list())) == {"x": 4.0, "y": 2.0, "z": 1.0}
    assert dict(zip(below.table["item"].to_list(), below.table["score"].to_list())) == {"x": 5.0, "y": 3.0, "z": 1.0}
    agree = ignore.agreement
    assert agree["voter"].to_list() == ["a", "b", "c"]
    assert agree["agreement"][0] == 1.0 and agree["agreement"][1] == -1.0
    k = ra.aggregate_scores(bench, method="kemeny")
    assert k.optimal and k.table["item"].to_list() == ["x", "y", "z"]


def test_errors_name_the_column_and_rows():
    good = {"task": ["a", "a"], "system": ["x", "y"], "score": [1.0, 2.0]}
    with pytest.raises(ra.MissingColumnError, match=r"'model' \(item=\)"):
        ra.aggregate_scores(good, item="model")
    with pytest.raises(ra.NonFiniteValueError, match=r"rows \[1\]"):
        ra.aggregate_scores({**good, "score": [1.0, float("nan")]})
    with pytest.raises(ra.NullValueError, match="task"):
        ra.aggregate_scores({**good, "task": ["a", None]})
    with pytest.raises(ra.RankaggError, match=r"two scores .* rows \[0, 1\]"):
        ra.aggregate_scores({**good, "system": ["x", "x"]})
    with pytest.raises(ra.RankaggError, match="method must be"):
        ra.aggregate_scores(good, method="median")
    with pytest.raises(ra.RankaggError, match="higher_is"):
        ra.aggregate_scores(good, higher_is="smaller")  # type: ignore[arg-type]
    with pytest.raises(ra.RankaggError, match="must be numeric"):
        ra.aggregate_scores({**good, "score": ["1", "2"]})
    with pytest.raises(ra.EmptyDataError):
        ra.aggregate_scores({"task": [], "system": [], "score": []})
    frame = pl.DataFrame(good)
    before = frame.clone()
    ra.aggregate_scores(frame)
    assert frame.equals(before)


def test_scales_do_not_dominate_a_rank_consensus():
    # Colombo et al.'s point: one task on a larger scale decides the mean, not the rankings.
    rng = np.random.default_rng(0)
    systems = [f"s{k}" for k in range(5)]
    rows = []
    for t in range(6):
        scale = 100.0 if t == 0 else 1.0
        quality = np.arange(5)[::-1] if t else np.arange(5)  # task 0 reverses the order
        for s, q in zip(systems, quality):
            rows.append({"task": t, "system": s, "score": scale * (q + 0.01 * rng.random())})
    bench = pl.DataFrame(rows)
    assert ra.aggregate_scores(bench, method="mean").winners == ["s4"]
    for method in ("borda", "kemeny", "schulze"):
        assert ra.aggregate_scores(bench, method=method).winners == ["s0"]


def test_former_keyword_names_still_work_with_a_warning():
    """item/over/value are the names defensive and welfare use; the former system/task/score and
    higher_is="lower" give the same answer with a DeprecationWarning."""
    bench = {"t": ["a", "a", "b", "b"], "m": ["x", "y", "x", "y"], "s": [1.0, 2.0, 3.0, 1.0], "v": [1.0] * 4}
    new = ra.aggregate_scores(bench, item="m", over="t", value="s", higher_is="worse")
    with pytest.warns(DeprecationWarning, match="now item="):
        old = ra.aggregate_scores(bench, system="m", task="t", score="s", higher_is="worse")
    assert old.table.equals(new.table)
    with pytest.warns(DeprecationWarning, match='now higher_is="worse"'):
        assert ra.aggregate_scores(bench, item="m", over="t", value="s", higher_is="lower").table.equals(new.table)
    with pytest.raises(ra.RankaggError, match="former name of value="):
        ra.aggregate_scores(bench, item="m", over="t", value="s", score="v")
    utilities = {"item": ["x", "x", "y", "y"], "g": [1, 2, 1, 2], "value": [1.0, 0.0, 0.5, 0.6]}
    with pytest.warns(DeprecationWarning, match="now over="):
        old_w = ra.welfare(utilities, group="g", rule="worst_group")
    assert old_w.table.equals(ra.welfare(utilities, over="g", rule="worst_group").table)
