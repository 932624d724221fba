"""Maximal lotteries: known answers, certificates, LP agreement, properties, errors, Ctrl-C."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

import rankagg as ra
from hypothesis_budget import examples
from random_data import arena


def random_skew(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    m = np.triu(rng.uniform(-1, 1, (n, n)), 1)
    return m - m.T


def probabilities(lot: ra.Lottery) -> dict:
    return dict(zip(lot.table["item"].to_list(), lot.table["probability"].to_list()))


def highs(m: np.ndarray) -> np.ndarray:
    """An optimal p of the symmetric game by scipy's HiGHS: max v s.t. Mᵀp ≥ v, Σp = 1."""
    n = len(m)
    c = np.zeros(n + 1)
    c[-1] = -1
    a_ub = np.hstack([-m.T, np.ones((n, 1))])
    res = linprog(
        c,
        A_ub=a_ub,
        b_ub=np.zeros(n),
        A_eq=[[1.0] * n + [0.0]],
        b_eq=[1.0],
        bounds=[(0, None)] * n + [(None, None)],
        method="highs",
    )
    assert res.status == 0
    return res.x[:n]


def test_rock_paper_scissors_is_uniform():
    data = {"a": ["rock", "paper", "scissors"], "b": ["scissors", "rock", "paper"], "outcome": [1, 1, 1]}
    lot = ra.maximal_lottery(data)
    assert all(abs(v - 1 / 3) < 1e-14 for v in probabilities(lot).values())
    assert lot.unique and lot.exploitability <= 1e-15 and lot.value == -lot.exploitability


@settings(max_examples=examples(40))
@given(st.integers(2, 25), st.integers(0, 2**32 - 1))
def test_a_condorcet_winner_gets_probability_one(n, seed):
    m = random_skew(n, seed)
    w = int(np.random.default_rng(seed).integers(n))
    m[w] = np.abs(m[w]) + 0.01
    m[:, w] = -m[w]
    m[w, w] = 0
    lot = ra.Lottery.from_matrix(m)
    assert probabilities(lot)[w] == 1.0 and lot.support == [w]
    assert lot.exploitability == 0.0


@settings(max_examples=examples(30))
@given(st.integers(1, 60), st.integers(0, 2**32 - 1))
def test_certificate_and_agreement_with_highs(n, seed):
    m = random_skew(n, seed)
    lot = ra.Lottery.from_matrix(m)
    p = np.array([probabilities(lot)[i] for i in range(n)])
    assert p.min() >= 0 and abs(p.sum() - 1) < 1e-12
    payoff = m.T @ p
    assert payoff.min() >= -lot.exploitability - 1e-15
    assert lot.exploitability <= 1e-12
    np.testing.assert_allclose(lot.table.sort("item")["payoff"].to_numpy(), payoff, atol=1e-12)
    # Random continuous payoffs have one equilibrium, so HiGHS must find the same p.
    assert lot.unique
    np.testing.assert_allclose(p, highs(m), atol=1e-7)


@pytest.mark.parametrize(("n", "voters", "seed"), [(90, 11, 0), (160, 101, 1), (230, 7, 2)])
def test_blocked_simplex_agrees_with_the_dense_tableau_and_highs(n, voters, seed):
    """The default exact solver (pivots applied in blocks of 32, sketched steepest edge) against
    the former dense tableau (``algorithm="tableau"``) and HiGHS, on margins of an odd number of
    voters' random rankings: no margin is 0, so the maximal lottery is unique (Laffond, Laslier
    and Le Breton 1997) and all three must find it. Hundreds of pivots: many blocks."""
    from rankagg import _core

    rng = np.random.default_rng(seed)
    ranks = np.argsort(rng.random((voters, n)), axis=1)
    pos = np.argsort(ranks, axis=1)
    m = (pos[:, :, None] < pos[:, None, :]).sum(axis=0).astype(float)
    m = (m - m.T) / voters
    lot = ra.Lottery.from_matrix(m)
    p = np.array([probabilities(lot)[i] for i in range(n)])
    assert lot.exploitability <= 1e-12 and float(max(0.0, -(m.T @ p).min())) <= 1e-12
    old = np.asarray(_core.maximal_lottery(m.ravel(), n, "tableau")["p"])
    np.testing.assert_allclose(p, old, atol=1e-10)
    np.testing.assert_allclose(p, highs(m), atol=1e-7)
    with pytest.raises(ra.RankaggError, match="algorithm"):
        _core.maximal_lottery(m.ravel(), n, "dense")


