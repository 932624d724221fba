"""Bradley–Terry with covariates (style control): known answers by simulation, agreement with a
generic optimiser on the penalised likelihood, and reductions to plain Bradley–Terry."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scipy.optimize import minimize

import rankagg as ra


def simulate(n: int = 6, m: int = 4000, beta: float = 0.8, seed: int = 0, ties: float = 0.0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    theta = np.linspace(-1.0, 1.0, n)
    a = rng.integers(0, n, m)
    b = (a + rng.integers(1, n, m)) % n
    la, lb = rng.normal(0, 1, m), rng.normal(0, 1, m)
    p = 1.0 / (1.0 + np.exp(-(theta[a] - theta[b] + beta * (la - lb))))
    o = (rng.random(m) < p).astype(float)
    o[rng.random(m) < ties] = 0.5
    return pl.DataFrame({"a": [f"m{k}" for k in a], "b": [f"m{k}" for k in b], "outcome": o, "len_a": la, "len_b": lb})


def test_simulation_recovers_the_coefficient_and_strengths():
    df = simulate(m=20_000)
    r = ra.bradley_terry(df, covariates=[("len_a", "len_b")], scale="logit", ci=ra.Sandwich())
    row = r.covariates.row(0, named=True)
    assert row["covariate"] == "len_a - len_b"
    assert abs(row["coefficient"] - 0.8) < 4 * row["std_error"]
    assert row["upper"] - row["lower"] == pytest.approx(2 * 1.959964 * row["std_error"], rel=1e-5)
    got = dict(r.table.select("item", "score").iter_rows())
    truth = dict(zip([f"m{k}" for k in range(6)], np.linspace(-1, 1, 6)))
    for item, value in truth.items():
        assert abs(got[item] - value) < 0.1, item


@pytest.mark.parametrize("ties", ["half", "drop"])
def test_matches_a_generic_optimiser(ties):
    df = simulate(n=4, m=600, seed=3, ties=0.2)
    lam = 2.0
    r = ra.bradley_terry(
        df.with_columns(d=pl.col("len_a") * 0.5),
        covariates=["d", ("len_a", "len_b")],
        covariate_l2=lam,
        scale="logit",
        ties=ties,
        tol=1e-11,
    )
    names = sorted(set(df["a"]) | set(df["b"]))
    ix = {x: k for k, x in enumerate(names)}
    a = np.array([ix[x] for x in df["a"]])
    b = np.array([ix[x] for x in df["b"]])
    y = df["outcome"].to_numpy()
    x = np.column_stack([df["len_a"].to_numpy() * 0.5, df["len_a"].to_numpy() - df["len_b"].to_numpy()])
    keep = np.ones(len(y), bool) if ties == "half" else y != 0.5
    a, b, y, x = a[keep], b[keep], y[keep], x[keep]

    def negative(v):
        th = np.concatenate([[0.0], v[:3]])  # item 0 pinned: θ is identified up to a constant
        z = th[a] - th[b] + x @ v[3:]
        return -(np.sum(y * z - np.logaddexp(0, z)) - 0.5 * lam * v[3:] @ v[3:])

    opt = minimize(negative, np.zeros(5), method="BFGS", options={"gtol": 1e-9})
    th = np.concatenate([[0.0], opt.x[:3]])
    th -= th.mean()
    got = dict(r.table.select("item", "score").iter_rows())
    for k, name in enumerate(names):
        assert got[name] == pytest.approx(th[k], abs=1e-5)
    assert r.covariates["coefficient"].to_list() == pytest.approx(opt.x[3:].tolist(), abs=1e-5)


def test_zero_covariates_give_plain_bradley_terry_and_columns_equal_differences():
    df = simulate(m=1000, seed=5, ties=0.1).with_columns(zero=pl.lit(0.0), diff=pl.col("len_a") - pl.col("len_b"))
    plain = ra.bradley_terry(df, scale="logit")
    with_zero = ra.bradley_terry(df, covariates=["zero"], scale="logit")
    assert with_zero.covariates["coefficient"][0] == 0.0
    np.testing.assert_allclose(with_zero.table["score"].to_numpy(), plain.table["score"].to_numpy(), atol=1e-8)
    pair = ra.bradley_terry(df, covariates=[("len_a", "len_b")])
    column = ra.bradley_terry(df, covariates=["diff"])
    np.testing.assert_allclose(pair.table["score"].to_numpy(), column.table["score"].to_numpy(), atol=1e-9)
    shuffled = ra.bradley_terry(df.sample(fraction=1.0, shuffle=True, seed=2), covariates=["diff"])
    np.testing.assert_allclose(
        shuffled.table.sort("item")["score"].to_numpy(), column.table.sort("item")["score"].to_numpy(), atol=1e-9
    )


def test_covariate_errors():
    df = simulate(m=200)
    with pytest.raises(ra.MissingColumnError, match="nope"):
        ra.bradley_terry(df, covariates=["nope"])
    with pytest.raises(ra.RankaggError, match="davidson"):
        ra.bradley_terry(df, covariates=["len_a"], ties="davidson")
    with pytest.raises(ra.RankaggError, match="numeric"):
        ra.bradley_terry(df.with_columns(s=pl.lit("x")), covariates=["s"])
    with pytest.raises(ra.RankaggError, match=r"rows \[3\]"):
        ra.bradley_terry(
            df.with_columns(
                pl.when(pl.int_range(pl.len()) == 3).then(float("nan")).otherwise(pl.col("len_a")).alias("len_a")
            ),
            covariates=["len_a"],
        )
    with pytest.raises(ra.RankaggError, match="PairTable"):
        ra.bradley_terry(ra.PairTable.from_comparisons(df), covariates=["len_a"])


def test_bootstrap_with_covariates_agrees_with_the_sandwich():
    df = simulate(m=3000, seed=9, ties=0.1)
    boot = ra.bradley_terry(df, covariates=[("len_a", "len_b")], ci=ra.Bootstrap(rounds=200, seed=1))
    sand = ra.bradley_terry(df, covariates=[("len_a", "len_b")], ci=ra.Sandwich())
    b, s = boot.covariates.row(0, named=True), sand.covariates.row(0, named=True)
    assert b["coefficient"] == s["coefficient"]
    assert b["lower"] < b["coefficient"] < b["upper"]
    assert 0.75 < b["std_error"] / s["std_error"] < 1.25
    wb = (boot.table["upper"] - boot.table["lower"]).to_numpy()
    ws = (sand.table["upper"] - sand.table["lower"]).to_numpy()
    assert 0.75 < float(np.median(wb / ws)) < 1.25
    again = ra.bradley_terry(df, covariates=[("len_a", "len_b")], ci=ra.Bootstrap(rounds=200, seed=1, progress=True))
    assert again.replicates.equals(boot.replicates) and again.covariates.equals(boot.covariates)
