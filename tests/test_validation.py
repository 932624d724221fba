"""Validation gaps of issue 18 (part 9): inputs that were silently misread now raise a specific
error naming the column, rows, line or argument at fault (or are read correctly)."""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl
import pytest

import rankagg as ra

HEADER = "# NUMBER ALTERNATIVES: 3\n# ALTERNATIVE NAME 1: x\n# ALTERNATIVE NAME 2: y\n# ALTERNATIVE NAME 3: z\n"


def preflib(tmp_path, body: str, suffix: str = ".soc", prefix: str = "") -> ra.Rankings:
    path = tmp_path / f"election{suffix}"
    path.write_text(prefix + HEADER + body, encoding="utf-8")
    return ra.read_preflib(path)


@pytest.mark.parametrize(
    "line",
    ["2: 3,", "2: 1,{2,3", "2: 1,{}", "2: 1,,2", "2: 1 2", "2: {1,2", "2: 1,2}", "2: ,1", "2:", "2: 1,\u0663"],
)
def test_malformed_preflib_orders_are_rejected_with_their_line(tmp_path, line):
    with pytest.raises(ra.RankaggError, match=r"line 5: the order .* is malformed"):
        preflib(tmp_path, line + "\n", ".toc")


@pytest.mark.parametrize("line", ["2: 1,2,3", "2: 1,{2,3}", "2: {1,2},3", "2:  1 , { 2 , 3 } "])
def test_well_formed_orders_still_parse(tmp_path, line):
    votes = preflib(tmp_path, line + "\n", ".toc")
    assert len(votes) == 1 and votes.weights.tolist() == [2.0]


def test_a_byte_order_mark_is_skipped(tmp_path):
    votes = preflib(tmp_path, "2: 1,2,3\n1: 3,2,1\n", prefix="\ufeff")
    assert votes.to_lists() == [["x", "y", "z"], ["z", "y", "x"]]


def test_counts_beyond_float_precision_are_rejected(tmp_path):
    # 2**53 + 1 would be read as 2**53 (and so match a header saying 2**53).
    body = f"{2**53 + 1}: 1,2,3\n"
    with pytest.raises(ra.RankaggError, match=r"line 5: count 9007199254740993 is above 2\*\*53"):
        preflib(tmp_path, body)
    assert preflib(tmp_path, f"{2**53}: 1,2,3\n").weights.tolist() == [2.0**53]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_ranks_are_rejected_with_their_rows(bad):
    frame = {"voter": [1, 1, 1, 2, 2], "item": ["x", "y", "z", "x", "y"], "rank": [1.0, 2.0, 3.0, bad, 1.0]}
    with pytest.raises(ra.RankaggError, match=r"column 'rank' \(rank=\) has NaN or infinite values: rows \[3\]"):
        ra.Rankings.from_frame(frame)


@pytest.mark.parametrize("dtype", [pl.Int64, pl.UInt64])
def test_integer_ranks_beyond_float_precision_are_rejected(dtype):
    # 2**53 and 2**53 + 1 are distinct ranks but the same float64: they would be merged into a tie.
    frame = pl.DataFrame(
        {"voter": [1, 1], "item": ["x", "y"], "rank": [2**53, 2**53 + 1]}, schema_overrides={"rank": dtype}
    )
    with pytest.raises(ra.RankaggError, match=r"beyond ±2\*\*53.*rows \[1\]"):
        ra.Rankings.from_frame(frame)
    ok = frame.with_columns(pl.Series("rank", [2**53 - 1, 2**53], dtype=dtype))
    assert ra.Rankings.from_frame(ok).to_lists() == [["x", "y"]]


def test_from_lists_copies_the_weights():
    weights = np.array([1.0, 2.0])
    votes = ra.Rankings.from_lists([["a", "b"], ["b", "a"]], weights=weights)
    before = ra.borda(votes).winners
    weights[0] = 100.0
    assert votes.weights.tolist() == [1.0, 2.0]
    assert ra.borda(votes).winners == before == ["b"]


def test_lottery_from_matrix_rejects_an_unknown_method():
    with pytest.raises(ra.RankaggError, match="method must be 'exact' or 'first_order', not 'bogus'"):
        ra.Lottery.from_matrix([[0, 1], [-1, 0]], method="bogus")  # type: ignore[arg-type]


