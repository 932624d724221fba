"""Rank metrics (rankagg.metrics) and the position-weighted Kendall τ: against scikit-learn's
ndcg_score / average_precision_score, scipy's weightedtau, brute force over the orders of tied
documents, a direct transcription of RBO's formula (Webber et al. 2010, eq. 32) and a double
loop for ranking accuracy; errors name the column, rows or items; inputs are not modified."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import polars as pl
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import average_precision_score, ndcg_score

import rankagg as ra
from hypothesis_budget import examples
from rankagg import metrics


@st.composite
def runs(draw, min_docs=1, max_docs=6):
    """Queries of various lengths with small integer scores (many ties) and relevances 0-3."""
    rows = []
    for q in range(draw(st.integers(1, 4))):
        for _ in range(draw(st.integers(min_docs, max_docs))):
            rows.append((f"q{q}", draw(st.integers(0, 3)), draw(st.integers(0, 3))))
    return pl.DataFrame(rows, schema=["query", "score", "relevance"], orient="row")


def tie_orders(scores):
    """Every order of the documents by decreasing score (tied documents in any order)."""
    levels = sorted(set(scores), reverse=True)
    groups = [[i for i, s in enumerate(scores) if s == level] for level in levels]
    for parts in itertools.product(*(itertools.permutations(g) for g in groups)):
        yield [i for part in parts for i in part]


def brute_force(frame, per_order, by="query"):
    """Per query (sorted), the mean of per_order(relevances in ranked order, all relevances)
    over every order of the tied documents."""
    out = []
    for _, part in sorted(frame.group_by(by), key=lambda kv: kv[0]):
        s, rel = part["score"].to_list(), part["relevance"].to_list()
        values = [per_order([rel[i] for i in order], rel) for order in tie_orders(s)]
        out.append(sum(values) / len(values))
    return out


def dcg(gains, k):
    return sum(g / math.log2(p + 2) for p, g in enumerate(gains[:k]))


@settings(max_examples=examples(100), deadline=None)
@given(runs(min_docs=2), st.sampled_from([None, 1, 2, 3, 7]), st.sampled_from(["linear", "exponential"]))
def test_ndcg_equals_brute_force_over_tie_orders(frame, k, gain):
    kk = k or 100
    f = (lambda r: r) if gain == "linear" else (lambda r: 2.0**r - 1)

    def per_order(ranked, rel):
        ideal = dcg(sorted(map(f, rel), reverse=True), kk)
        return dcg([f(r) for r in ranked], kk) / ideal if ideal > 0 else 0.0

    m = ra.ndcg(frame, by="query", k=k, gain=gain)
    expected = brute_force(frame, per_order)
    assert m.table["query"].to_list() == sorted(set(frame["query"]))
    np.testing.assert_allclose(m.table["ndcg"].to_numpy(), expected, rtol=1e-12, atol=1e-15)
    assert m.mean == pytest.approx(np.mean(expected), rel=1e-12) and float(m) == m.mean


@settings(max_examples=examples(60), deadline=None)
@given(st.integers(1, 5), st.integers(2, 8), st.sampled_from([None, 1, 3, 10]), st.randoms(use_true_random=False))
def test_ndcg_equals_scikit_learn(n_queries, n_docs, k, rnd):
    rng = np.random.default_rng(rnd.randint(0, 2**32))
    y_true = rng.integers(0, 4, (n_queries, n_docs)).astype(float)
    y_score = rng.integers(0, 3, (n_queries, n_docs)) / 2.0  # ties on purpose
    frame = pl.DataFrame(
        {"query": np.repeat(np.arange(n_queries), n_docs), "score": y_score.ravel(), "relevance": y_true.ravel()}
    )
    m = ra.ndcg(frame, by="query", k=k)
    assert m.mean == pytest.approx(ndcg_score(y_true, y_score, k=k), rel=1e-12, abs=1e-15)
    per_query = [ndcg_score(y_true[i : i + 1], y_score[i : i + 1], k=k) for i in range(n_queries)]
    np.testing.assert_allclose(m.table["ndcg"].to_numpy(), per_query, rtol=1e-12, atol=1e-15)
    one = frame.filter(pl.col("query") == 0)
    assert ra.ndcg(one, k=k) == pytest.approx(per_query[0], rel=1e-12, abs=1e-15)


@settings(max_examples=examples(100), deadline=None)
@given(runs(), st.sampled_from([None, 1, 2, 4, 9]))
def test_precision_at_k_equals_brute_force(frame, k):
    def per_order(ranked, rel):
        cut = len(rel) if k is None else k
        return sum(r > 0 for r in ranked[:cut]) / cut

    m = ra.precision_at_k(frame, by="query", k=k)
    np.testing.assert_allclose(m.table["precision"].to_numpy(), brute_force(frame, per_order), rtol=1e-12)


@settings(max_examples=examples(100), deadline=None)
@given(runs())
def test_average_precision_equals_scikit_learn_with_ties(frame):
    m = ra.average_precision(frame, by="query")
    for (q,), part in frame.group_by("query"):
        relevant = (part["relevance"].to_numpy() > 0).astype(int)
        got = m.table.filter(pl.col("query") == q)["average_precision"].item()
        if relevant.sum() == 0:
            assert got == 0.0  # scikit-learn warns and returns 0 too, but for another reason
        else:
            assert got == pytest.approx(average_precision_score(relevant, part["score"].to_numpy()), rel=1e-12)


@settings(max_examples=examples(100), deadline=None)
@given(st.permutations(range(8)), st.lists(st.integers(0, 2), min_size=8, max_size=8), st.integers(1, 9))
def test_average_precision_at_k_without_ties_is_the_textbook_sum(order, rel, k):
    ranked = [rel[i] > 0 for i in order]  # order[p] = the document at position p
    total = sum(r > 0 for r in rel)
    hits, expected = 0, 0.0
    for p, hit in enumerate(ranked[:k]):
        hits += hit
        expected += hits / (p + 1) if hit else 0.0
    expected = expected / total if total else 0.0
    score = np.empty(8)
    score[list(order)] = np.arange(8, 0, -1)
    got = ra.average_precision({"score": score, "relevance": rel}, k=k)
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-15)


def rbo_formula(x, y, p):
    """RBO_ext transcribed from Webber, Moffat & Zobel (2010), eq. 32 (S the shorter list)."""
    S, L = (x, y) if len(x) <= len(y) else (y, x)
    s, big_l = len(S), len(L)

    def X(d):
        return len(set(S[:d]) & set(L[:d]))

    total = sum(X(d) / d * p**d for d in range(1, big_l + 1))
    total += sum(X(s) * (d - s) / (s * d) * p**d for d in range(s + 1, big_l + 1))
    return (1 - p) / p * total + ((X(big_l) - X(s)) / big_l + X(s) / s) * p**big_l


@settings(max_examples=examples(100), deadline=None)
@given(
    st.lists(st.integers(0, 12), min_size=1, max_size=10, unique=True),
    st.lists(st.integers(0, 12), min_size=1, max_size=10, unique=True),
    st.sampled_from([0.1, 0.5, 0.9, 0.98]),
)
def test_rbo_equals_the_papers_formula(x, y, p):
    got = ra.rbo(x, y, p=p)
    assert got == pytest.approx(rbo_formula(x, y, p), rel=1e-12, abs=1e-15)
    assert got == pytest.approx(ra.rbo(y, x, p=p), rel=1e-12, abs=1e-15)  # symmetric
    assert 0.0 <= got <= 1.0
    assert ra.rbo(x, y, p=p, k=3) == pytest.approx(rbo_formula(x[:3], y[:3], p), rel=1e-12, abs=1e-15)


@settings(max_examples=examples(60), deadline=None)
@given(runs(max_docs=5), st.sampled_from([0.3, 0.9]), st.sampled_from([None, 1, 3]))
def test_rbo_of_a_frame_is_the_mean_over_tie_orders_per_query(frame, p, k):
    """The frame form, per query: the mean of the list form over every order of the tied
    documents in both rankings (brute force), and ``by=`` equal to a loop over the queries."""
    before = frame.clone()
    got = ra.rbo(frame, by="query", p=p, k=k)
    expected = {}
    for (query,), part in frame.group_by("query"):
        score, rel = part["score"].to_list(), part["relevance"].to_list()
        values = [ra.rbo(a, b, p=p, k=k) for a in tie_orders(score) for b in tie_orders(rel)]
        expected[query] = float(np.mean(values))
        assert ra.rbo(part, p=p, k=k) == pytest.approx(expected[query], rel=1e-12, abs=1e-15)
    assert dict(got.table.rows()) == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert got.mean == pytest.approx(np.mean(list(expected.values())), rel=1e-12)
    assert got.table.columns == ["query", "rbo"] and got.table["query"].is_sorted()
    assert frame.equals(before)


def test_rbo_of_a_frame_without_ties_is_the_list_form():
    rng = np.random.default_rng(5)
    docs = [f"d{i}" for i in range(40)]
    score, rel = rng.permutation(40).astype(float), rng.normal(size=40)
    frame = pd.DataFrame({"doc": docs, "s": score, "r": rel})
    by_score = [docs[i] for i in np.argsort(-score)]
    by_rel = [docs[i] for i in np.argsort(-rel)]
    for k in (None, 5, 100):
        assert ra.rbo(frame, score="s", relevance="r", item="doc", k=k) == pytest.approx(
            ra.rbo(by_score, by_rel, k=k), rel=1e-12
        )


def test_rbo_form_errors():
    frame = {"score": [1, 2], "relevance": [2, 1]}
    assert "pass no y" in str(error_of(lambda: ra.rbo(frame, ["a"])))
    assert "two lists" in str(error_of(lambda: ra.rbo(["a", "b"])))
    assert "by= name columns of a frame" in str(error_of(lambda: ra.rbo(["a"], ["a"], by="query")))
    assert isinstance(error_of(lambda: ra.rbo({"score": [1], "rel": [1]})), ra.MissingColumnError)
    e = error_of(lambda: ra.rbo({"score": [1.0, math.nan], "relevance": [1, 2]}))
    assert isinstance(e, ra.NonFiniteValueError) and "rows [1]" in str(e)
    dup = {"score": [1, 2], "relevance": [1, 2], "doc": ["a", "a"]}
    assert "twice" in str(error_of(lambda: ra.rbo(dup, item="doc")))
    assert ra.rbo({"score": [1, 2], "relevance": [-7.0, -5.0]}) == 1.0  # relevance may be any score


def test_rbo_limits():
    assert ra.rbo(list("abcdef"), list("abcdef")) == pytest.approx(1.0)
    assert ra.rbo(list("abc"), list("xyz")) == 0.0
    assert ra.rbo(["a"], ["a", "b", "c"]) == pytest.approx(1.0)  # the short list agrees with the top
    # a swap at the top costs more than the same swap at the bottom
    assert ra.rbo(list("bacdef"), list("abcdef")) < ra.rbo(list("abcdfe"), list("abcdef"))


@st.composite
def judged(draw):
    """Scores for a few items per group (ties) and judgments of their pairs (soft outcomes,
    repeats in both directions, weights)."""
    groups = draw(st.integers(1, 3))
    items = ["u", "v", "w", "x"]
    scores = [(g, i, float(draw(st.integers(0, 2)))) for g in range(groups) for i in items]
    prefs = []
    for _ in range(draw(st.integers(1, 12))):
        g = draw(st.integers(0, groups - 1))
        a, b = draw(st.permutations(items))[:2]
        prefs.append((g, a, b, draw(st.sampled_from([0.0, 0.25, 0.5, 1.0])), draw(st.sampled_from([1.0, 2.0, 0.5]))))
    return (
        pl.DataFrame(scores, schema=["group", "item", "score"], orient="row"),
        pl.DataFrame(prefs, schema=["group", "a", "b", "outcome", "w"], orient="row"),
    )


@settings(max_examples=examples(100), deadline=None)
@given(judged())
def test_ranking_accuracy_equals_a_double_loop(data):
    scores, prefs = data
    score = {(g, i): s for g, i, s in scores.iter_rows()}
    credit, weight, wins = 0.0, 0.0, {}
    for g, a, b, o, w in prefs.iter_rows():
        sa, sb = score[g, a], score[g, b]
        credit += w * (o if sa > sb else 1 - o if sa < sb else 0.5)
        weight += w
        for winner, loser, share in ((a, b, o), (b, a, 1 - o)):
            wins[g, winner, loser] = wins.get((g, winner, loser), 0.0) + w * share
    best = 0.0
    for (g, x, y), v in wins.items():
        if x < y:
            best += max(v, wins[g, y, x])
    acc = ra.ranking_accuracy(scores, prefs, weight="w", by="group")
    assert acc.accuracy == pytest.approx(credit / weight, rel=1e-12)
    assert acc.idealized == pytest.approx(best / weight, rel=1e-12)
    assert acc.weight == pytest.approx(weight)
    assert acc.accuracy <= acc.idealized + 1e-12
    table = acc.table
    assert table is not None and (table["weight"].sum()) == pytest.approx(weight)
    assert (table["accuracy"] <= table["idealized"] + 1e-12).all()
    # one group alone agrees with the ungrouped call on that group's rows
    g0 = table["group"][0]
    alone = ra.ranking_accuracy(scores.filter(pl.col("group") == g0), prefs.filter(pl.col("group") == g0), weight="w")
    assert alone.accuracy == pytest.approx(table["accuracy"][0]) and alone.table is None


@settings(max_examples=examples(20), deadline=None)
@given(judged())
def test_ranking_accuracy_large_key_paths_agree(data):
    """The fallbacks for key spaces too large for a packed key or a dense table (forced by
    lowering the limits) give the same numbers."""
    scores, prefs = data
    fast = ra.ranking_accuracy(scores, prefs, weight="w", by="group")
    limits = (metrics._PACKED_LIMIT, metrics._DENSE_SLACK)
    try:
        metrics._PACKED_LIMIT, metrics._DENSE_SLACK = 1, -(10**9)
        slow = ra.ranking_accuracy(scores, prefs, weight="w", by="group")
    finally:
        metrics._PACKED_LIMIT, metrics._DENSE_SLACK = limits
    assert (slow.accuracy, slow.idealized, slow.weight) == (fast.accuracy, fast.idealized, fast.weight)
    assert slow.table is not None and fast.table is not None and slow.table.equals(fast.table)


def test_ranking_accuracy_winner_loser_and_a_perfect_scorer():
    scores = {"item": [1, 2, 3], "score": [3.0, 2.0, 1.0]}
    prefs = {"w": [1, 1, 2], "l": [2, 3, 3]}
    acc = ra.ranking_accuracy(scores, prefs, winner="w", loser="l")
    assert (acc.accuracy, acc.idealized) == (1.0, 1.0)
    reversed_scores = {"item": [1, 2, 3], "score": [1.0, 2.0, 3.0]}
    assert ra.ranking_accuracy(reversed_scores, prefs, winner="w", loser="l").accuracy == 0.0


@settings(max_examples=examples(60), deadline=None)
@given(
    st.integers(2, 12).flatmap(
        lambda n: st.tuples(
            st.lists(st.integers(0, 4), min_size=n, max_size=n), st.lists(st.integers(0, 4), min_size=n, max_size=n)
        )
    )
)
def test_weighted_kendall_tau_equals_scipy(xy):
    x, y = (np.asarray(v, dtype=float) for v in xy)
    for weights, weigher in (("dcg", lambda r: 1 / np.log2(r + 2)), ("hyperbolic", None)):
        expected = scipy.stats.weightedtau(x, y, weigher=weigher).statistic
        got = ra.kendall_tau(x, y, weights=weights)
        assert (math.isnan(got) and math.isnan(expected)) or got == pytest.approx(expected, rel=1e-12, abs=1e-14)
        assert ra.kendall_tau(-x, -y, weights=weights, top="smallest") == pytest.approx(got, nan_ok=True)
    assert ra.kendall_tau(x, y) == pytest.approx(scipy.stats.kendalltau(x, y).statistic, nan_ok=True)


def test_weighted_kendall_tau_with_mappings():
    x = {"a": 1, "b": 2, "c": 3, "d": 4}
    y = {"a": 2, "b": 1, "c": 3, "d": 4}
    top_swap = ra.kendall_tau(x, y, weights="dcg", top="smallest")
    bottom_swap = ra.kendall_tau(x, {"a": 1, "b": 2, "c": 4, "d": 3}, weights="dcg", top="smallest")
    assert top_swap < bottom_swap < 1 and ra.kendall_tau(x, x, weights="dcg") == pytest.approx(1.0)


def test_pandas_and_lazy_inputs_give_the_same_numbers_and_are_not_modified():
    data = {"q": ["a", "a", "a", "b", "b"], "s": [0.3, 0.1, 0.3, 2.0, 1.0], "r": [1, 2, 0, 0, 1]}
    frame = pl.DataFrame(data)
    pdf = pd.DataFrame(data)
    before, pdf_before = frame.clone(), pdf.copy()
    for f in (ra.ndcg, ra.precision_at_k, ra.average_precision):
        ref = f(frame, score="s", relevance="r", by="q", k=2)
        for other in (pdf, frame.lazy(), data):
            got = f(other, score="s", relevance="r", by="q", k=2)
            assert got.table.equals(ref.table) and got.mean == ref.mean
    assert frame.equals(before) and pdf.equals(pdf_before)
    scores = pd.DataFrame({"item": ["x", "y"], "score": [1.0, 0.0]})
    prefs = pd.DataFrame({"a": ["x", "y"], "b": ["y", "x"], "outcome": [1.0, 1.0]})
    s_before, p_before = scores.copy(), prefs.copy()
    assert ra.ranking_accuracy(scores, prefs).accuracy == 0.5
    assert scores.equals(s_before) and prefs.equals(p_before)


def error_of(call):
    with pytest.raises(ra.RankaggError) as info:
        call()
    return info.value


def test_errors_name_the_column_rows_or_items():
    good = {"score": [1.0, 2.0, 3.0], "relevance": [0, 1, 2]}
    e = error_of(lambda: ra.ndcg({"score": [1.0], "rel": [1]}))
    assert isinstance(e, ra.MissingColumnError) and "'relevance'" in str(e)
    e = error_of(lambda: ra.ndcg(good, by="query"))
    assert isinstance(e, ra.MissingColumnError) and "'query' (by=)" in str(e)
    e = error_of(lambda: ra.precision_at_k({"score": [1.0, math.nan, 2.0], "relevance": [0, 1, 1]}, k=1))
    assert isinstance(e, ra.NonFiniteValueError) and "'score'" in str(e) and "rows [1]" in str(e)
    e = error_of(lambda: ra.average_precision({"score": [1.0, None], "relevance": [0, 1]}))
    assert isinstance(e, ra.NullValueError) and "rows [1]" in str(e)
    e = error_of(lambda: ra.ndcg({"score": [1.0, 2.0], "relevance": [0, -1]}))
    assert "negative" in str(e) and "rows [1]" in str(e)
    e = error_of(lambda: ra.ndcg({"score": [1.0, 2.0], "relevance": [0, 2000]}, gain="exponential"))
    assert "rows [1]" in str(e)
    e = error_of(lambda: ra.ndcg({"q": [1, 1, 2], "doc": ["a", "a", "a"], **good}, by="q", item="doc"))
    assert "same document (column 'doc', item=) twice within one query (column 'q', by=): rows [0, 1]" in str(e)
    assert ra.ndcg({"q": [1, 2, 2], "doc": ["a", "a", "b"], **good}, by="q", item="doc").table.height == 2
    assert "rename it" in str(error_of(lambda: ra.ndcg({"ndcg": [1, 1, 2], **good}, by="ndcg")))
    for k in (0, -1, 1.5, True):
        assert "k must be" in str(error_of(lambda k=k: ra.ndcg(good, k=k)))
    assert "gain must be" in str(error_of(lambda: ra.ndcg(good, gain="log")))
    assert isinstance(error_of(lambda: ra.ndcg({"score": [], "relevance": []})), ra.EmptyDataError)
    assert "must be numeric" in str(error_of(lambda: ra.ndcg({"score": ["a"], "relevance": [1]})))
    e = error_of(lambda: ra.rbo(["a", "b", "a"], ["a"]))
    assert "x lists 1 item(s) more than once: ['a']" in str(e)
    assert "more than once" in str(error_of(lambda: ra.rbo(["a", "b", "a"], ["a"], k=1)))  # beyond k too
    assert isinstance(error_of(lambda: ra.rbo([], ["a"])), ra.EmptyDataError)
    assert "p must be" in str(error_of(lambda: ra.rbo(["a"], ["a"], p=1.0)))
    assert "list of items" in str(error_of(lambda: ra.rbo("abc", ["a"])))
    assert "k must be" in str(error_of(lambda: ra.rbo(["a"], ["a"], k=0)))
    assert "weights must be" in str(error_of(lambda: ra.kendall_tau([1, 2], [2, 1], weights="log")))
    assert "top must be" in str(error_of(lambda: ra.kendall_tau([1, 2], [2, 1], weights="dcg", top="up")))


def test_ranking_accuracy_errors():
    scores = {"item": ["x", "y"], "score": [1.0, 0.0]}
    prefs = {"a": ["x", "y", "z"], "b": ["y", "z", "x"], "outcome": [1, 1, 0]}
    e = error_of(lambda: ra.ranking_accuracy(scores, prefs))
    assert isinstance(e, ra.UnknownItemError) and "['z']" in str(e) and "rows [1, 2]" in str(e)
    e = error_of(lambda: ra.ranking_accuracy({"item": ["x", "x"], "score": [1.0, 2.0]}, prefs))
    assert "repeat" in str(e) and "rows [0, 1]" in str(e)
    e = error_of(lambda: ra.ranking_accuracy({"item": ["x", "y"], "score": [1.0, math.inf]}, prefs))
    assert isinstance(e, ra.NonFiniteValueError) and "rows [1]" in str(e)
    e = error_of(lambda: ra.ranking_accuracy({"item": [1, 2], "score": [1.0, 2.0]}, prefs))
    assert "dtypes" in str(e)
    e = error_of(lambda: ra.ranking_accuracy(scores, {"a": ["x"], "b": ["x"], "outcome": [1]}))
    assert isinstance(e, ra.SelfComparisonError)
    assert "rename it" in str(error_of(lambda: ra.ranking_accuracy(scores, prefs, by="weight")))
    e = error_of(lambda: ra.ranking_accuracy(scores, {"a": ["x"], "b": ["y"], "outcome": [1]}, by="g"))
    assert isinstance(e, ra.MissingColumnError)
    grouped = {"g": [1, 1], "item": ["x", "y"], "score": [1.0, 0.0]}
    e = error_of(lambda: ra.ranking_accuracy(grouped, {"g": [2], "a": ["x"], "b": ["y"], "outcome": [1]}, by="g"))
    assert isinstance(e, ra.UnknownItemError) and "(2, 'x')" in str(e)
    e = error_of(lambda: ra.ranking_accuracy(scores, {"a": ["x"], "b": ["y"], "outcome": [1], "w": [0.0]}, weight="w"))
    assert isinstance(e, ra.EmptyDataError)
