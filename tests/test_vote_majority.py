"""The majority-graph rules of rankagg.majority (and Copeland^α) against pref_voting 1.18.2 on
random profiles of every prefsampling culture, with tied and truncated ballots and weights
(the generators and conventions of tests/test_vote_oracle.py; pref_voting counts Fraction
weights, so its margins are exact), on the PrefLib files in tests/data, and Slater against a
brute force over all orders.

Agreement counts (distinct random profiles per rule, test_vote_oracle's ``Agreement``; one run
under the ``ci`` profile, 2026-12-06): split_cycle, stable_voting, beat_path, top_cycle,
uncovered_set, River label, Slater and Copeland^α for α = 0, ¼, ½, 1: 137 each; River (every
order; skipped past 3,000 orders) 131; Black and Daunou (``unranked="below"`` only) 91."""

from __future__ import annotations

import itertools
import os
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pref_voting.c1_methods import slater, top_cycle, uc_gill
from pref_voting.iterative_methods import iterated_removal_cl
from pref_voting.margin_based_methods import beat_path, river_tb, river_with_test, split_cycle, stable_voting
from pref_voting.profiles_with_ties import ProfileWithTies
from pref_voting.scoring_methods import borda_for_profile_with_ties, domination_borda_scores

import rankagg as ra
from hypothesis_budget import examples
from test_vote_oracle import TALLY, all_orders, at_least, elections, ours, theirs

SETTINGS = settings(
    max_examples=int(os.environ.get("RANKAGG_ORACLE_EXAMPLES", examples(150))),
    suppress_health_check=[HealthCheck.data_too_large, HealthCheck.too_slow],
)
DATA = Path(__file__).parent / "data"


def expected_winners(prof: ProfileWithTies, votes: ra.Rankings) -> dict[str, Any]:
    """pref_voting's winners per rule (None where it declines: River with > 3,000 orders)."""
    out: dict[str, Any] = {
        "split_cycle": split_cycle(prof),
        "stable_voting": stable_voting(prof),
        "beat_path": beat_path(prof),
        "top_cycle": top_cycle(prof),
        "uncovered_set": uc_gill(prof),
        "river": all_orders(river_with_test, prof),
        "river label": river_tb(prof),
    }
    if len(votes.labels) <= 6:  # pref_voting enumerates every order
        out["slater"] = slater(prof)
    for alpha in (0, 0.5, 1, 0.25):
        scores = prof.copeland_scores(scores=(1, Fraction(alpha), 0))
        best = max(scores.values())
        out[f"copeland {alpha}"] = sorted(c for c, s in scores.items() if s == best)
    return out


def our_winners(votes: ra.Rankings, unranked: str = "below") -> dict[str, Any]:
    out = {
        "split_cycle": ra.split_cycle(votes, unranked=unranked).winners,
        "stable_voting": ra.stable_voting(votes, unranked=unranked).winners,
        "beat_path": ra.beat_path(votes, unranked=unranked).winners,
        "top_cycle": ra.top_cycle(votes, unranked=unranked).winners,
        "uncovered_set": ra.uncovered_set(votes, unranked=unranked).winners,
        "river": ra.river(votes, unranked=unranked).winners,
        "river label": ra.river(votes, unranked=unranked, tie_break="label").winners,
        "slater": ra.slater(votes, unranked=unranked).winners,
    }
    for alpha in (0, 0.5, 1, 0.25):
        out[f"copeland {alpha}"] = ra.copeland(votes, unranked=unranked, alpha=alpha).winners
    return out


def disagreements(prof: ProfileWithTies, votes: ra.Rankings, unranked: str = "below", key: Any = None) -> list[str]:
    """The rules whose winners differ; with ``key`` (the profile), each rule pref_voting answered
    is counted in ``TALLY``."""
    theirs_, ours_ = expected_winners(prof, votes), our_winners(votes, unranked)
    if key is not None:
        TALLY.count([rule for rule, w in theirs_.items() if w is not None], key)
    return [
        f"{rule}: rankagg {ours_[rule]} vs pref_voting {w}"
        for rule, w in theirs_.items()
        if w is not None and ours_[rule] != w
    ]


