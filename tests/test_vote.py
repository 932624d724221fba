"""Voting rules: published outcomes of a real election, the 35 pref_voting Condorcet profiles,
and properties (relabelling, brute-force Condorcet checks)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rankagg as ra
from hypothesis_budget import examples

DATA = Path(__file__).parent / "data"

CONDORCET_CONSISTENT = [ra.copeland, ra.minimax, ra.schulze, ra.ranked_pairs]


def test_burlington_2009(data_dir):
    votes = ra.read_preflib(data_dir / "00005-00000002.toi")
    assert ra.instant_runoff(votes).winners == ["Bob Kiss"]
    assert ra.condorcet_winner(votes) == "Andy Montroll"
    order = ["Andy Montroll", "Bob Kiss", "Kurt Wright", "Dan Smith", "James Simpson", "Write-In"]
    assert ra.schulze(votes).table["item"].to_list() == order
    assert ra.ranked_pairs(votes).table["item"].to_list() == order
    assert ra.smith_set(votes) == ["Andy Montroll"]
    # Plurality's first-round leader is Kurt Wright, then Kiss, then Montroll.
    assert ra.plurality(votes).table["item"].to_list()[:3] == ["Kurt Wright", "Bob Kiss", "Andy Montroll"]


def condorcet_profiles(data_dir):
    table = pl.read_csv(data_dir / "condorcet_examples" / "condorcet_winners.csv")
    return [(row["file"], row["condorcet_winner"]) for row in table.iter_rows(named=True)]


def test_condorcet_consistent_rules_on_the_35_profiles(data_dir):
    profiles = condorcet_profiles(data_dir)
    assert len(profiles) == 35
    for name, cw in profiles:
        votes = ra.read_preflib(data_dir / "condorcet_examples" / name, names=False)
        assert ra.condorcet_winner(votes) == cw, name
        assert ra.smith_set(votes) == [cw], name
        for rule in CONDORCET_CONSISTENT:
            assert rule(votes).winners == [cw], (name, rule.__name__)


@pytest.mark.parametrize("rule", ["Borda", "Plurality", "Instant_Runoff"])
def test_rules_fail_on_their_own_counterexample(data_dir, rule):
    cw = dict(condorcet_profiles(data_dir))[f"minimal_{rule}.soc"]
    votes = ra.read_preflib(data_dir / "condorcet_examples" / f"minimal_{rule}.soc", names=False)
    method = {"Borda": ra.borda, "Plurality": ra.plurality, "Instant_Runoff": ra.instant_runoff}[rule]
    assert method(votes).winners != [cw]


@st.composite
def profiles(draw):
    n = draw(st.integers(2, 5))
    k = draw(st.integers(1, 9))
    return [list(draw(st.permutations(range(n)))) for _ in range(k)]


@settings(max_examples=examples(80))
@given(profiles())
def test_condorcet_winner_by_brute_force_and_relabelling(rankings):
    votes = ra.Rankings.from_lists(rankings)
    n = len(votes.labels)
    beats = lambda x, y: sum(r.index(x) < r.index(y) for r in rankings) > len(rankings) / 2  # noqa: E731
    items = votes.labels.to_list()
    brute = [x for x in items if all(beats(x, y) for y in items if y != x)]
    assert ra.condorcet_winner(votes) == (brute[0] if brute else None)
    if brute:
        for rule in CONDORCET_CONSISTENT:
            assert rule(votes).winners == brute
    # Relabelling items relabels every result.
    renamed = ra.Rankings.from_lists([[f"c{x}" for x in r] for r in rankings])
    for rule in (ra.borda, ra.copeland, ra.schulze, ra.minimax, ra.plurality):
        a, b = rule(votes).table, rule(renamed).table
        assert dict(zip([f"c{x}" for x in a["item"]], a["score"])) == dict(zip(b["item"], b["score"]))
    assert ra.pairwise_preferences(votes).sum() == len(rankings) * n * (n - 1) / 2


def test_unranked_convention():
    votes = ra.Rankings.from_lists([["a"], ["b", "a"]])
    below = ra.pairwise_preferences(votes)
    ignore = ra.pairwise_preferences(votes, unranked="ignore")
    assert below.tolist() == [[0.0, 1.0], [1.0, 0.0]]
    assert ignore.tolist() == [[0.0, 0.0], [1.0, 0.0]]
    with pytest.raises(ra.RankaggError, match="unranked"):
        ra.pairwise_preferences(votes, unranked="top")


def test_kemeny_burlington_and_condorcet_profiles(data_dir):
    votes = ra.read_preflib(data_dir / "00005-00000002.toi")
    k = ra.kemeny(votes)
    assert k.table["item"].to_list() == [
        "Andy Montroll",
        "Bob Kiss",
        "Kurt Wright",
        "Dan Smith",
        "James Simpson",
        "Write-In",
    ]
    assert k.optimal and k.cost == k.lower_bound
    for name, cw in condorcet_profiles(data_dir):
        votes = ra.read_preflib(data_dir / "condorcet_examples" / name, names=False)
        assert ra.kemeny(votes).winners == [cw], name


@settings(max_examples=examples(80))
@given(profiles(), st.sampled_from([16, 0]))
def test_kemeny_matches_brute_force(rankings, exact_limit):
    from itertools import permutations

    votes = ra.Rankings.from_lists(rankings)
    p = ra.pairwise_preferences(votes)
    n = len(p)

    def cost(order):
        return sum(p[order[y], order[x]] for x in range(n) for y in range(x + 1, n))

    best = min(cost(o) for o in permutations(range(n)))
    k = ra.kemeny(votes, exact_limit=exact_limit)
    codes = {x: i for i, x in enumerate(votes.labels.to_list())}
    assert k.cost == pytest.approx(cost([codes[x] for x in k.table["item"]]))
    assert k.lower_bound <= best + 1e-9 <= k.cost + 1e-9 + (0 if k.optimal else float("inf"))
    if exact_limit:
        assert k.optimal and k.cost == pytest.approx(best)
    assert not k.optimal or k.cost == pytest.approx(best)  # never claimed wrongly
    # A matrix gives the same search (the linear ordering problem).
    assert ra.kemeny(p, exact_limit=exact_limit).cost == pytest.approx(k.cost)


def test_kemeny_bad_input():
    with pytest.raises(ra.RankaggError, match="square"):
        ra.kemeny([[0.0, 1.0]])
    with pytest.raises(ra.RankaggError, match="exact_limit"):
        ra.kemeny([[0.0, 1.0], [2.0, 0.0]], exact_limit=40)
    with pytest.raises(ra.RankaggError, match="finite"):
        ra.kemeny([[0.0, float("nan")], [2.0, 0.0]])


@settings(max_examples=examples(100))
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=2, max_size=30))
def test_rank_distances_against_scipy_and_brute_force(pairs):
    from scipy.stats import kendalltau

    x = [p[0] for p in pairs]
    y = [p[1] for p in pairs]
    tau = ra.kendall_tau(x, y)
    ref = kendalltau(x, y).statistic
    assert (np.isnan(tau) and np.isnan(ref)) or tau == pytest.approx(ref, abs=1e-12)
    n = len(x)
    brute = sum(
        1.0 if (x[i] - x[j]) * (y[i] - y[j]) < 0 else 0.5 if (x[i] == x[j]) != (y[i] == y[j]) else 0.0
        for i in range(n)
        for j in range(i + 1, n)
    )
    assert ra.kemeny_distance(x, y) == brute
    from scipy.stats import rankdata

    assert ra.spearman_footrule(x, y) == pytest.approx(np.abs(rankdata(x) - rankdata(y)).sum())


def test_distances_on_mappings_and_errors():
    assert ra.kendall_tau({"a": 1, "b": 2}, {"b": 1, "a": 2}) == -1.0
    with pytest.raises(ra.RankaggError, match="different items"):
        ra.kendall_tau({"a": 1}, {"b": 1})
    with pytest.raises(ra.RankaggError, match="same length"):
        ra.kendall_tau([1, 2], [1])


def test_agreement_per_voter_is_kendall_tau_with_the_consensus():
    rng = np.random.default_rng(5)
    items = list("abcdef")
    ballots = [list(rng.permutation(items)) for _ in range(12)]
    votes = ra.Rankings.from_lists(ballots, weights=list(range(1, 13)))
    for rule in (ra.borda, ra.schulze, ra.kemeny):
        c = rule(votes)
        order = dict(zip(c.table["item"].to_list(), c.table["rank"].to_list()))
        got = c.agreement
        assert got["weight"].to_list() == list(map(float, range(1, 13)))
        for ballot, tau in zip(ballots, got["agreement"].to_list()):
            want = ra.kendall_tau({x: k for k, x in enumerate(ballot)}, order)
            assert tau == pytest.approx(want, abs=1e-12)
    best = ra.kemeny(ra.Rankings.from_lists([["a", "b", "c"]] * 3 + [["c", "b", "a"]]))
    assert best.agreement["agreement"].to_list() == [1.0] * 3 + [-1.0]


def test_agreement_with_truncated_ballots_and_pairwise_data():
    votes = ra.Rankings.from_lists([["a"], ["b", "a"], ["c", ["a", "b"]]])
    below = ra.copeland(votes).agreement
    assert below["items"].to_list() == [1, 2, 3]
    assert below["agreement"].null_count() == 0  # unranked items count as tied below
    ignored = ra.copeland(votes, unranked="ignore").agreement
    assert ignored["agreement"][0] is None  # one ranked item: nothing to compare
    pairs = ra.PairTable.from_comparisons({"a": ["x", "y"], "b": ["y", "z"], "outcome": [1.0, 1.0]})
    assert ra.schulze(pairs).agreement is None
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with pytest.raises(ra.RankaggError, match="pairwise data"):
        ra.schulze(pairs).plot(kind="agreement")
    ax = ra.copeland(votes).plot(kind="agreement")
    assert len(ax.patches) == 3 and "agreement" in ax.get_xlabel()
    with pytest.raises(ra.RankaggError, match="kind must be"):
        ra.copeland(votes).plot(kind="voters")
    plt.close("all")


@pytest.mark.parametrize("name", sorted(p.name for p in (DATA / "preflib_mturk").glob("*.soc")))
def test_mturk_dots_and_puzzles_recover_the_true_order(name):
    # Mao, Procaccia & Chen (AAAI 2013): the alternatives' names are their true quantities, and
    # the truth is the ascending order (fewest dots / moves first).
    votes = ra.read_preflib(DATA / "preflib_mturk" / name)
    truth = sorted(votes.labels.to_list(), key=float)
    assert len(votes.labels) == 4 and 790 <= votes.weights.sum() <= 800  # type: ignore[union-attr]
    assert ra.condorcet_winner(votes) == truth[0]
    for rule in (
        ra.kemeny,
        ra.schulze,
        ra.ranked_pairs,
        ra.copeland,
        ra.minimax,
        ra.borda,
        ra.plurality,
        ra.instant_runoff,
    ):
        assert rule(votes).table["item"].to_list() == truth, rule.__name__
    assert ra.kemeny(votes).optimal


@settings(max_examples=examples(80))
@given(
    st.lists(
        st.lists(st.lists(st.integers(0, 6), min_size=1, max_size=3), min_size=1, max_size=5), min_size=1, max_size=12
    ),
    st.lists(st.sampled_from([1.0, 0.5, 2.0, 0.0]), min_size=12, max_size=12),
)
def test_majority_matrix_matches_a_numpy_oracle(groups, weights):
    # Each ranking: tie groups of item ids (duplicates dropped, keeping the first place).
    lists = []
    for ranking in groups:
        seen: set[int] = set()
        out = []
        for group in ranking:
            g = [x for x in dict.fromkeys(group) if x not in seen]
            seen.update(g)
            if g:
                out.append(g if len(g) > 1 else g[0])
        lists.append(out)
    votes = ra.Rankings.from_lists(lists, weights=weights[: len(lists)])
    n = len(votes.labels)
    for unranked in ("below", "ignore"):
        levels = np.full((len(votes), n), np.inf if unranked == "below" else np.nan)
        for k in range(len(votes)):
            lo, hi = votes.offsets[k], votes.offsets[k + 1]
            levels[k, votes.items[lo:hi]] = votes.levels[lo:hi]
        w = np.asarray(weights[: len(lists)])
        with np.errstate(invalid="ignore"):
            want = np.array([w @ (levels[:, i : i + 1] < levels) for i in range(n)])
        assert np.array_equal(ra.pairwise_preferences(votes, unranked=unranked), want)