@settings(max_examples=examples(25))
@given(st.integers(2, 30), st.integers(0, 2**32 - 1))
def test_relabelling_permutes_the_lottery(n, seed):
    m = random_skew(n, seed)
    perm = np.random.default_rng(seed + 1).permutation(n)
    names = [f"item{i:03d}" for i in range(n)]
    base = probabilities(ra.Lottery.from_matrix(m, names))
    # Item perm[k] of the original is called names[k]... i.e. relabel by permuting rows/columns.
    permuted = m[np.ix_(perm, perm)]
    other = probabilities(ra.Lottery.from_matrix(permuted, [names[i] for i in perm]))
    for k in names:
        assert abs(base[k] - other[k]) < 1e-12


def test_row_order_and_duplication_do_not_change_the_lottery():
    frame = pl.DataFrame(arena(n=12, m=3000, seed=3))
    base = ra.maximal_lottery(frame)
    shuffled = ra.maximal_lottery(frame.sample(fraction=1.0, shuffle=True, seed=1))
    doubled = ra.maximal_lottery(pl.concat([frame, frame]))
    assert base.table.equals(shuffled.table)
    np.testing.assert_allclose(
        base.table["probability"].to_numpy(), doubled.table["probability"].to_numpy(), atol=1e-12
    )


def test_payoffs_from_complete_rankings_agree_and_sign_gives_the_tournament_game():
    rng = np.random.default_rng(5)
    votes = ra.Rankings.from_lists([list(rng.permutation(list("abcdefg"))) for _ in range(31)])
    by_prob = ra.maximal_lottery(votes, payoff="probability")
    by_margin = ra.maximal_lottery(votes, payoff="margin")
    np.testing.assert_allclose(
        by_prob.table.sort("item")["probability"].to_numpy(),
        by_margin.table.sort("item")["probability"].to_numpy(),
        atol=1e-12,
    )
    # An odd number of voters with complete rankings gives a tournament: its game has a unique
    # equilibrium (Laffond, Laslier & Le Breton 1993) with odd support.
    tour = ra.maximal_lottery(votes, payoff="sign")
    assert tour.unique and len(tour.support) % 2 == 1 and tour.exploitability <= 1e-12


def test_first_order_reaches_its_tolerance_on_the_sparse_path():
    rng = np.random.default_rng(11)
    n, rows = 40, 20_000
    a = rng.integers(0, n, rows)
    b = (a + rng.integers(1, n, rows)) % n
    skill = rng.normal(0, 0.3, n)
    o = (rng.random(rows) < 1 / (1 + np.exp(skill[b] - skill[a]))).astype(float)
    # A cycle on top, so that the support is not a single item.
    frame = pl.DataFrame({"a": a, "b": b, "outcome": o})
    exact = ra.maximal_lottery(frame)
    approx = ra.maximal_lottery(frame, method="first_order", tol=1e-6)
    assert approx.converged and approx.exploitability <= 1e-6
    # The reported exploitability is that of the returned p on the full payoff.
    prefs = ra.preference_matrix(frame)
    w = prefs.matrix
    m = np.divide(w - w.T, w + w.T, out=np.zeros_like(w), where=(w + w.T) > 0)
    share = dict(zip(approx.table["item"].to_list(), approx.table["probability"].to_list()))
    p = np.array([share[label] for label in prefs.labels])
    assert abs(max(0.0, (-(m.T @ p)).max()) - approx.exploitability) < 1e-12
    if exact.unique:
        exact_share = dict(zip(exact.table["item"].to_list(), exact.table["probability"].to_list()))
        q = np.array([exact_share[label] for label in prefs.labels])
        assert np.abs(p - q).sum() < 0.05


def test_errors_name_the_cells_at_fault():
    with pytest.raises(ra.RankaggError, match=r"skew-symmetric.*'y', 'x'|skew-symmetric.*'x', 'y'"):
        ra.Lottery.from_matrix([[0, 1], [1, 0]], ["x", "y"])
    with pytest.raises(ra.RankaggError, match="square"):
        ra.Lottery.from_matrix(np.zeros((2, 3)))
    with pytest.raises(ra.RankaggError, match="finite"):
        ra.Lottery.from_matrix([[0, np.nan], [np.nan, 0]])
    with pytest.raises(ra.RankaggError, match="payoff must be"):
        ra.maximal_lottery({"a": ["x"], "b": ["y"], "outcome": [1.0]}, payoff="elo")
    with pytest.raises(ra.RankaggError, match=r"rankagg\.Preferences"):
        ra.maximal_lottery(np.zeros((2, 2)))
    with pytest.raises(ra.SelfComparisonError):
        ra.maximal_lottery({"a": ["x"], "b": ["x"], "outcome": [1.0]})


def test_all_ties_give_the_uniform_lottery():
    lot = ra.maximal_lottery({"a": ["x", "y"], "b": ["y", "z"], "outcome": [0.5, 0.5]})
    assert probabilities(lot) == {"x": 1 / 3, "y": 1 / 3, "z": 1 / 3} and lot.exploitability == 0


