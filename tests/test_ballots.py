"""Score and approval ballots (rankagg.ScoreBallots) and the rules that read them, approval
voting and STAR, against pref_voting 1.18.2's grade methods (``approval`` and ``star`` on a
``GradeProfile``) on random ballots; the intake (frames, dicts, sets) and its errors.

pref_voting's ``star`` compares the two finalists only on the ballots that grade both, while
STAR's rules (and rankagg) read a blank as 0: the oracle is given ballots with the blanks filled
in as 0, which is the same election under STAR's rules.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pref_voting.grade_methods import approval, star
from pref_voting.grade_profiles import GradeProfile

import rankagg as ra
from hypothesis_budget import examples

SETTINGS = settings(max_examples=examples(150))


@st.composite
def score_ballots(draw: Any, top: int = 5, blanks: bool = True) -> tuple[list[dict[int, int]], list[int]]:
    """Ballots over up to 6 items with scores 0 … ``top`` (some items left blank), weights 1-3,
    often with a few popular ballots repeated (ties between totals are then common)."""
    n = draw(st.integers(1, 6))
    ballot = st.dictionaries(st.integers(0, n - 1), st.integers(0, top), min_size=1 if blanks else n, max_size=n)
    ballots = draw(st.lists(ballot, min_size=1, max_size=12))
    if draw(st.booleans()):
        ballots = ballots * draw(st.integers(2, 3))
    weights = draw(st.lists(st.integers(1, 3), min_size=len(ballots), max_size=len(ballots)))
    return ballots, weights


def filled(ballots: list[dict[int, int]], labels: list[int]) -> list[dict[int, int]]:
    return [{c: b.get(c, 0) for c in labels} for b in ballots]


@SETTINGS
@given(score_ballots())
def test_star_agrees_with_pref_voting(data):
    ballots, weights = data
    ours = ra.ScoreBallots.from_dicts(ballots, weights=weights)
    labels = ours.labels.to_list()
    prof = GradeProfile(filled(ballots, labels), [0, 1, 2, 3, 4, 5], gcounts=weights, candidates=labels)
    result = ra.star(ours)
    assert result.winners == star(prof)
    totals = {c: sum(w * b.get(c, 0) for b, w in zip(ballots, weights)) for c in labels}
    assert dict(zip(result.table["item"].to_list(), result.table["score"].to_list())) == totals


@SETTINGS
@given(score_ballots(blanks=False))
def test_star_on_complete_ballots_agrees_with_pref_voting_as_given(data):
    ballots, weights = data
    prof = GradeProfile(ballots, [0, 1, 2, 3, 4, 5], gcounts=weights)
    assert ra.star(ra.ScoreBallots.from_dicts(ballots, weights=weights)).winners == star(prof)


@SETTINGS
@given(score_ballots(top=1), st.booleans())
def test_approval_agrees_with_pref_voting(data, as_sets):
    ballots, weights = data
    if as_sets:
        sets = [{c for c, s in b.items() if s == 1} for b in ballots]
        if not any(sets):
            return
        ours = ra.approval(ra.ScoreBallots.from_sets(sets, weights=weights))
        ballots = [dict.fromkeys(b, 1) for b in sets]  # an item nobody approves is not in the election
    else:
        ours = ra.approval(ra.ScoreBallots.from_dicts(ballots, weights=weights))
    labels = ours.table["item"].sort().to_list()
    prof = GradeProfile(ballots, [0, 1], gcounts=weights, candidates=labels)
    assert ours.winners == approval(prof)
    counts = {c: sum(w for b, w in zip(ballots, weights) if b.get(c) == 1) for c in labels}
    assert dict(zip(ours.table["item"].to_list(), ours.table["score"].to_list())) == counts


@SETTINGS
@given(score_ballots(), st.integers(0, 2**32 - 1))
def test_every_intake_gives_the_same_ballots(data, seed):
    """Dicts, a long frame in any row order (polars or a dict of columns), and the ballots'
    own rankings: the same election."""
    ballots, weights = data
    rows = [(k, c, s, weights[k]) for k, b in enumerate(ballots) for c, s in b.items()]
    rng = np.random.default_rng(seed)
    rows = [rows[i] for i in rng.permutation(len(rows))]
    frame = pl.DataFrame(rows, schema=["voter", "item", "score", "w"], orient="row")
    from_dicts = ra.ScoreBallots.from_dicts(ballots, weights=weights)
    from_frame = ra.ScoreBallots.from_frame(frame, weight="w")
    from_columns = ra.ScoreBallots.from_frame(frame.to_dict(as_series=False), weight="w")
    before = frame.clone()
    for rule in (ra.star, ra.approval):
        try:
            expected = rule(from_dicts)
        except ra.RankaggError:
            assert rule is ra.approval and not from_dicts.is_approval
            continue
        assert rule(from_frame).table.equals(expected.table)
        assert rule(from_columns).table.equals(expected.table)
    assert frame.equals(before)
    # to_rankings: a voter ranks i above j exactly when their score for i is higher (blank = 0,
    # below every listed item).
    p = ra.pairwise_preferences(from_dicts.to_rankings())
    labels = from_dicts.labels.to_list()
    for i, x in enumerate(labels):
        for j, y in enumerate(labels):
            if i != j:
                assert p[i, j] == sum(w for b, w in zip(ballots, weights) if x in b and (y not in b or b[x] > b[y]))


def test_totals_are_added_exactly():
    """Weights of 2**53: in floats 2**53 + 1 + 1 is 2**53 (each 1 is rounded away), which would
    put a behind c; exactly, they tie. With scores of 2.5 the sums go through rationals."""
    big = 2.0**53
    tie = [{"a": 1}, {"a": 1}, {"a": 1}, {"c": 1}]
    assert ra.approval(ra.ScoreBallots.from_dicts(tie, weights=[big, 1, 1, big + 2])).winners == ["a", "c"]
    halves = [{"a": 2.5}, {"a": 2.5}, {"a": 2.5}, {"c": 2.5}]
    result = ra.star(ra.ScoreBallots.from_dicts(halves, weights=[big, 1, 1, big + 2]))
    assert result.table["rank"].to_list() == [1, 1]


def test_star_runoff_reads_a_blank_as_zero():
    """b has the highest total; a and c share the second and both meet b. Against a, b is
    scored higher on 3 ballots of 5 — counting the ballot that leaves a blank."""
    ballots = ra.ScoreBallots.from_dicts([{"a": 5, "b": 4}] * 2 + [{"a": 0, "b": 1, "c": 5}] * 2 + [{"b": 5}])
    result = ra.star(ballots)
    assert result.table.rows() == [("b", 1, 15.0), ("a", 2, 10.0), ("c", 2, 10.0)]
    # pref_voting counts only the ballots that score both finalists: a ties b 2-2 and c beats
    # b 2-0, so it elects all three; with the blanks written as 0 it agrees with STAR's rules.
    raw = [{"a": 5, "b": 4}] * 2 + [{"a": 0, "b": 1, "c": 5}] * 2 + [{"b": 5}]
    assert star(GradeProfile(raw, [0, 1, 2, 3, 4, 5])) == ["a", "b", "c"]
    assert star(GradeProfile(filled(raw, ["a", "b", "c"]), [0, 1, 2, 3, 4, 5])) == ["b"]


def test_intake_errors_name_the_rows_voters_and_items():
    with pytest.raises(ra.RankaggError, match=r"negative scores.*rows \[1\]"):
        ra.ScoreBallots.from_frame({"voter": [1, 1], "item": ["a", "b"], "score": [1.0, -2.0]})
    with pytest.raises(ra.NonFiniteValueError, match=r"NaN or infinite values: rows \[0\]"):
        ra.star({"voter": [1, 1], "item": ["a", "b"], "score": [math.nan, 2.0]})
    with pytest.raises(ra.NullValueError, match="score"):
        ra.star({"voter": [1, 1], "item": ["a", "b"], "score": [None, 2.0]})
    with pytest.raises(ra.RankaggError, match=r"must be numeric or boolean"):
        ra.star({"voter": [1, 1], "item": ["a", "b"], "score": ["high", "low"]})
    with pytest.raises(ra.RankaggError, match=r"twice for one voter.*rows \[0, 2\]"):
        ra.star({"voter": [1, 2, 1], "item": ["a", "a", "a"], "score": [1, 2, 3]})
    with pytest.raises(ra.InvalidWeightError, match=r"constant within a voter: rows \[1\]"):
        ra.ScoreBallots.from_frame({"voter": [1, 1], "item": ["a", "b"], "score": [1, 2], "w": [1, 2]}, weight="w")
    with pytest.raises(ra.MissingColumnError, match=r"approval: column 'score'.*score=None: one row per approval"):
        ra.approval({"voter": [1, 2], "item": ["a", "b"]})
    with pytest.raises(ra.MissingColumnError, match="'points'"):
        ra.ScoreBallots.from_frame({"voter": [1], "item": ["a"], "grade": [1]}, score="points")
    with pytest.raises(ra.RankaggError, match=r"\(ballot, item\) \[\(1, 'b'\)\]"):
        ra.ScoreBallots.from_dicts([{"a": 1}, {"b": -1}])
    with pytest.raises(ra.NonFiniteValueError, match=r"\(ballot, item\) \[\(0, 'a'\)\]"):
        ra.ScoreBallots.from_dicts([{"a": math.inf}])
    with pytest.raises(ra.InvalidWeightError, match=r"ballots \[1\]"):
        ra.ScoreBallots.from_sets([{"a"}, {"b"}], weights=[1, -1])
    with pytest.raises(ra.InvalidWeightError, match="weights must be numbers"):
        ra.ScoreBallots.from_sets([{"a"}, {"b"}], weights=["one", "two"])  # type: ignore[list-item]
    with pytest.raises(ra.InvalidWeightError, match="1 entries for 2 ballots"):
        ra.ScoreBallots.from_sets([{"a"}, {"b"}], weights=[1])
    with pytest.raises(ra.RankaggError, match="ballot 1 is a str"):
        ra.ScoreBallots.from_sets([{"a"}, "b"])
    with pytest.raises(ra.RankaggError, match="ballot 0 is a list, not a mapping"):
        ra.ScoreBallots.from_dicts([["a"]])  # type: ignore[list-item]
    with pytest.raises(ra.EmptyDataError):
        ra.approval([set(), set()])
    with pytest.raises(ra.RankaggError, match="None as an item: ballots \\[1\\]"):
        ra.approval([{"a"}, {None}])


def test_rules_refuse_the_other_kind_of_ballot():
    votes = ra.Rankings.from_lists([["a", "b"], ["b", "a"]])
    for rule in (ra.approval, ra.star):
        with pytest.raises(ra.RankaggError, match=r"score ballots.*not rankings"):
            rule(votes)  # type: ignore[arg-type]
    scores = ra.ScoreBallots.from_dicts([{"a": 2, "b": 1}, {"a": 0, "b": 5}])
    with pytest.raises(ra.RankaggError, match=r"approvals \(scores 0 or 1\).*\(1, 'b', 5\.0\)\].*use star"):
        ra.approval(scores)
    for rule in (ra.borda, ra.instant_runoff, ra.nanson, ra.coombs, ra.bucklin):
        with pytest.raises(ra.RankaggError, match=r"ballots.to_rankings\(\)"):
            rule(scores)  # type: ignore[arg-type]
    assert scores.to_rankings().to_lists() == [["a", "b"], ["b", "a"]]
    with pytest.raises(ra.RankaggError, match="either mappings item → score or sets"):
        ra.star([{"a": 1}, "b"])  # type: ignore[list-item]