def combined_oracle(prof: ProfileWithTies, labels: list[Any]) -> dict[str, list[Any]]:
    """Black and Daunou from pref_voting's parts, as its ``blacks`` and ``daunou`` compose them
    (those take linear orders only, and their first call spends ~12 s compiling pref_voting's
    ``Profile`` with numba): the Condorcet winner, domination Borda, iterated removal of
    Condorcet losers, and split first places among the survivors."""
    cw = prof.condorcet_winner()
    black = [cw] if cw is not None else borda_for_profile_with_ties(prof, borda_scores=domination_borda_scores)
    if cw is not None:
        daunou_ = [cw]
    else:
        left = iterated_removal_cl(prof)
        split = prof.tops_scores(curr_cands=left, score_type="split")
        best = max(split.values())
        daunou_ = sorted(c for c, s in split.items() if s == best)
    return {"black": black, "daunou": daunou_}


MAJORITY_RULES = (
    "split_cycle",
    "stable_voting",
    "beat_path",
    "top_cycle",
    "uncovered_set",
    "river",
    "river label",
    "slater",
    "copeland 0",
    "copeland 0.5",
    "copeland 1",
    "copeland 0.25",
)


@SETTINGS
@given(elections(), st.sampled_from(["below", "ignore"]))
def margin_rules_agree(ballots, unranked):
    votes = ours(ballots)
    prof = theirs(ballots, votes, unranked)
    assert disagreements(prof, votes, unranked, key=(ballots, unranked)) == []
    if unranked == "below":
        expected = combined_oracle(prof, votes.labels.to_list())
        TALLY.same("black", ballots, ra.black(votes).winners, expected["black"])
        TALLY.same("daunou", ballots, ra.daunou(votes).winners, expected["daunou"])


def test_margin_rules_agree_with_pref_voting():
    """Black and Daunou are compared under ``unranked="below"`` only (about half the profiles)."""
    TALLY.run(margin_rules_agree, MAJORITY_RULES, at_least(SETTINGS.max_examples))
    assert min(len(TALLY.profiles["black"]), len(TALLY.profiles["daunou"])) >= at_least(SETTINGS.max_examples) // 3


def brute_force_slater(m: np.ndarray) -> tuple[int, set[int]]:
    """The fewest majority preferences any order reverses, and the first items of those orders."""
    n = len(m)
    best, tops = None, set()
    for order in itertools.permutations(range(n)):
        cost = sum(1 for a in range(n) for b in range(a + 1, n) if m[order[b], order[a]] > 0)
        if best is None or cost < best:
            best, tops = cost, {order[0]}
        elif cost == best:
            tops.add(order[0])
    assert best is not None
    return best, tops


@settings(SETTINGS, max_examples=examples(40))
@given(st.integers(1, 7), st.integers(1, 9), st.integers(0, 2**32 - 1), st.booleans())
def test_slater_is_optimal_against_brute_force(n, voters, seed, even):
    """Exact Slater against every order (n ≤ 7): the cost, the proof and the winner set; an
    even number of voters gives majority ties."""
    rng = np.random.default_rng(seed)
    lists = [list(rng.permutation(n)) for _ in range(voters + (voters % 2 if even else 0))]
    votes = ra.Rankings.from_lists(lists)
    m = ra.pairwise_preferences(votes)
    m = m - m.T
    cost, tops = brute_force_slater(m)
    result = ra.slater(votes)
    labels = votes.labels.to_list()
    assert result.optimal and result.cost == cost and result.lower_bound == cost
    assert result.winners == sorted(labels[t] for t in tops)
    order = [labels.index(x) for x in result.table["item"].to_list()]
    assert len(order) == len(labels)


