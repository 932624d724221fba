"""Defensive aggregation and welfare rules: definitions, the pure-Python reference, invariances,
errors and the `rankagg defensive` command."""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rankagg as ra
from hypothesis_budget import examples
from rankagg.cli import main
from rankagg.reference import robust as ref

# ---------------------------------------------------------------------------------------------
# helpers


def random_table(
    rng: np.random.Generator, n: int, n_obs: int, n_groups: int = 1, fill: float = 0.8, integers: bool = False
) -> pl.DataFrame:
    """A long item × observation table with missing cells; every item has >= 1 row."""
    rows = []
    group_of = rng.integers(0, n_groups, n)
    for i in range(n):
        obs = [o for o in range(n_obs) if rng.random() < fill] or [int(rng.integers(0, n_obs))]
        for o in obs:
            v = float(rng.integers(0, 5)) if integers else float(rng.normal())
            rows.append((f"i{i:02d}", f"o{o}", v, f"g{group_of[i]}"))
    return pl.DataFrame(rows, schema=["item", "observation", "value", "group"], orient="row")


def by_item(result: ra.Aggregate) -> dict:
    return {r["item"]: r for r in result.table.iter_rows(named=True)}


def check_order(result: ra.Aggregate) -> None:
    """Rows are sorted best first by (score, mean) in the result's direction, ranks are
    competition ranks of (score, mean)."""
    t = result.table
    sign = -1.0 if result.descending else 1.0
    keys = list(zip((sign * t["score"].to_numpy()).tolist(), (sign * t["mean"].to_numpy()).tolist()))
    assert keys == sorted(keys)
    ranks = t["rank"].to_list()
    for p, (k, r) in enumerate(zip(keys, ranks)):
        assert r == 1 + sum(1 for other in keys if other < k)
        assert r <= p + 1


# ---------------------------------------------------------------------------------------------
# defensive: definitions


def test_worked_example_by_hand():
    t = {
        "item": ["a", "a", "a", "b", "b", "b", "c", "c"],
        "observation": [1, 2, 3, 1, 2, 3, 1, 2],
        "value": [0.1, 0.9, 0.2, 0.3, 0.3, 0.3, 0.5, 0.7],
        "group": ["h1"] * 6 + ["h2"] * 2,
    }
    r = ra.defensive(t, group="group")
    rows = by_item(r)
    # step 1: maxima 0.9, 0.3, 0.7; step 2: floors = group means 0.6 (h1), 0.7 (h2)
    assert rows["a"]["worst_case"] == 0.9 and rows["b"]["worst_case"] == 0.3 and rows["c"]["worst_case"] == 0.7
    assert rows["a"]["floor"] == pytest.approx(0.6) and rows["c"]["floor"] == pytest.approx(0.7)
    assert rows["b"]["score"] == pytest.approx(0.6) and rows["b"]["floored"] and not rows["a"]["floored"]
    assert r.table["item"].to_list() == ["a", "c", "b"]
    assert r.table["group"].to_list() == ["h1", "h2", "h1"]
    assert r.table["n"].to_list() == [3, 2, 3]
    assert r["b"] == pytest.approx(0.6) and r.winners == ["a"]
    assert "defensive" in repr(r) and "winners ['a']" in repr(r)


@pytest.mark.parametrize("seed", range(5))
def test_tail_one_prior_zero_is_the_mean_and_tail_zero_is_the_max(seed):
    rng = np.random.default_rng(seed)
    t = random_table(rng, 30, 12)
    mean = t.group_by("item").agg(pl.col("value").mean().alias("m"), pl.col("value").max().alias("x"))
    want_mean = dict(mean.select("item", "m").iter_rows())
    want_max = dict(mean.select("item", "x").iter_rows())
    m = ra.defensive(t, tail=1.0, prior=0.0)
    assert m.table["score"].to_list() == m.table["mean"].to_list()  # exactly the mean column
    for item, score in m.table.select("item", "score").iter_rows():
        assert score == pytest.approx(want_mean[item], abs=1e-12)
    assert m.table["floor"].null_count() == m.table.height  # no floor when prior = 0
    x = ra.defensive(t, tail=0.0, prior=0.0)
    assert dict(x.table.select("item", "score").iter_rows()) == want_max  # exact
    assert x.table["item"][0] == max(want_max, key=lambda i: want_max[i])


