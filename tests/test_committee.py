"""Committees (rankagg.committee): every rule against brute force over all k-subsets (with and
without group bounds), PAV / Chamberlin–Courant / approval voting against abcvoting, STV against
pref_voting's ``stv_wig`` (Droop quota), greedy's guarantees, and the errors."""

from __future__ import annotations

import copy
import itertools
import math
from fractions import Fraction

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rankagg as ra
from hypothesis_budget import examples

SETTINGS = settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
ITEMS = list("abcdefg")

# --- the rules written from their definitions, one voter at a time (the oracle) -------------


def borda_points(ranking: list, labels: list) -> dict:
    """Items ranked strictly below (unranked items: below every ranked one, tied)."""
    level = {}
    for place, entry in enumerate(ranking):
        for x in entry if isinstance(entry, tuple) else (entry,):
            level[x] = place
    bottom = len(ranking)
    return {c: sum(level.get(d, bottom) > level.get(c, bottom) for d in labels) for c in labels}


def top_points(ranking: list, places: int) -> dict:
    """Places 1..places shared within tie groups; unranked items get nothing."""
    out, start = {}, 0
    for entry in ranking:
        group = entry if isinstance(entry, tuple) else (entry,)
        covered = max(0, min(start + len(group), places) - start)
        for x in group:
            out[x] = Fraction(covered, len(group))
        start += len(group)
    return out


def score_of(rule: str, ballots: list, weights: list, members: tuple, labels: list, k: int) -> float:
    total = Fraction(0)
    for ballot, w in zip(ballots, weights):
        w = Fraction(w)
        if rule == "pav":
            hits = len(set(members) & set(ballot))
            total += w * sum(Fraction(1, j) for j in range(1, hits + 1))
        elif rule == "cc_approval":
            total += w * (1 if set(members) & set(ballot) else 0)
        elif rule == "av":
            total += w * len(set(members) & set(ballot))
        elif rule == "k_borda":
            p = borda_points(ballot, labels)
            total += w * sum(p[c] for c in members)
        elif rule == "chamberlin_courant":
            p = borda_points(ballot, labels)
            total += w * max(p[c] for c in members)
        else:
            p = top_points(ballot, 1 if rule == "sntv" else k)
            total += w * sum(p.get(c, 0) for c in members)
    return float(total)


def feasible(members, group, lo, hi) -> bool:
    counts = dict.fromkeys(set(group.values()), 0)
    for c in members:
        counts[group[c]] += 1
    return all(lo.get(g, 0) <= n <= hi.get(g, math.inf) for g, n in counts.items())


# --- instances ----------------------------------------------------------------------------------


@st.composite
def ranking_profiles(draw):
    n = draw(st.integers(2, 6))
    labels = ITEMS[:n]
    ballots = []
    for _ in range(draw(st.integers(1, 7))):
        items = draw(st.permutations(labels))[: draw(st.integers(1, n))]
        ranking: list = []
        for x in items:
            if ranking and draw(st.integers(0, 4)) == 0:  # a tie with the previous entry
                last = ranking.pop()
                ranking.append((*last, x) if isinstance(last, tuple) else (last, x))
            else:
                ranking.append(x)
        ballots.append(ranking)
    used = sorted({x for b in ballots for e in b for x in (e if isinstance(e, tuple) else (e,))})
    weights = [draw(st.sampled_from([1, 2, 3])) for _ in ballots]
    return ballots, weights, used


@st.composite
def approval_profiles(draw):
    n = draw(st.integers(2, 7))
    labels = ITEMS[:n]
    ballots = [
        sorted(draw(st.sets(st.sampled_from(labels), min_size=0, max_size=n))) for _ in range(draw(st.integers(1, 8)))
    ]
    ballots[0] = sorted(set(ballots[0]) | set(labels))  # every item is approved by someone
    weights = [draw(st.sampled_from([1, 1, 2, 5])) for _ in ballots]
    return ballots, weights, labels


