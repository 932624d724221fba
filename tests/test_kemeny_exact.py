"""Exact Kemeny / linear ordering beyond the subset DP: LOLIB optima, brute force, the DP, bounds,
time limits, the input forms, and Ctrl-C."""

from __future__ import annotations

import time
from itertools import permutations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rankagg as ra
from hypothesis_budget import examples

LOLIB = {"N-t59b11xx": 209320, "N-be75eec": 236464, "N-stabu70": 362512, "N-usa79": 1813986}


def read_lolib(path) -> np.ndarray:
    tokens = path.read_text().split()
    n = int(tokens[0])
    return np.array(tokens[1 : 1 + n * n], dtype=float).reshape(n, n)


def order_value(a: np.ndarray, order) -> float:
    pos = np.empty(len(order), dtype=np.int64)
    pos[np.asarray(order)] = np.arange(len(order))
    before = pos[:, None] < pos[None, :]
    off = ~np.eye(len(order), dtype=bool)
    return float(a[before & off].sum())


def mallows(n: int, voters: int, phi: float, seed: int) -> list[list[int]]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(voters):
        order: list[int] = []
        for i in range(n):
            w = phi ** (i - np.arange(i + 1))
            order.insert(int(rng.choice(i + 1, p=w / w.sum())), i)
        out.append(order)
    return out


@pytest.mark.parametrize("name", list(LOLIB))
def test_lolib_optima_are_reproduced_with_a_proof(data_dir, name):
    a = read_lolib(data_dir / "lolib" / name)
    r = ra.linear_ordering(a)
    assert r.optimal and r.value == LOLIB[name] == r.upper_bound
    assert order_value(a, r.order) == LOLIB[name]  # the diagonal does not count
    assert sorted(r.order) == list(range(len(a)))


def test_lolib_as_kemeny(data_dir):
    # Kemeny on the same (non-negative) matrix: cost = total − value.
    a = read_lolib(data_dir / "lolib" / "N-t59b11xx")
    k = ra.kemeny(a)
    total = a.sum() - np.trace(a)
    assert k.optimal and k.cost == k.lower_bound == total - LOLIB["N-t59b11xx"]
    assert k.stats["nodes"] >= 1 and k.stats["cut_rounds"] >= 1 and not k.stats["timed_out"]


def brute_force_best(a: np.ndarray) -> float:
    """The best order value over every permutation (vectorised)."""
    n = len(a)
    perms = np.array(list(permutations(range(n))), dtype=np.int64).reshape(-1, n)
    pos = np.argsort(perms, axis=1)
    before = pos[:, :, None] < pos[:, None, :]
    return float((before * a[None, :, :]).sum(axis=(1, 2)).max())


@st.composite
def matrices(draw):
    n = draw(st.integers(1, 8))
    kind = draw(st.sampled_from(["counts", "signed", "float"]))
    if kind == "counts":
        cells = st.integers(0, 5).map(float)
    elif kind == "signed":
        cells = st.integers(-6, 6).map(float)
    else:
        cells = st.floats(0, 10, allow_nan=False, width=32).map(float)
    a = np.array(draw(st.lists(cells, min_size=n * n, max_size=n * n)), dtype=float).reshape(n, n)
    np.fill_diagonal(a, 0.0)
    return a


@settings(max_examples=examples(150))
@given(matrices(), st.sampled_from(["auto", "exact", "heuristic"]))
def test_linear_ordering_matches_brute_force(a, method):
    best = brute_force_best(a)
    tol = 1e-9 * (1 + np.abs(a).sum())
    r = ra.linear_ordering(a, method=method, exact_limit=0)
    assert r.value == pytest.approx(order_value(a, r.order), abs=tol)
    assert r.value <= best + tol and r.upper_bound >= best - tol
    assert not r.optimal or abs(r.value - best) <= tol  # never claimed wrongly
    if method != "heuristic":
        assert r.optimal and abs(r.value - best) <= tol
    if np.all(a >= 0):
        k = ra.kemeny(a, method=method, exact_limit=0)
        total = a.sum()
        assert k.lower_bound <= total - best + tol and k.cost >= total - best - tol
        assert not k.optimal or k.cost == pytest.approx(total - best, abs=tol)


@pytest.mark.parametrize("seed", range(8))
def test_lp_search_matches_the_dp_on_12_to_18_items(seed):
    rng = np.random.default_rng(seed)
    n = 12 + seed % 7
    if seed % 2:
        votes = ra.Rankings.from_lists([list(rng.permutation(n)) for _ in range(int(rng.integers(3, 12)))])
        dp, lp = ra.kemeny(votes, exact_limit=18), ra.kemeny(votes, exact_limit=0)
        assert len(dp.components) == len(lp.components)
        assert dp.optimal and lp.optimal and lp.cost == dp.cost == lp.lower_bound
    else:
        a = rng.integers(0, 20, (n, n)).astype(float) * (rng.random((n, n)) < 0.6)
        dp, lp = ra.linear_ordering(a, exact_limit=18), ra.linear_ordering(a, exact_limit=0)
        assert dp.optimal and lp.optimal and lp.value == dp.value == lp.upper_bound


