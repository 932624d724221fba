"""The input conventions: frame kinds, dtypes, label outcomes, winner/loser, weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import rankagg as ra

ROWS = {"a": ["x", "y", "z", "x", "y"], "b": ["y", "z", "x", "z", "x"], "outcome": [1.0, 0.0, 0.5, 1.0, 1.0]}


def scores(r):
    return dict(zip(r.table["item"].to_list(), r.table["score"].to_list()))


@pytest.fixture
def expected():
    return scores(ra.bradley_terry(pl.DataFrame(ROWS)))


@pytest.mark.parametrize(
    "make",
    [
        lambda: pl.DataFrame(ROWS).lazy(),
        lambda: pd.DataFrame(ROWS),
        lambda: pa.table(ROWS),
        lambda: dict(ROWS),
        lambda: pl.DataFrame(ROWS).with_columns(pl.col("a", "b").cast(pl.Categorical)),
        lambda: pl.DataFrame(ROWS).with_columns(pl.col("a", "b").cast(pl.Enum(["z", "y", "x"]))),
    ],
    ids=["lazy", "pandas", "arrow", "dict", "categorical", "enum"],
)
def test_frame_kinds_agree(make, expected):
    assert scores(ra.bradley_terry(make())) == expected


@pytest.mark.parametrize(
    "cast_a, cast_b",
    [
        (pl.Categorical, pl.String),
        (pl.String, pl.Enum(["z", "y", "x", "w"])),
        (pl.Enum(["x", "y", "z"]), pl.Enum(["z", "y", "x", "unused"])),
        (pl.Categorical, pl.Categorical),
        (pl.Enum(["w", "z", "y", "x"]), pl.Enum(["w", "z", "y", "x"])),
    ],
    ids=["categorical+string", "string+enum", "two-enums", "categorical", "enum-with-an-unused-category"],
)
def test_text_item_columns_of_any_kind_agree(cast_a, cast_b, expected):
    # Categorical and Enum columns are coded by their physical codes; columns of different text
    # dtypes are compared as text. The labels are strings either way, and the outcome column may
    # be categorical too.
    labels = {1.0: "model_a", 0.0: "model_b", 0.5: "tie"}
    f = pl.DataFrame(ROWS).with_columns(
        pl.col("a").cast(cast_a),
        pl.col("b").cast(cast_b),
        pl.col("outcome").replace_strict(labels, return_dtype=pl.String).cast(pl.Categorical),
    )
    r = ra.bradley_terry(f)
    assert r.table["item"].dtype == pl.String
    assert scores(r) == expected


def test_polars_before_2_casts_categoricals_to_text(monkeypatch, expected):
    # (there, each categorical column could have its own name → code mapping)
    import rankagg.intake

    monkeypatch.setattr(rankagg.intake, "SHARED_CATEGORIES", False)
    f = pl.DataFrame(ROWS).with_columns(pl.col("a").cast(pl.Categorical), pl.col("b").cast(pl.Categorical))
    assert scores(ra.bradley_terry(f)) == expected


def test_categorical_codes_follow_the_names_not_the_columns():
    # Built separately, the two columns' physical codes come from Polars' shared categories;
    # many names, in different first-appearance orders per column.
    rng = np.random.default_rng(3)
    names = np.array([f"m{k:03d}" for k in range(300)])
    a = rng.integers(0, 300, 5000)
    b = (a + rng.integers(1, 300, 5000)) % 300
    o = (rng.random(5000) < 0.5).astype(float)
    plain = pl.DataFrame({"a": names[a], "b": names[b], "outcome": o})
    cat = pl.DataFrame(
        {
            "a": pl.Series(names[a]).cast(pl.Categorical),
            "b": pl.Series(names[b][::-1]).cast(pl.Categorical).reverse(),
            "outcome": o,
        }
    )
    assert ra.bradley_terry(cat).table.equals(ra.bradley_terry(plain).table)


def test_integer_items_keep_their_dtype():
    mapping = {"x": 10, "y": -3, "z": 7}
    f = pl.DataFrame(ROWS).with_columns(pl.col("a", "b").replace_strict(mapping, return_dtype=pl.Int16))
    r = ra.bradley_terry(f)
    assert r.table["item"].dtype == pl.Int16
    ref = scores(ra.bradley_terry(pl.DataFrame(ROWS)))
    assert {k: r[v] for k, v in mapping.items()} == pytest.approx(ref)


def test_other_item_dtypes_use_the_generic_path():
    dates = {"x": "2024-01-01", "y": "2024-02-01", "z": "2024-03-01"}
    f = pl.DataFrame(ROWS).with_columns(pl.col("a", "b").replace_strict(dates).str.to_date())
    r = ra.bradley_terry(f)
    assert r.table["item"].dtype == pl.Date
    assert sorted(r.table["score"].to_list()) == pytest.approx(
        sorted(scores(ra.bradley_terry(pl.DataFrame(ROWS))).values())
    )


def test_large_string_and_long_names(expected):
    long = {k: k * 40 for k in "xyz"}  # names longer than 12 bytes take the non-inline path
    f = pl.DataFrame(ROWS).with_columns(pl.col("a", "b").replace_strict(long))
    r = ra.bradley_terry(
        pa.table(f.to_arrow()).cast(
            pa.schema([("a", pa.large_string()), ("b", pa.large_string()), ("outcome", pa.float64())])
        )
    )
    assert {k: r[v] for k, v in long.items()} == pytest.approx(expected)


def test_lmarena_labels_need_no_mapping(expected):
    labels = {1.0: "model_a", 0.0: "model_b", 0.5: "tie"}
    f = pl.DataFrame(ROWS).with_columns(pl.col("outcome").replace_strict(labels, return_dtype=pl.String))
    assert scores(ra.bradley_terry(f)) == expected
    both_bad = f.with_columns(pl.col("outcome").str.replace("^tie$", "tie (bothbad)"))
    assert scores(ra.bradley_terry(both_bad)) == expected


def test_custom_mapping_and_boolean_outcomes(expected):
    f = pl.DataFrame(ROWS).with_columns(
        pl.col("outcome").replace_strict({1.0: "L", 0.0: "R", 0.5: "="}, return_dtype=pl.String)
    )
    assert scores(ra.bradley_terry(f, outcomes={"L": 1, "R": 0, "=": 0.5})) == expected
    g = pl.DataFrame({"a": ["x", "y", "x"], "b": ["y", "x", "y"], "won": [True, True, False]})
    r = ra.bradley_terry(g, outcome="won", scale="logit")
    assert r["y"] - r["x"] == pytest.approx(np.log(2.0))


def test_winner_loser_columns():
    f = pl.DataFrame({"chosen": ["x", "x", "y"], "rejected": ["y", "y", "x"]})
    r = ra.bradley_terry(f, winner="chosen", loser="rejected", scale="logit")
    assert r["x"] - r["y"] == pytest.approx(np.log(2.0))
    assert r.table.filter(pl.col("item") == "x")["wins"][0] == 2.0


def test_scales_anchor_and_predict():
    f = pl.DataFrame(ROWS)
    logit = ra.bradley_terry(f, scale="logit")
    elo = ra.bradley_terry(f)
    assert sum(logit.table["score"]) == pytest.approx(0.0, abs=1e-12)
    for item in "xyz":
        assert elo[item] == pytest.approx(1000 + 400 * logit[item] / np.log(10))
    anchored = ra.bradley_terry(f, anchor=("z", 1500.0))
    assert anchored["z"] == 1500.0
    assert anchored["x"] - anchored["y"] == pytest.approx(elo["x"] - elo["y"])
    p = logit.predict("x", "y")
    assert p == pytest.approx(1 / (1 + np.exp(logit["y"] - logit["x"])))
    assert p + logit.predict("y", "x") == pytest.approx(1.0)


def test_table_shape_and_ranks():
    r = ra.bradley_terry(pl.DataFrame(ROWS))
    assert r.table.columns == ["item", "score", "rank", "wins", "losses", "ties", "n"]
    assert r.table["score"].is_sorted(descending=True)
    assert r.table["rank"].to_list() == [1, 2, 3]
    totals = r.table.select(pl.col("wins", "losses", "ties").sum())
    assert totals["wins"][0] == totals["losses"][0]
    assert (r.table["n"] == r.table["wins"] + r.table["losses"] + r.table["ties"]).all()


def test_equal_items_share_a_rank():
    f = pl.DataFrame({"a": ["x", "y", "z", "z"], "b": ["y", "x", "x", "y"], "outcome": [1.0, 1.0, 0.0, 0.0]})
    r = ra.bradley_terry(f, regularization=1.0)
    assert dict(zip(r.table["item"], r.table["rank"])) == {"x": 1, "y": 1, "z": 3}


def test_pair_table_round_trip_gives_the_same_fit():
    f = pl.DataFrame(ROWS)
    pt = ra.PairTable.from_comparisons(f)
    assert scores(ra.bradley_terry(pt)) == scores(ra.bradley_terry(f))
    t = pt.to_frame()
    assert t.columns == ["a", "b", "wins_a", "wins_b", "ties"]
    assert t["ties"].sum() == 1.0


def test_davidson_predict_leaves_room_for_ties():
    f = pl.DataFrame(ROWS)
    r = ra.bradley_terry(f, ties="davidson")
    assert r.tie_parameter is not None and r.tie_parameter > 0
    assert r.predict("x", "y") + r.predict("y", "x") < 1.0


def test_regularization_shrinks_towards_zero():
    f = pl.DataFrame(ROWS)
    spread = [
        np.ptp(ra.bradley_terry(f, regularization=r, scale="logit").table["score"].to_numpy()) for r in (0.0, 1.0, 10.0)
    ]
    assert spread[0] > spread[1] > spread[2] > 0


def test_elo_order_by_restores_the_order():
    data = ra.datasets.llmfao().with_row_index("t")
    shuffled = data.sample(fraction=1.0, shuffle=True, seed=7)
    kw = {"a": "left", "b": "right", "outcome": "winner", "outcomes": ra.datasets.LLMFAO_OUTCOMES}
    in_order = ra.elo(data, **kw)
    assert ra.elo(shuffled, **kw, order_by="t").table.equals(in_order.table)
    assert not ra.elo(shuffled, **kw).table.equals(in_order.table)


def test_elo_rejects_bad_rows_naming_columns():
    bad = {"p": ["x", "y"], "q": ["x", "z"], "o": [1.0, 0.0]}
    with pytest.raises(ra.SelfComparisonError, match=r"'p' and 'q'.*rows \[0\]"):
        ra.elo(bad, a="p", b="q", outcome="o")
    with pytest.raises(ra.OutcomeRangeError, match=r"'o'.*rows \[1\]"):
        ra.elo({"p": ["x", "y"], "q": ["y", "z"], "o": [1.0, 2.0]}, a="p", b="q", outcome="o")
    with pytest.raises(ra.RankaggError, match="base"):
        ra.elo({"p": ["x"], "q": ["y"], "o": [1.0]}, a="p", b="q", outcome="o", base=1.0)


def test_scores_without_a_model_refuse_to_predict():
    r = ra.win_rate({"a": ["x", "y"], "b": ["y", "x"], "outcome": [1.0, 1.0]})
    with pytest.raises(ra.RankaggError, match="predict"):
        r.predict("x", "y")


def test_regularized_fit_settles_the_common_scale():
    """With regularization only the virtual comparisons fix the common scale; the sweeps alone
    settled it at ~r/(an item's comparisons) per sweep (10,000 iterations, not converged, on
    this size). The exact common-scale step makes it as fast as the unregularized fit, at the
    same optimum as the MM reference."""
    rng = np.random.default_rng(0)
    n, m = 60, 200_000
    a = rng.integers(0, n, m)
    b = (a + rng.integers(1, n, m)) % n
    theta = rng.normal(0, 1, n)
    data = {"a": a, "b": b, "outcome": (rng.random(m) < 1 / (1 + np.exp(theta[b] - theta[a]))).astype(float)}
    r = ra.bradley_terry(data, regularization=1.0, scale="logit")
    assert r.converged and r.iterations < 100
    mm = ra.bradley_terry(data, regularization=1.0, scale="logit", solver="mm", max_iter=100_000)
    joined = r.table.join(mm.table, on="item")
    assert np.allclose(joined["score"], joined["score_right"], atol=1e-6)