def test_tail_is_the_upper_tail_mean():
    t = {"item": ["a"] * 10, "observation": list(range(10)), "value": [float(v) for v in range(10)]}
    for tail, want in [(0.0, 9.0), (0.1, 9.0), (0.15, 8.5), (0.3, 8.0), (0.5, 7.0), (1.0, 4.5)]:
        assert ra.defensive(t, tail=tail, prior=0.0)["a"] == want, tail


def test_the_floor_lifts_items_below_prior_times_the_group_mean():
    t = {"item": ["a", "b", "c"], "observation": [0, 0, 0], "value": [1.0, 2.0, 6.0]}
    r = by_item(ra.defensive(t, prior=0.5))
    # group mean of maxima = 3, floor = 1.5
    assert [r[i]["score"] for i in "abc"] == [1.5, 2.0, 6.0]
    assert [r[i]["floored"] for i in "abc"] == [True, False, False]


def test_ties_are_broken_by_the_mean_and_equal_items_share_a_rank():
    t = {
        "item": ["a", "a", "b", "b", "c", "c", "d", "d"],
        "observation": [0, 1] * 4,
        "value": [1.0, 0.0, 1.0, 0.5, 1.0, 0.0, 0.2, 0.2],
    }
    r = ra.defensive(t, prior=0.0)
    assert r.table["item"].to_list() == ["b", "a", "c", "d"]
    assert r.table["rank"].to_list() == [1, 2, 2, 4]
    check_order(r)
    # regrets: the smaller, the better; ties by the smaller mean regret
    b = ra.defensive(t, prior=0.0, higher_is="better")
    assert not b.descending
    check_order(b)


def test_regret_definition():
    t = {
        "item": ["x", "y", "z", "x", "y", "z"],
        "observation": ["t1"] * 3 + ["t2"] * 3,
        "value": [10.0, 6.0, 2.0, 5.0, 5.0, 5.0],
    }
    r = by_item(ra.defensive(t, higher_is="better", prior=0.0))
    # t1: best 10, range 8 → regrets 0, 0.5, 1; t2: constant → 0 for all
    assert (r["x"]["worst_case"], r["y"]["worst_case"], r["z"]["worst_case"]) == (0.0, 0.5, 1.0)
    assert (r["x"]["mean"], r["y"]["mean"], r["z"]["mean"]) == (0.0, 0.25, 0.5)
    assert [r[i]["rank"] for i in "xyz"] == [1, 2, 3]


# ---------------------------------------------------------------------------------------------
# defensive: the reference, on random tables


@st.composite
def tables(draw):
    n = draw(st.integers(1, 7))
    n_obs = draw(st.integers(1, 5))
    n_groups = draw(st.integers(1, 3))
    integers = draw(st.booleans())
    values = st.integers(-3, 3).map(float) if integers else st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
    rows = []
    for i in range(n):
        g = draw(st.integers(0, n_groups - 1))
        obs = draw(st.lists(st.integers(0, n_obs - 1), min_size=1, max_size=n_obs, unique=True))
        for o in obs:
            rows.append((i, o, draw(values), g))
    perm = draw(st.permutations(range(len(rows))))
    rows = [rows[p] for p in perm]
    return rows


@settings(max_examples=examples(150))
@given(
    rows=tables(),
    tail=st.floats(0, 1),
    prior=st.one_of(st.just(0.0), st.floats(0, 3)),
    higher_is=st.sampled_from(["risk", "better"]),
    grouped=st.booleans(),
)
def test_matches_the_pure_python_reference(rows, tail, prior, higher_is, grouped):
    items, obs, values, groups = (list(c) for c in zip(*rows))
    frame = pl.DataFrame({"item": items, "observation": obs, "value": values, "group": groups})
    got = ra.defensive(frame, group="group" if grouped else None, tail=tail, prior=prior, higher_is=higher_is)
    want = ref.defensive(items, obs, values, groups if grouped else None, tail=tail, prior=prior, higher_is=higher_is)
    assert got.table.height == len(want)
    for row in got.table.iter_rows(named=True):
        w = want[row["item"]]
        assert row["n"] == w["n"]
        for ours, theirs in (("worst_case", "worst"), ("mean", "mean"), ("score", "score")):
            assert abs(row[ours] - w[theirs]) <= 1e-12 * max(1.0, abs(w[theirs])), (ours, row, w)
        if prior == 0:
            assert row["floor"] is None
        else:
            assert abs(row["floor"] - w["floor"]) <= 1e-12 * max(1.0, abs(w["floor"]))
    check_order(got)  # best first by (score, mean), which match the reference


