"""Judge consistency: 3-cycles, k-subset transitivity, Hodge share, score conflicts."""

from __future__ import annotations

import itertools
import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rankagg as ra
from hypothesis_budget import examples
from rankagg import _core
from rankagg.consistency import hodge

# ---------------------------------------------------------------- brute-force oracles

BETTER, WORSE, TIE, MISSING = 1, -1, 0, None


def random_relation(n: int, seed: int, p_tie: float = 0.2, p_missing: float = 0.2) -> np.ndarray:
    """A preference matrix whose majority relation is random: strict, tied or unjudged pairs."""
    rng = np.random.default_rng(seed)
    w = np.zeros((n, n))
    for i, j in itertools.combinations(range(n), 2):
        u = rng.random()
        if u < p_missing:
            continue
        if u < p_missing + p_tie:
            w[i, j] = w[j, i] = rng.integers(1, 3)
        elif rng.random() < 0.5:
            w[i, j] = rng.integers(1, 4)
            w[j, i] = rng.integers(0, int(w[i, j]))
        else:
            w[j, i] = rng.integers(1, 4)
            w[i, j] = rng.integers(0, int(w[j, i]))
    return w


def verdict(w: np.ndarray, i: int, j: int):
    if w[i, j] == 0 and w[j, i] == 0:
        return MISSING
    return BETTER if w[i, j] > w[j, i] else WORSE if w[i, j] < w[j, i] else TIE


def weak_orders(k: int):
    """Every weak order on k items, as a rank vector (equal ranks = tied)."""
    for ranks in itertools.product(range(k), repeat=k):
        used = sorted(set(ranks))
        if used == list(range(len(used))):  # each weak order once
            yield ranks


WEAK = {k: list(weak_orders(k)) for k in range(3, 6)}


def admits_weak_order(w: np.ndarray, items) -> bool:
    k = len(items)
    for ranks in WEAK[k]:
        ok = True
        for x, y in itertools.combinations(range(k), 2):
            v = verdict(w, items[x], items[y])
            if (
                (v == BETTER and not ranks[x] < ranks[y])
                or (v == WORSE and not ranks[x] > ranks[y])
                or (v == TIE and ranks[x] != ranks[y])
            ):
                ok = False
                break
        if ok:
            return True
    return False


def is_cycle(w, a, b, c) -> bool:
    v = (verdict(w, a, b), verdict(w, b, c), verdict(w, c, a))
    return v in ((BETTER,) * 3, (WORSE,) * 3)


def brute(w: np.ndarray, k: int) -> tuple[int, int, int, int]:
    n = len(w)
    complete = bad = cyc = tie = 0
    for items in itertools.combinations(range(n), k):
        if any(verdict(w, x, y) is MISSING for x, y in itertools.combinations(items, 2)):
            continue
        complete += 1
        bad += not admits_weak_order(w, items)
        triples = list(itertools.combinations(items, 3))
        c = any(is_cycle(w, *t) for t in triples)
        t_ = any(not admits_weak_order(w, t) and not is_cycle(w, *t) for t in triples)
        cyc += c
        tie += t_
    return complete, bad, cyc, tie


def brute_cycles(w: np.ndarray) -> int:
    return sum(is_cycle(w, *t) for t in itertools.combinations(range(len(w)), 3))


def prefs(w: np.ndarray, labels=None) -> ra.Preferences:
    n = len(w)
    return ra.Preferences(labels if labels is not None else [f"m{i:02d}" for i in range(n)], w)


# ---------------------------------------------------------------- 3-cycles and subsets


@settings(max_examples=examples(60))
@given(st.integers(3, 8), st.integers(0, 2**32 - 1), st.sampled_from([0.0, 0.2, 0.5]), st.sampled_from([0.0, 0.2, 0.5]))
def test_counts_match_brute_force(n, seed, p_tie, p_missing):
    w = random_relation(n, seed, p_tie, p_missing)
    c = ra.consistency(prefs(w))
    assert c.cycles == brute_cycles(w) == _core._three_cycles(w.ravel(), n)
    for row in c.table.iter_rows(named=True):
        assert row["exact"]
        assert (row["subsets"], row["inconsistent"], row["with_cycle"], row["with_tie"]) == brute(w, row["k"])


@settings(max_examples=examples(25))
@given(st.integers(3, 90), st.integers(0, 2**32 - 1))
def test_three_cycles_of_tournaments(n, seed):
    """Complete tournaments (the O(n²) formula) and partial ones (direct counting)."""
    w = random_relation(n, seed, p_tie=0.0, p_missing=0.0)
    scores = (w > w.T).sum(axis=1)
    expected = math.comb(n, 3) - sum(math.comb(int(s), 2) for s in scores)
    assert _core._three_cycles(w.ravel(), n) == expected
    if n <= 40:
        assert expected == brute_cycles(w)
    partial = random_relation(n, seed, p_tie=0.1, p_missing=0.3)
    a = (partial > partial.T).astype(float)
    assert _core._three_cycles(partial.ravel(), n) == round(np.trace(a @ a @ a) / 3)