@pytest.mark.parametrize(
    "path",
    sorted((DATA / "preflib_ties").glob("*.so[ci]")) + sorted(DATA.glob("*.so[ic]")) + sorted(DATA.glob("*.to[ic]")),
    ids=lambda p: p.name,
)
def test_preflib_elections_agree_with_pref_voting(path):
    votes = ra.read_preflib(path)
    lists = votes.to_lists()
    weights = votes.weights if votes.weights is not None else np.ones(len(lists))
    rankings = [{c: k for k, g in enumerate(r) for c in (g if isinstance(g, tuple) else (g,))} for r in lists]
    prof = ProfileWithTies(rankings, rcounts=[Fraction(w) for w in weights.tolist()], candidates=votes.labels.to_list())
    prof.use_extended_strict_preference()
    assert disagreements(prof, votes) == []
    expected = combined_oracle(prof, votes.labels.to_list())
    assert ra.black(votes).winners == expected["black"]
    assert ra.daunou(votes).winners == expected["daunou"]


@SETTINGS
@given(elections(), st.sampled_from(["below", "ignore"]))
def test_tables_follow_each_rule(ballots, unranked):
    """Position 1 is exactly the winners; positions ascend; a defeat (Split Cycle), a covering
    (uncovered set) or the majority order between top cycles always points down the table."""
    votes = ours(ballots)
    p = ra.pairwise_preferences(votes, unranked=unranked)
    m = p - p.T
    labels = votes.labels.to_list()
    rules = [
        ra.split_cycle,
        ra.stable_voting,
        ra.beat_path,
        ra.top_cycle,
        ra.uncovered_set,
        ra.river,
        ra.slater,
        ra.black,
    ]
    results = {rule.__name__: rule(votes, unranked=unranked) for rule in rules}
    results["daunou"] = ra.daunou(votes)
    for name, r in results.items():
        assert r.method == name
        assert r.winners == sorted(r.table.filter(r.table["rank"] == 1)["item"].to_list()), name
        assert r.table["rank"].is_sorted(), name
        assert sorted(r.table["item"].to_list()) == labels
    pos = {
        name: {labels.index(x): q for x, q in zip(r.table["item"].to_list(), r.table["rank"].to_list())}
        for name, r in results.items()
    }
    n = len(labels)
    for a in range(n):
        for b in range(n):
            if a != b and m[a, b] > 0 and pos["top_cycle"][a] != pos["top_cycle"][b]:
                assert pos["top_cycle"][a] < pos["top_cycle"][b]
    assert set(results["stable_voting"].winners) <= set(results["split_cycle"].winners)
    assert set(results["uncovered_set"].winners) <= set(results["top_cycle"].winners)


def test_split_cycle_textbook_example():
    """Holliday & Pacuit's three-cycle with margins 5 > 3 > 1: the weakest edge (c over a, 1)
    is split; a defeats b, b defeats c, so a alone wins. Beat Path agrees; Copeland ties all."""
    votes = ra.Rankings.from_lists([list("abc")] * 3 + [list("bca")] * 2 + [list("cab")] * 2)
    # margins: a>b 3, b>c 3... built as: a over b by 3 (5-2), b over c by 3, c over a by 1
    assert ra.split_cycle(votes).winners == ["a"]
    assert ra.copeland(votes).winners == ["a", "b", "c"]


def test_bad_arguments_are_rankagg_errors():
    votes = ra.Rankings.from_lists([list("abc"), list("bca")])
    with pytest.raises(ra.RankaggError, match="alpha"):
        ra.copeland(votes, alpha=2)
    with pytest.raises(ra.RankaggError, match="tie_break"):
        ra.river(votes, tie_break="random")  # type: ignore[arg-type]
    with pytest.raises(ra.RankaggError, match="Rankings"):
        ra.daunou(ra.preference_matrix(votes))
    with pytest.raises(ra.RankaggError, match="method"):
        ra.slater(votes, method="fast")  # type: ignore[arg-type]


# ra.axioms ----------------------------------------------------------------------------------


