"""Every voting rule against pref_voting, the field's reference implementation, on profiles drawn
from every ordinal culture of prefsampling, with truncated ballots, tied ranks and weights.

The conventions (each stated in the rule's docstring):

- ``unranked="below"``: pref_voting's extended strict preference (a ranked item is preferred to
  an unranked one); ``unranked="ignore"``: its plain strict preference.
- Borda: pref_voting's domination Borda (items ranked strictly below); plurality: its split tops
  scores; instant runoff: split scores, one elimination at a time, the item last in label order
  eliminated first among the fewest.
- Schulze: ``beat_path`` with the support (winning votes) or the margin as the link strength.
- Ranked pairs: ``ranked_pairs`` (every order of equal margins) and ``ranked_pairs_tb`` (label
  order) for ``tie_break="all"`` and ``"label"``.

pref_voting's split scores are floats (``count * 1 / k``), which is the very rounding issue 21 is
about, so its voters are counted with :class:`fractions.Fraction` weights here: exact oracles.

Agreement counts: each oracle test counts, per rule, the distinct random profiles compared
(``Agreement``) and requires at least half its example budget for every rule. One run under the
``ci`` Hypothesis profile (2026-12-06; ``RANKAGG_AGREEMENT_COUNTS=1 pytest -s`` prints them):
copeland, minimax, smith_set, condorcet_winner, schulze (both strengths), ranked_pairs label
109 each, ranked_pairs (every order; skipped past 3,000 orders) 96; borda, plurality,
instant_runoff 105 each; kemeny 96 (tests/test_vote_majority.py and
tests/test_vote_elimination.py give theirs).
"""

from __future__ import annotations

import math
import os
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pref_voting.c1_methods import condorcet, copeland, top_cycle
from pref_voting.iterative_methods import instant_runoff
from pref_voting.margin_based_methods import (
    beat_path,
    minimax,
    ranked_pairs_tb,
    ranked_pairs_with_test,
)
from pref_voting.profiles_with_ties import ProfileWithTies
from pref_voting.scoring_methods import (
    borda_for_profile_with_ties,
    domination_borda_scores,
)
from prefsampling import ordinal

import rankagg as ra
from hypothesis_budget import examples

EXAMPLES = int(os.environ.get("RANKAGG_ORACLE_EXAMPLES", examples(120)))

CULTURES: dict[str, Any] = {
    "impartial": lambda v, n, r: ordinal.impartial(v, n, seed=r.integers(2**31)),
    "impartial_anonymous": lambda v, n, r: ordinal.impartial_anonymous(v, n, seed=r.integers(2**31)),
    "urn": lambda v, n, r: ordinal.urn(v, n, alpha=float(r.choice([0.1, 0.5, 1.0, 3.0])), seed=r.integers(2**31)),
    "mallows": lambda v, n, r: ordinal.mallows(v, n, phi=float(r.uniform(0.2, 1.0)), seed=r.integers(2**31)),
    "norm_mallows": lambda v, n, r: ordinal.norm_mallows(
        v, n, norm_phi=float(r.uniform(0.2, 1.0)), seed=r.integers(2**31)
    ),
    "single_peaked_conitzer": lambda v, n, r: ordinal.single_peaked_conitzer(v, n, seed=r.integers(2**31)),
    "single_peaked_walsh": lambda v, n, r: ordinal.single_peaked_walsh(v, n, seed=r.integers(2**31)),
    "single_peaked_circle": lambda v, n, r: ordinal.single_peaked_circle(v, n, seed=r.integers(2**31)),
    "k_axes_single_peaked": lambda v, n, r: ordinal.k_axes_single_peaked(
        v, n, k=min(2, v, (1, 1, 1, 3)[min(n, 3)]), axes_weights=1.0, seed=r.integers(2**31)
    ),
    "single_crossing": lambda v, n, r: ordinal.single_crossing(v, n, seed=r.integers(2**31)),
    "single_crossing_impartial": lambda v, n, r: ordinal.single_crossing_impartial(v, n, seed=r.integers(2**31)),
    "group_separable": lambda v, n, r: ordinal.group_separable(v, n, seed=r.integers(2**31)),
    "euclidean": lambda v, n, r: ordinal.euclidean(
        v, n, 2, ordinal.EuclideanSpace.UNIFORM_BALL, ordinal.EuclideanSpace.UNIFORM_BALL, seed=r.integers(2**31)
    ),
    "plackett_luce": lambda v, n, r: ordinal.plackett_luce(
        v, n, alphas=list(r.uniform(0.1, 3.0, n)), seed=r.integers(2**31)
    ),
    "didi": lambda v, n, r: ordinal.didi(v, n, alphas=list(r.uniform(0.1, 3.0, n)), seed=r.integers(2**31)),
    "stratification": lambda v, n, r: ordinal.stratification(
        v, n, weight=float(r.uniform(0.2, 0.8)), seed=r.integers(2**31)
    ),
    "identity": lambda v, n, r: ordinal.identity(v, n, seed=r.integers(2**31)),
}