@pytest.mark.parametrize("seed", range(4))
def test_row_order_and_relabelling_change_nothing(seed):
    rng = np.random.default_rng(seed)
    t = random_table(rng, 40, 9, n_groups=4, integers=seed % 2 == 1)
    kw = dict(
        group="group", tail=float(rng.random()), prior=float(rng.random() * 2), higher_is=["risk", "better"][seed % 2]
    )
    base = ra.defensive(t, **kw).table
    shuffled = t.sample(fraction=1.0, shuffle=True, seed=seed)
    assert ra.defensive(shuffled, **kw).table.equals(base)  # bit-identical
    # labels renamed so that their sorted order is reversed (items and observations)
    items = {f"i{k:02d}": f"r{99 - k:02d}" for k in range(40)}
    back = {v: k for k, v in items.items()}
    obs = {f"o{k}": f"p{9 - k}" for k in range(9)}
    renamed = t.with_columns(pl.col("item").replace_strict(items), pl.col("observation").replace_strict(obs))
    rel = ra.defensive(renamed.sample(fraction=1.0, shuffle=True, seed=seed + 10), **kw).table
    rel = rel.with_columns(pl.col("item").replace_strict(back)).sort("item")
    want = base.sort("item")
    assert rel.select("item", "rank", "n", "floored", "group").equals(
        want.select("item", "rank", "n", "floored", "group")
    )
    for c in ("score", "worst_case", "floor", "mean"):
        np.testing.assert_allclose(rel[c].to_numpy(), want[c].to_numpy(), rtol=1e-14, atol=0)


def test_integer_labels_keep_their_dtype_and_inputs_are_not_modified():
    t = pl.DataFrame({"tok": [3, 3, 1, 1, 2], "q": [0, 1, 0, 1, 0], "w": [0.1, 0.7, 0.3, 0.2, 0.4]})
    before = t.clone()
    r = ra.defensive(t, item="tok", over="q", value="w", prior=0.0)
    assert r.table["item"].dtype == pl.Int64
    assert r.table["item"].to_list() == [3, 2, 1]
    assert t.equals(before)
    pd = pytest.importorskip("pandas")
    pdf = t.to_pandas()
    pcopy = pdf.copy()
    assert ra.defensive(pdf, item="tok", over="q", value="w", prior=0.0).table.equals(r.table)
    assert pdf.equals(pcopy)
    pa = pytest.importorskip("pyarrow")
    assert ra.defensive(t.to_arrow(), item="tok", over="q", value="w", prior=0.0).table.equals(r.table)
    assert ra.defensive(t.lazy(), item="tok", over="q", value="w", prior=0.0).table.equals(r.table)
    assert pd is not None and pa is not None


def test_larger_table_against_numpy():
    rng = np.random.default_rng(7)
    n, k = 2000, 50
    items = np.repeat(np.arange(n), k)
    obs = np.tile(np.arange(k), n)
    v = rng.exponential(size=n * k)
    group = items // 64
    frame = pl.DataFrame({"item": items, "observation": obs, "value": v, "group": group})
    r = ra.defensive(frame, group="group", tail=0.1, prior=1.0).table.sort("item")
    mat = v.reshape(n, k)
    worst = np.sort(mat, axis=1)[:, -5:].mean(axis=1)  # ceil(0.1 * 50) = 5
    gmean = np.bincount(group[::k], worst) / np.bincount(group[::k])
    want = np.maximum(worst, gmean[group[::k]])
    np.testing.assert_allclose(r["worst_case"].to_numpy(), worst, rtol=1e-12, atol=0)
    np.testing.assert_allclose(r["score"].to_numpy(), want, rtol=1e-12, atol=0)
    np.testing.assert_allclose(r["mean"].to_numpy(), mat.mean(axis=1), rtol=1e-12, atol=0)


# ---------------------------------------------------------------------------------------------
# defensive: errors