def test_bounds_stay_valid_when_the_search_is_cut_short():
    votes = ra.Rankings.from_lists(mallows(60, 40, 1.0, seed=3))  # random rankings: a hard LP
    full = ra.kemeny(votes, method="exact", exact_limit=0, time_limit=60)
    for k in (
        ra.kemeny(votes, time_limit=0, exact_limit=0),
        ra.kemeny(votes, method="heuristic"),
    ):
        assert k.cost >= k.lower_bound
        assert k.optimal == (k.cost == k.lower_bound)
        if full.optimal:
            assert k.cost >= full.cost and k.lower_bound <= full.cost
    cut = ra.kemeny(votes, time_limit=0, exact_limit=0)
    assert cut.stats["timed_out"] and not cut.optimal


def test_a_time_limit_never_leaves_exact_worse_than_the_heuristic():
    # Random rankings of 70 items: the LP search is far from done at any of these limits, and
    # it starts from the heuristic's own order, so it returns that order or a better one.
    for seed in (0, 1):
        votes = ra.Rankings.from_lists(mallows(70, 30, 1.0, seed=seed))
        heuristic = ra.kemeny(votes, method="heuristic")
        for limit in (0, 0.05):
            cut = ra.kemeny(votes, time_limit=limit, exact_limit=0)
            assert cut.cost <= heuristic.cost
            assert cut.lower_bound <= cut.cost


def test_mallows_hundred_items_are_proved_quickly():
    votes = ra.Rankings.from_lists(mallows(100, 100, 0.99, seed=0))
    started = time.perf_counter()
    k = ra.kemeny(votes)
    assert k.optimal and k.cost == k.lower_bound
    assert time.perf_counter() - started < 30  # ~0.3 s on the bench machine


def test_input_forms_agree():
    battles = {
        "a": ["x", "x", "y", "z", "w", "w", "y", "x", "z"],
        "b": ["y", "z", "z", "x", "x", "y", "w", "w", "w"],
        "winner": ["a", "b", "a", "a", "b", "a", "a", "a", "b"],
    }
    outcomes = {"a": 1.0, "b": 0.0}
    from_rows = ra.kemeny(battles, outcome="winner", outcomes=outcomes)
    prefs = ra.preference_matrix(battles, outcome="winner", outcomes=outcomes)
    from_prefs = ra.kemeny(prefs)
    from_table = ra.kemeny(ra.PairTable.from_comparisons(battles, outcome="winner", outcomes=outcomes))
    from_matrix = ra.kemeny(prefs.matrix)
    assert from_rows.table["item"].to_list() == from_prefs.table["item"].to_list() == from_table.table["item"].to_list()
    assert from_rows.cost == from_matrix.cost and from_rows.optimal
    assert from_matrix.table["item"].to_list() == [prefs.labels.to_list().index(x) for x in from_rows.table["item"]]
    lo = ra.linear_ordering(prefs)
    assert lo.order == from_rows.table["item"].to_list() and lo.optimal
    assert "LinearOrdering(4 items" in repr(lo)


def test_options_are_checked():
    p = [[0.0, 1.0], [2.0, 0.0]]
    with pytest.raises(ra.RankaggError, match="method"):
        ra.kemeny(p, method="fast")
    with pytest.raises(ra.RankaggError, match="time_limit"):
        ra.kemeny(p, time_limit=-1)
    with pytest.raises(ra.RankaggError, match="seed"):
        ra.kemeny(p, seed=-1)
    with pytest.raises(ra.RankaggError, match="exact_limit"):
        ra.linear_ordering(p, exact_limit=23)
    with pytest.raises(ra.RankaggError, match="square"):
        ra.linear_ordering([[1.0, 2.0]])
    with pytest.raises(ra.RankaggError, match=r"Rankings\.from_lists"):
        ra.kemeny([["a", "b"], ["b", "a"]])
    with pytest.raises(ra.RankaggError, match="finite"):
        ra.linear_ordering([[0.0, np.inf], [1.0, 0.0]])
    assert ra.linear_ordering([[0.0, -1.0], [-3.0, 0.0]]).order == [0, 1]


def test_progress_goes_to_stderr(capsys):
    ra.kemeny(ra.Rankings.from_lists(mallows(40, 30, 0.99, seed=1)), exact_limit=0, progress=True)
    err = capsys.readouterr().err
    assert "kemeny:" in err and "bound" in err


def test_ctrl_c_interrupts_a_long_search_and_the_process_stays_usable(ctrl_c):
    votes = ra.Rankings.from_lists(mallows(120, 100, 1.0, seed=5))  # minutes to prove
    waited = ctrl_c(lambda: ra.kemeny(votes, exact_limit=0), after=0.5)
    assert waited < 1.0, waited
    assert ra.kemeny(ra.Rankings.from_lists([["a", "b"], ["b", "a"], ["a", "b"]])).optimal


def test_ctrl_c_interrupts_the_subset_dp(ctrl_c):
    # One component of 22 items, searched by the exact subset DP (exact_limit=22): about 1 s.
    votes = ra.Rankings.from_lists(mallows(22, 100, 1.0, seed=8))
    assert len(ra.kemeny(votes, exact_limit=0, method="heuristic").components) == 1
    waited = ctrl_c(lambda: ra.kemeny(votes, exact_limit=22), after=0.2)
    assert waited < 0.5, waited