@st.composite
def elections(
    draw: Any, ties: bool = True, truncate: bool = True, weighted: bool = True
) -> list[tuple[list[list[int]], int]]:
    """Ballots as lists of tie groups (best first) with integer weights."""
    culture = draw(st.sampled_from(sorted(CULTURES)))
    n = draw(st.integers(2, 6))
    voters = draw(st.integers(1, 12))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        orders = CULTURES[culture](voters, n, rng)
    tie_p = draw(st.sampled_from([0.0, 0.3, 0.6])) if ties else 0.0
    cut_p = draw(st.sampled_from([0.0, 0.4, 0.8])) if truncate else 0.0
    ballots = []
    for order in orders:
        order = [int(x) for x in order]
        if rng.random() < cut_p:
            order = order[: int(rng.integers(1, n + 1))]
        groups: list[list[int]] = []
        for x in order:
            if groups and rng.random() < tie_p:
                groups[-1].append(x)
            else:
                groups.append([x])
        weight = int(rng.integers(1, 4)) if weighted else 1
        ballots.append((groups, weight))
    return ballots


def ours(ballots: list[tuple[list[list[int]], int]]) -> ra.Rankings:
    return ra.Rankings.from_lists(
        [[tuple(g) if len(g) > 1 else g[0] for g in groups] for groups, _ in ballots], weights=[w for _, w in ballots]
    )


def theirs(ballots: list[tuple[list[list[int]], int]], votes: ra.Rankings, unranked: str = "below") -> ProfileWithTies:
    rankings = [{c: k for k, g in enumerate(groups) for c in g} for groups, _ in ballots]
    prof = ProfileWithTies(rankings, rcounts=[Fraction(w) for _, w in ballots], candidates=votes.labels.to_list())
    if unranked == "below":
        prof.use_extended_strict_preference()
    return prof


def all_orders(rule: Any, prof: ProfileWithTies) -> list[Any] | None:
    """pref_voting's ``ranked_pairs_with_test`` or ``river_with_test``: the winners under every
    order of equal margins, or None when there are more than 3,000 orders. Their own count
    multiplies the factorials in a NumPy int64, which overflows (30 tied edges) and lets them
    enumerate billions of orders (a CI run hung 80 minutes in River's), so the count is made
    here in Python integers first."""
    cands = prof.candidates
    sizes = Counter(prof.margin(a, b) for a in cands for b in cands if a != b and prof.margin(a, b) >= 0)
    if math.prod(math.factorial(k) for k in sizes.values()) > 3000:
        return None
    return rule(prof)


def ranked_pairs_all_orders(prof: ProfileWithTies) -> list[Any] | None:
    """pref_voting's ``ranked_pairs_with_test`` (see :func:`all_orders`)."""
    return all_orders(ranked_pairs_with_test, prof)


SETTINGS = settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.data_too_large])


class Agreement:
    """Per rule, the distinct random profiles on which rankagg's winners were compared with
    pref_voting's (and agreed: a disagreement fails the test first). A test's wrapper resets
    it, runs the Hypothesis search and requires every rule to have been compared often enough
    (a rule skipped where pref_voting declines, e.g. more than 3,000 orders, counts less)."""

    def __init__(self) -> None:
        self.profiles: dict[str, set[str]] = defaultdict(set)

    def same(self, rule: str, profile: Any, ours: Any, theirs: Any) -> None:
        assert ours == theirs, f"{rule}: rankagg {ours} vs pref_voting {theirs}"
        self.profiles[rule].add(repr(profile))

    def count(self, rules: Iterable[str], profile: Any) -> None:
        for rule in rules:
            self.profiles[rule].add(repr(profile))

    def run(self, search: Any, rules: Iterable[str], at_least: int) -> dict[str, int]:
        """Runs ``search`` (a Hypothesis test) from zero; each rule compared ≥ ``at_least`` times."""
        self.profiles.clear()
        search()
        counts = {rule: len(self.profiles[rule]) for rule in rules}
        if os.environ.get("RANKAGG_AGREEMENT_COUNTS"):  # the counts quoted in the docstrings
            print(search.__name__, dict(sorted((r, len(p)) for r, p in self.profiles.items())))
        short = {rule: c for rule, c in counts.items() if c < at_least}
        assert not short, f"rules compared with pref_voting on fewer than {at_least} random profiles: {short}"
        return counts


