"""Published Bradley–Terry fits reproduced from their data (tests/data/SOURCE.md)."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

import rankagg as ra


def expand_counts(
    frame: pl.DataFrame, a: str, b: str, wins_a: str, wins_b: str, ties: str | None = None
) -> pl.DataFrame:
    """One row per counted game, the way users hold raw comparisons."""
    parts = [
        frame.select(
            pl.col(a).alias("a"), pl.col(b).alias("b"), pl.lit(1.0).alias("outcome"), pl.col(wins_a).alias("k")
        ),
        frame.select(
            pl.col(a).alias("a"), pl.col(b).alias("b"), pl.lit(0.0).alias("outcome"), pl.col(wins_b).alias("k")
        ),
    ]
    if ties:
        parts.append(
            frame.select(
                pl.col(a).alias("a"), pl.col(b).alias("b"), pl.lit(0.5).alias("outcome"), pl.col(ties).alias("k")
            )
        )
    long = pl.concat(parts)
    return long.select(pl.col("a", "b", "outcome").repeat_by(pl.col("k"))).explode("a", "b", "outcome")


@pytest.mark.parametrize("solver", ["newman", "mm"])
def test_baseball_agresti(data_dir, solver):
    games = pl.read_csv(data_dir / "baseball.csv")
    rows = expand_counts(games, "home.team", "away.team", "home.wins", "away.wins")
    r = ra.bradley_terry(rows, scale="logit", anchor=("Baltimore", 0.0), solver=solver)
    published = {
        "Boston": 1.1077,
        "Cleveland": 0.6839,
        "Detroit": 1.4364,
        "Milwaukee": 1.5814,
        "New York": 1.2476,
        "Toronto": 1.2945,
    }
    for team, value in published.items():
        assert r[team] == pytest.approx(value, abs=1e-3), team
    assert r["Baltimore"] == 0.0
    assert r.converged


def test_baseball_weights_equal_expanded_rows(data_dir):
    games = pl.read_csv(data_dir / "baseball.csv")
    weighted = pl.concat(
        [
            games.select(
                pl.col("home.team").alias("a"),
                pl.col("away.team").alias("b"),
                pl.lit(1.0).alias("o"),
                pl.col("home.wins").alias("w"),
            ),
            games.select(
                pl.col("home.team").alias("a"),
                pl.col("away.team").alias("b"),
                pl.lit(0.0).alias("o"),
                pl.col("away.wins").alias("w"),
            ),
        ]
    )
    r1 = ra.bradley_terry(weighted, outcome="o", weight="w", scale="logit")
    r2 = ra.bradley_terry(expand_counts(games, "home.team", "away.team", "home.wins", "away.wins"), scale="logit")
    assert r1.table["item"].to_list() == r2.table["item"].to_list()
    np.testing.assert_allclose(r1.table["score"].to_numpy(), r2.table["score"].to_numpy(), atol=1e-9)


def test_citations_stigler(data_dir):
    cites = pl.read_csv(data_dir / "citations_binomial.csv")
    rows = expand_counts(cites, "player1", "player2", "win1", "win2")
    r = ra.bradley_terry(rows, scale="logit", anchor=("Biometrika", 0.0))
    assert r["Comm Statist"] == pytest.approx(-2.9491, abs=1e-3)
    assert r["JASA"] == pytest.approx(-0.4796, abs=1e-3)
    assert r["JRSS-B"] == pytest.approx(0.2690, abs=1e-3)
    # logLik −20.197 is on the binomial scale (it adds Σ log C(n, k)); compare after removing it.
    constant = sum(math.log(math.comb(int(w1 + w2), int(w1))) for w1, w2 in zip(cites["win1"], cites["win2"]))
    assert r.log_likelihood + constant == pytest.approx(-20.19694, abs=1e-3)


@pytest.mark.parametrize("solver", ["newman", "mm"])
def test_pudding_davidson(data_dir, solver):
    pud = pl.read_csv(data_dir / "pudding.csv")
    rows = expand_counts(pud, "i", "j", "w_ij", "w_ji", "t_ij")
    r = ra.bradley_terry(rows, ties="davidson", scale="logit", solver=solver)
    assert r.tie_parameter == pytest.approx(0.7468, abs=1e-4)
    worth = r.table.select("item", w=pl.col("score").exp() / pl.col("score").exp().sum())
    got = dict(zip(worth["item"].to_list(), worth["w"].to_list()))
    published = [0.1388, 0.1730, 0.1617, 0.1654, 0.1587, 0.2024]
    for brand, value in enumerate(published, start=1):
        assert got[brand] == pytest.approx(value, abs=1e-4)
    # The fully converged log-likelihood (PlackettLuce's fit, shared/data ANSWERS.md).
    assert r.log_likelihood == pytest.approx(-809.7095, abs=1e-3)


def test_llmfao_matches_evalica_golden(data_dir):
    r = ra.bradley_terry(
        ra.datasets.llmfao(), a="left", b="right", outcome="winner", outcomes=ra.datasets.LLMFAO_OUTCOMES
    )
    golden = pl.read_csv(data_dir / "llmfao-golden.csv").filter(pl.col("algorithm") == "bradley_terry")
    golden_order = golden.sort("score", descending=True)["item"].to_list()
    assert r.table["item"].to_list() == golden_order
    # evalica reports worths normalised to sum 1; ours agree to its stated tolerance.
    ours = r.table.select("item", w=(pl.col("score") * math.log(10) / 400).exp()).with_columns(
        pl.col("w") / pl.col("w").sum()
    )
    joined = ours.join(golden, on="item")
    np.testing.assert_allclose(joined["w"].to_numpy(), joined["score"].to_numpy(), rtol=1e-4)


LLMFAO = {"a": "left", "b": "right", "outcome": "winner", "outcomes": ra.datasets.LLMFAO_OUTCOMES}


def golden_scores(data_dir, algorithm: str) -> dict:
    g = pl.read_csv(data_dir / "llmfao-golden.csv").filter(pl.col("algorithm") == algorithm)
    assert g.height == 59
    return dict(g.select("item", "score").iter_rows())


def reversed_llmfao() -> pl.DataFrame:
    """LLMFAO with every outcome reversed (left ↔ right wins)."""
    return ra.datasets.llmfao().with_columns(pl.col("winner").replace({"left": "right", "right": "left"}))


@pytest.mark.parametrize(
    "algorithm, run, rel",
    [
        ("elo", lambda: ra.elo(ra.datasets.llmfao(), **LLMFAO), 1e-12),
        ("counting", lambda: ra.counting(ra.datasets.llmfao(), **LLMFAO), 1e-12),
        ("average_win_rate", lambda: ra.average_win_rate(ra.datasets.llmfao(), **LLMFAO), 1e-12),
        ("pagerank", lambda: ra.pagerank(ra.datasets.llmfao(), **LLMFAO), 1e-9),
        # evalica's eigen is the eigenvector of the transposed matrix: ours on reversed outcomes.
        ("eigen", lambda: ra.eigenvector(reversed_llmfao(), **LLMFAO), 1e-9),
    ],
)
def test_llmfao_evalica_golden_other_methods(data_dir, algorithm, run, rel):
    """evalica's golden values (ties half a win; Elo k=4, base 10, scale 400, initial 1000 in
    file order; PageRank damping 0.85), which evalica 0.4.2 reproduces."""
    golden = golden_scores(data_dir, algorithm)
    r = run()
    got = dict(r.table.select("item", "score").iter_rows())
    assert set(got) == set(golden)
    for item, value in golden.items():
        assert got[item] == pytest.approx(value, rel=rel, abs=1e-12), item


def test_eigenvector_orientation_rewards_beating_strong_items():
    # a beats b, b beats c, c beats a once; a also beats c twice: a is best.
    data = {"a": ["a", "b", "c", "a", "a"], "b": ["b", "c", "a", "c", "c"], "outcome": [1.0] * 5}
    assert ra.eigenvector(data).table["item"][0] == "a"
    assert ra.pagerank(data).table["item"][0] == "a"
    assert ra.rank_centrality(data).table["item"][0] == "a"


def test_rao_kupper_matches_a_generic_optimiser_and_recovers_eta():
    """Rao & Kupper (1967): P(i beats j) = π_i/(π_i + η π_j). Simulated with η = 1.8; the MLE
    agrees with a direct maximisation of the likelihood and recovers η."""
    from scipy.optimize import minimize

    rng = np.random.default_rng(1)
    n, m, eta = 5, 6000, 1.8
    pi = np.exp(np.linspace(-1, 1, n))
    a = rng.integers(0, n, m)
    b = (a + rng.integers(1, n, m)) % n
    p_win = pi[a] / (pi[a] + eta * pi[b])
    p_loss = pi[b] / (pi[b] + eta * pi[a])
    u = rng.random(m)
    o = np.where(u < p_win, 1.0, np.where(u < p_win + p_loss, 0.0, 0.5))
    df = pl.DataFrame({"a": a, "b": b, "outcome": o})
    r = ra.bradley_terry(df, ties="rao_kupper", scale="logit", tol=1e-11)
    assert abs(r.tie_parameter - eta) < 0.1
    t = ra.PairTable.from_comparisons(df)

    def negative(v):
        th = np.concatenate([[0.0], v[:-1]])
        e = 1.0 + np.exp(v[-1])  # η > 1
        x, y = np.exp(th[t.i]), np.exp(th[t.j])
        di, dj = x + e * y, y + e * x
        ll = t.wins_i * np.log(x / di) + t.wins_j * np.log(y / dj) + t.ties * np.log((e * e - 1) * x * y / (di * dj))
        return -ll.sum()

    opt = minimize(negative, np.concatenate([np.zeros(n - 1), [0.0]]), method="BFGS", options={"gtol": 1e-8})
    th = np.concatenate([[0.0], opt.x[:-1]])
    th -= th.mean()
    np.testing.assert_allclose(r.table.sort("item")["score"].to_numpy(), th, atol=1e-5)
    assert r.tie_parameter == pytest.approx(1.0 + np.exp(opt.x[-1]), abs=1e-5)
    assert r.log_likelihood == pytest.approx(-opt.fun, abs=1e-6)
    sc = dict(r.table.select("item", "score").iter_rows())
    assert r.predict(4, 0) == pytest.approx(1.0 / (1.0 + r.tie_parameter * np.exp(sc[0] - sc[4])), rel=1e-12)
    boot = ra.bradley_terry(df, ties="rao_kupper", ci=ra.Bootstrap(rounds=50))
    assert (boot.table["lower"] <= boot.table["score"]).all()