@st.composite
def group_bounds(draw, labels: list, k: int):
    """None, or (groups, at_least, at_most) that some committee of k meets."""
    if draw(st.booleans()):
        return None
    names = ["x", "y", "z"][: draw(st.integers(1, 3))]
    group = {c: draw(st.sampled_from(names)) for c in labels}
    present = sorted(set(group.values()))
    lo = {g: draw(st.integers(0, 2)) for g in present if draw(st.booleans())}
    hi = {g: draw(st.integers(0, k)) for g in present if draw(st.booleans())}
    if not any(feasible(m, group, lo, hi) for m in itertools.combinations(labels, k)):
        return None
    return group, lo, hi


def brute_force(rule, ballots, weights, labels, k, bounds):
    best = -math.inf
    for members in itertools.combinations(labels, k):
        if bounds is not None and not feasible(members, *bounds):
            continue
        best = max(best, score_of(rule, ballots, weights, members, labels, k))
    return best


def check_against_brute_force(result, oracle_rule, ballots, weights, labels, k, bounds):
    members = tuple(result.items)
    assert len(set(members)) == k == result.table.height
    if bounds is not None:
        assert feasible(members, *bounds)
        assert result.table["group"].to_list() == [bounds[0][c] for c in members]
    value = score_of(oracle_rule, ballots, weights, members, labels, k)
    assert result.score == pytest.approx(value, rel=1e-12, abs=1e-9)
    best = brute_force(oracle_rule, ballots, weights, labels, k, bounds)
    assert result.upper_bound >= best - 1e-9 * max(1.0, abs(best))
    assert result.optimal == (result.method == "exact")
    if result.optimal:
        assert value == pytest.approx(best, rel=1e-12, abs=1e-9)
        assert result.gap == 0.0
    return value, best


def call(ballots_obj, k, rule, bounds, **kw):
    if bounds is None:
        return ra.committee(ballots_obj, k, rule=rule, **kw)
    group, lo, hi = bounds
    return ra.committee(ballots_obj, k, rule=rule, groups=group, at_least=lo or None, at_most=hi or None, **kw)


@SETTINGS
@given(ranking_profiles(), st.data())
def test_ranking_rules_match_brute_force(profile, data):
    ballots, weights, labels = profile
    votes = ra.Rankings.from_lists(ballots, weights=weights)
    k = data.draw(st.integers(1, len(labels)))
    bounds = data.draw(group_bounds(labels, k))
    for rule in ("k_borda", "sntv", "bloc", "chamberlin_courant"):
        result = call(votes, k, rule, bounds)
        check_against_brute_force(result, rule, ballots, weights, labels, k, bounds)
        assert result.optimal  # small: separable rules always, CC by the search
    greedy = call(votes, k, "chamberlin_courant", bounds, method="greedy")
    value, best = check_against_brute_force(greedy, "chamberlin_courant", ballots, weights, labels, k, bounds)
    # Greedy's guarantees: 1 - 1/e under a cardinality bound, 1/2 on the fairness matroid.
    assert value >= (1 - 1 / math.e if bounds is None else 0.5) * best - 1e-9


@SETTINGS
@given(approval_profiles(), st.data())
def test_approval_rules_match_brute_force(profile, data):
    ballots, weights, labels = profile
    approvals = ra.Approvals.from_lists([set(b) for b in ballots], weights=weights)
    k = data.draw(st.integers(1, len(labels)))
    bounds = data.draw(group_bounds(labels, k))
    for rule, oracle in (("pav", "pav"), ("chamberlin_courant", "cc_approval"), ("bloc", "av")):
        result = call(approvals, k, rule, bounds)
        check_against_brute_force(result, oracle, ballots, weights, labels, k, bounds)
        assert result.optimal
        for limit in (0, 1):  # a stopped search: a committee, a valid bound, optimal only if proved
            stopped = call(approvals, k, rule, bounds, node_limit=limit)
            check_against_brute_force(stopped, oracle, ballots, weights, labels, k, bounds)


def abc_profile(ballots, weights, labels):
    from abcvoting.preferences import Profile, Voter

    index = {c: i for i, c in enumerate(labels)}
    profile = Profile(len(labels))
    profile.add_voters([Voter([index[c] for c in b], weight=w) for b, w in zip(ballots, weights)])
    return profile, index