TALLY = Agreement()


def at_least(examples: int) -> int:
    """The comparisons required per rule of a search of ``examples`` examples: half of them
    (Hypothesis may repeat a profile; a few rules skip the profiles pref_voting declines)."""
    return max(1, examples // 2)


MARGIN_RULES = (
    "copeland",
    "minimax",
    "smith_set",
    "condorcet_winner",
    "schulze",
    "schulze margin",
    "ranked_pairs",
    "ranked_pairs label",
)


@SETTINGS
@given(elections(), st.sampled_from(["below", "ignore"]))
def margin_rules_agree(ballots, unranked):
    votes = ours(ballots)
    prof = theirs(ballots, votes, unranked)
    key = (ballots, unranked)
    TALLY.same("copeland", key, ra.copeland(votes, unranked=unranked).winners, copeland(prof))
    TALLY.same("minimax", key, ra.minimax(votes, unranked=unranked).winners, minimax(prof))
    TALLY.same("smith_set", key, ra.smith_set(votes, unranked=unranked), top_cycle(prof))
    cw = condorcet(prof)
    TALLY.same(
        "condorcet_winner",
        key,
        ra.condorcet_winner(votes, unranked=unranked),
        cw[0] if len(cw) == 1 and prof.condorcet_winner() is not None else None,
    )
    support = beat_path(prof, strength_function=prof.support)
    TALLY.same("schulze", key, ra.schulze(votes, unranked=unranked).winners, support)
    TALLY.same("schulze margin", key, ra.schulze(votes, unranked=unranked, strength="margin").winners, beat_path(prof))
    expected = ranked_pairs_all_orders(prof)
    if expected is not None:  # None: too many orders of equal margins for pref_voting
        TALLY.same("ranked_pairs", key, ra.ranked_pairs(votes, unranked=unranked).winners, expected)
    label = ra.ranked_pairs(votes, unranked=unranked, tie_break="label").winners
    TALLY.same("ranked_pairs label", key, label, ranked_pairs_tb(prof))


def test_margin_rules_agree_with_pref_voting():
    TALLY.run(margin_rules_agree, MARGIN_RULES, at_least(EXAMPLES))


@SETTINGS
@given(elections())
def positional_rules_agree(ballots):
    votes = ours(ballots)
    prof = theirs(ballots, votes)
    TALLY.same(
        "borda",
        ballots,
        ra.borda(votes).winners,
        borda_for_profile_with_ties(prof, borda_scores=domination_borda_scores),
    )
    split = prof.tops_scores(score_type="split")
    result = ra.plurality(votes)
    best = max(split.values())
    TALLY.same("plurality", ballots, result.winners, sorted(c for c, s in split.items() if s == best))
    assert dict(zip(result.table["item"].to_list(), result.table["score"].to_list())) == pytest.approx(
        {c: float(s) for c, s in split.items()}
    )
    # pref_voting eliminates tie_breaker[0] first among the fewest.
    labels = votes.labels.to_list()
    irv = instant_runoff(prof, tie_breaker=labels[::-1], score_method="split")
    TALLY.same("instant_runoff", ballots, ra.instant_runoff(votes).winners, irv)


def test_positional_rules_agree_with_pref_voting():
    TALLY.run(positional_rules_agree, ("borda", "plurality", "instant_runoff"), at_least(EXAMPLES))


@SETTINGS
@given(elections(ties=False, truncate=False, weighted=False))
def test_complete_strict_profiles_both_schulze_strengths_agree(ballots):
    votes = ours(ballots)
    assert ra.schulze(votes).table.equals(ra.schulze(votes, strength="margin").table)


@SETTINGS
@given(elections(), st.sampled_from(["below", "ignore"]), st.integers(0, 2**32 - 1))
def test_winners_do_not_depend_on_labels_or_ballot_order(ballots, unranked, seed):
    """Relabelling items and shuffling ballots changes nothing but the names (the label-order
    tie-breaks excepted: ranked pairs "label", instant runoff, and the order ranked pairs gives
    the items below its winners, which is the label-order one)."""
    votes = ours(ballots)
    rng = np.random.default_rng(seed)
    n = len(votes.labels)
    rename = {int(x): f"c{p}" for x, p in zip(votes.labels.to_list(), rng.permutation(n))}
    shuffled = [ballots[k] for k in rng.permutation(len(ballots))]
    other = ra.Rankings.from_lists(
        [[tuple(rename[c] for c in g) if len(g) > 1 else rename[g[0]] for g in groups] for groups, _ in shuffled],
        weights=[w for _, w in shuffled],
    )
    for rule in (ra.borda, ra.copeland, ra.minimax, ra.schulze, ra.ranked_pairs):
        a, b = rule(votes, unranked=unranked), rule(other, unranked=unranked)
        assert sorted(rename[x] for x in a.winners) == b.winners, rule.__name__
        if rule is not ra.ranked_pairs:
            assert {rename[x]: p for x, p in zip(a.table["item"], a.table["rank"])} == dict(
                zip(b.table["item"], b.table["rank"])
            )
    a, b = ra.plurality(votes), ra.plurality(other)
    assert sorted(rename[x] for x in a.winners) == b.winners
    assert ra.smith_set(other, unranked=unranked) == sorted(rename[x] for x in ra.smith_set(votes, unranked=unranked))


@SETTINGS
@given(elections(), st.sampled_from(["below", "ignore"]))
def test_tables_follow_each_rule_order(ballots, unranked):
    """Schulze's table is a linear extension of its (transitive) beat-path order; ranked pairs'
    winners head the table; position 1 is exactly the winners."""
    votes = ours(ballots)
    p = ra.pairwise_preferences(votes, unranked=unranked)
    labels = votes.labels.to_list()
    d = np.where(p > p.T, p, 0.0)
    n = len(p)
    for k in range(n):
        d = np.maximum(d, np.minimum(d[:, k : k + 1], d[k : k + 1, :]))
    result = ra.schulze(votes, unranked=unranked)
    position = dict(zip(result.table["item"].to_list(), result.table["rank"].to_list()))
    for i in range(n):
        for j in range(n):
            if i != j and d[i, j] > d[j, i]:
                assert position[labels[i]] < position[labels[j]]
                for k in range(n):  # transitivity, as Schulze (2011) proves
                    if k not in (i, j) and d[j, k] > d[k, j]:
                        assert d[i, k] > d[k, i]
    for rule in (ra.schulze, ra.ranked_pairs, ra.copeland, ra.borda, ra.minimax):
        r = rule(votes, unranked=unranked)
        assert r.winners == sorted(r.table.filter(r.table["rank"] == 1)["item"].to_list())
        assert r.table["rank"].is_sorted()
    label = ra.ranked_pairs(votes, unranked=unranked, tie_break="label")
    assert label.table["rank"].to_list() == list(range(1, n + 1))
    assert label.winners[0] in ra.ranked_pairs(votes, unranked=unranked).winners


SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
PREFLIB = sorted(SHARED.glob("preflib_*/*.so[ci]")) + sorted(SHARED.glob("preflib_*/*.to[ci]"))


def check_against_pref_voting(votes: ra.Rankings) -> list[str]:
    """Every rule's winners on one election, against pref_voting's; returns the disagreements."""
    lists = votes.to_lists()
    weights = votes.weights if votes.weights is not None else np.ones(len(lists))
    ballots = [
        ([list(g) if isinstance(g, (tuple, list)) else [g] for g in r], w) for r, w in zip(lists, weights.tolist())
    ]
    rankings = [{c: k for k, g in enumerate(groups) for c in g} for groups, _ in ballots]
    labels = votes.labels.to_list()
    prof = ProfileWithTies(rankings, rcounts=[Fraction(w) for _, w in ballots], candidates=labels)
    prof.use_extended_strict_preference()
    split = prof.tops_scores(score_type="split")
    best = max(split.values())
    pairs: list[tuple[str, Any, Any]] = [
        ("borda", ra.borda(votes).winners, borda_for_profile_with_ties(prof, borda_scores=domination_borda_scores)),
        ("plurality", ra.plurality(votes).winners, sorted(c for c, s in split.items() if s == best)),
        (
            "instant_runoff",
            ra.instant_runoff(votes).winners,
            instant_runoff(prof, tie_breaker=labels[::-1], score_method="split"),
        ),
        ("copeland", ra.copeland(votes).winners, copeland(prof)),
        ("minimax", ra.minimax(votes).winners, minimax(prof)),
        ("smith_set", ra.smith_set(votes), top_cycle(prof)),
        ("schulze", ra.schulze(votes).winners, beat_path(prof, strength_function=prof.support)),
        ("schulze margin", ra.schulze(votes, strength="margin").winners, beat_path(prof)),
        ("ranked_pairs label", ra.ranked_pairs(votes, tie_break="label").winners, ranked_pairs_tb(prof)),
    ]
    expected = ranked_pairs_all_orders(prof)
    if expected is not None:
        pairs.append(("ranked_pairs", ra.ranked_pairs(votes).winners, expected))
    return [f"{name}: rankagg {a} vs pref_voting {b}" for name, a, b in pairs if a != b]


TIES = sorted((Path(__file__).parent / "data" / "preflib_ties").glob("*.so[ci]"))


@pytest.mark.parametrize("path", TIES, ids=lambda p: p.name)
def test_preflib_elections_with_several_winners(path):
    """Real elections where Schulze or ranked pairs has co-winners (four f1seasons seasons and
    a Netflix poll, copied from PrefLib): every rule's winners equal pref_voting's."""
    votes = ra.read_preflib(path)
    assert len(ra.schulze(votes).winners) > 1
    assert check_against_pref_voting(votes) == []


@pytest.mark.skipif(not PREFLIB, reason="the workplace's shared/data PrefLib files are not beside this checkout")
def test_every_preflib_election_agrees_with_pref_voting():
    """The PrefLib elections in shared/data: every rule's winners equal pref_voting's. By
    default the elections of at most 30 items and 5,000 distinct ballots (about 340 of the 500
    files, 20 s); pref_voting needs 2-60 s on each larger one (the tennis seasons' 130-150
    players, the Irish elections' 25,000 ballots), so RANKAGG_ALL_PREFLIB=1 runs them all (all
    500 agreed when measured for issue 21, in about 15 minutes)."""
    checked, failures = preflib_failures(PREFLIB, lambda path, votes: check_against_pref_voting(votes), 30, 5000)
    assert checked > 0 and failures == {}


def preflib_failures(
    paths: list[Path], check: Any, max_items: int, max_ballots: int
) -> tuple[int, dict[str, list[str]]]:
    """Runs ``check(path, votes)`` (a list of disagreements) on the elections of at most
    ``max_items`` items and ``max_ballots`` distinct ballots, or on all of them when
    RANKAGG_ALL_PREFLIB=1; returns how many were checked and the disagreements by file."""
    everything = os.environ.get("RANKAGG_ALL_PREFLIB") == "1"
    failures, checked = {}, 0
    for path in paths:
        votes = ra.read_preflib(path)
        if not everything and (len(votes.labels) > max_items or len(votes) > max_ballots):
            continue
        checked += 1
        bad = check(path, votes)
        if bad:
            failures[f"{path.parent.name}/{path.name}"] = bad
    return checked, failures


@SETTINGS
@given(elections(ties=False, truncate=False))
def kemeny_agrees(ballots):
    """Kemeny returns one optimal order (pref_voting lists them all): it must be among them,
    at pref_voting's minimum total Kendall distance, and its first item a Kemeny winner."""
    from pref_voting.other_methods import kemeny_young, kemeny_young_rankings
    from pref_voting.profiles import Profile

    votes = ours(ballots)
    lists = [[g[0] for g in groups] for groups, _ in ballots]
    prof = Profile(lists, rcounts=[w for _, w in ballots])
    if len(prof.candidates) != len(votes.labels):  # a one-voter profile may name fewer items
        return
    rankings, distance = kemeny_young_rankings(prof)
    result = ra.kemeny(votes)
    assert result.optimal and result.cost == distance
    assert tuple(result.table["item"].to_list()) in {tuple(r) for r in rankings}
    assert result.winners[0] in kemeny_young(prof)
    TALLY.count(["kemeny"], ballots)


def test_kemeny_is_one_of_pref_voting_kemeny_rankings():
    TALLY.run(kemeny_agrees, ["kemeny"], at_least(EXAMPLES))