def test_defensive_errors():
    ok = {"item": ["a", "b"], "observation": [0, 0], "value": [1.0, 2.0], "group": ["g", "h"]}
    with pytest.raises(ra.MissingColumnError, match=r"column 'obs' \(over=\) is not in the data"):
        ra.defensive(ok, over="obs")
    with pytest.raises(ra.NullValueError, match=r"column 'value' \(value=\) has 1 null\(s\): rows \[1\]"):
        ra.defensive({**ok, "value": [1.0, None]})
    with pytest.raises(ra.NonFiniteValueError, match=r"rows \[0, 2\]"):
        ra.defensive({"item": ["a", "b", "c"], "observation": [0] * 3, "value": [math.nan, 1.0, math.inf]})
    with pytest.raises(ra.RankaggError, match="must be numeric"):
        ra.defensive({**ok, "value": ["x", "y"]})
    with pytest.raises(ra.EmptyDataError):
        ra.defensive(pl.DataFrame(ok).head(0))
    with pytest.raises(ra.RankaggError, match=r"repeat an \(item, observation\) pair.*rows \[2\].*'a', 0"):
        ra.defensive({"item": ["a", "b", "a"], "observation": [0, 0, 0], "value": [1.0, 2.0, 3.0]})
    with pytest.raises(ra.RankaggError, match=r"in more than one group.*\['a'\]"):
        ra.defensive(
            {"item": ["a", "a", "b"], "observation": [0, 1, 0], "value": [1.0] * 3, "group": ["g", "h", "g"]},
            group="group",
        )
    for bad in (-0.1, 1.5, math.nan, "0.5", True):
        with pytest.raises(ra.RankaggError, match=r"tail must be a number in \[0, 1\]"):
            ra.defensive(ok, tail=bad)  # type: ignore[arg-type]
    for bad in (-1.0, math.inf, math.nan):
        with pytest.raises(ra.RankaggError, match="prior must be a finite number >= 0"):
            ra.defensive(ok, prior=bad)
    with pytest.raises(ra.RankaggError, match="higher_is must be 'risk' or 'better', not 'lower'"):
        ra.defensive(ok, higher_is="lower")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# welfare


UTIL = {
    "model": ["x"] * 3 + ["y"] * 3 + ["z"] * 3 + ["w"] * 3,
    "group": ["g1", "g2", "g3"] * 4,
    "reward": [0.9, 0.8, 0.1, 0.5, 0.5, 0.5, 0.6, 0.4, 0.5, 0.1, 0.95, 0.9],
}


def test_welfare_hand_computed():
    def run(rule, **kw):
        return ra.welfare(UTIL, item="model", value="reward", rule=rule, **kw)

    u = run("utilitarian")
    # means: x 0.6, y 0.5, z 0.5, w 0.65
    assert u.table["item"].to_list() == ["w", "x", "y", "z"]
    assert u.table["rank"].to_list() == [1, 2, 3, 3]
    assert u["w"] == pytest.approx(0.65)
    wg = run("worst_group")
    assert wg.table["item"].to_list() == ["y", "z", "w", "x"]  # min 0.5, 0.4, 0.1 (mean 0.65), 0.1 (mean 0.6)
    assert wg.table["rank"].to_list() == [1, 2, 3, 4]
    assert by_item(wg)["x"]["worst_group"] == "g3" and by_item(wg)["w"]["worst_group"] == "g1"
    lex = run("leximin")
    # x sorted (0.1, 0.8, 0.9), w (0.1, 0.9, 0.95): w ahead of x on the second-worst group
    assert lex.table["item"].to_list() == ["y", "z", "w", "x"]
    med = run("quantile", q=0.5)
    assert dict(med.table.select("item", "score").iter_rows()) == {"x": 0.8, "y": 0.5, "z": 0.5, "w": 0.9}
    q0 = run("quantile", q=0.0)
    assert q0.table["score"].to_list() == wg.table["score"].to_list()
    g = by_item(run("gini"))
    # x: mean 0.6, Σ|ua − ub| over ordered pairs = 2 (0.1 + 0.8 + 0.7) = 3.2, G = 3.2 / (2·9·0.6)
    assert g["x"]["gini"] == pytest.approx(3.2 / 10.8)
    assert g["x"]["score"] == pytest.approx(0.6 * (1 - 3.2 / 10.8))
    assert g["y"]["gini"] == 0.0 and g["y"]["score"] == pytest.approx(0.5)


