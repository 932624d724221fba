"""Decision 37 against the methods before it and the reference Python
(``rankagg.reference.vote``), on profiles with few distinct margins and many majority ties,
where the methods take different routes: Schulze's strongest paths by thresholds (against the
incremental method and NumPy's Floyd–Warshall), ranked pairs' label locking by runs of one
winner (against one edge at a time and the Python), and the majority matrix's narrow counters
(i16 codes, u16 lanes) against its definition."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rankagg as ra
from hypothesis_budget import examples
from rankagg import _core
from rankagg.errors import RankaggError
from rankagg.reference import vote as ref

METHODS = ("auto", "incremental", "thresholds")


def paths(links: np.ndarray, method: str) -> np.ndarray:
    d = np.array(links, dtype=np.float64, order="C")
    _core.widest_paths(len(d), d.reshape(-1), method)
    return d


def schulze_by_floyd_warshall(p: np.ndarray, strength: str) -> tuple[np.ndarray, np.ndarray]:
    """Schulze's position and score as the Python computed them before: NumPy paths, then
    d > dᵀ."""
    d = ref.widest_paths(np.where(p > p.T, p if strength == "winning_votes" else p - p.T, 0.0))
    above = d > d.T
    return 1 + above.sum(axis=0), above.sum(axis=1).astype(float)


@st.composite
def few_margins(draw):
    """Few voters with coarse random utilities over 2–90 items: majority ties and equal
    margins abound (the thresholds' case), sometimes truncated ballots and whole weights."""
    n = draw(st.integers(2, 90))
    voters = draw(st.integers(1, 7))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    lists = []
    for _ in range(voters):
        order = rng.permutation(n)
        keep = n if draw(st.booleans()) else int(rng.integers(1, n + 1))
        lists.append(order[:keep].tolist())
    weights = draw(st.none() | st.lists(st.integers(0, 3), min_size=voters, max_size=voters))
    return ra.Rankings.from_lists(lists, weights=weights)


@settings(max_examples=examples(60), deadline=None)
@given(few_margins())
def test_ranked_pairs_runs_equal_one_by_one_and_the_python(votes):
    p = ra.pairwise_preferences(votes)
    flat = np.ascontiguousarray(p).reshape(-1)
    want = ref.ranked_pairs_label(p - p.T)
    assert _core.ranked_pairs_label(len(p), flat).tolist() == want
    assert _core.ranked_pairs_label(len(p), flat, True).tolist() == want
    fractional = p * 1.0009765625 ** np.arange(p.size).reshape(p.shape)  # distinct margins: the sorted runs
    want = ref.ranked_pairs_label(fractional - fractional.T)
    assert _core.ranked_pairs_label(len(p), np.ascontiguousarray(fractional).reshape(-1)).tolist() == want


@settings(max_examples=examples(60), deadline=None)
@given(few_margins(), st.sampled_from(["winning_votes", "margin"]))
def test_thresholds_equal_incremental_and_floyd_warshall(votes, strength):
    p = ra.pairwise_preferences(votes)
    links = np.where(p > p.T, p if strength == "winning_votes" else p - p.T, 0.0)
    want = ref.widest_paths(links)
    for method in METHODS:
        assert np.array_equal(paths(links, method), want), method
    consensus = ra.schulze(votes, strength=strength)
    position, score = schulze_by_floyd_warshall(p, strength)
    labels = votes.labels.to_list()
    table = consensus.table
    assert dict(zip(table["item"].to_list(), table["rank"].to_list())) == dict(zip(labels, position.tolist()))
    assert dict(zip(table["item"].to_list(), table["score"].to_list())) == dict(zip(labels, score.tolist()))


@pytest.mark.parametrize("n", [130, 400])
def test_many_items_few_strengths(n):
    """Several bitset words, components of every size per threshold: sparse high levels, a
    giant component at the low ones (random links with six strengths)."""
    rng = np.random.default_rng(n)
    links = np.where(rng.random((n, n)) < 0.02 + 6.0 / n, rng.integers(1, 7, (n, n)).astype(float), 0.0)
    want = paths(links, "incremental")
    assert np.array_equal(paths(links, "thresholds"), want)
    assert np.array_equal(paths(links, "auto"), want)
    if n == 130:
        assert np.array_equal(ref.widest_paths(links), want)


def test_threshold_limits_and_bad_input():
    many = np.arange(400 * 400, dtype=np.float64).reshape(400, 400)  # 160,000 distinct strengths
    with pytest.raises(RankaggError, match="at most 255 distinct"):
        paths(many, "thresholds")
    assert np.array_equal(paths(many[:60, :60], "auto"), ref.widest_paths(many[:60, :60]))
    with pytest.raises(RankaggError, match="method"):
        paths(many[:3, :3], "floyd")


@pytest.mark.parametrize("levels", ["strict", "ties", "deep"])
def test_narrow_counters_equal_the_definition(levels):
    """Several chunks of voters (u16 lanes flushed into P per chunk of ≤ 1,024; u32 lanes when a
    chunk's weights pass 2¹⁶), complete strict rankings (upper triangle, blocked transpose),
    ties, and levels past i16 (i32 codes)."""
    rng = np.random.default_rng(len(levels))
    n, voters = 70, 3_000
    items = np.argsort(rng.random((voters, n)), axis=1).astype(np.uint32)
    level = np.tile(np.arange(n, dtype=np.uint32), (voters, 1))
    if levels == "ties":
        level = np.sort(rng.integers(0, 9, (voters, n)), axis=1).astype(np.uint32)
    elif levels == "deep":
        level = level * np.uint32(1000)  # up to 69,000: past i16
    weights = None if levels == "strict" else rng.integers(0, 3, voters).astype(np.float64)
    flat = lambda a: np.ascontiguousarray(a).reshape(-1)  # noqa: E731
    offsets = np.arange(0, voters * n + 1, n, dtype=np.uint64)
    got = _core.pairwise_preferences(n, offsets, flat(items), flat(level), weights, True).reshape(n, n)
    position = np.empty((voters, n), dtype=np.int64)
    np.put_along_axis(position, items.astype(np.int64), level.astype(np.int64), axis=1)
    w = np.ones(voters) if weights is None else weights
    want = np.stack([w @ (position[:, i : i + 1] < position) for i in range(n)])
    assert np.array_equal(got, want)
    if levels == "strict":  # a chunk's weights past 2¹⁶: u32 lanes
        heavy = np.full(voters, 70.0)
        got = _core.pairwise_preferences(n, offsets, flat(items), flat(level), heavy, True).reshape(n, n)
        assert np.array_equal(got, want * 70.0)
