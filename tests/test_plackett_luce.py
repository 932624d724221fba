"""Plackett–Luce: Hunter's (2004) NASCAR values, the pure-Python reference (rankings of
subsets, ``unranked="ignore"``), choix's top-1 estimator (top-k ballots, ``unranked="below"``),
reduction to Bradley–Terry on pairs, input forms and errors."""

from __future__ import annotations

import choix
import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rankagg as ra
from hypothesis_budget import examples
from rankagg.reference.plackett_luce import fit as reference_fit


def nascar(data_dir) -> list[list[str]]:
    drivers = (data_dir / "nascar_drivers.txt").read_text().splitlines()
    races = pl.read_csv(data_dir / "nascar_orderings.csv")
    # Hunter's convention: drop drivers 84–87, who finished last in every race they entered.
    # Not every driver started every race: rankings of subsets, unranked="ignore".
    return [[drivers[d - 1] for d in race if d <= 83] for race in races.rows()]


@pytest.mark.parametrize("solver", ["fast", "mm"])
def test_nascar_hunter_2004(data_dir, solver):
    r = ra.plackett_luce(nascar(data_dir), unranked="ignore", solver=solver, anchor=("Austin Cameron", 0.0))
    assert r.converged and len(r) == 83
    published = {
        "PJ Jones": 4.15,
        "Scott Pruett": 3.62,
        "Mark Martin": 2.08,
        "Dave Marcis": 0.03,
        "Dick Trickle": -0.31,
        "Joe Varde": -0.15,
    }
    for driver, value in published.items():
        assert r[driver] == pytest.approx(value, abs=0.005), driver


def test_nascar_matches_reference_and_long_format(data_dir):
    races = nascar(data_dir)
    r = ra.plackett_luce(races, unranked="ignore")
    names = r.table.sort("item")["item"].to_list()
    ix = {x: k for k, x in enumerate(names)}
    ref = reference_fit([[ix[d] for d in race] for race in races], len(names))
    np.testing.assert_allclose(r.table.sort("item")["score"].to_numpy(), ref, atol=1e-7)
    long = pl.DataFrame(
        [(k, d, pos) for k, race in enumerate(races) for pos, d in enumerate(race, start=1)],
        schema=["race", "driver", "place"],
        orient="row",
    )
    from_long = ra.plackett_luce(
        ra.Rankings.from_frame(long, voter="race", item="driver", rank="place"), unranked="ignore"
    )
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


@settings(max_examples=examples(50))
@given(rankings(), st.sampled_from(["fast", "mm"]), st.sampled_from([0.0, 0.5]))
def test_ignore_matches_reference_on_partial_rankings(case, solver, reg):
    # unranked="ignore" is the model of the pure-Python reference (and of rankagg before the
    # "below" default).
    n, rk = case
    r = ra.plackett_luce(rk, unranked="ignore", solver=solver, regularization=reg, tol=1e-11)
    got = r.table.sort("item")["score"].to_numpy()
    want = reference_fit([list(x) for x in rk], n, regularization=reg)
    np.testing.assert_allclose(got, want, atol=1e-7)


def test_pairs_are_bradley_terry():
    pairs = [["a", "b"], ["b", "c"], ["c", "a"], ["a", "c"], ["a", "b"], ["b", "a"]]
    pl_fit = ra.plackett_luce(pairs, unranked="ignore", tol=1e-12)
    bt = ra.bradley_terry(
        {"w": [p[0] for p in pairs], "l": [p[1] for p in pairs]}, winner="w", loser="l", scale="logit", tol=1e-12
    )
    np.testing.assert_allclose(
        pl_fit.table.sort("item")["score"].to_numpy(), bt.table.sort("item")["score"].to_numpy(), atol=1e-9
    )


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
    for unranked in ["ignore", "below"]:
        r = ra.plackett_luce(races, unranked=unranked, regularization=0.1, ci=ra.Bootstrap(rounds=100, seed=3))
        t = r.table
        assert (t["lower"] <= t["score"]).all() and (t["score"] <= t["upper"]).all()
        again = ra.plackett_luce(
            races, unranked=unranked, regularization=0.1, ci=ra.Bootstrap(rounds=100, seed=3, progress=True)
        )
        assert again.replicates.equals(r.replicates)
        assert r.options["unranked"] == unranked


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
    flat = [[x for g in order for x in (g if isinstance(g, tuple) else (g,))] for order in toc.to_lists()]
    assert all(sorted(order) == [1, 2, 3, 4, 5] for order in flat)
    assert all(isinstance(order[-1], tuple) for order in toc.to_lists() if len(order) < 5)  # unranked tied last
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


# --- unranked="below": top-k ballots -------------------------------------------------------


def top1_observations(rankings: list[list[int]], n: int) -> list[tuple[int, tuple[int, ...]]]:
    """A top-k ballot under "below" as choix's top-1 data: listed[k] chosen from
    listed[k:] ∪ the unlisted items, for k < min(len, n − 1)."""
    out = []
    for r in rankings:
        unlisted = [i for i in range(n) if i not in r]
        for k in range(min(len(r), n - 1)):
            out.append((r[k], tuple(r[k + 1 :] + unlisted)))
    return out


