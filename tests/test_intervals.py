"""Confidence intervals: bootstrap against the row-resampling reference, sandwich against a
brute-force computation from per-row scores, and the properties every interval must have."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

import rankagg as ra
from rankagg.reference.bootstrap import row_bootstrap
from rankagg.reference.bradley_terry import bradley_terry as reference_bt

LLMFAO = {"a": "left", "b": "right", "outcome": "winner", "outcomes": {"left": 1.0, "right": 0.0, "tie": 0.5}}


def synthetic(n_items: int, rows: int, seed: int, tie_rate: float = 0.15) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    theta = np.linspace(-1.0, 1.0, n_items)
    a = rng.integers(0, n_items, rows)
    b = (a + rng.integers(1, n_items, rows)) % n_items
    p = 1.0 / (1.0 + np.exp(theta[b] - theta[a]))
    u = rng.random(rows)
    o = np.where(u < tie_rate, 0.5, (rng.random(rows) < p).astype(float))
    names = np.array([f"m{k}" for k in range(n_items)])
    return pl.DataFrame({"a": names[a], "b": names[b], "outcome": o})


def table_of(r: ra.Ratings) -> dict:
    return {row["item"]: row for row in r.table.iter_rows(named=True)}


@pytest.mark.parametrize("ties", ["half", "drop"])
def test_bootstrap_matches_row_resampling_reference(ties):
    """Count resampling has the distribution of row resampling: replicate means and standard
    deviations agree with the slow reference to Monte Carlo error."""
    df = synthetic(4, 160, seed=3)
    rounds = 400
    ours = ra.bradley_terry(df, ties=ties, scale="logit", ci=ra.Bootstrap(rounds=rounds, seed=5))
    ref = row_bootstrap(
        df["a"].to_list(), df["b"].to_list(), df["outcome"].to_list(), rounds=rounds, seed=5, ties=ties, tol=1e-9
    )
    reps = ours.replicates
    for item in df["a"].unique().to_list():
        mine = reps.filter(pl.col("item") == item)["score"].to_numpy()
        theirs = np.array([r[item] for r in ref])
        sd_m, sd_t = mine.std(ddof=1), theirs.std(ddof=1)
        # sd of an sd estimate ≈ sd/√(2R) (5% at R=400); allow 4 of them each side.
        assert abs(sd_m / sd_t - 1.0) < 0.25, (item, sd_m, sd_t)
        se_mean = np.hypot(sd_m, sd_t) / np.sqrt(rounds)
        assert abs(mine.mean() - theirs.mean()) < 4.0 * se_mean, (item, mine.mean(), theirs.mean())
        q = np.quantile(mine, [0.025, 0.975]) - np.quantile(theirs, [0.025, 0.975])
        assert np.all(np.abs(q) < 0.6 * sd_t), (item, q, sd_t)


def test_sandwich_matches_brute_force_per_row_scores():
    """H⁻¹JH⁻¹ from the pair table equals the textbook sum over rows of score outer products,
    with H the numerical Hessian of the reference log-likelihood."""
    df = synthetic(4, 120, seed=11)
    r = ra.bradley_terry(df, scale="logit", ci=ra.Sandwich(level=0.9))
    fit = reference_bt(df["a"].to_list(), df["b"].to_list(), df["outcome"].to_list(), tol=1e-13)
    names = sorted(fit.theta)
    idx = {x: k for k, x in enumerate(names)}
    th = np.array([fit.theta[x] for x in names])
    n = len(names)

    def grad(t: np.ndarray) -> np.ndarray:
        g = np.zeros(n)
        for x, y, o in df.iter_rows():
            p = 1.0 / (1.0 + np.exp(t[idx[y]] - t[idx[x]]))
            g[idx[x]] += o - p
            g[idx[y]] -= o - p
        return g

    meat = np.zeros((n, n))
    for x, y, o in df.iter_rows():
        p = 1.0 / (1.0 + np.exp(th[idx[y]] - th[idx[x]]))
        s = np.zeros(n)
        s[idx[x]], s[idx[y]] = o - p, p - o
        meat += np.outer(s, s)
    h = np.zeros((n, n))
    eps = 1e-5
    for k in range(n):
        e = np.zeros(n)
        e[k] = eps
        h[:, k] = -(grad(th + e) - grad(th - e)) / (2 * eps)
    # θ is identified up to a constant: invert in the coordinates θ_k − θ_last, then centre.
    hinv = np.zeros((n, n))
    hinv[:-1, :-1] = np.linalg.inv(h[:-1, :-1])
    centre = np.eye(n) - 1.0 / n
    cov = centre @ hinv @ meat @ hinv @ centre
    z = 1.6448536269514722
    got = table_of(r)
    for x in names:
        half = z * np.sqrt(cov[idx[x], idx[x]])
        assert got[x]["lower"] == pytest.approx(th[idx[x]] - half, abs=1e-6)
        assert got[x]["upper"] == pytest.approx(th[idx[x]] + half, abs=1e-6)


@pytest.mark.parametrize("ci", [ra.Bootstrap(rounds=300, seed=1), ra.Sandwich()])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_point_estimate_inside_interval_and_intervals_shrink_with_more_data(ci, seed):
    df = synthetic(5, 400, seed=seed)
    once = ra.bradley_terry(df, ci=ci)
    assert (once.table["lower"] <= once.table["score"]).all()
    assert (once.table["score"] <= once.table["upper"]).all()
    four = ra.bradley_terry(pl.concat([df] * 4), ci=ci)
    w1 = table_of(once)
    w4 = table_of(four)
    for item, row in w4.items():
        ratio = (row["upper"] - row["lower"]) / (w1[item]["upper"] - w1[item]["lower"])
        # Four times the data: half the width (up to Monte Carlo error for the bootstrap).
        assert 0.38 < ratio < 0.62, (item, ratio)


def test_bootstrap_and_sandwich_agree_on_llmfao():
    data = ra.datasets.llmfao()
    boot = table_of(ra.bradley_terry(data, **LLMFAO, ci=ra.Bootstrap(rounds=1000)))
    sand = table_of(ra.bradley_terry(data, **LLMFAO, ci=ra.Sandwich()))
    ratios = [(boot[x]["upper"] - boot[x]["lower"]) / (sand[x]["upper"] - sand[x]["lower"]) for x in boot]
    assert 0.85 < float(np.median(ratios)) < 1.15
    assert max(abs(r - 1) for r in ratios) < 0.35


def test_interval_rank_definition():
    r = ra.bradley_terry(ra.datasets.llmfao(), **LLMFAO, ci=ra.Sandwich())
    t = r.table
    lower, upper = t["lower"].to_numpy(), t["upper"].to_numpy()
    expected = [1 + int((lower > u).sum()) for u in upper]
    assert t["rank"].to_list() == expected
    # The best item by score has rank 1, and ranks never decrease down the table.
    assert t["rank"][0] == 1 and t["rank"].is_sorted()


def test_bootstrap_seed():
    data = synthetic(6, 500, seed=4)
    a = ra.bradley_terry(data, ci=ra.Bootstrap(rounds=50, seed=9)).replicates
    b = ra.bradley_terry(data, ci=ra.Bootstrap(rounds=50, seed=9)).replicates
    c = ra.bradley_terry(data, ci=ra.Bootstrap(rounds=50, seed=10)).replicates
    assert a.equals(b) and not a.equals(c)
    # Thread counts 1 and 2: tests/test_reliability.py.


def test_anchored_bootstrap_pins_the_anchor():
    data = synthetic(4, 300, seed=2)
    r = ra.bradley_terry(data, anchor=("m0", 1000.0), ci=ra.Bootstrap(rounds=100))
    row = table_of(r)["m0"]
    assert row["score"] == row["lower"] == row["upper"] == pytest.approx(1000.0)
    s = ra.bradley_terry(data, anchor=("m0", 1000.0), ci=ra.Sandwich())
    row = table_of(s)["m0"]
    assert row["upper"] - row["lower"] == pytest.approx(0.0, abs=1e-6)
    # Other items' intervals are wider when measured against one item than against the mean.
    free = table_of(ra.bradley_terry(data, ci=ra.Sandwich()))
    assert table_of(s)["m3"]["upper"] - table_of(s)["m3"]["lower"] > free["m3"]["upper"] - free["m3"]["lower"]


def test_bad_interval_arguments():
    with pytest.raises(ra.RankaggError, match="rounds"):
        ra.Bootstrap(rounds=1)
    with pytest.raises(ra.RankaggError, match="level"):
        ra.Sandwich(level=1.5)
    with pytest.raises(ra.RankaggError, match="ci must be"):
        ra.bradley_terry(synthetic(3, 50, 0), ci=0.95)
    with pytest.raises(ra.RankaggError, match="davidson"):
        ra.bradley_terry(synthetic(3, 50, 0), ties="davidson", ci=ra.Sandwich())


def test_redraws_are_reported():
    data = pl.DataFrame(
        {"a": ["x", "y", "y", "z", "x", "z"], "b": ["y", "x", "z", "y", "z", "x"], "outcome": [1.0] * 6}
    )
    with pytest.warns(RuntimeWarning, match="drawn again"):
        r = ra.bradley_terry(data, ci=ra.Bootstrap(rounds=50))
    assert r.options["bootstrap_redraws"] > 0
    r = ra.bradley_terry(data, regularization=1.0, ci=ra.Bootstrap(rounds=50))
    assert r.options["bootstrap_redraws"] == 0


@pytest.mark.parametrize(
    "method", [ra.counting, ra.win_rate, ra.average_win_rate, ra.pagerank, ra.rank_centrality, ra.eigenvector]
)
def test_pair_methods_bootstrap(method):
    data = ra.datasets.llmfao()
    r = method(data, **LLMFAO, ci=ra.Bootstrap(rounds=200, seed=1))
    t = r.table
    assert (t["lower"] <= t["score"]).all() and (t["score"] <= t["upper"]).all()
    again = method(data, **LLMFAO, ci=ra.Bootstrap(rounds=200, seed=1))
    assert r.replicates.equals(again.replicates)
    assert r.replicates.height == 200 * 59
    with pytest.raises(ra.RankaggError, match="Sandwich"):
        method(data, **LLMFAO, ci=ra.Sandwich())


def test_elo_bootstrap_resamples_rows():
    data = ra.datasets.llmfao()
    r = ra.elo(data, **LLMFAO, ci=ra.Bootstrap(rounds=100, seed=2))
    reps = r.replicates
    assert reps.height == 100 * 59
    # Replicates vary, and intervals contain most point estimates (Elo is order-dependent, so
    # the point need not be inside every interval).
    inside = ((r.table["lower"] <= r.table["score"]) & (r.table["score"] <= r.table["upper"])).mean()
    assert inside > 0.9
    assert reps.group_by("item").agg(pl.col("score").std())["score"].min() > 0
    assert ra.elo(data, **LLMFAO, ci=ra.Bootstrap(rounds=100, seed=2)).replicates.equals(reps)


@pytest.mark.parametrize("method", [ra.bradley_terry, ra.elo, ra.win_rate])
def test_progress_bar_chunks_give_the_same_replicates(method, capsys):
    data = synthetic(5, 300, seed=8)
    plain = method(data, ci=ra.Bootstrap(rounds=120, seed=4))
    shown = method(data, ci=ra.Bootstrap(rounds=120, seed=4, progress=True))
    assert plain.replicates.equals(shown.replicates)
    assert plain.table.equals(shown.table)
    assert "120/120 rounds" in capsys.readouterr().err


@pytest.mark.parametrize("threads", [1, 2, 3, None])
def test_bootstrap_chunks_keep_every_thread_busy(threads, monkeypatch):
    # The rounds run one per thread: a chunk is a multiple of the pool's threads (the first
    # at least 4 rounds), however short the target, and the last holds what is left. Chunks
    # of one round on two threads made a bootstrap up to 1.9x slower (the time per round of a
    # chunk that leaves a thread idle doubles, and sized the next chunk down again).
    import rankagg.intervals
    from rankagg import _core

    if threads is None:
        threads = rankagg.intervals.pool_threads()
        assert threads == _core.threads() >= 1
    else:
        monkeypatch.setattr(rankagg.intervals, "pool_threads", lambda: threads)
    monkeypatch.setattr(rankagg.intervals, "CHUNK_SECONDS", 1e-9)
    sizes: list[int] = []
    real = _core.bradley_terry

    def counted(*args, **kw):
        sizes.append(kw["rounds"])
        return real(*args, **kw)

    monkeypatch.setattr(_core, "bradley_terry", counted)
    data = synthetic(6, 500, seed=1)
    r = ra.bradley_terry(data, ci=ra.Bootstrap(rounds=14, seed=2))
    first = min(14, -(-4 // threads) * threads)
    rest = [threads] * ((14 - first) // threads) + ([(14 - first) % threads] if (14 - first) % threads else [])
    assert sizes == [first, *rest]
    assert r.replicates["round"].n_unique() == 14


@pytest.mark.parametrize(
    "kwargs", [{}, {"ties": "davidson"}, {"regularization": 0.5}], ids=["half", "davidson", "regularized"]
)
def test_bootstrap_chunks_reuse_the_point_fit_without_changing_a_round(kwargs, monkeypatch):
    # Rounds run in chunks; later chunks start from the first chunk's point fit instead of
    # fitting it again. Each round's replicate must not depend on the chunking, nor on whether
    # the point fit is passed on or fitted again.
    import rankagg.intervals

    data = synthetic(12, 3000, seed=4)

    def replicates(rounds: int, chunk_seconds: float) -> np.ndarray:
        monkeypatch.setattr(rankagg.intervals, "CHUNK_SECONDS", chunk_seconds)
        r = ra.bradley_terry(data, ci=ra.Bootstrap(rounds=rounds, seed=3), **kwargs)
        return r.replicates.sort("round", "item")["score"].to_numpy().reshape(rounds, -1)

    monkeypatch.setattr(rankagg.intervals, "pool_threads", lambda: 1)
    tiny = replicates(12, 1e-9)  # 4 rounds, then one round per chunk
    two = replicates(12, 1e9)  # 4, then 8
    assert np.array_equal(tiny, two)
    # … and equal to refitting the point in every chunk (the point arguments dropped)
    from rankagg import _core

    real = _core.bradley_terry

    def refit(*args, point_theta=None, point_virtual=None, point_tie=None, **kw):
        return real(*args, **kw)

    monkeypatch.setattr(_core, "bradley_terry", refit)
    assert np.array_equal(replicates(12, 1e-9), tiny)