def test_transitive_input():
    s = np.array([3.0, 1.5, 0.0, -1.0, 2.0])
    w = np.maximum(s[:, None] - s[None, :], 0.0)  # margins are exact differences of potentials
    c = ra.consistency(prefs(w))
    assert c.cycles == 0
    assert c.intransitive_share <= 1e-12
    assert c.non_transitivity == {3: 0.0, 4: 0.0, 5: 0.0}
    # A tree of comparisons (every flow on a tree is a gradient).
    path = np.zeros((5, 5))
    for i in range(4):
        path[i, i + 1] = 1.0 + i
    c = ra.consistency(prefs(path))
    assert c.cycles == 0 and c.intransitive_share <= 1e-12
    assert c.table["subsets"].to_list() == [0, 0, 0]


def test_probability_flow_gradient():
    s = np.array([0.2, -0.1, 0.05, 0.0])
    p = 0.5 + (s[:, None] - s[None, :]) / 2  # P(i ≻ j) − P(j ≻ i) = s_i − s_j
    np.fill_diagonal(p, 0)
    res, total = hodge(10 * p, "probability")
    assert total > 0 and res / total <= 1e-12
    assert ra.consistency(prefs(10 * p), flow="probability").intransitive_share <= 1e-12


def test_rock_paper_scissors():
    rps = {"a": ["rock", "paper", "scissors"], "b": ["scissors", "rock", "paper"], "outcome": [1, 1, 1]}
    c = ra.consistency(rps)
    assert c.cycles == 1
    assert abs(c.intransitive_share - 1.0) <= 1e-12
    assert c.non_transitivity[3] == 1.0
    assert c.table.row(0, named=True)["with_cycle"] == 1
    assert "1 3-cycle," in repr(c) and "non-transitivity k=3: 1 of 1" in repr(c)


def test_single_ranking_share():
    """One ranking a > b > c: ordinal-consistent, but its ±1 margins are not a gradient."""
    c = ra.consistency(ra.Rankings.from_lists([["a", "b", "c"]]))
    assert c.cycles == 0 and c.non_transitivity[3] == 0.0
    assert abs(c.intransitive_share - 1 / 9) <= 1e-12


@settings(max_examples=examples(25))
@given(st.integers(3, 9), st.integers(0, 2**32 - 1))
def test_relabelling_invariance(n, seed):
    w = random_relation(n, seed)
    perm = np.random.default_rng(seed).permutation(n)
    a = ra.consistency(prefs(w), flow="margin")
    b = ra.consistency(prefs(w[np.ix_(perm, perm)]))
    assert (a.cycles, a.pairs, a.ties) == (b.cycles, b.pairs, b.ties)
    assert a.table.equals(b.table)
    assert abs(a.intransitive_share - b.intransitive_share) <= 1e-9
    # Also through comparison rows whose labels sort differently.
    rows = [(i, j) for i in range(n) for j in range(n) if i != j for _ in range(int(w[i, j]))]
    if rows:
        names = [f"z{(7 * i) % 11}-{i}" for i in range(n)]
        frame = {"a": [names[i] for i, _ in rows], "b": [names[j] for _, j in rows], "outcome": [1.0] * len(rows)}
        c = ra.consistency(frame)
        assert c.cycles == a.cycles and c.table.drop("drawn").equals(a.table.drop("drawn"))


def test_sampled_subsets():
    w = random_relation(30, 5, p_tie=0.15, p_missing=0.1)
    exact = ra.consistency(prefs(w), k=[4, 5])
    est = ra.consistency(prefs(w), k=[4, 5], exact_limit=10, samples=200_000, seed=3)
    again = ra.consistency(prefs(w), k=[4, 5], exact_limit=10, samples=200_000, seed=3)
    assert est.table.equals(again.table)
    assert not any(est.table["exact"]) and est.table["drawn"].to_list() == [200_000, 200_000]
    for x in (4, 5):
        assert abs(est.non_transitivity[x] - exact.non_transitivity[x]) < 0.01
    other = ra.consistency(prefs(w), k=[4], exact_limit=10, samples=200_000, seed=4)
    assert not other.table.equals(est.table.filter(pl.col("k") == 4))


