"""Per-task Bradley–Terry leaderboards with partial pooling: bradley_terry(by=, pooling=)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import polars as pl
import pytest

import rankagg as ra
from rankagg.errors import (
    MissingColumnError,
    NotIdentifiableError,
    NullValueError,
    RankaggError,
)
from thread_counts import stdout_per_thread_count


def simulate(seed: int, tasks: int, items: int, rows: int, spread: float = 0.5, absent: int = 0) -> tuple:
    """Comparisons from θ_{t,i} = μ_i + δ_{t,i}; the last ``absent`` items never play in task 0."""
    rng = np.random.default_rng(seed)
    mu = rng.normal(0.0, 1.0, items)
    delta = rng.normal(0.0, spread, (tasks, items))
    theta = mu[None, :] + delta
    t = rng.integers(0, tasks, rows)
    a = rng.integers(0, items, rows)
    b = (a + rng.integers(1, items, rows)) % items
    if absent:
        bad = (t == 0) & ((a >= items - absent) | (b >= items - absent))
        t, a, b = t[~bad], a[~bad], b[~bad]
    p = 1.0 / (1.0 + np.exp(-(theta[t, a] - theta[t, b])))
    o = (rng.random(len(t)) < p).astype(float)
    o[rng.random(len(t)) < 0.1] = 0.5  # some ties
    frame = pl.DataFrame(
        {"task": [f"t{x}" for x in t], "a": [f"i{x}" for x in a], "b": [f"i{x}" for x in b], "outcome": o}
    )
    return frame, theta


def scores(r: ra.Ratings, by: str = "task") -> dict:
    return {(t, i): s for t, i, s in r.table.select(by, "item", "score").rows()}


def test_pooling_zero_is_bradley_terry_per_task():
    df, _ = simulate(1, 4, 7, 1500, absent=2)
    for reg in (0.0, 0.5):
        r = ra.bradley_terry(df, by="task", pooling=0, scale="logit", regularization=reg)
        for task in df["task"].unique():
            alone = ra.bradley_terry(df.filter(pl.col("task") == task), scale="logit", regularization=reg)
            mine = r.table.filter(pl.col("task") == task).drop("task", "pooled_only")
            assert mine.equals(alone.table)  # same pair table, same solver: the same bits
    # items absent from a task have no row at pooling=0
    assert r.table.filter(pl.col("task") == "t0").height == 5


def test_pooling_zero_bootstrap_is_each_tasks_bootstrap():
    df, _ = simulate(2, 3, 5, 600)
    ci = ra.Bootstrap(rounds=30, seed=4)
    r = ra.bradley_terry(df, by="task", pooling=0, ci=ci)
    for task in ("t0", "t2"):
        alone = ra.bradley_terry(df.filter(pl.col("task") == task), ci=ci)
        mine = r.table.filter(pl.col("task") == task).select("item", "lower", "upper", "rank")
        assert mine.equals(alone.table.select("item", "lower", "upper", "rank"))


def test_huge_pooling_is_the_pooled_fit():
    df, _ = simulate(3, 5, 6, 2000, absent=1)
    pooled = dict(ra.bradley_terry(df, scale="logit").table.select("item", "score").rows())
    r = ra.bradley_terry(df, by="task", pooling=1e9, scale="logit")
    assert r.converged
    assert r.table.height == 5 * 6  # every (task, item) cell, the absent ones pooled
    for (_task, item), s in scores(r).items():
        assert s == pytest.approx(pooled[item], abs=1e-6)
    absent = r.table.filter(pl.col("pooled_only"))
    assert absent.select("task", "item").rows() == [("t0", "i5")]
    assert absent["n"].to_list() == [0.0]


def _map_objective(df: pl.DataFrame, pooling: float, reg: float, items: list, tasks: list):
    """The MAP objective written from the rows (ties = half a win each), and its parameters."""
    ia = np.array([items.index(x) for x in df["a"]])
    ib = np.array([items.index(x) for x in df["b"]])
    it = np.array([tasks.index(x) for x in df["task"]])
    o = df["outcome"].to_numpy()
    n, T = len(items), len(tasks)

    def f(x):
        mu, delta = x[:n], x[n:].reshape(T, n)
        d = mu[ia] + delta[it, ia] - mu[ib] - delta[it, ib]
        ll = np.sum(o * -np.logaddexp(0, -d) + (1 - o) * -np.logaddexp(0, d))
        prior = -0.5 * pooling * np.sum(delta**2) + reg * np.sum(-np.logaddexp(0, -mu) - np.logaddexp(0, mu))
        return -(ll + prior)

    return f, n, T


@pytest.mark.parametrize("pooling, reg", [(0.7, 0.0), (3.0, 0.4)])
def test_agrees_with_scipy_on_the_map_objective(pooling, reg):
    optimize = pytest.importorskip("scipy.optimize")
    df, _ = simulate(5, 3, 4, 150)
    items, tasks = sorted(set(df["a"]) | set(df["b"])), sorted(set(df["task"]))
    f, n, T = _map_objective(df, pooling, reg, items, tasks)
    res = optimize.minimize(f, np.zeros(n + T * n), method="BFGS", options={"gtol": 1e-10, "maxiter": 10_000})
    mu, delta = res.x[:n], res.x[n:].reshape(T, n)
    ref = mu[None, :] + delta - mu.mean()
    r = ra.bradley_terry(df, by="task", pooling=pooling, regularization=reg, scale="logit")
    got = np.array([[scores(r)[(t, i)] for i in items] for t in tasks])
    assert np.abs(got - ref).max() < 1e-5
    # our answer is a stationary point of the objective (central differences) at (μ, θ − μ),
    # μ scipy's overall strengths (the scores are reported with μ centred)
    shift = mu.mean()
    x = np.concatenate([mu, (got + shift - mu[None, :]).reshape(-1)])
    h = 1e-6
    grad = np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(len(x))])
    assert np.abs(grad).max() < 1e-4


def test_shrinkage_is_monotone_in_pooling():
    df, _ = simulate(6, 6, 6, 1200)
    pooled = dict(ra.bradley_terry(df, scale="logit").table.select("item", "score").rows())
    spread = []
    for pooling in (0.0, 0.1, 1.0, 10.0, 100.0):
        s = scores(ra.bradley_terry(df, by="task", pooling=pooling, scale="logit"))
        spread.append(sum((v - pooled[i]) ** 2 for (t, i), v in s.items()))
    assert all(x > y for x, y in itertools.pairwise(spread)), spread


def test_relabelling_and_row_order_do_not_matter():
    df, _ = simulate(7, 4, 5, 800, absent=1)
    r = ra.bradley_terry(df, by="task", pooling=2.0, regularization=0.3)
    rename_t = {f"t{k}": f"task-{9 - k}" for k in range(4)}
    rename_i = {f"i{k}": f"z{(k * 3) % 5}" for k in range(5)}
    other = (
        df.with_columns(
            pl.col("task").replace_strict(rename_t),
            pl.col("a").replace_strict(rename_i),
            pl.col("b").replace_strict(rename_i),
        )
        .sample(fraction=1.0, shuffle=True, seed=3)
        .rename({"task": "topic"})
    )
    r2 = ra.bradley_terry(other, by="topic", pooling=2.0, regularization=0.3)
    s1, s2 = scores(r), scores(r2, "topic")
    assert len(s1) == len(s2)
    for (t, i), v in s1.items():
        assert s2[(rename_t[t], rename_i[i])] == pytest.approx(v, abs=1e-9)
    # swapping a and b with the outcome reversed changes nothing either
    flipped = df.select(
        "task", pl.col("b").alias("a"), pl.col("a").alias("b"), (1 - pl.col("outcome")).alias("outcome")
    )
    s3 = scores(ra.bradley_terry(flipped, by="task", pooling=2.0, regularization=0.3))
    assert all(s3[k] == pytest.approx(v, abs=1e-9) for k, v in s1.items())


def test_table_layout_anchor_indexing_and_input_untouched():
    df, _ = simulate(8, 3, 4, 400, absent=1)
    before = df.clone()
    r = ra.bradley_terry(df, by="task", anchor=("i0", 1000.0))
    assert df.equals(before)
    assert r.table.columns == ["task", "item", "score", "rank", "wins", "losses", "ties", "n", "pooled_only"]
    assert r.table["task"].to_list() == ["t0"] * 4 + ["t1"] * 4 + ["t2"] * 4
    for task in ("t0", "t1", "t2"):
        part = r.table.filter(pl.col("task") == task)
        assert part["score"].to_list() == sorted(part["score"].to_list(), reverse=True)
        assert part["rank"].to_list() == [1, 2, 3, 4]
        assert r[task, "i0"] == 1000.0
    # per-task counts: the task's own comparisons
    t1 = df.filter(pl.col("task") == "t1")
    assert r.table.filter(pl.col("task") == "t1")["n"].sum() == 2 * t1.height
    with pytest.raises(RankaggError, match=r"\(task, item\)"):
        r["i0"]
    with pytest.raises(RankaggError, match="per-task"):
        r.predict("i0", "i1")
    # a cell without data shows the overall strength: the same value in every such task
    logit = ra.bradley_terry(df, by="task", scale="logit")
    row = logit.table.filter(pl.col("pooled_only"))
    assert row.height == 1 and row["n"][0] == 0


def test_bootstrap_intervals_per_task():
    df, _ = simulate(9, 3, 5, 900)
    ci = ra.Bootstrap(rounds=40, seed=1)
    r = ra.bradley_terry(df, by="task", pooling=1.0, ci=ci)
    again = ra.bradley_terry(df, by="task", pooling=1.0, ci=ci)
    assert r.table.equals(again.table)
    t = r.table
    assert (t["lower"] <= t["upper"]).all()
    inside = ((t["lower"] <= t["score"]) & (t["score"] <= t["upper"])).mean()
    assert inside >= 0.9
    assert (t["upper"] - t["lower"] > 0).all()


def test_partial_pooling_beats_both_extremes_in_simulation():
    """Many tasks, few comparisons per (task, item): partial pooling's mean squared error
    against the truth is below both the independent fits' and the single leaderboard's."""
    rng_df, theta = simulate(11, 40, 8, 40 * 60, spread=0.5)
    items = [f"i{k}" for k in range(8)]
    tasks = [f"t{k}" for k in range(40)]

    def mse(r):
        s = scores(r)
        err = 0.0
        for k, t in enumerate(tasks):
            est = np.array([s[(t, i)] for i in items])
            true = theta[k]
            err += np.mean(((est - est.mean()) - (true - true.mean())) ** 2)
        return err / len(tasks)

    independent = mse(ra.bradley_terry(rng_df, by="task", pooling=0, scale="logit"))
    one_board = mse(ra.bradley_terry(rng_df, by="task", pooling=1e9, scale="logit"))
    partial = mse(ra.bradley_terry(rng_df, by="task", pooling=4.0, scale="logit"))  # the true 1/0.5²
    assert partial < 0.8 * independent, (partial, independent, one_board)
    assert partial < 0.8 * one_board, (partial, independent, one_board)


def test_weights_are_repeated_rows():
    df, _ = simulate(12, 3, 4, 300)
    w = np.random.default_rng(0).integers(1, 4, df.height)
    weighted = ra.bradley_terry(df.with_columns(w=pl.Series(w, dtype=pl.Float64)), by="task", weight="w")
    repeated = ra.bradley_terry(df.select(pl.all().repeat_by(pl.Series(w)).explode()), by="task")
    a, b = scores(weighted), scores(repeated)
    assert all(b[k] == pytest.approx(v, abs=1e-7) for k, v in a.items())


def test_bad_input_errors():
    df, _ = simulate(13, 3, 4, 200)
    with pytest.raises(NullValueError, match=r"'task' \(by=\).*rows \[1, 4\]"):
        ra.bradley_terry(
            df.with_columns(task=pl.when(pl.int_range(pl.len()).is_in([1, 4])).then(None).otherwise(pl.col("task"))),
            by="task",
        )
    with pytest.raises(MissingColumnError, match="'topic' \\(by=\\)"):
        ra.bradley_terry(df, by="topic")
    for bad in (-1.0, math.nan, math.inf, "1", True):
        with pytest.raises(RankaggError, match="pooling must be a finite number >= 0"):
            ra.bradley_terry(df, by="task", pooling=bad)
    with pytest.raises(RankaggError, match="rename the task column"):
        ra.bradley_terry(df.rename({"task": "n"}), by="n")
    with pytest.raises(RankaggError, match="pass by="):
        ra.bradley_terry(df, pooling=1.0)
    with pytest.raises(RankaggError, match="Sandwich"):
        ra.bradley_terry(df, by="task", ci=ra.Sandwich())
    with pytest.raises(RankaggError, match="ties='half' or 'drop'"):
        ra.bradley_terry(df, by="task", ties="davidson")
    with pytest.raises(RankaggError, match="PairTable"):
        ra.bradley_terry(ra.PairTable.from_comparisons(df), by="task")
    # a task whose rows all have zero weight: fewer than two items compared
    w = (df["task"] != "t1").cast(pl.Float64)
    with pytest.raises(RankaggError, match=r"task\(s\) 't1'.*fewer than two items"):
        ra.bradley_terry(df.with_columns(w=w), by="task", weight="w")


def test_non_identifiable_task_needs_pooling():
    df = pl.DataFrame(
        {
            "task": ["x", "x", "x", "x", "y", "y"],
            "a": ["p", "q", "r", "p", "p", "q"],
            "b": ["q", "r", "p", "r", "q", "r"],
            "outcome": [1.0, 1.0, 1.0, 0.0, 1.0, 1.0],  # in task y, p never loses
        }
    )
    with pytest.raises(NotIdentifiableError, match=r"task 'y'.*never lose: 'p'.*pooling > 0") as e:
        ra.bradley_terry(df, by="task", pooling=0)
    assert e.value.task == "y"
    r = ra.bradley_terry(df, by="task", pooling=1.0)  # finite: shrunk toward the pooled strengths
    assert r.converged and r.table["score"].is_finite().all()
    # the pooled graph itself not strongly connected: no finite overall strengths
    with pytest.raises(NotIdentifiableError, match="all tasks together"):
        ra.bradley_terry(df.filter(pl.col("task") == "y"), by="task", pooling=1.0)
    r = ra.bradley_terry(df.filter(pl.col("task") == "y"), by="task", pooling=1.0, regularization=1.0)
    assert r.converged


def test_ties_dropped_leave_an_item_without_data():
    df = pl.DataFrame(
        {
            "task": ["x"] * 4 + ["y"] * 4,
            "a": ["p", "q", "r", "p", "p", "q", "q", "p"],
            "b": ["q", "r", "p", "r", "q", "p", "r", "r"],
            "outcome": [1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.5, 0.5],  # in y, r only ties
        }
    )
    r = ra.bradley_terry(df, by="task", ties="drop", scale="logit")
    ry = r.table.filter(pl.col("task") == "y")
    assert ry.filter(pl.col("item") == "r")["pooled_only"].to_list() == [True]
    assert ry.filter(pl.col("item") == "r")["ties"].to_list() == [2.0]  # counted, not used
    # with ties as half wins the same cell has data
    half = ra.bradley_terry(df, by="task", scale="logit")
    assert not half.table.filter((pl.col("task") == "y") & (pl.col("item") == "r"))["pooled_only"][0]


@pytest.mark.parametrize("pooling", [1e-8, 1e-3, 1e3, 1e12])
def test_extreme_pooling_converges(pooling):
    df, _ = simulate(14, 5, 6, 600)
    r = ra.bradley_terry(df, by="task", pooling=pooling, scale="logit")
    assert r.converged and r.table["score"].is_finite().all()


def test_same_bits_with_one_thread(tmp_path):
    df, _ = simulate(15, 6, 9, 3000, absent=2)
    src = tmp_path / "d.parquet"
    df.write_parquet(src)
    code = (
        "import polars as pl, rankagg as ra, sys; "
        f"r = ra.bradley_terry(pl.read_parquet({str(src)!r}), by='task', pooling=0.7, regularization=0.2); "
        "sys.stdout.write(repr(r.table['score'].to_list()))"
    )
    runs = stdout_per_thread_count(code)
    assert runs[0] == runs[1] and runs[0].startswith("[")


def test_anchor_per_task_and_missing_anchor_at_pooling_zero():
    df, _ = simulate(16, 3, 5, 600, absent=1)  # i4 never plays in t0
    r = ra.bradley_terry(df, by="task", pooling=0, anchor=("i1", 0.0), scale="logit")
    plain = ra.bradley_terry(df.filter(pl.col("task") == "t2"), anchor=("i1", 0.0), scale="logit")
    mine = r.table.filter(pl.col("task") == "t2").select("item", "score")
    assert mine.equals(plain.table.select("item", "score"))
    with pytest.raises(ra.UnknownItemError, match=r"'i4' has no comparisons in task\(s\) 't0'"):
        ra.bradley_terry(df, by="task", pooling=0, anchor=("i4", 0.0))
    pooled = ra.bradley_terry(df, by="task", pooling=1.0, anchor=("i4", 1500.0))  # its pooled value in t0
    assert pooled["t0", "i4"] == 1500.0 and pooled["t1", "i4"] == 1500.0
    with pytest.raises(ra.UnknownItemError):
        ra.bradley_terry(df, by="task", anchor=("nobody", 0.0))


def test_core_rejects_bad_arrays_without_panicking():
    from rankagg import _core

    u = np.array([0, 0], dtype=np.uint32)
    one = np.array([1, 1], dtype=np.uint32)
    w = np.ones(2)
    z2, z4 = np.zeros(2), np.zeros(4)
    cases = [
        {"task": np.array([1, 0], dtype=np.uint32), "i": u, "j": one, "wij": w, "wji": w},  # tasks not sorted
        {"task": u, "i": u, "j": u, "wij": w, "wji": w},  # self-comparison
        {"task": u, "i": u, "j": np.array([1, 5], dtype=np.uint32), "wij": w, "wji": w},  # item out of range
        {"task": u, "i": u, "j": one, "wij": np.array([1.0, -1.0]), "wji": w},  # negative count
        {"task": u, "i": u, "j": one, "wij": np.ones(3), "wji": w},  # lengths differ
    ]
    for case in cases:
        with pytest.raises(RankaggError):
            _core.pooled_bradley_terry(2, 2, **case, mu0=z2, delta0=z4, pooling=1.0)
    ok = {"task": u, "i": u, "j": one, "wij": w, "wji": w}
    with pytest.raises(RankaggError):
        _core.pooled_bradley_terry(2, 2, **ok, mu0=np.zeros(3), delta0=z4, pooling=1.0)
    with pytest.raises(RankaggError):
        _core.pooled_bradley_terry(2, 2, **ok, mu0=z2, delta0=z4, pooling=math.nan)
    fit = _core.pooled_bradley_terry(2, 2, **ok, mu0=z2, delta0=z4, pooling=1.0)
    assert fit["converged"] and fit["delta"].shape == (2, 2)


def test_input_types_agree():
    pd = pytest.importorskip("pandas")
    df, _ = simulate(17, 3, 4, 300)
    ref = scores(ra.bradley_terry(df, by="task"))
    for data in (df.lazy(), df.to_pandas(), df.to_dict(as_series=False)):
        assert scores(ra.bradley_terry(data, by="task")) == ref
    assert isinstance(df.to_pandas(), pd.DataFrame)
    # integer task labels keep their dtype in the table
    r = ra.bradley_terry(df.with_columns(pl.col("task").str.slice(1).cast(pl.Int64)), by="task")
    assert r.table.schema["task"] == pl.Int64 and r[2, "i0"] == ref[("t2", "i0")]
