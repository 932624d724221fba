"""The elimination rules (Nanson, Baldwin, Coombs) and the positional rules beyond Borda
(anti-plurality, Bucklin, weighted Bucklin) against pref_voting 1.18.2, on profiles drawn from
every ordinal culture of prefsampling (tests/test_vote_oracle.py's generator) and on PrefLib
elections; and, where the rules go beyond pref_voting's domain (tied or truncated ballots,
pairwise data), properties that could fail.

pref_voting implements these rules on complete strict profiles (``Profile``); Bucklin also on
truncated ballots (``bucklin_for_truncated_linear_orders``). Its weighted Bucklin adds float
points; here its ``score`` function returns :class:`fractions.Fraction` points, so the oracle is
exact.

Agreement counts (distinct random profiles per rule, test_vote_oracle's ``Agreement``; one run
under the ``ci`` profile, 2026-12-06): Nanson (strict, weak), Baldwin, Coombs, Bucklin,
weighted Bucklin (both thresholds), anti-plurality 117 each on complete strict profiles;
Bucklin on truncated ballots 119.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pref_voting.iterative_methods import baldwin, coombs, strict_nanson, weak_nanson
from pref_voting.other_methods import bucklin, bucklin_for_truncated_linear_orders, weighted_bucklin
from pref_voting.profiles import Profile
from pref_voting.profiles_with_ties import ProfileWithTies
from pref_voting.scoring_methods import anti_plurality

import rankagg as ra
from hypothesis_budget import examples
from test_vote_oracle import TALLY, at_least, elections, ours, preflib_failures

SETTINGS = settings(max_examples=examples(150), suppress_health_check=[HealthCheck.data_too_large])


def fraction_points(n: int, rank: int) -> Any:
    return Fraction(n - rank, n - 1) if n > 1 else 1


def complete_strict_disagreements(votes: ra.Rankings) -> list[str]:
    """Every rule of this module on complete strict rankings against pref_voting's ``Profile``
    methods (candidates = the labels' positions)."""
    labels = votes.labels.to_list()
    index = {c: k for k, c in enumerate(labels)}
    weights = votes.weights if votes.weights is not None else np.ones(len(votes))
    prof = Profile([[index[c] for c in r] for r in votes.to_lists()], rcounts=[int(w) for w in weights.tolist()])
    pairs: list[tuple[str, Any, Any]] = [
        ("nanson", ra.nanson(votes).winners, strict_nanson(prof)),
        ("nanson weak", ra.nanson(votes, variant="weak").winners, weak_nanson(prof)),
        ("baldwin", ra.baldwin(votes).winners, baldwin(prof)),
        ("coombs", ra.coombs(votes).winners, coombs(prof)),
        ("bucklin", ra.bucklin(votes).winners, bucklin(prof)),
        ("weighted_bucklin", ra.weighted_bucklin(votes).winners, weighted_bucklin(prof, score=fraction_points)),
        (
            "weighted_bucklin strict",
            ra.weighted_bucklin(votes, strict_threshold=True).winners,
            weighted_bucklin(prof, strict_threshold=True, score=fraction_points),
        ),
        ("anti_plurality", ra.anti_plurality(votes).winners, anti_plurality(prof)),
    ]
    return [
        f"{name}: rankagg {a} vs pref_voting {[labels[c] for c in b]}"
        for name, a, b in pairs
        if a != [labels[c] for c in b]
    ]


ELIMINATION_RULES = (
    "nanson",
    "nanson weak",
    "baldwin",
    "coombs",
    "bucklin",
    "weighted_bucklin",
    "weighted_bucklin strict",
    "anti_plurality",
)


@SETTINGS
@given(elections(ties=False, truncate=False))
def complete_strict_rules_agree(ballots):
    assert complete_strict_disagreements(ours(ballots)) == []
    TALLY.count(ELIMINATION_RULES, ballots)


def test_rules_agree_with_pref_voting_on_complete_strict_profiles():
    TALLY.run(complete_strict_rules_agree, ELIMINATION_RULES, at_least(SETTINGS.max_examples))


@SETTINGS
@given(elections(ties=False, truncate=True))
def bucklin_truncated_agrees(ballots):
    votes = ours(ballots)
    rankings = [{c: k for k, g in enumerate(groups) for c in g} for groups, _ in ballots]
    prof = ProfileWithTies(rankings, rcounts=[w for _, w in ballots], candidates=votes.labels.to_list())
    TALLY.same("bucklin truncated", ballots, ra.bucklin(votes).winners, bucklin_for_truncated_linear_orders(prof))


def test_bucklin_agrees_with_pref_voting_on_truncated_ballots():
    TALLY.run(bucklin_truncated_agrees, ["bucklin truncated"], at_least(SETTINGS.max_examples))


@SETTINGS
@given(elections(), st.sampled_from(["below", "ignore"]))
def test_borda_eliminations_elect_the_condorcet_winner_on_any_ballots(ballots, unranked):
    """Beyond pref_voting's domain (ties, truncation, either convention): the symmetric Borda
    count keeps Nanson and Baldwin Condorcet-consistent, and pairwise data given as the
    preference matrix give the same result as the rankings."""
    votes = ours(ballots)
    cw = ra.condorcet_winner(votes, unranked=unranked)
    prefs = ra.preference_matrix(votes, unranked=unranked)
    for result, from_matrix in [
        (ra.nanson(votes, unranked=unranked), ra.nanson(prefs)),
        (ra.nanson(votes, unranked=unranked, variant="weak"), ra.nanson(prefs, variant="weak")),
        (ra.baldwin(votes, unranked=unranked), ra.baldwin(prefs)),
    ]:
        if cw is not None:
            assert result.winners == [cw]
        assert result.table.equals(from_matrix.table)
        assert result.winners == sorted(result.table.filter(result.table["rank"] == 1)["item"].to_list())


@SETTINGS
@given(elections(truncate=True), st.integers(0, 2**32 - 1))
def test_anti_plurality_splits_last_places_as_random_tie_breaking_would(ballots, seed):
    """A voter's last place shared by k items gives each 1/k: the expectation of the last-place
    counts when each voter's bottom group (the unranked items on a truncated ballot) is put in a
    uniformly random order — checked exactly by averaging over every ordering's last item."""
    votes = ours(ballots)
    labels = votes.labels.to_list()
    expected = dict.fromkeys(labels, Fraction(0))
    for groups, w in ballots:
        listed = {c for g in groups for c in g}
        bottom = [c for c in labels if c not in listed] or groups[-1]
        for c in bottom:
            expected[c] += Fraction(w, len(bottom))
    table = ra.anti_plurality(votes).table
    got = dict(zip(table["item"].to_list(), table["score"].to_list()))
    assert got == pytest.approx({c: -float(v) for c, v in expected.items()})
    fewest = min(expected.values())
    assert ra.anti_plurality(votes).winners == [c for c in labels if expected[c] == fewest]


@SETTINGS
@given(elections(ties=False, truncate=False), st.integers(0, 2**32 - 1))
def test_results_do_not_depend_on_labels_or_ballot_order(ballots, seed):
    """No rule here breaks a tie by label: renaming the items and shuffling the ballots changes
    nothing but the names, in the winners and in every item's position."""
    votes = ours(ballots)
    rng = np.random.default_rng(seed)
    rename = {int(x): f"c{p}" for x, p in zip(votes.labels.to_list(), rng.permutation(len(votes.labels)))}
    shuffled = [ballots[k] for k in rng.permutation(len(ballots))]
    other = ra.Rankings.from_lists(
        [[rename[g[0]] for g in groups] for groups, _ in shuffled], weights=[w for _, w in shuffled]
    )
    rules = (ra.nanson, ra.baldwin, ra.coombs, ra.bucklin, ra.weighted_bucklin, ra.anti_plurality)
    for rule in rules:
        a, b = rule(votes), rule(other)
        assert sorted(rename[x] for x in a.winners) == b.winners, rule.__name__
        assert {rename[x]: p for x, p in zip(a.table["item"], a.table["rank"])} == dict(
            zip(b.table["item"], b.table["rank"])
        ), rule.__name__


def test_exact_sums_decide_thresholds_and_ties():
    """Weights beyond 2**53: in floats 2**53 + 1 + 1 is 2**53 (each 1 is rounded away), so a
    float sum would rank c's last places below a's; the rules add them exactly, a tie."""
    big = 2.0**53
    votes = ra.Rankings.from_lists(
        [["a", "b", "c"], ["b", "a", "c"], ["a", "b", "c"], ["b", "c", "a"]], weights=[big, 1, 1, big + 2]
    )
    table = ra.anti_plurality(votes).table
    assert table["rank"].to_list() == [1, 2, 2] and table["item"].to_list() == ["b", "a", "c"]
    # Coombs: no majority of first places (a 2**53 + 1, b 2**53 + 3 of 2**54 + 4); a and c tie for
    # the most last places and both go; b wins.
    assert ra.coombs(votes).table.rows() == [("b", 1, 2.0), ("a", 2, 1.0), ("c", 2, 1.0)]


def test_known_answers():
    """5 voters a>b>c, 4 b>c>a, 3 c>b>a, 2 c>a>b (14 voters), counted by hand. Last places: a
    4 + 3 = 7, c 5, b 2. Coombs: no majority of first places (a 5, b 4, c 5), a goes (7 last
    places), then b is first on 5 + 4 = 9 ballots. Bucklin: no majority of first places, then
    b is first or second on 5 + 4 + 3 = 12 (c 9, a 7). Borda a 12, b 17, c 13: Baldwin and
    Nanson drop a, then b beats c 9-5."""
    votes = ra.Rankings.from_lists([list("abc")] * 5 + [list("bca")] * 4 + [list("cba")] * 3 + [list("cab")] * 2)
    assert ra.coombs(votes).winners == ["b"]
    assert ra.coombs(votes).table["item"].to_list() == ["b", "c", "a"]
    r = ra.bucklin(votes)
    assert r.winners == ["b"] and r.options["round"] == 2 and r.table["score"].to_list() == [12.0, 9.0, 7.0]
    for rule in (ra.baldwin, ra.nanson):
        assert rule(votes).table["item"].to_list() == ["b", "c", "a"]
    assert ra.anti_plurality(votes).table.rows() == [("b", 1, -2.0), ("c", 2, -5.0), ("a", 3, -7.0)]


def test_errors_name_the_rankings_at_fault():
    truncated = ra.Rankings.from_lists([["a", "b", "c"], ["a", "b"], ["c"]])
    with pytest.raises(ra.RankaggError, match=r"complete rankings.*rankings \[1, 2\]"):
        ra.coombs(truncated)
    tied = ra.Rankings.from_lists([["a", ("b", "c")], ["a", "b", "c"], [("a", "b", "c")]])
    with pytest.raises(ra.RankaggError, match=r"without ties.*rankings \[0, 2\]"):
        ra.coombs(tied)
    with pytest.raises(ra.RankaggError, match=r"bucklin needs rankings without ties.*\[0, 2\]"):
        ra.bucklin(tied)
    with pytest.raises(ra.RankaggError, match="weighted_bucklin needs"):
        ra.weighted_bucklin(tied)
    with pytest.raises(ra.RankaggError, match="variant must be 'strict' or 'weak'"):
        ra.nanson(truncated, variant="average")  # type: ignore[arg-type]
    with pytest.raises(ra.RankaggError, match="points must be 3 finite numbers"):
        ra.weighted_bucklin(truncated, points=[1, 0.5])
    with pytest.raises(ra.RankaggError, match="points must be 3 finite numbers"):
        ra.weighted_bucklin(truncated, points=[1, float("nan"), 0])
    with pytest.raises(ra.RankaggError, match="points must be a sequence of numbers"):
        ra.weighted_bucklin(truncated, points=["x", "y", "z"])  # type: ignore[list-item]
    pairs = ra.PairTable.from_comparisons({"a": ["x"], "b": ["y"], "outcome": [1.0]})
    for rule in (ra.coombs, ra.bucklin, ra.weighted_bucklin, ra.anti_plurality):
        with pytest.raises(ra.RankaggError, match="needs each voter's ranking"):
            rule(pairs)  # type: ignore[arg-type]
    assert ra.nanson(pairs).winners == ["x"] and ra.baldwin(pairs).winners == ["x"]


def test_custom_points_are_used_exactly():
    """points = (1, 0, 0) is plurality's vector: weighted Bucklin stops in round 1 whenever a
    first-place count reaches half the voters, else continues adding zeros."""
    votes = ra.Rankings.from_lists([["a", "b", "c"]] * 3 + [["b", "a", "c"]] * 2 + [["c", "b", "a"]])
    r = ra.weighted_bucklin(votes, points=[1, 0, 0])
    assert r.winners == ["a"] and r.options["round"] == 1 and r.table["score"].to_list() == [3.0, 2.0, 1.0]


DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
LOCAL = [
    *sorted((DATA / "preflib_elimination").glob("*.so[ci]")),
    *sorted((DATA / "preflib_ties").glob("*.so[ci]")),
    *sorted((DATA / "condorcet_examples").glob("*.soc")),
]


def preflib_disagreements(path: Path, votes: ra.Rankings) -> list[str]:
    """Every rule on a complete strict election (.soc); Bucklin on a truncated one (.soi)."""
    if path.suffix == ".soc":
        return complete_strict_disagreements(votes)
    prof = ProfileWithTies(
        [{c: k for k, c in enumerate(r)} for r in votes.to_lists()],
        rcounts=[int(w) for w in (votes.weights if votes.weights is not None else np.ones(len(votes)))],
        candidates=votes.labels.to_list(),
    )
    expected = bucklin_for_truncated_linear_orders(prof)
    return [] if ra.bucklin(votes).winners == expected else [f"bucklin {ra.bucklin(votes).winners} vs {expected}"]


@pytest.mark.parametrize("path", LOCAL, ids=lambda p: p.name)
def test_preflib_and_pref_voting_example_profiles(path):
    """PrefLib elections copied to tests/data (F1 seasons 1950 and 1956, where the rules here
    elect five and four different winner sets; the elections with Schulze co-winners) and
    pref_voting's Condorcet examples."""
    assert preflib_disagreements(path, ra.read_preflib(path)) == []


@pytest.mark.skipif(
    not SHARED.exists(), reason="the workplace's shared/data PrefLib files are not beside this checkout"
)
def test_shared_preflib_elections_agree_with_pref_voting():
    """The PrefLib elections of shared/data (.soc: every rule; .soi: Bucklin), by default those
    of at most 12 items and 2,000 distinct ballots; RANKAGG_ALL_PREFLIB=1 for all."""
    paths = sorted(SHARED.glob("preflib_*/*.so[ci]"))
    checked, failures = preflib_failures(paths, preflib_disagreements, 12, 2000)
    assert checked > 0 and failures == {}