def test_groups_sum_separate_calls():
    rng = np.random.default_rng(0)
    frames, parts = [], []
    for g in range(3):
        n = 6
        a = rng.integers(0, n, 40)
        b = (a + rng.integers(1, n, 40)) % n
        part = pl.DataFrame({"prompt": [f"p{g}"] * 40, "a": a, "b": b, "outcome": rng.choice([0.0, 0.5, 1.0], 40)})
        frames.append(part)
        parts.append(ra.consistency(part.drop("prompt")))
    # rows of the groups interleaved: results must not depend on the row order
    data = pl.concat(frames).sample(fraction=1.0, shuffle=True, seed=1)
    c = ra.consistency(data, group="prompt")
    assert c.cycles == sum(p.cycles for p in parts)
    assert c.pairs == sum(p.pairs for p in parts)
    assert c.table["inconsistent"].to_list() == list(np.sum([p.table["inconsistent"].to_list() for p in parts], axis=0))
    assert c.groups["prompt"].to_list() == ["p0", "p1", "p2"]
    assert c.groups["cycles"].to_list() == [p.cycles for p in parts]
    assert np.allclose(c.groups["intransitive_share"].to_numpy(), [p.intransitive_share for p in parts])


def test_score_conflicts_against_loop():
    rng = np.random.default_rng(2)
    n = 7
    w = random_relation(n, 9, p_tie=0.3, p_missing=0.2)
    labels = [f"m{i}" for i in range(n)]
    ratings = rng.integers(1, 4, n).astype(float)
    c = ra.consistency(prefs(w, labels), scores=dict(zip(labels, ratings)), score_tolerance=0.0)
    expected = []
    for i, j in itertools.combinations(range(n), 2):
        v = verdict(w, i, j)
        if v is MISSING:
            continue
        by_score = TIE if ratings[i] == ratings[j] else BETTER if ratings[i] > ratings[j] else WORSE
        if by_score != v:
            expected.append((labels[i], labels[j]))
    assert c.score_pairs == c.pairs
    assert c.score_conflicts == len(expected)
    assert list(zip(c.conflicts["a"], c.conflicts["b"])) == expected
    assert c.conflict_rate == len(expected) / c.pairs
    # a tolerance turns near ratings into ties
    loose = ra.consistency(prefs(w, labels), scores=dict(zip(labels, ratings)), score_tolerance=10)
    assert loose.score_conflicts == int((w[np.triu_indices(n, 1)] != w.T[np.triu_indices(n, 1)]).sum())


def test_scores_from_expected_rating_per_group():
    verdicts = pl.DataFrame(
        {"prompt": ["p", "p", "q"], "a": ["x", "y", "x"], "b": ["y", "z", "y"], "outcome": [1.0, 1.0, 0.0]}
    )
    probs = pl.DataFrame(
        {
            "prompt": ["p"] * 6 + ["q"] * 4,
            "item": ["x", "x", "y", "y", "z", "z", "x", "x", "y", "y"],
            "score": [1, 2] * 5,
            "probability": [0.1, 0.9, 0.5, 0.5, 0.9, 0.1, 0.2, 0.8, 0.6, 0.4],
        }
    )
    ratings = ra.expected_rating(probs, item=["prompt", "item"])
    c = ra.consistency(verdicts, group="prompt", scores=ratings)
    # p: x 1.9 > y 1.5 > z 1.1 agrees; q: y (1.4) beat x (1.8): a conflict
    assert c.score_conflicts == 1 and c.score_pairs == 3
    assert c.conflicts.rows() == [("q", "x", "y", 0.0, 1.8, 1.4)]
    assert c.groups["score_conflicts"].to_list() == [0, 1]


def test_errors():
    good = {"a": ["x", "y"], "b": ["y", "z"], "outcome": [1.0, 0.0]}
    with pytest.raises(ra.MissingColumnError, match="'winner'"):
        ra.consistency({"a": ["x"], "b": ["y"]}, outcome="winner")
    with pytest.raises(ra.MissingColumnError, match="'prompt'"):
        ra.consistency(good, group="prompt")
    with pytest.raises(ra.RankaggError, match="between 3 and 6"):
        ra.consistency(good, k=[2, 3])
    with pytest.raises(ra.UnknownItemError, match="'z'"):
        ra.consistency(good, scores={"x": 1.0, "y": 2.0})
    with pytest.raises(ra.NonFiniteValueError, match=r"rows \[1\]"):
        ra.consistency(good, scores={"item": ["x", "y", "z"], "rating": [1.0, float("nan"), 2.0]})
    with pytest.raises(ra.RankaggError, match="rate the same item twice"):
        ra.consistency(good, scores={"item": ["x", "x", "y", "z"], "rating": [1.0, 2.0, 1.0, 1.0]})
    with pytest.raises(ra.RankaggError, match="comparison rows"):
        ra.consistency(prefs(np.zeros((3, 3))), group="prompt")
    with pytest.raises(ra.OutcomeRangeError, match=r"rows \[1\]"):
        ra.consistency({"g": [1, 2], "a": ["x", "y"], "b": ["y", "z"], "outcome": [1.0, 2.0]}, group="g")
    with pytest.raises(ra.SelfComparisonError):
        ra.consistency({"a": ["x", "y"], "b": ["y", "y"], "outcome": [1.0, 0.0]})