def test_first_order_lottery_warns_when_it_stops_at_max_iter():
    prefs = ra.Preferences(
        ["a", "b", "c", "d"], np.array([[0, 2, 1, 3], [1, 0, 2, 0], [2, 1, 0, 1], [0, 3, 2, 0]], dtype=float)
    )
    with pytest.warns(ra.ConvergenceWarning, match="max_iter=3"):
        lot = ra.maximal_lottery(prefs, method="first_order", max_iter=3)
    assert not lot.converged
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ra.maximal_lottery(prefs, method="first_order", tol=1e-6).converged
        assert ra.Lottery.from_matrix([[0, 1], [-1, 0]], method="first_order").converged


def test_counts_padded_with_whitespace_still_read(tmp_path):
    # Found by fuzz/fuzz_preflib.py: a count padded with control whitespace passed the digit
    # check (after strip) but reached int() unstripped.
    votes = preflib(tmp_path, "\x1f2\x1f: 1,2,3\n 1 : 3,2,1\n")
    assert votes.weights.tolist() == [2.0, 1.0]


COMPARISONS = {"a": ["x", "y", "x"], "b": ["y", "z", "z"], "outcome": [1.0, 1.0, 0.0]}


@pytest.mark.parametrize(
    "anchor, error, message",
    [
        (("x",), ra.RankaggError, "anchor must be an"),
        ("x0", ra.RankaggError, "anchor must be an"),
        (("x", float("nan")), ra.RankaggError, "anchor value must be a finite number"),
        (("x", float("inf")), ra.RankaggError, "anchor value must be a finite number"),
        (("x", "1"), ra.RankaggError, "anchor value must be a finite number"),
        ((0, 1.0), ra.UnknownItemError, "anchor item 0 is not in the data"),
    ],
)
def test_malformed_anchors_are_documented_errors(anchor, error, message):
    for fit in (
        lambda: ra.bradley_terry(COMPARISONS, regularization=1.0, anchor=anchor),
        lambda: ra.plackett_luce([["x", "y", "z"], ["y", "x", "z"], ["z", "y", "x"]], anchor=anchor),
    ):
        with pytest.raises(error, match=message):
            fit()
    assert ra.bradley_terry(COMPARISONS, regularization=1.0, anchor=["x", 2])["x"] == pytest.approx(2.0)


def test_iteration_limits_beyond_64_bits_are_documented_errors():
    with pytest.raises(ra.RankaggError, match="max_iter must be an integer"):
        ra.bradley_terry(COMPARISONS, max_iter=2**70)
    with pytest.raises(ra.RankaggError, match="max_iter must be an integer"):
        ra.pagerank(COMPARISONS, max_iter=2**70)
    with pytest.raises(ra.RankaggError, match="first_order needs"):
        ra.maximal_lottery(COMPARISONS, method="first_order", max_iter=2**70)


def test_looking_up_an_item_of_another_type_is_an_unknown_item():
    ratings = ra.bradley_terry(COMPARISONS, regularization=1.0)
    with pytest.raises(ra.UnknownItemError, match="item 0 is not in the ratings"):
        ratings[0]
    assert ratings["x"] == ratings.table.filter(ratings.table["item"] == "x")["score"][0]


# ---------------------------------------------------------------------------------------------
# Issue 18 part 2: optimality proofs at extreme magnitudes


def _brute_lop(m: np.ndarray) -> tuple[list[int], float]:
    import itertools

    n = len(m)
    best = max(
        itertools.permutations(range(n)), key=lambda p: sum(m[p[a], p[b]] for a in range(n) for b in range(a + 1, n))
    )
    return list(best), sum(m[best[a], best[b]] for a in range(n) for b in range(a + 1, n))


@pytest.mark.parametrize("magnitude", [1e-320, 1e-310, 1e-200, 1.0, 1e200, 1e300, 1e305])
def test_linear_ordering_is_right_at_every_magnitude(magnitude):
    rng = np.random.default_rng(int(abs(np.log10(magnitude))))
    for n in (5, 6):
        unit = rng.random((n, n))
        np.fill_diagonal(unit, 0)
        r = ra.linear_ordering(unit * magnitude)
        order, value = _brute_lop(unit)
        assert r.optimal and r.order == order
        if magnitude >= 1e-300:  # subnormal inputs keep only a few digits
            assert r.value == pytest.approx(value * magnitude, rel=1e-9)
    # The LP search (beyond the exact limit) at the same magnitude: the order of the unit matrix.
    unit = rng.random((24, 24))
    np.fill_diagonal(unit, 0)
    assert ra.linear_ordering(unit * magnitude, exact_limit=4).order == ra.linear_ordering(unit, exact_limit=4).order