def test_instant_runoff_is_not_monotone_on_fishburn_brams():
    """Fishburn & Brams (1983), "Paradoxes of preferential voting", Mathematics Magazine 56:
    6 abc, 2 bac, 4 bca, 5 cab. Instant runoff elects a (c out first); when the two bac voters
    raise a to the top, b goes out first and c wins."""
    votes = ra.Rankings.from_lists([list("abc"), list("bac"), list("bca"), list("cab")], weights=[6, 2, 4, 5])
    check = ra.axioms(ra.instant_runoff, votes)
    assert check.winners == ["a"] and check.holds["monotonicity"] is False
    v = check.violations["monotonicity"]
    assert (v.voter, v.before, v.after, v.winners_after) == (1, ["b", "a", "c"], ["a", "b", "c"], ["c"])
    assert ra.instant_runoff(v.votes).winners == ["c"]  # the counterexample profile, rerun
    assert check.holds["pareto"] is True and check.holds["condorcet_winner"] is None
    assert check.table["holds"].to_list() == [None, None, True, False]


def test_plurality_elects_a_condorcet_loser_and_borda_misses_the_condorcet_winner():
    votes = ra.Rankings.from_lists([list("abc")] * 4 + [list("bca")] * 3 + [list("cba")] * 3)
    check = ra.axioms(ra.plurality, votes)
    assert check.winners == ["a"]
    assert check.holds["condorcet_loser"] is False and check.holds["condorcet_winner"] is False
    assert "'a'" in check.violations["condorcet_loser"].detail
    borda = ra.axioms(ra.borda, ra.Rankings.from_lists([list("abc")] * 3 + [list("bca")] * 2))
    assert borda.holds["condorcet_winner"] is False and borda.winners == ["b"]
    assert borda.holds["condorcet_loser"] is True and borda.holds["monotonicity"] is True and borda.exhaustive


def test_pareto_violation_is_found():
    """A rule that elects the last item of the first ballot: c is Pareto dominated by b."""

    def last(votes: ra.Rankings) -> ra.Consensus:
        first = votes.to_lists()[0]
        return ra.Consensus(ra.borda(votes).table, "last", [first[-1]])

    votes = ra.Rankings.from_lists([list("abc"), list("bac")])
    check = ra.axioms(last, votes)
    assert check.holds["pareto"] is False and "'c'" in check.violations["pareto"].detail


@settings(SETTINGS, max_examples=examples(12))
@given(elections(weighted=False))
def test_axioms_known_to_hold(ballots):
    """On random profiles (ties, truncation): Condorcet-consistent rules elect the Condorcet
    winner and never a Condorcet loser; Split Cycle, Schulze, Copeland and Borda are monotone (Holliday & Pacuit 2023; Schulze 2011); every rule
    here is Pareto efficient."""
    votes = ours(ballots)
    for rule in (ra.split_cycle, ra.beat_path, ra.copeland, ra.borda, ra.stable_voting, ra.black):
        check = ra.axioms(rule, votes, max_changes=80)
        assert check.holds["pareto"] is True, rule.__name__
        if rule is not ra.borda:
            assert check.holds["condorcet_winner"] in (None, True), rule.__name__
            assert check.holds["condorcet_loser"] in (None, True), rule.__name__
        if rule in (ra.split_cycle, ra.beat_path, ra.copeland, ra.borda):
            assert check.holds["monotonicity"] is True, (rule.__name__, check.violations)
        assert check.changes <= 80


def test_axioms_bad_arguments():
    votes = ra.Rankings.from_lists([list("abc"), list("bca")])
    with pytest.raises(ra.RankaggError, match="Rankings"):
        ra.axioms(ra.borda, ra.preference_matrix(votes))
    with pytest.raises(ra.RankaggError, match="max_changes"):
        ra.axioms(ra.borda, votes, max_changes=-1)
    with pytest.raises(ra.RankaggError, match="Consensus"):
        ra.axioms(lambda v: ["a"], votes)  # type: ignore[arg-type,return-value]
    assert ra.axioms(ra.borda, votes, max_changes=0).exhaustive is False