def test_leximin_separates_what_worst_group_ties():
    t = {"item": ["a"] * 3 + ["b"] * 3, "group": [1, 2, 3] * 2, "value": [0.2, 0.9, 0.3, 0.2, 0.4, 0.8]}
    # a sorted (0.2, 0.3, 0.9), b (0.2, 0.4, 0.8): equal minimum and mean; leximin prefers b
    wg = ra.welfare(t, rule="worst_group")
    assert wg.table["rank"].to_list() == [1, 1]
    lex = ra.welfare(t, rule="leximin")
    assert lex.table["item"].to_list() == ["b", "a"] and lex.table["rank"].to_list() == [1, 2]


def test_gini_of_negative_mean_is_null_and_score_is_defined():
    t = {"item": ["a", "a"], "group": [1, 2], "value": [-1.0, -3.0]}
    r = ra.welfare(t, rule="gini")
    assert r.table["gini"][0] is None
    assert r["a"] == pytest.approx((-1 - 3 - 3 - 3) / 4)  # mean of min over ordered pairs


@st.composite
def utilities(draw):
    n = draw(st.integers(1, 6))
    g = draw(st.integers(1, 5))
    vals = st.one_of(st.integers(0, 3).map(float), st.floats(-100, 100, allow_nan=False))
    rows = [(f"m{i}", f"g{j}", draw(vals)) for i in range(n) for j in range(g)]
    perm = draw(st.permutations(range(len(rows))))
    return [rows[p] for p in perm]


@settings(max_examples=examples(150))
@given(
    rows=utilities(),
    rule=st.sampled_from(["utilitarian", "worst_group", "leximin", "quantile", "gini"]),
    q=st.floats(0, 1),
)
def test_welfare_matches_brute_force(rows, rule, q):
    items, groups, values = (list(c) for c in zip(*rows))
    kw = {"q": q} if rule == "quantile" else {}
    got = ra.welfare({"item": items, "group": groups, "value": values}, rule=rule, **kw)  # type: ignore[arg-type]
    want = ref.welfare(items, groups, values, rule=rule, **kw)
    order = got.table["item"].to_list()
    ranks = got.table["rank"].to_list()
    if rule == "leximin":
        # the order is the order of the sorted tuples (largest first); equal tuples share a rank
        tuples = [want[i] for i in order]
        assert tuples == sorted(tuples, reverse=True)
        for p in range(len(order)):
            assert ranks[p] == 1 + sum(1 for t in tuples if t > tuples[p])
        assert got.table["score"].to_list() == [t[0] for t in tuples]
    else:
        for item, score in got.table.select("item", "score").iter_rows():
            assert abs(score - want[item]) <= 1e-12 * max(1.0, abs(want[item]))  # type: ignore[operator]
        scores = [want[i] for i in order]
        assert all(a >= b - 1e-9 * max(1.0, abs(b)) for a, b in itertools.pairwise(scores))  # type: ignore[operator]
    assert got.table["min"].to_list() == [min(v for i, _, v in rows if i == it) for it in order]


def test_welfare_errors():
    ok = {"item": ["a", "a", "b", "b"], "group": [1, 2, 1, 2], "value": [1.0, 2.0, 3.0, 4.0]}
    with pytest.raises(ra.RankaggError, match=r"rule must be one of .*'egalitarian'"):
        ra.welfare(ok, rule="egalitarian")  # type: ignore[arg-type]
    with pytest.raises(ra.RankaggError, match="rule='quantile' needs q="):
        ra.welfare(ok, rule="quantile")
    with pytest.raises(ra.RankaggError, match=r"needs q= a number in \[0, 1\]"):
        ra.welfare(ok, rule="quantile", q=1.5)
    with pytest.raises(ra.RankaggError, match="q= is only used by rule='quantile'"):
        ra.welfare(ok, rule="leximin", q=0.5)
    with pytest.raises(ra.MissingColumnError, match=r"'grp' \(over=\)"):
        ra.welfare(ok, over="grp")
    with pytest.raises(ra.NonFiniteValueError, match=r"rows \[3\]"):
        ra.welfare({**ok, "value": [1.0, 2.0, 3.0, math.nan]})
    with pytest.raises(ra.RankaggError, match=r"repeat an \(item, group\) pair.*rows \[3\]"):
        ra.welfare({"item": ["a", "a", "b", "a"], "group": [1, 2, 1, 2], "value": [1.0] * 4})
    with pytest.raises(ra.RankaggError, match=r"not complete.*items \['b'\].*groups \[2\]"):
        ra.welfare({"item": ["a", "a", "b"], "group": [1, 2, 1], "value": [1.0] * 3})
    with pytest.raises(ra.NullValueError):
        ra.welfare({**ok, "item": ["a", None, "b", "b"]})