def test_ctrl_c_interrupts_a_long_exact_solve(ctrl_c):
    m = random_skew(2000, 0)  # seconds of pivots (the blocked simplex: ~1 s at n = 1,500 on a fast core)
    waited = ctrl_c(lambda: ra.Lottery.from_matrix(m), after=0.3)
    assert waited < 1.0, waited
    assert ra.Lottery.from_matrix(random_skew(5, 1)).exploitability <= 1e-12


# -- uniqueness in words (issue 17, item 3) -------------------------------------------------------


def _probability_range(m: np.ndarray, j: int) -> tuple[float, float]:
    """min and max of p_j over all maximal lotteries (scipy's HiGHS on {p ≥ 0, Σp = 1, Mᵀp ≥ 0})."""
    n = len(m)
    out = []
    for sign in (1.0, -1.0):
        c = np.zeros(n)
        c[j] = sign
        res = linprog(
            c, A_ub=-m.T, b_ub=np.zeros(n), A_eq=np.ones((1, n)), b_eq=[1.0], bounds=(0, None), method="highs"
        )
        assert res.status == 0
        out.append(sign * res.fun)
    return out[0], out[1]


def test_uniqueness_says_certified_unique_for_a_condorcet_winner_and_a_cycle():
    votes = ra.Rankings.from_lists([["a", "b", "c"]] * 5 + [["b", "c", "a"]] * 2 + [["c", "a", "b"]] * 2)
    rps = {"a": ["rock", "paper", "scissors"], "b": ["scissors", "rock", "paper"], "outcome": [1, 1, 1]}
    for data in (votes, rps):
        lot = ra.maximal_lottery(data)
        assert lot.unique and lot.uniqueness == "certified unique"


def test_uniqueness_names_another_lottery_and_the_draws_behind_it():
    never_met = ra.maximal_lottery({"a": ["x", "y"], "b": ["z", "z"], "outcome": [1, 1]})
    assert not never_met.unique and never_met.support == ["x"]
    text = never_met.uniqueness
    assert text.startswith("not unique: one of several maximal lotteries (another puts 0.5 on y)")
    assert "1 of the 1 pairs never met (they count as draws)" in text
    tied = ra.maximal_lottery({"a": ["x", "y", "x"], "b": ["z", "z", "y"], "outcome": [1, 1, 0.5]})
    assert (
        tied.uniqueness.startswith("not unique: one of several") and "1 of the 1 pairs tied exactly" in tied.uniqueness
    )
    assert "never met" not in tied.uniqueness
    arena = ra.maximal_lottery(
        ra.datasets.llmfao(), a="left", b="right", outcome="winner", outcomes=ra.datasets.LLMFAO_OUTCOMES
    )
    assert arena.uniqueness.startswith("not unique: one of several maximal lotteries")
    assert "pairs never met (they count as draws)" in arena.uniqueness
    rps = {"a": ["r", "p", "s"], "b": ["s", "r", "p"], "outcome": [1, 1, 1]}
    assert ra.maximal_lottery(rps, method="first_order").uniqueness == "not certified unique"


@settings(max_examples=examples(40))
@given(st.integers(2, 7), st.integers(0, 2**32 - 1))
def test_uniqueness_agrees_with_the_range_of_each_probability_over_all_maximal_lotteries(n, seed):
    rng = np.random.default_rng(seed)
    m = np.triu(rng.integers(-1, 2, (n, n)).astype(float), 1)  # many draws: often several lotteries
    m = m - m.T
    lot = ra.Lottery.from_matrix(m)
    ranges = [_probability_range(m, j) for j in range(n)]
    several = max(hi - lo for lo, hi in ranges) > 1e-7
    if lot.uniqueness.startswith("not unique"):
        assert several, (m, lot.uniqueness)  # never claimed without a second lottery
        item, share = lot.uniqueness.split("another puts ")[1].split(")")[0].split(" on ")[::-1]
        lo, hi = ranges[int(item)]
        shown = 0.5 * 10.0 ** -len(share.split(".")[1]) if "." in share else 0.5  # the message rounds the share
        assert lo - shown - 1e-9 <= float(share) <= hi + shown + 1e-9
    elif lot.uniqueness == "certified unique":
        assert not several, (m, lot.uniqueness)
    else:
        assert lot.uniqueness == "not certified unique (no second maximal lottery found)"


def test_a_second_maximal_lottery_is_found_in_most_games_that_have_one():
    found = several = 0
    for seed in range(150):
        rng = np.random.default_rng(seed)
        n = int(rng.integers(2, 9))
        m = np.triu(rng.integers(-1, 2, (n, n)).astype(float), 1)
        m = m - m.T
        if max(hi - lo for lo, hi in (_probability_range(m, j) for j in range(n))) > 1e-7:
            several += 1
            found += ra.Lottery.from_matrix(m).uniqueness.startswith("not unique")
    assert several > 50 and found >= 0.9 * several  # the search is a heuristic: it says when it found none
