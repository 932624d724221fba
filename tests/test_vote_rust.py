"""The Rust paths of the voting rules (issue 18 part 5) against the Python they replaced
(``rankagg.reference.vote``, and the exact-rational instant runoff kept in ``rankagg.vote``):
the same answers on random profiles with ties, truncated ballots, zero and fractional weights,
under both ``unranked`` conventions, plus the majority matrix against its definition."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rankagg as ra
from hypothesis_budget import examples
from rankagg import _core
from rankagg import consensus as consensus_module
from rankagg import vote as vote_module
from rankagg.reference import vote as ref


@st.composite
def ballots(draw, most_items: int = 7):
    """Rankings with tie groups and truncation, and weights (None, whole, dyadic or zero)."""
    n = draw(st.integers(1, most_items))
    voters = draw(st.integers(1, 8))
    lists = []
    for _ in range(voters):
        order = draw(st.permutations(range(n)))
        keep = draw(st.integers(1, n))
        cuts = draw(st.lists(st.booleans(), min_size=keep, max_size=keep))  # True: tied with the previous
        ranking: list[list[int]] = []
        for x, tied in zip(order[:keep], cuts):
            if tied and ranking:
                ranking[-1].append(x)
            else:
                ranking.append([x])
        lists.append([g[0] if len(g) == 1 else tuple(g) for g in ranking])
    kind = draw(st.sampled_from(["none", "whole", "dyadic", "fraction"]))
    if kind == "none":
        weights = None
    else:
        pool = {"whole": [0, 1, 2, 3], "dyadic": [0.0, 0.25, 1.5, 3.0], "fraction": [0.1, 1 / 3, 1.0, 0.0]}[kind]
        weights = draw(st.lists(st.sampled_from(pool), min_size=voters, max_size=voters))
    return ra.Rankings.from_lists(lists, weights=weights)


def majority(votes: ra.Rankings, unranked: str) -> np.ndarray:
    """P by its definition over the dense levels (NaN and +inf compare false)."""
    lv = consensus_module.level_table(votes, unranked)
    w = votes.weights if votes.weights is not None else np.ones(len(votes))
    n = lv.shape[1]
    p = np.zeros((n, n))
    for v in range(len(votes)):
        p += w[v] * (lv[v][:, None] < lv[v][None, :])
    return p


@settings(max_examples=examples(150), deadline=None)
@given(ballots(), st.sampled_from(["below", "ignore"]))
def test_rules_equal_the_python_they_replaced(votes, unranked):
    p = ra.pairwise_preferences(votes, unranked=unranked)
    if votes.weights is None or np.all(votes.weights * 4 == np.round(votes.weights * 4)):
        assert np.array_equal(p, majority(votes, unranked))  # exact sums in any order
    else:
        assert np.allclose(p, majority(votes, unranked), rtol=1e-12, atol=0)
    m = p - p.T
    n = len(p)
    labels = votes.labels.to_list()
    flat = np.ascontiguousarray(p).reshape(-1)
    assert _core.ranked_pairs_label(n, flat).tolist() == ref.ranked_pairs_label(m)
    assert vote_module._ranked_pairs_winners(p) == ref.ranked_pairs_winners(m)
    assert ra.smith_set(votes, unranked=unranked) == [labels[i] for i in ref.smith_set(m)]
    cw = ref.condorcet_winner(m)
    assert ra.condorcet_winner(votes, unranked=unranked) == (None if cw is None else labels[cw])
    links = np.where(p > p.T, p, 0.0)
    assert np.array_equal(consensus_module.widest_paths(links), ref.widest_paths(links))
    irv = ra.instant_runoff(votes).table["item"].to_list()
    assert irv == [labels[i] for i in vote_module._instant_runoff_exact(votes)]


@pytest.mark.parametrize("seed", [0, 1])
def test_many_items_and_words_of_bits(seed):
    """70–150 items (several 64-bit words per bitset row, several row tiles of P): few voters,
    so that equal margins and majority ties abound."""
    rng = np.random.default_rng(seed)
    n = 150 if seed else 70
    lists = []
    for _ in range(5):
        order = rng.permutation(n)[: rng.integers(n // 2, n + 1)].tolist()
        lists.append(order)
    votes = ra.Rankings.from_lists(lists, weights=rng.integers(1, 4, 5).tolist())
    p = ra.pairwise_preferences(votes)
    assert np.array_equal(p, majority(votes, "below"))
    m = p - p.T
    flat = np.ascontiguousarray(p).reshape(-1)
    assert _core.ranked_pairs_label(n, flat).tolist() == ref.ranked_pairs_label(m)
    assert _core.smith_set(n, flat).tolist() == ref.smith_set(m).tolist()
    links = np.where(p > p.T, p - p.T, 0.0)
    assert np.array_equal(consensus_module.widest_paths(links), ref.widest_paths(links))
    labels = votes.labels.to_list()
    irv = ra.instant_runoff(votes).table["item"].to_list()
    assert irv == [labels[i] for i in vote_module._instant_runoff_exact(votes)]


def test_instant_runoff_weights_beyond_integer_tallies():
    """Weights spanning 2**-1000 … 2**1000 cannot be scaled to 128-bit tallies: the exact
    rational path answers, the same as pref_voting's split rule would (the heavy ballot wins)."""
    votes = ra.Rankings.from_lists([["a", "b"], ["b", "a"], ["c", "a"]], weights=[2.0**-1000, 2.0**1000, 1.0])
    assert vote_module._whole_weights(votes) is None
    assert ra.instant_runoff(votes).winners == ["b"]
    fine = ra.Rankings.from_lists([["a", ("b", "c")], ["c"]], weights=[0.75, 0.5])
    got = vote_module._whole_weights(fine)
    assert got is not None and got[0] is not None
    assert got[0].tolist() == [3, 2] and got[1] == 2


@settings(max_examples=examples(150), deadline=None)
@given(ballots())
def test_largest_tie_is_the_biggest_group_of_equal_levels(votes):
    """instant_runoff's tally unit comes from the largest tie: the one-compare shortcut and the
    run lengths agree with counting each ranking's levels."""
    groups = [
        max(Counter(votes.levels[lo:hi].tolist()).values(), default=1)
        for lo, hi in zip(votes.offsets[:-1].tolist(), votes.offsets[1:].tolist(), strict=True)
    ]
    assert vote_module._largest_tie(votes) == max(groups, default=1)
