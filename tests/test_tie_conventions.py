"""Regression tests for issue 21: the wrong winners found against pref_voting, each at its cause.

Each example is worked by hand in its comment; the property tests against pref_voting over
generated profiles are in ``test_vote_oracle.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rankagg as ra
from hypothesis_budget import examples


def test_schulze_reports_every_unbeaten_item():
    # Strongest paths (winning votes): b→c = c→b = 3 (b>c on 3 ballots; c→a 4 and a→b 3), so
    # neither of b and c is above the other: both win. c is above a (c→a 4 > a→b→c 3), b is
    # not (a→b 3 = b→c→a 3): a's position is 1 + the one item above it.
    votes = ra.Rankings.from_lists([list("bca"), list("cab"), list("abc"), list("cab"), list("bca")])
    for strength in ("winning_votes", "margin"):
        result = ra.schulze(votes, strength=strength)
        assert result.winners == ["b", "c"]
        assert dict(zip(result.table["item"], result.table["rank"])) == {"b": 1, "c": 1, "a": 2}


def test_schulze_rejects_an_unknown_strength():
    votes = ra.Rankings.from_lists([list("abc")])
    with pytest.raises(ra.RankaggError, match="strength"):
        ra.schulze(votes, strength="support")  # type: ignore[arg-type]


def test_ranked_pairs_with_a_tied_pair():
    # b>c>a and a>b>c: b beats c 2-0; a ties b and c 1-1. Nothing is locked above a or b.
    votes = ra.Rankings.from_lists([list("bca"), list("abc")])
    assert ra.ranked_pairs(votes).winners == ["a", "b"]
    # The label tie-break locks the tied pairs in label order (a→b, a→c after b→c): a alone.
    label = ra.ranked_pairs(votes, tie_break="label")
    assert label.winners == ["a"]
    assert label.table["item"].to_list() == ["a", "b", "c"]
    assert label.table["rank"].to_list() == [1, 2, 3]
    with pytest.raises(ra.RankaggError, match="tie_break"):
        ra.ranked_pairs(votes, tie_break="random")  # type: ignore[arg-type]


def test_ranked_pairs_every_order_of_equal_margins():
    # A 3-cycle with equal margins (a>b>c, b>c>a, c>a>b): whichever pair is taken last is the
    # one not locked, so each item wins under some order.
    votes = ra.Rankings.from_lists([list("abc"), list("bca"), list("cab")])
    assert ra.ranked_pairs(votes).winners == ["a", "b", "c"]
    assert ra.ranked_pairs(votes, tie_break="label").winners == ["a"]
    # A Condorcet winner wins under every order.
    votes = ra.Rankings.from_lists([list("abc"), list("acb"), list("bca")])
    assert ra.ranked_pairs(votes).winners == ["a"]


def test_plurality_adds_split_first_places_exactly():
    # Three voters tie a, b, c for first (a third each) and a and b have two whole first
    # places each: a = b = 3 × 1/3 + 2 = 3, c = 1. In floats, 1/3 + 1/3 + 1/3 + 2 can miss 3.
    ballots = [("a", "b", "c")] * 3
    votes = ra.Rankings.from_lists([[g] for g in ballots] + [["a"], ["a"], ["b"], ["b"]])
    result = ra.plurality(votes)
    assert result.winners == ["a", "b"]
    assert dict(zip(result.table["item"], result.table["rank"])) == {"a": 1, "b": 1, "c": 3}


@settings(max_examples=examples(60))
@given(st.integers(2, 9), st.integers(1, 7), st.integers(0, 3))
def test_split_shares_tie_exactly_whatever_the_split(k, whole, extra_groups):
    # k voters tie k items for first (1/k each, summing to exactly 1 per item) plus `whole`
    # first places for item 0 and item 1 each: items 0 and 1 tie exactly, whatever k.
    items = [f"i{x}" for x in range(k)]
    lists: list[list] = [[tuple(items)] for _ in range(k * (1 + extra_groups))]
    lists += [[items[0]]] * whole + [[items[1]]] * whole
    votes = ra.Rankings.from_lists(lists)
    assert ra.plurality(votes).winners == sorted(items[:2])
    # Instant runoff: ties for elimination go to the item last in label order, never to a
    # float rounding; i0 and i1 tie to the end, where the label order keeps i0.
    assert ra.instant_runoff(votes).winners == ["i0"]


def test_instant_runoff_ties_are_exact_not_float():
    # Round 1: a = 3 × 1/3 + 2 = 3, b = 3, c = 3 × 1/3 + 1 = 2: c goes (exactly fewest).
    # Round 2: the tied ballots split a, b: a = 3 × 1/2 + 2 = 3.5, b = 3.5 + 1 (c's voter) = 4.5.
    lists = [[("a", "b", "c")]] * 3 + [["a"]] * 2 + [["b"]] * 2 + [["c", "b"]]
    votes = ra.Rankings.from_lists(lists)
    assert ra.instant_runoff(votes).winners == ["b"]


def test_average_win_rate_counts_ties_as_win_rate_does():
    # x beats y once and ties once: with tie_weight=0 each comparison is worth 1 or 0 to x,
    # so x's rate is 1/2 by either score; y's is 0/2.
    data = {"a": ["x", "x"], "b": ["y", "y"], "outcome": [1.0, 0.5]}
    for tie_weight in (0.0, 0.25, 0.5, 1.0):
        plain = ra.win_rate(data, tie_weight=tie_weight).table
        average = ra.average_win_rate(data, tie_weight=tie_weight).table
        expected = {"x": (1 + tie_weight) / 2, "y": tie_weight / 2}
        for table in (plain, average):
            got = dict(zip(table["item"], table["score"]))
            assert got == pytest.approx(expected, abs=1e-12)


def test_average_win_rate_averages_over_opponents():
    # x beats y twice and ties z once. At tie_weight=0, x's rates are 1 (vs y) and 0 (vs z),
    # averaging 0.5; win_rate pools the three comparisons: 2/3.
    data = {"a": ["x", "x", "x"], "b": ["y", "y", "z"], "outcome": [1.0, 1.0, 0.5]}
    average = dict(zip(*ra.average_win_rate(data, tie_weight=0.0).table[["item", "score"]].get_columns()))
    plain = dict(zip(*ra.win_rate(data, tie_weight=0.0).table[["item", "score"]].get_columns()))
    assert average["x"] == pytest.approx(0.5)
    assert plain["x"] == pytest.approx(2 / 3)
    assert np.isclose(average["z"], 0.0) and np.isclose(average["y"], 0.0)


def test_split_shares_with_fractional_weights_are_exact():
    # Non-integer weights take the rational path: three ballots of weight 0.5 tie a, b, c
    # (a sixth each, three times) and a and b have 0.5 more each: a = b = 1 exactly, c = 0.5.
    lists = [[("a", "b", "c")]] * 3 + [["a"], ["b"]]
    votes = ra.Rankings.from_lists(lists, weights=[0.5] * 5)
    result = ra.plurality(votes)
    assert result.winners == ["a", "b"]
    assert dict(zip(result.table["item"], result.table["score"])) == pytest.approx({"a": 1.0, "b": 1.0, "c": 0.5})
    assert ra.instant_runoff(votes).winners == ["a"]  # a and b tie to the end; b is last in label order