# ---------------------------------------------------------------------------------------------
# the command


def test_cli_defensive(tmp_path, capsys):
    src = tmp_path / "scores.csv"
    pl.DataFrame(
        {
            "tok": ["a"] * 3 + ["b"] * 3 + ["c"] * 3,
            "q": [1, 2, 3] * 3,
            "w": [0.0, 0.9, 0.0, 0.35, 0.35, 0.35, 0.1, 0.2, 0.1],
        }
    ).write_csv(src)
    assert main(["defensive", str(src), "--item", "tok", "--over", "q", "--value", "w"]) == 0
    out = capsys.readouterr().out
    assert "defensive aggregation" in out
    lines = [line for line in out.splitlines() if line.startswith("| ")]
    assert [line.split("|")[1].strip() for line in lines[1:]] == ["a", "b", "c"]
    dst = tmp_path / "out.parquet"
    assert (
        main(
            [
                "defensive",
                str(src),
                "--item",
                "tok",
                "--over",
                "q",
                "--value",
                "w",
                "--tail",
                "1",
                "--prior",
                "0",
                "-o",
                str(dst),
            ]
        )
        == 0
    )
    assert pl.read_parquet(dst)["item"].to_list() == ["b", "a", "c"]
    src2 = tmp_path / "bench.parquet"
    pl.DataFrame(
        {
            "model": ["m1", "m1", "m2", "m2", "m3", "m3"],
            "task": ["t1", "t2"] * 3,
            "acc": [0.9, 0.1, 0.7, 0.5, 0.1, 0.4],
            "family": ["f"] * 6,
        }
    ).write_parquet(src2)
    md = tmp_path / "board.md"
    assert (
        main(
            [
                "defensive",
                str(src2),
                "--item",
                "model",
                "--over",
                "task",
                "--value",
                "acc",
                "--group",
                "family",
                "--higher-is",
                "better",
                "--prior",
                "0",
                "-o",
                str(md),
            ]
        )
        == 0
    )
    assert md.read_text().splitlines()[2].split("|")[1].strip() == "m2"
    assert main(["defensive", str(src), "--item", "tok", "--over", "q", "--value", "missing"]) == 2
    assert "column 'missing' (value=) is not in the data" in capsys.readouterr().err
    assert main(["defensive", str(src), "--item", "tok", "--over", "q", "--value", "w", "--tail", "2"]) == 2
    assert "tail must be a number in [0, 1]" in capsys.readouterr().err


def test_floor_warning_only_when_the_floor_decides_the_top():
    """On benchmark scores the default prior ties the best items at the floor: a FloorWarning
    says so; prior=0, risks (higher_is="risk") and a floor that lifts only lower items do not warn."""
    bench = {"model": ["a", "a", "b", "b", "c", "c"], "task": ["t1", "t2"] * 3, "acc": [0.9, 0.8, 0.85, 0.9, 0.1, 0.2]}
    kw = dict(item="model", over="task", value="acc")
    with pytest.warns(ra.FloorWarning, match="lifted 2 of 3 items"):
        r = ra.defensive(bench, higher_is="better", **kw)
    assert r.table["floored"].to_list() == [True, True, False] and r.table["score"][0] == r.table["score"][1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ra.defensive(bench, higher_is="better", prior=0.0, **kw)
        ra.defensive(bench, **kw)  # risks: floored items are the least important ones
        spread = {**bench, "acc": [0.9, 0.8, 0.5, 0.6, 0.1, 0.2]}  # only b is lifted, not the best
        assert ra.defensive(spread, higher_is="better", prior=0.5, **kw).table["floored"].sum() <= 1


def test_one_name_for_the_items_ranked_first():
    """Aggregate, Ratings and Consensus all say .winners; Aggregate.best is the former name."""
    r = ra.welfare({"item": ["x", "x", "y", "y"], "group": [1, 2, 1, 2], "value": [1.0, 0.0, 0.5, 0.6]})
    assert r.winners == ["y"]
    with pytest.warns(DeprecationWarning, match="now Aggregate.winners"):
        assert r.best == ["y"]
    games = {"a": ["x", "y", "x"], "b": ["y", "z", "z"], "outcome": [1.0, 1.0, 0.5]}
    assert ra.counting(games).winners == ["x"] == ra.borda(ra.Rankings.from_lists([["x", "y", "z"]])).winners
