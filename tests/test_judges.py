"""expected_rating, merge_bidirectional and self_play_rewards against hand computations and
plain Python loops."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rankagg as ra
from hypothesis_budget import examples

# ---------------------------------------------------------------- expected_rating


def test_expectation_by_hand():
    probs = {
        "item": ["x"] * 5 + ["y"] * 5,
        "score": [1, 2, 3, 4, 5] * 2,
        "probability": [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.5, 0.0, 0.0, 0.0],
    }
    out = ra.expected_rating(probs)
    assert out.columns == ["item", "rating", "mode"]
    assert out["item"].to_list() == ["x", "y"]
    assert np.allclose(out["rating"].to_numpy(), [0.1 * 2 + 0.2 * 3 + 0.3 * 4 + 0.4 * 5, 1.5])
    assert out["mode"].to_list() == [5, 1]  # y: scores 1 and 2 tie, the smaller one


def test_unnormalised_probabilities_are_normalised():
    p = np.array([[1.0, 2.0, 7.0], [0.05, 0.05, 0.0]])
    assert np.allclose(ra.expected_rating(p, scores=[1, 2, 3]), [2.6, 1.5])
    assert np.allclose(
        ra.expected_rating(p, scores=[1, 2, 3], method="sharpened"),
        ra.expected_rating(p / p.sum(axis=1, keepdims=True), scores=[1, 2, 3], method="sharpened"),
    )


def test_sharpened_by_hand():
    q = np.array([0.1, 0.2, 0.3, 0.4])
    s = np.array([1.0, 2.0, 3.0, 4.0])
    for t in (1.0, 0.2, 3.0):
        w = np.exp(np.log(q / (1 - q)) / t)
        expected = (w * s).sum() / w.sum()
        got = ra.expected_rating(q[None, :], scores=s, method="sharpened", temperature=t)[0]
        assert abs(got - expected) <= 1e-12
    frame = {"item": ["x"] * 4, "score": s, "probability": q}
    assert (
        abs(
            ra.expected_rating(frame, method="sharpened", temperature=1.0)["rating"][0]
            - ra.expected_rating(q[None, :], scores=s, method="sharpened", temperature=1.0)[0]
        )
        <= 1e-12
    )


def test_sharpened_approaches_argmax():
    # scores comonotone with the probabilities: the rating rises to the argmax as T falls
    q = np.array([[0.1, 0.25, 0.3, 0.35 - 1e-3], [0.25, 0.25, 0.25, 0.25], [0.0, 1.0, 0.0, 0.0]])
    s = [1, 2, 3, 4]
    previous = ra.expected_rating(q, scores=s)[0]
    for t in (1.0, 0.1, 0.01, 0.001):
        r = ra.expected_rating(q, scores=s, method="sharpened", temperature=t)
        assert r[0] >= previous - 1e-12
        previous = r[0]
    assert abs(previous - 4) < 1e-6
    r = ra.expected_rating(q, scores=s, method="sharpened", temperature=1e-4)
    assert r[1] == pytest.approx(2.5)  # all equal: the mean
    assert r[2] == 2.0  # probability 1: all the weight


@settings(max_examples=examples(30))
@given(st.integers(1, 6), st.integers(2, 6), st.integers(0, 2**32 - 1), st.sampled_from(["expectation", "sharpened"]))
def test_frame_matches_matrix(m, k, seed, method):
    rng = np.random.default_rng(seed)
    p = rng.random((m, k)) + 1e-3
    scores = np.sort(rng.normal(size=k))
    frame = pl.DataFrame({"item": np.repeat(np.arange(m), k), "score": np.tile(scores, m), "probability": p.ravel()})
    frame = frame.sample(fraction=1.0, shuffle=True, seed=seed % 1000)  # row order does not matter
    out = ra.expected_rating(frame, method=method).sort("item")
    assert np.allclose(
        out["rating"].to_numpy(), ra.expected_rating(p, scores=scores, method=method), rtol=1e-12, atol=1e-12
    )


def test_expected_rating_errors():
    with pytest.raises(ra.MissingColumnError, match="'probability'"):
        ra.expected_rating({"item": ["x"], "score": [1]})
    with pytest.raises(ra.NonFiniteValueError, match=r"'probability'.*rows \[1\]"):
        ra.expected_rating({"item": ["x", "x"], "score": [1, 2], "probability": [0.5, float("nan")]})
    with pytest.raises(ra.RankaggError, match=r"negative.*rows \[0\]"):
        ra.expected_rating({"item": ["x", "x"], "score": [1, 2], "probability": [-0.5, 0.5]})
    with pytest.raises(ra.RankaggError, match=r"rows \[0, 1\]"):
        ra.expected_rating({"item": ["x", "x"], "score": [1, 1], "probability": [0.5, 0.5]})
    with pytest.raises(ra.RankaggError, match=r"summing to 0: \[\('y',\)\]"):
        ra.expected_rating({"item": ["x", "y"], "score": [1, 1], "probability": [0.5, 0.0]})
    with pytest.raises(ra.NullValueError, match="'score'"):
        ra.expected_rating({"item": ["x", "x"], "score": [1, None], "probability": [0.5, 0.5]})
    with pytest.raises(ra.NonFiniteValueError, match=r"rows \[1\]"):
        ra.expected_rating(np.array([[0.5, 0.5], [np.nan, 1.0]]), scores=[1, 2])
    with pytest.raises(ra.RankaggError, match="scores="):
        ra.expected_rating(np.array([[0.5, 0.5]]))
    with pytest.raises(ra.RankaggError, match="temperature"):
        ra.expected_rating(np.array([[0.5, 0.5]]), scores=[1, 2], method="sharpened", temperature=0)
    with pytest.raises(ra.RankaggError, match="method"):
        ra.expected_rating(np.array([[0.5, 0.5]]), scores=[1, 2], method="mean")


# ---------------------------------------------------------------- merge_bidirectional


def test_merge_by_hand():
    j = pl.DataFrame(
        {
            "a": ["x", "y", "x", "z", "y", "w"],
            "b": ["y", "x", "z", "x", "z", "x"],
            "p_a": [0.6, 0.2, 0.3, 0.3, 0.45, 0.9],
            "p_b": [0.2, 0.5, 0.3, 0.3, 0.45, 0.1],
            "p_tie": [0.2, 0.3, 0.4, 0.4, 0.1, 0.0],
        }
    )
    out = ra.merge_bidirectional(j)
    assert out.columns == ["a", "b", "p_a", "p_b", "p_tie", "outcome", "orders"]
    rows = {(r[0], r[1]): r[2:] for r in out.rows()}
    # (x, y): x wins with (0.6 + 0.5) / 2, y with (0.2 + 0.2) / 2, tie 0.25
    assert rows[("x", "y")] == pytest.approx((0.55, 0.2, 0.25, 1.0, 2))
    # (x, z): the tie is the most likely
    assert rows[("x", "z")] == pytest.approx((0.3, 0.3, 0.4, 0.5, 2))
    # (y, z) judged once: equal p_a and p_b is a tie even though the tie is unlikely
    assert rows[("y", "z")] == pytest.approx((0.45, 0.45, 0.1, 0.5, 1))
    assert rows[("w", "x")] == pytest.approx((0.9, 0.1, 0.0, 1.0, 1))
    assert [r[:2] for r in out.rows()] == [("x", "y"), ("x", "z"), ("y", "z"), ("w", "x")]  # first appearance


def test_merge_tolerance():
    j = {"a": ["x", "y"], "b": ["y", "x"], "p_a": [0.5, 0.4], "p_b": [0.4, 0.5], "p_tie": [0.1, 0.1]}
    # merged: p_a = 0.5, p_b = 0.4 (both orders agree x is better)
    assert ra.merge_bidirectional(j)["outcome"].to_list() == [1.0]
    assert ra.merge_bidirectional(j, tolerance=0.05)["outcome"].to_list() == [1.0]
    assert ra.merge_bidirectional(j, tolerance=0.1)["outcome"].to_list() == [0.5]  # |0.5 − 0.4| ≤ 0.1
    # position bias: each order prefers the first shown — merged, a tie
    biased = {"a": ["x", "y"], "b": ["y", "x"], "p_a": [0.7, 0.7], "p_b": [0.3, 0.3]}
    out = ra.merge_bidirectional(biased, p_tie=None)
    assert out.row(0) == ("x", "y", 0.5, 0.5, 0.0, 0.5, 2)


def test_merge_groups_and_single():
    j = pl.DataFrame(
        {
            "prompt": [1, 1, 2, 2],
            "a": ["x", "y", "x", "x"],
            "b": ["y", "x", "y", "z"],
            "p_a": [0.8, 0.1, 0.2, 0.6],
            "p_b": [0.1, 0.8, 0.7, 0.3],
            "p_tie": [0.1, 0.1, 0.1, 0.1],
        }
    )
    out = ra.merge_bidirectional(j, group="prompt")
    assert out.columns[0] == "prompt"
    assert out.select("prompt", "a", "b", "outcome", "orders").rows() == [
        (1, "x", "y", 1.0, 2),
        (2, "x", "y", 0.0, 1),
        (2, "x", "z", 1.0, 1),
    ]
    assert ra.merge_bidirectional(j, group="prompt", single="drop").height == 1
    # without the group, prompt 2's (x, y) would repeat prompt 1's order
    with pytest.raises(ra.RankaggError, match=r"same order twice.*rows \[0, 2\]"):
        ra.merge_bidirectional(j)


def test_merge_feeds_rating_and_consistency():
    j = {
        "a": ["x", "y", "y", "z", "z", "x"],
        "b": ["y", "x", "z", "y", "x", "z"],
        "p_a": [0.7, 0.2, 0.6, 0.3, 0.6, 0.3],
        "p_b": [0.2, 0.7, 0.3, 0.6, 0.3, 0.6],
        "p_tie": [0.1] * 6,
    }
    merged = ra.merge_bidirectional(j)
    c = ra.consistency(merged)
    assert c.cycles == 1  # x > y > z > x
    assert ra.bradley_terry(merged).table.height == 3


def test_merge_errors():
    base = {"a": ["x"], "b": ["y"], "p_a": [0.5], "p_b": [0.5], "p_tie": [0.0]}
    with pytest.raises(ra.MissingColumnError, match="'p_tie'"):
        ra.merge_bidirectional({k: v for k, v in base.items() if k != "p_tie"})
    with pytest.raises(ra.NonFiniteValueError, match=r"'p_b'.*rows \[1\]"):
        ra.merge_bidirectional(
            {"a": ["x", "y"], "b": ["y", "x"], "p_a": [0.5, 0.5], "p_b": [0.5, float("nan")], "p_tie": [0.0, 0.0]}
        )
    with pytest.raises(ra.RankaggError, match=r"negative.*rows \[0\]"):
        ra.merge_bidirectional({**base, "p_a": [-0.1]})
    with pytest.raises(ra.SelfComparisonError, match=r"rows \[0\]"):
        ra.merge_bidirectional({**base, "b": ["x"]})
    with pytest.raises(ra.RankaggError, match="tolerance"):
        ra.merge_bidirectional(base, tolerance=-1)


# ---------------------------------------------------------------- self_play_rewards


def loop_rewards(groups, a, b, outcome, weight):
    wins, n = defaultdict(float), defaultdict(float)
    for g, x, y, o, w in zip(groups, a, b, outcome, weight):
        wins[(g, x)] += o * w
        wins[(g, y)] += (1 - o) * w
        n[(g, x)] += w
        n[(g, y)] += w
    return {k: (wins[k] / n[k] if n[k] > 0 else None, wins[k], n[k]) for k in sorted(n)}


@settings(max_examples=examples(40))
@given(st.integers(1, 60), st.integers(0, 2**32 - 1), st.booleans())
def test_rewards_match_loop(m, seed, weighted):
    rng = np.random.default_rng(seed)
    groups = rng.choice(["p1", "p2", "p3"], m).tolist()
    a = rng.integers(0, 5, m)
    b = (a + rng.integers(1, 5, m)) % 5
    outcome = rng.choice([0.0, 0.5, 1.0, 0.3], m)
    weight = rng.choice([0.0, 1.0, 2.5], m) if weighted else np.ones(m)
    weight[0] = 1.0  # all-zero weights are an EmptyDataError
    frame = pl.DataFrame({"group": groups, "a": a, "b": b, "outcome": outcome, "w": weight})
    out = ra.self_play_rewards(frame, weight="w" if weighted else None)
    expected = loop_rewards(groups, a.tolist(), b.tolist(), outcome, weight)
    assert [(g, s) for g, s in zip(out["group"], out["sample"])] == list(expected)
    for (reward, wins, n), row in zip(expected.values(), out.iter_rows(named=True)):
        assert row["wins"] == pytest.approx(wins, abs=1e-12) and row["n"] == pytest.approx(n, abs=1e-12)
        assert (row["reward"] is None) == (reward is None)
        if reward is not None:
            assert row["reward"] == pytest.approx(reward, abs=1e-12)


def test_rewards_round_robin_is_spo_win_rate():
    """Every pair judged once: the reward is the mean win probability over the others."""
    p = np.array([[0, 0.9, 0.6, 0.5], [0.1, 0, 0.3, 0.8], [0.4, 0.7, 0, 0.2], [0.5, 0.2, 0.8, 0]])
    pairs = [(i, j) for i in range(4) for j in range(i + 1, 4)]
    frame = {"a": [i for i, _ in pairs], "b": [j for _, j in pairs], "outcome": [p[i, j] for i, j in pairs]}
    out = ra.self_play_rewards(frame, group=None)
    assert out.columns == ["sample", "reward", "wins", "n"]
    assert np.allclose(out["reward"].to_numpy(), p.sum(axis=1) / 3)


def test_rewards_other_conventions():
    w = {"prompt": ["q", "q", "q"], "won": ["s1", "s2", "s1"], "lost": ["s2", "s3", "s3"]}
    out = ra.self_play_rewards(w, group="prompt", winner="won", loser="lost", sample="response")
    assert out.columns == ["prompt", "response", "reward", "wins", "n"]
    assert out.rows() == [("q", "s1", 1.0, 2.0, 2.0), ("q", "s2", 0.5, 1.0, 2.0), ("q", "s3", 0.0, 0.0, 2.0)]
    lab = {"group": [0, 0], "a": ["s1", "s2"], "b": ["s2", "s1"], "outcome": ["model_a", "tie"]}
    assert ra.self_play_rewards(lab)["reward"].to_list() == [0.75, 0.25]


def test_rewards_errors():
    with pytest.raises(ra.MissingColumnError, match="'group'"):
        ra.self_play_rewards({"a": ["x"], "b": ["y"], "outcome": [1.0]})
    with pytest.raises(ra.OutcomeRangeError, match=r"rows \[1\]"):
        ra.self_play_rewards({"group": [1, 1], "a": ["x", "y"], "b": ["y", "x"], "outcome": [1.0, 1.5]})
    with pytest.raises(ra.SelfComparisonError, match=r"rows \[0\]"):
        ra.self_play_rewards({"group": [1], "a": ["x"], "b": ["x"], "outcome": [1.0]})
    with pytest.raises(ra.NullValueError, match="'group'"):
        ra.self_play_rewards({"group": [1, None], "a": ["x", "y"], "b": ["y", "x"], "outcome": [1.0, 0.0]})
    assert math.isclose(
        ra.self_play_rewards({"group": [1], "a": ["x"], "b": ["y"], "outcome": [0.25]})["reward"][0], 0.25
    )