@st.composite
def top_k_ballots(draw):
    n = draw(st.integers(2, 7))
    full = list(draw(st.permutations(range(n))))
    out = [full, list(reversed(full))]  # every item chosen and beaten: a finite estimate
    for _ in range(draw(st.integers(0, 12))):
        k = draw(st.integers(1, n))
        out.append(list(draw(st.permutations(range(n))))[:k])
    weights = draw(st.lists(st.integers(1, 3), min_size=len(out), max_size=len(out)))
    return n, out, weights


@settings(max_examples=examples(60))
@given(top_k_ballots(), st.sampled_from(["fast", "mm"]))
def test_below_matches_choix_top1(case, solver):
    n, rk, weights = case
    labels = [f"i{k}" for k in range(n)]
    votes = ra.Rankings.from_lists([[labels[i] for i in r] for r in rk], weights=weights)
    assert votes.labels.to_list() == sorted(labels)  # codes = label order
    r = ra.plackett_luce(votes, solver=solver, tol=1e-12, max_iter=100_000)
    assert r.converged and r.options["unranked"] == "below"
    got = r.table.sort("item")["score"].to_numpy()
    data = top1_observations([x for x, w in zip(rk, weights) for _ in range(w)], n)
    want = choix.ilsr_top1(n, data, tol=1e-13, max_iter=10_000)
    np.testing.assert_allclose(got, want - want.mean(), atol=1e-6)
    assert r.log_likelihood == pytest.approx(choix.log_likelihood_top1(data, got), abs=1e-8)


def test_below_on_published_top_k_data_matches_choix(data_dir):
    # PrefLib's APA 2009 ballots (.soi: strict, partial): 18,723 voters, top-k of 5.
    soi = ra.read_preflib(data_dir / "00028-00000001.soi", names=False)
    r = ra.plackett_luce(soi, tol=1e-12)
    codes = {x: k for k, x in enumerate(soi.labels.to_list())}
    lists = [[codes[x] for x in ballot] for ballot in soi.to_lists()]
    counts = [int(w) for w in soi.weights]
    data = top1_observations([x for x, w in zip(lists, counts) for _ in range(w)], 5)
    want = choix.ilsr_top1(5, data, tol=1e-13, max_iter=10_000)
    np.testing.assert_allclose(r.table.sort("item")["score"].to_numpy(), want - want.mean(), atol=1e-6)


def test_below_recovers_top_3_of_8_better_than_ignore():
    # Top-3 of 8 ballots drawn from Plackett–Luce (Gumbel-max). "ignore" drops the unlisted
    # items from every choice set, so it misses that the listed items beat them: the strengths
    # shrink towards each other and the order of the weaker items is lost.
    rng = np.random.default_rng(2024)
    theta = np.linspace(1.5, -1.5, 8)
    errors = {"below": [], "ignore": []}
    spearman = {"below": [], "ignore": []}
    for _ in range(10):
        ballots = np.argsort(-(theta + rng.gumbel(size=(2000, 8))), axis=1)[:, :3]
        votes = ra.Rankings.from_lists(ballots.tolist())
        for unranked in errors:
            fit = ra.plackett_luce(votes, unranked=unranked).table.sort("item")
            est = np.full(8, np.nan)
            est[fit["item"].to_numpy()] = fit["score"].to_numpy()
            errors[unranked].append(np.max(np.abs(est - (theta - theta.mean()))))
            spearman[unranked].append(np.corrcoef(np.argsort(np.argsort(-est)), np.arange(8))[0, 1])
    assert np.mean(errors["below"]) < 0.15 < 0.5 < np.mean(errors["ignore"])
    assert min(spearman["below"]) > 0.95
    assert np.mean(spearman["below"]) > np.mean(spearman["ignore"])


def test_unranked_conventions_and_errors():
    complete = [["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"], ["a", "c", "b"]]
    below, ignore = ra.plackett_luce(complete), ra.plackett_luce(complete, unranked="ignore")
    assert below.table.equals(ignore.table)  # complete rankings: one model
    # A single listed item is a first choice under "below", nothing under "ignore".
    firsts = [["a"], ["a"], ["a"], ["a"], ["b"], ["c", "b"], ["b", "c", "a"]]
    r = ra.plackett_luce(firsts)
    assert r.table["item"].to_list() == ["a", "b", "c"]
    row = r.table.filter(pl.col("item") == "a").row(0, named=True)
    assert (row["wins"], row["losses"]) == (8.0, 5.0)  # beat b and c 4 times; lost to 1 + 2 + 2
    with pytest.raises(ra.NotIdentifiableError, match="never win: 'a'"):
        ra.plackett_luce(firsts, unranked="ignore")  # only [c, b] and [b, c, a] count
    # An item that is never chosen: below every listed item in every ballot.
    with pytest.raises(ra.NotIdentifiableError, match="never win: 'c'"):
        ra.plackett_luce([["a", "b"], ["b", "a"], ["a", "b", "c"]])
    assert ra.plackett_luce([["a", "b"], ["b", "a"], ["a", "b", "c"]], regularization=1.0).table["item"][-1] == "c"
    for bad in ["top", None, "Below"]:
        with pytest.raises(ra.RankaggError, match="unranked must be 'below' or 'ignore'"):
            ra.plackett_luce(complete, unranked=bad)
