"""Threads, the GIL, Ctrl-C and thread-count determinism."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import polars as pl
import pytest

import rankagg as ra
from random_data import arena
from rankagg import _core
from rankagg.pairs import core_table
from thread_counts import stdout_per_thread_count

KW = {"a": "left", "b": "right", "outcome": "winner", "outcomes": ra.datasets.LLMFAO_OUTCOMES}


def test_concurrent_calls_match_serial_calls():
    data = ra.datasets.llmfao()
    jobs = [
        lambda: ra.bradley_terry(data, **KW, ci=ra.Bootstrap(rounds=40, seed=1)).replicates,
        lambda: ra.elo(data, **KW).table,
        lambda: ra.pagerank(data, **KW, ci=ra.Bootstrap(rounds=20)).table,
        lambda: ra.bradley_terry(data, **KW, ties="davidson").table,
    ]
    serial = [job() for job in jobs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(jobs[k % len(jobs)]) for k in range(24)]
        results = [f.result() for f in futures]
    for k, r in enumerate(results):
        assert r.equals(serial[k % len(jobs)])


def test_heavy_calls_release_the_gil():
    t = ra.PairTable.from_comparisons(arena())
    count = [0]
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            count[0] += 1

    worker = threading.Thread(target=spin)
    worker.start()
    try:
        time.sleep(0.05)
        before = count[0]
        started = time.perf_counter()
        _core.bradley_terry(t.n_items, core_table(t), rounds=300, draws=t.rows, seed=0)
        elapsed = time.perf_counter() - started
        during = count[0] - before
    finally:
        stop.set()
        worker.join()
    # One Rust call of ~0.1 s or more: a thread holding the GIL would freeze the counter.
    assert elapsed > 0.05
    assert during > 10_000, (during, elapsed)


def test_ctrl_c_interrupts_a_long_bootstrap_and_the_process_stays_usable(ctrl_c):
    data = arena()
    # minutes if not interrupted
    waited = ctrl_c(lambda: ra.bradley_terry(data, ci=ra.Bootstrap(rounds=200_000)), after=0.5)
    assert waited < 1.0, waited
    assert ra.bradley_terry(data, ci=ra.Bootstrap(rounds=20)).converged


def test_bootstraps_are_bit_identical_for_one_and_two_threads():
    code = (
        "import sys, numpy as np, rankagg as ra\n"
        "d = ra.datasets.llmfao(); kw = dict(a='left', b='right', outcome='winner', outcomes=ra.datasets.LLMFAO_OUTCOMES)\n"
        "ci = ra.Bootstrap(rounds=24, seed=5)\n"
        "parts = [ra.bradley_terry(d, **kw, ci=ci), ra.elo(d, **kw, ci=ci), ra.pagerank(d, **kw, ci=ci), ra.bradley_terry(d, **kw, ties='rao_kupper', ci=ci),\n"
        "         ra.plackett_luce([['a','b','c'], ['b','c','a'], ['c','a','b'], ['a','c','b']], ci=ci)]\n"
        "sys.stdout.write(''.join(p.replicates['score'].to_numpy().tobytes().hex() for p in parts))\n"
    )
    outs = stdout_per_thread_count(code)
    assert outs[0] == outs[1] and len(outs[0]) > 0


def test_weights_from_1e_minus_12_to_1e12():
    rng = np.random.default_rng(0)
    m = 300
    a = rng.integers(0, 5, m)
    b = (a + rng.integers(1, 5, m)) % 5
    df = {"a": a, "b": b, "outcome": rng.choice([0.0, 0.5, 1.0], m), "w": rng.random(m) + 0.5}
    base = ra.bradley_terry(df, weight="w", scale="logit").table["score"].to_numpy()
    for c in (1e-12, 1e12):
        r = ra.bradley_terry(dict(df, w=df["w"] * c), weight="w", scale="logit")
        assert r.converged
        np.testing.assert_allclose(r.table["score"].to_numpy(), base, atol=1e-12)
    mixed = ra.bradley_terry(dict(df, w=np.where(rng.random(m) < 0.5, 1e-12, 1e12)), weight="w")
    assert mixed.converged and np.all(np.isfinite(mixed.table["score"].to_numpy()))


def test_1e8_comparisons_on_one_pair_and_near_deterministic_outcomes():
    t = ra.PairTable.from_counts({"a": ["x"], "b": ["y"], "wins_a": [7e7], "wins_b": [3e7]}, ties=None)
    r = ra.bradley_terry(t, scale="logit", ci=ra.Sandwich())
    assert r["x"] - r["y"] == pytest.approx(np.log(7 / 3), rel=1e-12)
    # Var(θ_x − θ_y) = 1/(n p (1 − p)); centred θ_x is half the difference.
    half = 1.959964 * 0.5 * np.sqrt(1 / (1e8 * 0.21))
    row = r.table.filter(pl.col("item") == "x").row(0, named=True)
    assert row["upper"] - row["score"] == pytest.approx(half, rel=1e-5)
    boot = ra.bradley_terry(t, scale="logit", ci=ra.Bootstrap(rounds=50))
    assert boot.table["upper"][0] - boot.table["lower"][0] < 10 * half
    near = ra.PairTable.from_counts(
        {"a": ["x", "y"], "b": ["y", "z"], "wins_a": [1e6, 1e6], "wins_b": [1, 1]}, ties=None
    )
    r = ra.bradley_terry(near, scale="logit")
    assert r.converged and r["x"] - r["y"] == pytest.approx(np.log(1e6), rel=1e-9)
    e = ra.elo({"a": ["x"] * 100_000, "b": ["y"] * 100_000, "outcome": [1.0] * 100_000})
    assert np.all(np.isfinite(e.table["score"].to_numpy())) and e.table["score"].sum() == pytest.approx(2000.0)


def _long_bt_data() -> pl.DataFrame:
    items = 100_000
    k = np.arange(2 * items)
    ring = pl.DataFrame({"a": k % items, "b": (k + 1) % items, "outcome": (k // items).astype(float)})
    rng = np.random.default_rng(0)
    a = rng.integers(0, items, 400_000)
    extra = pl.DataFrame(
        {
            "a": a,
            "b": (a + rng.integers(1, items, 400_000)) % items,
            "outcome": (rng.random(400_000) < 0.5).astype(float),
        }
    )
    return pl.concat([ring, extra])


@pytest.mark.parametrize("what", ["bradley_terry", "plackett_luce", "stream"])
def test_ctrl_c_interrupts_one_long_fit_or_ingest(ctrl_c, what, monkeypatch):
    # A single Rust call that would run for a minute (MM at tol 1e-15) polls Ctrl-C between
    # iterations; a streamed ingest answers it between batches.
    if what == "bradley_terry":
        data = _long_bt_data()
        call = lambda: ra.bradley_terry(data, solver="mm", tol=1e-15, max_iter=100_000, regularization=0.1)  # noqa: E731
    elif what == "plackett_luce":
        rng = np.random.default_rng(1)
        races = (
            np.argsort(rng.random((20_000, 10)) + np.arange(10) * 0.01, axis=1)
            + 100 * (np.arange(20_000) % 500)[:, None]
        )
        votes = ra.Rankings.from_lists(races.tolist())
        call = lambda: ra.plackett_luce(  # noqa: E731
            votes, unranked="ignore", solver="mm", tol=1e-15, max_iter=1_000_000, regularization=0.1
        )
    else:
        import rankagg.pairs

        monkeypatch.setattr(rankagg.pairs, "STREAM_BATCH_ROWS", 10_000)
        lazy = pl.concat([_long_bt_data()] * 30).lazy()
        call = lambda: ra.PairTable.from_comparisons(lazy)  # noqa: E731
    waited = ctrl_c(call, after=0.4)
    assert waited < 0.6, waited
    assert ra.bradley_terry({"a": ["x", "y"], "b": ["y", "x"], "outcome": [1.0, 1.0]}).converged  # still usable


def test_strengths_beyond_double_precision_are_an_error_not_nan():
    # Found by fuzz/fuzz_comparisons.py: wins weighted 1e-300 put some odds beyond 1e308; the
    # fit used to return NaN scores marked converged.
    tiny = 1e-300
    data = pl.DataFrame(
        {
            "a": ["m3", "m3", "m4", "m0", "m3"],
            "b": ["m7", "m0", "m0", "m7", "m7"],
            "outcome": [tiny] * 5,
            "w": [tiny, tiny, tiny, tiny, 1.0],
        }
    )
    rows = pl.concat([data, data.with_columns(pl.lit(1.0).alias("w"))])
    with pytest.raises(ra.RankaggError, match="double precision"):
        ra.bradley_terry(rows, weight="w")
    r = ra.bradley_terry(rows, weight="w", regularization=0.1)
    assert np.all(np.isfinite(r.table["score"].to_numpy()))


def test_ctrl_c_interrupts_schulze_strongest_paths(ctrl_c):
    # Schulze's strongest paths on 2,500 items take several seconds in Rust; the loop polls
    # Ctrl-C once per intermediate item (a few ms each).
    rng = np.random.default_rng(3)
    # Distinct strengths throughout: the incremental method (few distinct strengths take the
    # threshold method, decision 37, which finishes this size well within the press).
    links = rng.random((2_500, 2_500))
    from rankagg import _core

    waited = ctrl_c(lambda: _core.widest_paths(2_500, links.reshape(-1)), after=0.3)
    assert waited < 0.5, waited
    d = np.array([0.0, 1.0, 0.0, 0.0])
    _core.widest_paths(2, d)  # in place
    assert d.tolist() == [0.0, 1.0, 0.0, 0.0]


# ---------------------------------------------------------------------------------------------
# magnitudes (issue 18 part 3): sandwich intervals and welfare at every scale of the weights

SMALL = pl.DataFrame(
    {"a": ["x", "y", "z", "x", "y", "z"], "b": ["y", "z", "x", "z", "x", "y"], "outcome": [1.0, 1, 1, 0, 0.5, 0]}
)


def sandwich_half_widths(weight: float, **kwargs) -> np.ndarray:
    r = ra.bradley_terry(SMALL.with_columns(w=pl.lit(weight)), weight="w", scale="logit", ci=ra.Sandwich(), **kwargs)
    t = r.table.sort("item")
    return (t["upper"] - t["lower"]).to_numpy() / 2


@pytest.mark.parametrize("anchor", [None, ("x", 0.0)])
@pytest.mark.parametrize("weight", [1e-320, 1e-310, 1e-300, 1e-30, 1e-3, 1e3, 3e14, 1e30, 1e300, 1e306])
def test_sandwich_intervals_scale_as_one_over_root_weight(weight, anchor):
    """A row of weight c counts as c comparisons: the covariance scales exactly as 1/c, so the
    half-widths times √c are those of unit weights (to the digits the weight itself has), or
    infinite where they pass double range — never NaN."""
    unit = sandwich_half_widths(1.0, anchor=anchor)
    half = sandwich_half_widths(weight, anchor=anchor)
    assert not np.isnan(half).any()
    fixed = unit == 0  # the anchor
    assert np.all(half[fixed] == 0)
    expected = unit[~fixed] / np.sqrt(weight)
    if expected.max() < 1e-6:  # narrower than the scores' own rounding: (upper − lower) / 2 cancels
        assert np.all(np.isfinite(half) & (half >= 0))
    elif np.all(np.isfinite(expected)) and expected.max() < 1e300:
        rel = 1e-9 if weight >= 1e-300 else 1e-2  # a subnormal weight has few digits
        np.testing.assert_allclose(half[~fixed], expected, rtol=rel)
    else:
        assert np.all(np.isinf(half[~fixed]))


def test_sandwich_with_all_ties_or_a_singular_information_matrix_is_a_documented_error():
    ties = pl.DataFrame({"a": ["x", "y", "z"], "b": ["y", "z", "x"], "outcome": [0.5, 0.5, 0.5]})
    with pytest.raises(ra.RankaggError, match="every comparison's residual is zero"):
        ra.bradley_terry(ties, ci=ra.Sandwich())
    apart = pl.DataFrame({"a": ["x", "y", "z", "w"], "b": ["y", "x", "w", "z"], "outcome": [1.0, 1.0, 1.0, 0.5]})
    with pytest.raises(ra.RankaggError, match="singular to working precision"):
        ra.bradley_terry(apart, regularization=1e-100, ci=ra.Sandwich())
    ra.bradley_terry(apart, regularization=1.0, ci=ra.Sandwich())  # a real prior: fine


MAGNITUDES = [2.0**-1070, 1e-320, 1e-300, 1.0, 1e300, 1e307, 1e308, 2.0**1023]


@pytest.mark.parametrize("c", MAGNITUDES)
def test_aggregate_scores_mean_at_every_magnitude(c):
    """Scores × c (the largest c·5/8): the means are the exact rational means of the scores
    given, within rounding, and rank as the unit scores' do while they are normal numbers — no
    inf from a sum past 1.8e308 (issue 18 part 3)."""
    from fractions import Fraction

    base = np.array([[5.0, 1.0, 3.0], [4.0, 4.0, 2.0], [1.0, 5.0, 6.0], [3.0, 2.0, 1.0]]) / 8  # system × task
    frame = pl.DataFrame(
        {
            "system": np.repeat(["a", "b", "c", "d"], 3),
            "task": np.tile(["t1", "t2", "t3"], 4),
            "score": (base * c).ravel(),
        }
    )
    vals = frame["score"].to_numpy().reshape(4, 3)
    assert np.all(np.isfinite(vals))
    exact = [float(sum(Fraction(float(x)) for x in row) / 3) for row in vals]
    out = ra.aggregate_scores(frame, method="mean").table.sort("item")
    np.testing.assert_allclose(out["score"].to_numpy(), exact, rtol=1e-15, atol=5e-324)
    unit = frame.with_columns(score=pl.Series(base.ravel()))
    for method in ("mean", "borda"):
        ranks = ra.aggregate_scores(frame, method=method).table.sort("item")["rank"].to_list()
        if c >= 1e-300:  # subnormal scores lose digits: only normal ones keep every order
            assert ranks == ra.aggregate_scores(unit, method=method).table.sort("item")["rank"].to_list()


@pytest.mark.parametrize("w", MAGNITUDES)
def test_borda_and_plurality_weights_at_every_magnitude(w):
    """Ranking weights × w: Borda and plurality rank as with unit weights while the totals are
    finite, and raise InvalidWeightError saying to divide the weights once they pass 1.8e308
    (they returned inf scores, ties between items that differ, or an OverflowError)."""
    lists = [["x", "y", "z"], ["y", "x", "z"], ["x", "z", "y"], [("z", "y"), "x"]]
    unit = ra.Rankings.from_lists(lists, weights=[1.0, 1.0, 1.0, 1.0])
    votes = ra.Rankings.from_lists(lists, weights=[w] * 4)
    for rule, most in ((ra.borda, 5.0), (ra.plurality, 2.0)):  # the largest unit-weight score
        if most * w > np.finfo(float).max:
            with pytest.raises(ra.InvalidWeightError, match="divide the weights by a constant"):
                rule(votes)
            continue
        got, ref = rule(votes).table, rule(unit).table
        assert got["item"].to_list() == ref["item"].to_list() and got["rank"].to_list() == ref["rank"].to_list()
        assert np.all(np.isfinite(got["score"].to_numpy()))


@pytest.mark.parametrize("rule", ["utilitarian", "worst_group", "leximin", "quantile", "gini"])
@pytest.mark.parametrize("c", [2.0**-1070, 1e-320, 1e-300, 1.0, 1e300, 1e308, 2.0**1023])
def test_welfare_is_homogeneous_at_every_magnitude(rule, c):
    """Every welfare rule is homogeneous of degree 1 (the Gini index of degree 0): utilities
    × c give scores × c and the same ranking — no overflow of the sums at 1e308, no lost digits
    at 1e-320 (c a power of two or not: compared with the exact rational answer)."""
    from fractions import Fraction

    rng = np.random.default_rng(3)
    base = rng.integers(-8, 9, (5, 4)).astype(float)
    frame = pl.DataFrame(
        {
            "item": np.repeat([f"i{k}" for k in range(5)], 4),
            "group": np.tile(["g1", "g2", "g3", "g4"], 5),
            "value": (base * c).ravel(),
        }
    )
    if not np.all(np.isfinite(frame["value"].to_numpy())):
        return
    q = {"q": 0.25} if rule == "quantile" else {}
    scaled = ra.welfare(frame, rule=rule, **q).table.sort("item")
    unit = ra.welfare(frame.with_columns(value=pl.Series(base.ravel())), rule=rule, **q).table.sort("item")
    vals = frame["value"].to_numpy().reshape(5, 4)
    exact_mean = [float(sum(Fraction(float(x)) for x in row) / 4) for row in vals]
    np.testing.assert_allclose(scaled["mean"].to_numpy(), exact_mean, rtol=1e-15)  # within rounding
    assert np.all(np.isfinite(scaled["score"].to_numpy()))
    if c >= 1e-300:  # normal numbers: the ranks do not depend on the magnitude
        assert scaled["rank"].to_list() == unit["rank"].to_list()
        np.testing.assert_allclose(scaled["score"].to_numpy(), unit["score"].to_numpy() * c, rtol=1e-12)
