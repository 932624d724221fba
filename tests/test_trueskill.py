"""ra.trueskill: agreement with the `trueskill` package game by game, properties, errors."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rankagg as ra

trueskill = pytest.importorskip("trueskill")

SETTINGS = [
    {},
    {"mu": 0.0, "sigma": 1.0, "beta": 0.5, "tau": 0.0, "draw_probability": 0.3},
    {"mu": 1500.0, "sigma": 350.0, "beta": 200.0, "tau": 10.0, "draw_probability": 0.01},
    {"mu": 25.0, "sigma": 2.0, "beta": 8.0, "tau": 1.0, "draw_probability": 0.9},
    {"mu": -3.0, "sigma": 25.0, "beta": 25.0 / 6, "tau": 0.5, "draw_probability": 0.0},
]


def _games(rng: np.random.Generator, n_items: int, m: int, draws: bool) -> pl.DataFrame:
    """Games between items of spread-out skills, some upsets, draws if asked."""
    skill = rng.normal(0, 2, n_items)
    a = rng.integers(0, n_items, m)
    b = (a + rng.integers(1, n_items, m)) % n_items
    p = 1 / (1 + np.exp(skill[b] - skill[a]))
    outcome = (rng.random(m) < p).astype(float)
    if draws:
        outcome[rng.random(m) < 0.2] = 0.5
    return pl.DataFrame(
        {
            "a": [f"item{i}" for i in a],
            "b": [f"item{i}" for i in b],
            "outcome": outcome,
            "when": rng.permutation(m),
        }
    )


def _package(frame: pl.DataFrame, opts: dict, backend: str | None = "scipy") -> dict[str, tuple[float, float]]:
    """The `trueskill` package's rate_1vs1, game by game in the frame's row order."""
    o = {"mu": 25.0, "sigma": 25 / 3, "beta": 25 / 6, "tau": 25 / 300, "draw_probability": 0.1, **opts}
    env = trueskill.TrueSkill(backend=backend, **o)
    ratings: dict[str, object] = {}
    for a, b, out in frame.select("a", "b", "outcome").iter_rows():
        ra_, rb_ = ratings.get(a, env.create_rating()), ratings.get(b, env.create_rating())
        if out == 0.0:
            rb_, ra_ = trueskill.rate_1vs1(rb_, ra_, env=env)
        else:
            ra_, rb_ = trueskill.rate_1vs1(ra_, rb_, drawn=out == 0.5, env=env)
        ratings[a], ratings[b] = ra_, rb_
    return {k: (float(r.mu), float(r.sigma)) for k, r in ratings.items()}


def _ours(r: ra.Ratings) -> dict[str, tuple[float, float]]:
    return {item: (mu, sd) for item, mu, sd in r.table.select("item", "mu", "sigma").iter_rows()}


@pytest.mark.parametrize("setting", range(len(SETTINGS)))
@pytest.mark.parametrize("seed", [1, 2])
def test_same_numbers_as_the_package_game_by_game(setting, seed):
    opts = SETTINGS[setting]
    rng = np.random.default_rng(seed)
    frame = _games(rng, n_items=int(rng.integers(2, 12)), m=300, draws=opts.get("draw_probability", 0.1) > 0)
    want = _package(frame, opts)
    got = _ours(ra.trueskill(frame, **opts))
    assert got.keys() == want.keys()
    for item, (mu, sd) in want.items():
        assert got[item][0] == pytest.approx(mu, rel=1e-9, abs=1e-9 * opts.get("sigma", 25 / 3))
        assert got[item][1] == pytest.approx(sd, rel=1e-9)


def test_order_by_plays_the_games_in_that_order():
    frame = _games(np.random.default_rng(5), 6, 200, draws=True)
    want = _package(frame.sort("when"), {})
    got = _ours(ra.trueskill(frame, order_by="when"))
    for item, (mu, sd) in want.items():
        assert got[item] == pytest.approx((mu, sd), rel=1e-9)
    # and the order matters: without order_by the numbers differ
    plain = _ours(ra.trueskill(frame))
    assert any(abs(plain[k][0] - got[k][0]) > 1e-6 for k in got)


def test_default_backend_of_the_package_within_its_erfc_approximation():
    # The package's default backend approximates erfc to ~1.2e-7; the results agree to that order.
    frame = _games(np.random.default_rng(3), 8, 300, draws=True)
    want = _package(frame, {}, backend=None)
    got = _ours(ra.trueskill(frame))
    for item, (mu, sd) in want.items():
        assert got[item] == pytest.approx((mu, sd), rel=1e-5)


def test_a_nine_sigma_upset_matches_high_precision():
    mpmath = pytest.importorskip("mpmath")
    # A chain of 30 items, each beating the next ten times, spreads them far apart; then the last
    # beats (or draws with) the first, ~9 standard deviations against expectation, where
    # V + x in the win update cancels and the package's default erfc (~1e-7) is visibly off.
    chain = [(f"i{k:02d}", f"i{k + 1:02d}", 1.0) for _ in range(10) for k in range(29)]
    opts = {"sigma": 30.0, "beta": 0.2, "tau": 0.0, "draw_probability": 0.05}
    old = mpmath.mp.dps
    for last in (0.0, 0.5):
        frame = pl.DataFrame(chain + [("i00", "i29", last)], schema=["a", "b", "outcome"], orient="row")
        mpmath.mp.dps = 50
        try:
            want = _package(frame, opts, backend="mpmath")
        finally:
            mpmath.mp.dps = old
        got = _ours(ra.trueskill(frame, **opts))
        for item, (mu, sd) in want.items():
            assert got[item] == pytest.approx((mu, sd), rel=1e-9, abs=1e-9)


def test_score_is_conservative_skill_and_table_shape():
    r = ra.trueskill({"a": ["x", "x", "y", "w"], "b": ["y", "z", "z", "x"], "outcome": [1, 1, 0.5, 0]})
    t = r.table
    assert t.columns == ["item", "mu", "sigma", "score", "rank", "wins", "losses", "ties", "n"]
    assert np.allclose(t["score"], t["mu"] - 3 * t["sigma"])
    assert t["score"].to_list() == sorted(t["score"].to_list(), reverse=True)
    assert t["rank"].to_list() == [1, 2, 3, 4]
    row = dict(zip(t["item"], t.select("wins", "losses", "ties", "n").rows()))
    assert row["x"] == (3.0, 0.0, 0.0, 3.0) and row["y"] == (0.0, 1.0, 1.0, 2.0)
    assert r["x"] == t["score"][0] and r.method == "trueskill"


def test_relabelling_and_swapping_sides_change_nothing():
    frame = _games(np.random.default_rng(9), 7, 250, draws=True)
    base = _ours(ra.trueskill(frame))
    renamed = frame.with_columns(pl.col("a").str.replace("item", "zz"), pl.col("b").str.replace("item", "zz"))
    for item, v in _ours(ra.trueskill(renamed)).items():
        assert v == base[item.replace("zz", "item")]
    swapped = frame.select(pl.col("b").alias("a"), pl.col("a").alias("b"), (1 - pl.col("outcome")).alias("outcome"))
    assert _ours(ra.trueskill(swapped)) == base
    # integer labels: same numbers as strings that sort the same way
    ints = frame.with_columns(
        pl.col("a").str.slice(4).cast(pl.Int64).alias("a"), pl.col("b").str.slice(4).cast(pl.Int64).alias("b")
    )
    for item, v in _ours(ra.trueskill(ints)).items():
        assert v == base[f"item{item}"]


def test_other_input_forms():
    frame = pl.DataFrame({"w": ["p", "q", "p", "r"], "l": ["q", "r", "r", "q"]})
    by_winner = ra.trueskill(frame, winner="w", loser="l")
    by_outcome = ra.trueskill(frame.rename({"w": "a", "l": "b"}).with_columns(outcome=pl.lit(1.0)))
    assert by_winner.table.equals(by_outcome.table)
    arena = pl.DataFrame(
        {
            "model_a": ["p", "q", "r", "p"],
            "model_b": ["q", "r", "p", "r"],
            "winner": ["model_a", "tie", "model_b", "tie (bothbad)"],
        }
    )
    labelled = ra.trueskill(arena, a="model_a", b="model_b", outcome="winner", outcomes=ra.LMARENA_OUTCOMES)
    numeric = ra.trueskill(
        {"a": ["p", "q", "r", "p"], "b": ["q", "r", "p", "r"], "outcome": [1.0, 0.5, 0.0, 0.5]},
    )
    assert labelled.table.equals(numeric.table)
    pandas = pytest.importorskip("pandas")
    assert ra.trueskill(pandas.DataFrame(frame.to_dict(as_series=False)), winner="w", loser="l").table.equals(
        by_winner.table
    )


def test_weights_are_repeats():
    frame = pl.DataFrame({"a": ["x", "y", "x"], "b": ["y", "z", "z"], "outcome": [1.0, 0.5, 0.0], "k": [3, 0, 2]})
    repeated = pl.DataFrame({"a": ["x"] * 3 + ["x"] * 2, "b": ["y"] * 3 + ["z"] * 2, "outcome": [1.0] * 3 + [0.0] * 2})
    weighted = ra.trueskill(frame, weight="k")
    plain = ra.trueskill(repeated)
    # y's 0-weight draw is skipped (y and z keep their other games; every item still listed)
    w = weighted.table.filter(pl.col("n") > 0).drop("rank")
    assert w.sort("item").equals(plain.table.drop("rank").sort("item"))
    with pytest.raises(ra.errors.InvalidWeightError, match=r"'k' \(weight=\).*whole numbers.*rows \[1\]"):
        ra.trueskill(frame.with_columns(k=pl.Series([1.0, 0.5, 1.0])), weight="k")
    with pytest.raises(ra.errors.InvalidWeightError, match=r"rows \[2\]"):
        ra.trueskill(frame.with_columns(k=pl.Series([1.0, 1.0, -1.0])), weight="k")


def test_fractional_outcomes_and_bad_rows_are_named():
    frame = pl.DataFrame({"a": ["x", "y", "x", "z"], "b": ["y", "z", "z", "x"], "res": [1.0, 0.75, 0.5, 1.5]})
    before = frame.clone()
    with pytest.raises(
        ra.errors.OutcomeRangeError, match=r"'res' \(outcome=\) has 2 value.*other than 1.*rows \[1, 3\]"
    ):
        ra.trueskill(frame, outcome="res")
    assert frame.equals(before)
    with pytest.raises(ra.errors.SelfComparisonError, match=r"rows \[1\]"):
        ra.trueskill({"a": ["x", "y"], "b": ["y", "y"], "outcome": [1.0, 1.0]})
    with pytest.raises(ra.errors.NullValueError):
        ra.trueskill({"a": ["x", None], "b": ["y", "x"], "outcome": [1.0, 1.0]})
    with pytest.raises(ra.errors.EmptyDataError):
        ra.trueskill({"a": [], "b": [], "outcome": []})
    with pytest.raises(ra.RankaggError, match=r"1 draw\(s\).*'outcome'.*draw_probability=0: rows \[1\]"):
        ra.trueskill({"a": ["x", "y"], "b": ["y", "z"], "outcome": [1.0, 0.5]}, draw_probability=0)
    with pytest.raises(ra.errors.MissingColumnError):
        ra.trueskill({"a": ["x"], "b": ["y"], "outcome": [1.0]}, order_by="t")


@pytest.mark.parametrize(
    "bad",
    [
        {"mu": math.inf},
        {"mu": math.nan},
        {"sigma": 0.0},
        {"sigma": -1.0},
        {"beta": 0},
        {"beta": math.inf},
        {"tau": -0.1},
        {"draw_probability": 1.0},
        {"draw_probability": -0.01},
        {"draw_probability": math.nan},
        {"sigma": "3"},
    ],
)
def test_bad_parameters_name_the_keyword(bad):
    (name,) = bad
    with pytest.raises(ra.RankaggError, match=rf"trueskill: {name}="):
        ra.trueskill({"a": ["x"], "b": ["y"], "outcome": [1.0]}, **bad)


def test_predict_is_calibrated_to_the_draw_probability():
    # Two equal items known almost exactly: P(win) = P(loss) = (1 − p)/2, the rest a draw.
    for p in (0.0, 0.1, 0.5):
        r = ra.trueskill(
            {"a": ["x"], "b": ["y"], "outcome": [0.5 if p else 1.0]}, sigma=1e-9, tau=0.0, draw_probability=p
        )
        assert r.predict("x", "y") == pytest.approx((1 - p) / 2, rel=1e-9)
        assert r.predict("y", "x") == pytest.approx((1 - p) / 2, rel=1e-9)
    # A clear favourite after 30 straight wins; the draw takes its share of the rest.
    r = ra.trueskill({"a": ["x"] * 30, "b": ["y"] * 30, "outcome": [1.0] * 30})
    assert r.predict("x", "y") > 0.9 and r.predict("x", "y") + r.predict("y", "x") < 1
    with pytest.raises(ra.errors.UnknownItemError):
        r.predict("x", "nobody")


def test_bootstrap_intervals():
    frame = _games(np.random.default_rng(4), 5, 400, draws=True)
    r = ra.trueskill(frame, ci=ra.Bootstrap(rounds=40, seed=3))
    again = ra.trueskill(frame, ci=ra.Bootstrap(rounds=40, seed=3))
    assert r.table.equals(again.table)
    t = r.table
    assert (t["lower"] <= t["upper"]).all() and r.replicates is not None and r.replicates.height == 40 * 5
    with pytest.raises(ra.RankaggError, match="Sandwich"):
        ra.trueskill(frame, ci=ra.Sandwich())


def test_ctrl_c_stops_a_long_run(ctrl_c):
    # Not a timing test: a run of 2·10^8 repeated games (~10 s) must stop soon after Ctrl-C.
    frame = pl.DataFrame({"a": ["x", "y"], "b": ["y", "x"], "outcome": [1.0, 0.5], "k": [1e8, 1e8]})
    late = ctrl_c(lambda: ra.trueskill(frame, weight="k"), after=0.3)
    assert late < 2.0


def test_cli_and_report(tmp_path, capsys):
    from rankagg.cli import main

    src = tmp_path / "games.csv"
    _games(np.random.default_rng(2), 5, 100, draws=True).write_csv(src)
    assert main(["leaderboard", str(src), "--method", "trueskill", "--order-by", "when"]) == 0
    out = capsys.readouterr().out
    assert "TrueSkill leaderboard" in out and "mu - 3 sigma" in out and "| mu" in out.replace("  ", " ")
    dst = tmp_path / "board.csv"
    assert main(["leaderboard", str(src), "--method", "trueskill", "-o", str(dst)]) == 0
    board = pl.read_csv(dst)
    want = ra.trueskill(pl.read_csv(src)).table
    assert board["item"].to_list() == want["item"].to_list()
    assert np.allclose(board["mu"], want["mu"])
    pytest.importorskip("matplotlib")
    page = ra.report(pl.read_csv(src), None, method="trueskill", rounds=10)
    assert "under the fitted TrueSkill model" in page
    with pytest.raises(ra.RankaggError, match="rows in order"):
        ra.report(ra.PairTable.from_comparisons(pl.read_csv(src)), None, method="trueskill", ci="none")


def test_agrees_with_the_plain_python_reference():
    from rankagg.reference import trueskill as reference

    frame = _games(np.random.default_rng(8), 10, 500, draws=True)
    opts = {"beta": 3.0, "tau": 0.2, "draw_probability": 0.2}
    want = reference(frame["a"].to_list(), frame["b"].to_list(), frame["outcome"].to_list(), **opts)
    got = _ours(ra.trueskill(frame, **opts))
    for item, v in want.items():
        assert got[item] == pytest.approx(v, rel=1e-9)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, 4), st.integers(1, 4), st.sampled_from([0.0, 0.5, 1.0])), min_size=1, max_size=40
    ),
    st.floats(-50, 50),
    st.floats(0.1, 20),
    st.floats(0.1, 10),
    st.floats(0, 2),
    st.floats(0.001, 0.95),
)
def test_random_sequences_and_parameters_match_the_package(games, mu, sigma, beta, tau, p):
    frame = pl.DataFrame(
        {
            "a": [f"m{i}" for i, _, _ in games],
            "b": [f"m{(i + d) % 5}" for i, d, _ in games],
            "outcome": [o for *_, o in games],
        }
    )
    opts = {"mu": mu, "sigma": sigma, "beta": beta, "tau": tau, "draw_probability": p}
    want = _package(frame, opts)
    got = _ours(ra.trueskill(frame, **opts))
    for item, (m, sd) in want.items():
        assert got[item][0] == pytest.approx(m, rel=1e-9, abs=1e-9 * sigma)
        assert got[item][1] == pytest.approx(sd, rel=1e-9)


def test_weights_asking_for_too_many_games_are_refused():
    """A weight is a number of games played in turn: 1e12 would run for a day (found by the
    fuzz test, which hung)."""
    rows = {"a": ["x", "y"], "b": ["y", "x"], "outcome": [1.0, 0.0], "w": [1e12, 1.0]}
    with pytest.raises(ra.InvalidWeightError, match=r"column 'w' \(weight=\) asks for 1e\+12 games"):
        ra.trueskill(rows, weight="w")
    ok = ra.trueskill(dict(rows, w=[3.0, 1.0]), weight="w")
    assert ok.table["n"].sum() == 2 * 4