@settings(max_examples=examples(40), deadline=None)
@given(approval_profiles(), st.data())
def test_pav_cc_av_agree_with_abcvoting(profile, data):
    pytest.importorskip("abcvoting")
    from abcvoting import abcrules, scores

    ballots, weights, labels = profile
    abc, index = abc_profile(ballots, weights, labels)
    approvals = ra.Approvals.from_lists([set(b) for b in ballots], weights=weights)
    k = data.draw(st.integers(1, len(labels)))
    for ours, theirs, algorithm in (
        ("pav", "pav", "brute-force"),
        ("chamberlin_courant", "cc", "brute-force"),
        ("bloc", "av", "standard"),
    ):
        result = ra.committee(approvals, k, rule=ours)
        committees = abcrules.compute(theirs, abc, k, algorithm=algorithm, resolute=False)
        mine = {index[c] for c in result.items}
        assert mine in [set(c) for c in committees]
        their_score = scores.thiele_score(theirs, abc, committees[0])
        assert result.score == pytest.approx(float(their_score), rel=1e-12)


@settings(max_examples=examples(50), deadline=None)
@given(st.integers(3, 6), st.integers(5, 40), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_stv_agrees_with_pref_voting(n, voters, k, seed):
    from pref_voting.profiles import Profile
    from pref_voting.proportional_methods import stv_wig

    k = min(k, n - 1)
    rng = np.random.default_rng(seed)
    rankings = [list(rng.permutation(n)) for _ in range(voters)]
    counts = rng.integers(1, 4, voters).tolist()
    result = ra.committee(ra.Rankings.from_lists(rankings, weights=counts), k, rule="stv")
    theirs = stv_wig(Profile(rankings, rcounts=counts), num_seats=k, quota_rule="droop")
    assert sorted(result.items) == sorted(theirs)
    assert result.score is None and result.optimal is None and result.method == "stv"


def test_stv_droop_quota_known_count():
    # 9 voters, 2 seats: Droop quota 4. a has 6 first places: elected, surplus 2 moves on at
    # 2/6 of each ballot to b (5 ballots) and c (1): b 5/3, c 1/3 + 1, d 2. Nobody reaches 4;
    # c (4/3) is eliminated: its ballots go to d (1/3 + 1): d 10/3 against b 5/3, then b is
    # eliminated and d, the last continuing item, fills the seat.
    ballots = [list("abcd")] * 5 + [list("acdb")] + [list("cdab")] + [list("dcba")] * 2
    result = ra.committee(ra.Rankings.from_lists(ballots), 2, rule="stv")
    assert result.items == ["a", "d"]
    assert result.table["votes"].to_list()[0] == 6.0


def test_separable_rules_with_bounds_known_answer():
    votes = ra.Rankings.from_lists([list("abcdef")] * 3 + [list("fedcba")])
    groups = pl.DataFrame({"item": list("abcdef"), "group": ["m", "m", "m", "w", "w", "w"]})
    plain = ra.committee(votes, 3)
    assert plain.items == ["a", "b", "c"] and plain.optimal
    fair = ra.committee(votes, 3, groups=groups, at_least={"w": 2})
    # Borda: a 15, b 13, c 11, d 9, e 7, f 5: two women at least -> d, e and the best man a.
    assert fair.items == ["a", "d", "e"] and fair.score == 31.0 and fair.table["group"].to_list() == ["m", "w", "w"]


def test_large_instance_returns_bound_when_search_stops():
    rng = np.random.default_rng(1)
    ballots = [set(rng.choice(40, rng.integers(1, 6), replace=False).tolist()) for _ in range(400)]
    approvals = ra.Approvals.from_lists(ballots)
    result = ra.committee(approvals, 8, rule="pav", node_limit=3)
    assert result.method == "greedy" and not result.optimal and result.stats["nodes"] <= 3
    assert result.upper_bound >= result.score and result.gap == result.upper_bound - result.score
    greedy = ra.committee(approvals, 8, rule="pav", method="greedy")
    assert result.score >= greedy.score  # the search starts from the greedy committee
    assert greedy.upper_bound <= greedy.score / (1 - 1 / math.e) + 1e-9


def test_approvals_from_frame_equal_from_lists():
    frame = pl.DataFrame({"voter": [1, 1, 2, 3, 3], "item": ["x", "y", "x", "z", "y"], "w": [2, 2, 1, 1, 1]})
    a = ra.Approvals.from_frame(frame, weight="w")
    b = ra.Approvals.from_lists([{"x", "y"}, {"x"}, {"z", "y"}], weights=[2, 1, 1])
    assert a.labels.to_list() == b.labels.to_list() and a.weights.tolist() == b.weights.tolist()
    assert ra.committee(a, 2, rule="pav").items == ra.committee(b, 2, rule="pav").items


# --- errors -------------------------------------------------------------------------------------

VOTES = ra.Rankings.from_lists([list("abcd"), list("bcda"), ["c", ("a", "d")]])
APPROVALS = ra.Approvals.from_lists([{"a", "b"}, {"c"}])
GROUPS = {"a": "x", "b": "x", "c": "y", "d": "z"}


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: ra.committee(VOTES, 0), ra.RankaggError, "between 1 and the number of candidates (4), not 0"),
        (lambda: ra.committee(VOTES, 5), ra.RankaggError, "not 5"),
        (lambda: ra.committee(VOTES, 2.0), ra.RankaggError, "whole number"),
        (lambda: ra.committee(VOTES, 2, rule="borda"), ra.RankaggError, "'k_borda'"),
        (lambda: ra.committee(VOTES, 2, method="fast"), ra.RankaggError, "'greedy'"),
        (lambda: ra.committee({"voter": [1]}, 2), ra.RankaggError, "not dict"),
        (lambda: ra.committee(VOTES, 2, rule="pav"), ra.RankaggError, "approval ballots"),
        (lambda: ra.committee(APPROVALS, 2, rule="k_borda"), ra.RankaggError, "needs rankings"),
        (lambda: ra.committee(APPROVALS, 2, rule="stv"), ra.RankaggError, "needs rankings"),
        (lambda: ra.committee(VOTES, 2, rule="stv"), ra.RankaggError, "rankings [2] have ties"),
        (lambda: ra.committee(VOTES, 2, at_least=1), ra.GroupConstraintError, "need groups="),
        (lambda: ra.committee(VOTES, 2, groups={"a": "x"}), ra.GroupConstraintError, "['b', 'c', 'd']"),
        (lambda: ra.committee(VOTES, 2, groups=GROUPS, at_least={"q": 1}), ra.GroupConstraintError, "['q']"),
        (lambda: ra.committee(VOTES, 2, groups=GROUPS, at_least=1), ra.GroupConstraintError, "up to 3, more than"),
        (lambda: ra.committee(VOTES, 3, groups=GROUPS, at_least={"y": 2}), ra.GroupConstraintError, "group 'y' has 1"),
        (lambda: ra.committee(VOTES, 4, groups=GROUPS, at_most=1), ra.GroupConstraintError, "at most 3 items"),
        (
            lambda: ra.committee(VOTES, 3, groups=GROUPS, at_least={"x": 2}, at_most={"x": 1}),
            ra.GroupConstraintError,
            "group 'x': at_least=2 is more than at_most=1",
        ),
        (lambda: ra.committee(VOTES, 2, groups=GROUPS, at_most={"x": -1}), ra.GroupConstraintError, "'x' has -1"),
        (lambda: ra.committee(VOTES, 2, rule="stv", groups=GROUPS), ra.GroupConstraintError, "no group bounds"),
        (
            lambda: ra.committee(VOTES, 2, groups=pl.DataFrame({"item": ["a", "a"], "group": ["x", "y"]})),
            ra.GroupConstraintError,
            "two groups",
        ),
        (lambda: ra.committee(VOTES, 2, groups=pl.DataFrame({"item": ["a"]})), ra.MissingColumnError, "'group'"),
        (lambda: ra.Approvals.from_lists(["ab"]), ra.RankaggError, "ballot 0 is str"),
    ],
)
def test_errors_name_what_is_wrong(call, error, words):
    before = (copy.deepcopy(GROUPS), VOTES.items.copy(), VOTES.levels.copy())
    with pytest.raises(error) as e:
        call()
    assert words in str(e.value)
    assert before[0] == GROUPS and np.array_equal(before[1], VOTES.items) and np.array_equal(before[2], VOTES.levels)