def test_no_optimality_claim_when_the_sums_overflow():
    rng = np.random.default_rng(0)
    for n in (5, 30):
        m = rng.random((n, n)) * 1.7e308
        np.fill_diagonal(m, 0)
        with pytest.raises(ra.RankaggError, match=r"exceeds double precision.*divide the matrix"):
            ra.linear_ordering(m)
        # Divided by a constant, as the message says: the proved optimum.
        r = ra.linear_ordering(m / 1e300)
        assert r.optimal and np.isfinite(r.value) and np.isfinite(r.upper_bound)
    votes = ra.Rankings.from_lists([["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"]], weights=[1e308, 1e308, 5e307])
    with pytest.raises(ra.RankaggError, match=r"beyond double precision.*divide the weights"):
        ra.kemeny(votes)
    small = ra.Rankings.from_lists([["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"]], weights=[1e300, 1e300, 5e299])
    plain = ra.Rankings.from_lists([["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"]], weights=[2, 2, 1])
    k, k0 = ra.kemeny(small), ra.kemeny(plain)
    assert k.optimal and k.table["item"].to_list() == k0.table["item"].to_list()
    assert k.cost == pytest.approx(k0.cost * 5e299, rel=1e-12)


def test_weight_sums_beyond_double_precision_are_named():
    """Issue 18 part 3: finite weights whose per-pair sums overflow, and Elo updates that
    overflow, raise InvalidWeightError naming the column — never a NaN or a vague table error."""
    rows = {"a": ["x", "y", "z", "x"], "b": ["y", "z", "x", "z"], "outcome": [1.0, 1.0, 1.0, 0.0], "w": [1e308] * 4}
    for method in (ra.bradley_terry, ra.win_rate, ra.pagerank, ra.counting):
        with pytest.raises(ra.InvalidWeightError, match=r"column 'w' \(weight=\).*beyond double precision"):
            method(rows, weight="w")
    with pytest.raises(ra.InvalidWeightError, match=r"elo: the ratings overflowed.*'w'"):
        ra.elo(rows, weight="w")
    counts = {"a": ["x", "x"], "b": ["y", "y"], "wins_a": [1e308, 1e308], "wins_b": [1.0, 1.0], "ties": [0.0, 0.0]}
    with pytest.raises(ra.InvalidWeightError, match="counts of some pairs sum beyond"):
        ra.PairTable.from_counts(counts)
    # Large but summable weights: the scale-free methods give the unit-weight answer.
    big = dict(rows, w=[1e300] * 4)
    unit = ra.bradley_terry(dict(rows, w=[1.0] * 4), weight="w")
    assert ra.bradley_terry(big, weight="w").table["score"].to_list() == pytest.approx(unit.table["score"].to_list())


@pytest.mark.parametrize("method", ["win_rate", "average_win_rate", "pagerank", "eigenvector", "rank_centrality"])
def test_scale_free_scores_do_not_depend_on_the_weights_magnitude(method):
    """Issue 18 part 3: with every weight 1e-300 the spectral scores came out uniform (or the
    power iteration "degenerated"); they are scale-free, so any common weight gives the
    unit-weight scores."""
    rows = {"a": ["x", "y", "z", "x", "y"], "b": ["y", "z", "x", "z", "x"], "outcome": [1.0, 1.0, 1.0, 0.0, 0.5]}
    run = getattr(ra, method)
    unit = run(dict(rows, w=[1.0] * 5), weight="w").table.sort("item")["score"].to_numpy()
    assert unit.max() - unit.min() > 0.01  # not uniform: the check below could fail
    for w in (1e-320, 1e-300, 1e-30, 1e30, 1e300):
        got = run(dict(rows, w=[w] * 5), weight="w").table.sort("item")["score"].to_numpy()
        assert np.allclose(got, unit, rtol=1e-9, atol=1e-12), (w, got, unit)


def test_list_item_columns_and_huge_seeds_or_rounds_are_documented_errors():
    lists = pl.DataFrame({"a": [[1], [2]], "b": [[2], [1]], "outcome": [1.0, 0.0]})
    with pytest.raises(ra.RankaggError, match="item columns must hold scalar names"):
        ra.bradley_terry(lists)
    with pytest.raises(ra.RankaggError, match="item columns must hold scalar names"):
        ra.Rankings.from_frame(pl.DataFrame({"voter": [1, 1], "item": [[1], [2]], "rank": [1, 2]}))
    with pytest.raises(ra.RankaggError, match=r"seed must be an integer in \[0, 2\*\*64\)"):
        ra.consistency(COMPARISONS, seed=2**70)
    with pytest.raises(ra.MemoryBudgetError, match="bootstrap replicates"):
        ra.bradley_terry(COMPARISONS, ci=ra.Bootstrap(rounds=2**70))
