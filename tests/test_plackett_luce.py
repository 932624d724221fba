"""Plackett–Luce: Hunter's (2004) NASCAR values, the pure-Python reference, reduction to
Bradley–Terry on pairs, input forms and errors."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rankagg as ra
from rankagg.reference.plackett_luce import fit as reference_fit


def nascar(data_dir) -> list[list[str]]:
    drivers = (data_dir / "nascar_drivers.txt").read_text().splitlines()
    races = pl.read_csv(data_dir / "nascar_orderings.csv")
    # Hunter's convention: drop drivers 84–87, who finished last in every race they entered.
    return [[drivers[d - 1] for d in race if d <= 83] for race in races.rows()]


@pytest.mark.parametrize("solver", ["fast", "mm"])
def test_nascar_hunter_2004(data_dir, solver):
    r = ra.plackett_luce(nascar(data_dir), solver=solver, anchor=("Austin Cameron", 0.0))
    assert r.converged and len(r) == 83
    published = {"PJ Jones": 4.15, "Scott Pruett": 3.62, "Mark Martin": 2.08, "Dave Marcis": 0.03,
                 "Dick Trickle": -0.31, "Joe Varde": -0.15}
    for driver, value in published.items():
        assert r[driver] == pytest.approx(value, abs=0.005), driver


def test_nascar_matches_reference_and_long_format(data_dir):
    races = nascar(data_dir)
    r = ra.plackett_luce(races)
    names = r.table.sort("item")["item"].to_list()
    ix = {x: k for k, x in enumerate(names)}
    ref = reference_fit([[ix[d] for d in race] for race in races], len(names))
    np.testing.assert_allclose(r.table.sort("item")["score"].to_numpy(), ref, atol=1e-7)
    long = pl.DataFrame(
        [(k, d, pos) for k, race in enumerate(races) for pos, d in enumerate(race, start=1)],
        schema=["race", "driver", "place"], orient="row",
    )
    from_long = ra.plackett_luce(ra.Rankings.from_frame(long, voter="race", item="driver", rank="place"))
    np.testing.assert_allclose(from_long.table["score"].to_numpy(), r.table["score"].to_numpy(), atol=1e-10)


@st.composite
def rankings(draw):
    n = draw(st.integers(2, 6))
    out = [list(draw(st.permutations(range(n))))]  # one full ranking
    out.append(list(reversed(out[0])))  # and its reverse: every item wins and loses
    for _ in range(draw(st.integers(0, 8))):
        k = draw(st.integers(2, n))
        out.append(draw(st.permutations(range(n)))[:k])
    return n, out


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rankings(), st.sampled_from(["fast", "mm"]), st.sampled_from([0.0, 0.5]))
def test_matches_reference_on_partial_rankings(case, solver, reg):
    n, rk = case
    r = ra.plackett_luce(rk, solver=solver, regularization=reg, tol=1e-11)
    got = r.table.sort("item")["score"].to_numpy()
    want = reference_fit([list(x) for x in rk], n, regularization=reg)
    np.testing.assert_allclose(got, want, atol=1e-7)


def test_pairs_are_bradley_terry():
    pairs = [["a", "b"], ["b", "c"], ["c", "a"], ["a", "c"], ["a", "b"], ["b", "a"]]
    pl_fit = ra.plackett_luce(pairs, tol=1e-12)
    bt = ra.bradley_terry({"w": [p[0] for p in pairs], "l": [p[1] for p in pairs]}, winner="w", loser="l", scale="logit", tol=1e-12)
    np.testing.assert_allclose(pl_fit.table.sort("item")["score"].to_numpy(), bt.table.sort("item")["score"].to_numpy(), atol=1e-9)


def test_errors_and_regularization():
    with pytest.raises(ra.RankaggError, match="ties"):
        ra.plackett_luce([["a", ("b", "c")], ["c", "a", "b"]])
    with pytest.raises(ra.NotIdentifiableError, match="never lose: 'a'"):
        ra.plackett_luce([["a", "b", "c"], ["a", "c", "b"]])
    r = ra.plackett_luce([["a", "b", "c"], ["a", "c", "b"]], regularization=1.0)
    assert r.table["item"][0] == "a"
    with pytest.raises(ra.RankaggError, match="twice"):
        ra.Rankings.from_lists([["a", "b", "a"]])
    with pytest.raises(ra.RankaggError, match=r"rows \[0, 2\]"):
        ra.Rankings.from_frame({"voter": [1, 1, 1], "item": ["a", "b", "a"], "rank": [1, 2, 3]})
    with pytest.raises(ra.InvalidWeightError, match="constant within a voter"):
        ra.Rankings.from_frame({"voter": [1, 1], "item": ["a", "b"], "rank": [1, 2], "w": [1.0, 2.0]}, weight="w")


def test_bootstrap_resamples_rankings(data_dir):
    races = nascar(data_dir)
    r = ra.plackett_luce(races, regularization=0.1, ci=ra.Bootstrap(rounds=100, seed=3))
    t = r.table
    assert (t["lower"] <= t["score"]).all() and (t["score"] <= t["upper"]).all()
    again = ra.plackett_luce(races, regularization=0.1, ci=ra.Bootstrap(rounds=100, seed=3, progress=True))
    assert again.replicates.equals(r.replicates)


def test_weights_equal_repeated_rankings():
    rk = [["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"], ["a", "c", "b"]]
    w = ra.plackett_luce(ra.Rankings.from_lists(rk, weights=[2, 1, 1, 3]))
    rep = ra.plackett_luce(rk[:1] * 2 + rk[1:3] + rk[3:] * 3)
    np.testing.assert_allclose(w.table["score"].to_numpy(), rep.table["score"].to_numpy(), atol=1e-9)


def test_read_preflib_apa(data_dir):
    soi = ra.read_preflib(data_dir / "00028-00000001.soi")
    assert len(soi) == 292 and soi.weights.sum() == 18723
    assert soi.labels.to_list() == [f"Candidate {k}" for k in range(1, 6)]
    assert not soi.has_ties
    toc = ra.read_preflib(data_dir / "00028-00000001.toc", names=False)
    # The .toc completes each order with the unranked candidates tied last (merging orders
    # that become equal: 205 distinct orders, as its header says), same voters.
    assert len(toc) == 205 and toc.weights.sum() == 18723 and toc.has_ties
    assert toc.labels.to_list() == [1, 2, 3, 4, 5]
    assert all(sorted(order) == [1, 2, 3, 4, 5] for order in toc.to_lists())
    soi_ids = ra.read_preflib(data_dir / "00028-00000001.soi", names=False).to_lists()
    assert [order[:1] for order in toc.to_lists()[:3]] == [s[:1] for s in soi_ids[:3]]
    # Partial rankings with counts: Plackett–Luce fits (the .soi has no ties).
    r = ra.plackett_luce(soi)
    assert r.converged and len(r) == 5


def test_read_preflib_rejects_malformed_files(tmp_path):
    bad = tmp_path / "bad.soi"
    bad.write_text("# NUMBER VOTERS: 3\n# ALTERNATIVE NAME 1: a\n# ALTERNATIVE NAME 2: b\n2: 1,2\nx: 2,1\n")
    with pytest.raises(ra.RankaggError, match="line 5"):
        ra.read_preflib(bad)
    bad.write_text("# NUMBER VOTERS: 3\n# ALTERNATIVE NAME 1: a\n# ALTERNATIVE NAME 2: b\n2: 1,3\n")
    with pytest.raises(ra.RankaggError, match=r"line 4: alternatives \[3\]"):
        ra.read_preflib(bad)
    bad.write_text("# NUMBER VOTERS: 9\n# ALTERNATIVE NAME 1: a\n# ALTERNATIVE NAME 2: b\n2: 1,2\n")
    with pytest.raises(ra.RankaggError, match="NUMBER VOTERS"):
        ra.read_preflib(bad)
