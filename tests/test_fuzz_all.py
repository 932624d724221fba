"""Adversarial inputs for the public functions beyond the rating methods (tests/test_fuzz.py):
voting rules, Kemeny, maximal lotteries, consistency, pair tables from counts, PrefLib text,
distances, benchmark aggregation, defensive aggregation and the judges' helpers. Each call
returns a result that satisfies the method's invariants or raises a documented RankaggError —
never another exception, an InternalError (a caught panic), or a changed input."""

from __future__ import annotations

import functools
import math
import sys
import warnings
from pathlib import Path

import numpy as np
import polars as pl
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import rankagg as ra
from hypothesis_budget import examples

sys.path.insert(0, str(Path(__file__).parent))
from test_fuzz import frames

FUZZ = settings(max_examples=examples(150), suppress_health_check=[HealthCheck.filter_too_much])
ITEMS = ["a", "b", "c", "d", "e", "f"]


def documented(call):
    """Runs ``call``: returns its result, or None when it raised a documented rankagg error."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = call()
    except ra.InternalError:
        raise
    except ra.RankaggError as e:
        event(f"error: {type(e).__name__}")
        return None
    event("result")
    return out


def defect(draw) -> bool:
    """One input in four carries an injected defect; the rest are legal (if extreme)."""
    return draw(st.integers(0, 3)) == 0


@st.composite
def ballots(draw):
    """Rankings of a few items: tie groups, truncation, empty rankings, one item, all tied,
    weights from 0 to 1e12; with a defect, an item repeated, a None, or a NaN/negative weight."""
    out = []
    for _ in range(draw(st.integers(0, 8))):
        items = draw(st.permutations(ITEMS))[: draw(st.integers(0, len(ITEMS)))]
        ranking: list = []
        for x in items:
            if ranking and draw(st.integers(0, 3)) == 0:  # tie with the previous entry
                last = ranking.pop()
                ranking.append((*last, x) if isinstance(last, tuple) else (last, x))
            else:
                ranking.append(x)
        out.append(ranking)
    weights = (
        [draw(st.sampled_from([1.0, 0.0, 1e-12, 1e12, 2.5])) for _ in out] if out and draw(st.booleans()) else None
    )
    if out and defect(draw):
        k = draw(st.integers(0, len(out) - 1))
        kind = draw(st.sampled_from(["repeat", "none", "weight"]))
        if kind == "repeat" and out[k]:
            out[k].append(out[k][0] if not isinstance(out[k][0], tuple) else out[k][0][0])
        elif kind == "none":
            out[k].append(None)
        elif weights is not None:
            weights[k] = draw(st.sampled_from([math.nan, -1.0, math.inf]))
    return out, weights


def check_consensus(c: ra.Consensus, labels: list) -> None:
    t = c.table
    assert sorted(map(str, t["item"].to_list())) == sorted(map(str, labels))
    pos = t["position"].to_list()
    assert pos == sorted(pos) and (not pos or pos[0] == 1)
    first = {x for x, p in zip(t["item"].to_list(), pos) if p == 1}
    assert set(c.winners) == first and len(c.winners) == len(first)
    if c.cost is not None:
        assert c.lower_bound is not None and c.cost >= c.lower_bound - 1e-9 * max(1.0, abs(c.cost))
        assert not c.optimal or abs(c.cost - c.lower_bound) <= 1e-9 * max(1.0, abs(c.cost))
    if c.agreement is not None:
        a = c.agreement["agreement"].drop_nulls().to_numpy()
        assert np.all((a >= -1 - 1e-12) & (a <= 1 + 1e-12))


RULES = [ra.borda, ra.plurality, ra.instant_runoff, ra.copeland, ra.minimax, ra.schulze, ra.ranked_pairs, ra.kemeny]
MAJORITY_RULES = [
    ra.split_cycle,
    ra.stable_voting,
    ra.beat_path,
    ra.river,
    ra.slater,
    ra.top_cycle,
    ra.uncovered_set,
    ra.black,
]
"""The rules of rankagg.majority that take pairwise data too (daunou needs ballots)."""


@FUZZ
@given(ballots(), st.sampled_from(["below", "ignore"]))
def test_rules_on_adversarial_ballots(data, unranked):
    lists, weights = data
    votes = documented(lambda: ra.Rankings.from_lists(lists, weights=weights))
    if votes is None:
        return
    labels = votes.labels.to_list()
    for rule in [*RULES, *MAJORITY_RULES, ra.daunou]:
        kwargs = {} if rule in (ra.plurality, ra.instant_runoff, ra.daunou) else {"unranked": unranked}
        c = documented(functools.partial(rule, votes, **kwargs))
        if c is not None:
            check_consensus(c, labels)
    c = documented(lambda: ra.copeland(votes, unranked=unranked, alpha=1.0))
    if c is not None:
        check_consensus(c, labels)
    check = documented(lambda: ra.axioms(ra.split_cycle, votes, unranked=unranked, max_changes=20))
    if check is not None:
        assert set(check.holds) == {"condorcet_winner", "condorcet_loser", "pareto", "monotonicity"}
        assert check.changes <= 20 and set(check.violations) <= set(check.holds)
    cw = documented(lambda: ra.condorcet_winner(votes, unranked=unranked))
    smith = documented(lambda: ra.smith_set(votes, unranked=unranked))
    if cw is not None and smith is not None:
        assert smith == [cw]
    p = documented(lambda: ra.pairwise_preferences(votes, unranked=unranked))
    if p is not None:
        assert p.shape == (len(labels), len(labels)) and np.all(np.isfinite(p)) and np.all(p >= 0)
    lot = documented(lambda: ra.maximal_lottery(votes))
    if lot is not None:
        prob = lot.table["probability"].to_numpy()
        assert np.all(prob >= -1e-12) and abs(prob.sum() - 1) < 1e-9 and lot.exploitability <= 1e-6


@FUZZ
@given(frames(), st.booleans())
def test_pairwise_methods_on_adversarial_frames(df, weighted):
    before = df.clone()
    kw = {"weight": "w"} if weighted else {}
    items = sorted({x for x in df["a"].to_list() + df["b"].to_list() if x is not None})
    for method in ("exact", "first_order"):
        lot = documented(functools.partial(ra.maximal_lottery, df, method=method, **kw))
        if lot is not None:
            prob = lot.table["probability"].to_numpy()
            assert np.all(prob >= -1e-12) and abs(prob.sum() - 1) < 1e-6
            assert lot.exploitability <= (
                1e-6 if method == "exact" else 1e-3 * max(1.0, float(df["w"].abs().max() or 1.0))
            )
    k = documented(lambda: ra.kemeny(df, **kw))
    if k is not None:
        check_consensus(k, items)
    table = documented(lambda: ra.PairTable.from_comparisons(df, **kw))
    if table is not None:
        for rule in (ra.copeland, ra.schulze, ra.ranked_pairs, ra.borda, *MAJORITY_RULES):
            check_consensus(rule(table), table.labels.to_list())
        back = ra.PairTable.from_counts(table.to_frame(), a="a", b="b")
        assert back.to_frame().equals(table.to_frame())
    c = documented(lambda: ra.consistency(df, **kw))
    if c is not None:
        ratios = c.table["ratio"].drop_nulls().to_numpy()
        assert np.all((ratios >= 0) & (ratios <= 1)) and 0 <= c.intransitive_share <= 1 + 1e-9 and c.cycles >= 0
    assert df.equals(before)


@st.composite
def counts(draw):
    """Reduced counts as another engine would give them (either orientation, repeats, zeros,
    1e12), with at most one defect (null, negative, NaN, infinite, a self-pair)."""
    rows = []
    for _ in range(draw(st.integers(0, 8))):
        a = draw(st.sampled_from(ITEMS))
        b = draw(st.sampled_from([x for x in ITEMS if x != a]))
        rows.append(
            [
                a,
                b,
                draw(st.sampled_from([0, 1, 3, 1e12])),
                draw(st.sampled_from([0, 2, 1e-12])),
                draw(st.sampled_from([0, 1, 0.5])),
            ]
        )
    if rows and defect(draw):
        r, c = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, 4))
        rows[r][c] = (
            rows[r][0] if c == 1 else draw(st.sampled_from([None, -1, math.nan, math.inf] if c >= 2 else [None]))
        )
    return pl.DataFrame(rows, schema=["a", "b", "wins_a", "wins_b", "ties"], orient="row", strict=False)


@FUZZ
@given(counts())
def test_pair_table_from_adversarial_counts(frame):
    t = documented(lambda: ra.PairTable.from_counts(frame))
    if t is not None:
        assert np.all(t.i < t.j) and np.all(np.isfinite(t.wins_i)) and np.all(t.wins_i >= 0) and np.all(t.ties >= 0)
        r = documented(lambda: ra.bradley_terry(t, regularization=1.0))
        assert r is None or np.all(np.isfinite(r.table["score"].to_numpy()))


@FUZZ
@given(
    st.one_of(
        st.binary(max_size=300),
        st.text(max_size=300),
        st.lists(
            st.sampled_from(
                [
                    "# DATA TYPE: soc",
                    "# DATA TYPE: toi",
                    "# NUMBER ALTERNATIVES: 3",
                    "# ALTERNATIVE NAME 1: x",
                    "# ALTERNATIVE NAME 2: y",
                    "# ALTERNATIVE NAME 3: z",
                    "3: 1,2,3",
                    "2: 3,{1,2}",
                    "1: 2",
                    "x: 1,2",
                    "1: 1,1",
                    "-1: 1,2",
                    "1: 4",
                    "",
                    "# NUMBER VOTERS: 6",
                    "1: {1,2},3",
                ]
            ),
            max_size=10,
        ).map("\n".join),
    ),
    st.sampled_from(["soc", "soi", "toc", "toi"]),
)
def test_preflib_reader_on_arbitrary_text(tmp_path_factory, content, suffix):
    path = tmp_path_factory.mktemp("pl") / f"f.{suffix}"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))
    votes = documented(lambda: ra.read_preflib(path))
    if votes is not None:
        assert len(votes) >= 1 and len(votes.labels) >= 1
        assert np.all(np.diff(votes.offsets.astype(np.int64)) >= 0)


@FUZZ
@given(
    st.integers(0, 7).flatmap(
        lambda n: st.tuples(
            st.lists(st.sampled_from([0.0, 1.0, 2.0, -3.5, 1e300]), min_size=n, max_size=n),
            st.lists(st.sampled_from([0.0, 1.0, 2.0]), min_size=n, max_size=n),
        )
    ),
    st.sampled_from(["none", "none", "none", "nan", "inf", "length"]),
)
def test_distances_on_adversarial_vectors(xy, bad):
    x, y = xy
    if bad == "length":
        y = y + [0.0]
    elif bad != "none" and x:
        x[0] = math.nan if bad == "nan" else math.inf
    for f in (ra.kendall_tau, ra.kemeny_distance, ra.spearman_footrule):
        v = documented(functools.partial(f, x, y))
        if v is not None:
            assert len(x) == len(y) and (math.isnan(v) or math.isfinite(v))
            if f is ra.kendall_tau and not math.isnan(v):
                assert -1 - 1e-12 <= v <= 1 + 1e-12


@st.composite
def scores(draw):
    """(task, instance, system) scores, each key once, systems missing from some tasks, equal
    scores; with a defect, a null, a NaN or a duplicated key."""
    rows = [
        [t, i, s, draw(st.sampled_from([0.0, 1.0, 0.5, -2.0, 1e12]))]
        for t in ("t1", "t2", "t3")[: draw(st.integers(1, 3))]
        for i in range(draw(st.integers(1, 2)))
        for s in "xyz"
        if draw(st.integers(0, 3))
    ]
    if rows and defect(draw):
        r = draw(st.integers(0, len(rows) - 1))
        kind = draw(st.sampled_from(["null", "nan", "duplicate"]))
        if kind == "duplicate":
            rows.append(list(rows[r]))
        else:
            rows[r][0 if kind == "null" else 3] = None if kind == "null" else math.nan
    return pl.DataFrame(rows, schema=["task", "instance", "system", "score"], orient="row", strict=False)


@FUZZ
@given(scores(), st.sampled_from(["borda", "kemeny", "mean", "schulze"]), st.booleans())
def test_aggregate_scores_on_adversarial_tables(frame, method, two_level):
    c = documented(lambda: ra.aggregate_scores(frame, method=method, instance="instance" if two_level else None))
    if c is not None:
        check_consensus(c, sorted(set(frame["system"].to_list())))


@st.composite
def utilities(draw):
    """item × observation values with a group per item; with a defect, a null or NaN."""
    rows = [
        [i, o, draw(st.sampled_from([0.0, 0.3, 1.0, -1.0, 1e12])), "g1" if i < "i3" else "g2"]
        for i in ("i1", "i2", "i3", "i4")[: draw(st.integers(1, 4))]
        for o in ("o1", "o2", "o3")
        if draw(st.integers(0, 4))
    ]
    if rows and defect(draw):
        rows[draw(st.integers(0, len(rows) - 1))][draw(st.sampled_from([0, 2]))] = draw(
            st.sampled_from([None, math.nan])
        )
    return pl.DataFrame(rows, schema=["item", "observation", "value", "group"], orient="row", strict=False)


@FUZZ
@given(
    utilities(),
    st.sampled_from(["risk", "better"]),
    st.sampled_from(["utilitarian", "worst_group", "leximin", "quantile", "gini"]),
)
def test_defensive_and_welfare_on_adversarial_tables(frame, higher_is, rule):
    before = frame.clone()
    d = documented(lambda: ra.defensive(frame, group="group", higher_is=higher_is))
    if d is not None:
        assert np.all(np.isfinite(d.table["score"].to_numpy()))
    w = documented(lambda: ra.welfare(frame, item="item", group="observation", value="value", rule=rule))
    if w is not None:
        assert set(w.best) <= set(frame["item"].to_list())
    assert frame.equals(before)


@st.composite
def judgments(draw):
    """Pairs judged in one or both orders with probabilities (0, 1, tiny, equal); with a
    defect, a NaN, infinite or negative probability, or a self-pair."""
    rows = []
    for a, b in (("x", "y"), ("y", "z"), ("x", "z"))[: draw(st.integers(1, 3))]:
        for first, second in ((a, b), (b, a))[: draw(st.integers(1, 2))]:
            rows.append(
                [
                    first,
                    second,
                    draw(st.sampled_from([0.0, 0.7, 1.0, 0.45])),
                    draw(st.sampled_from([0.0, 0.2, 1.0, 0.45])),
                    draw(st.sampled_from([0.1, 0.0])),
                ]
            )
    if defect(draw):
        r = draw(st.integers(0, len(rows) - 1))
        kind = draw(st.sampled_from(["nan", "inf", "negative", "self"]))
        if kind == "self":
            rows[r][1] = rows[r][0]
        else:
            rows[r][2] = {"nan": math.nan, "inf": math.inf, "negative": -0.1}[kind]
    return pl.DataFrame(rows, schema=["a", "b", "p_a", "p_b", "p_tie"], orient="row", strict=False)


@FUZZ
@given(judgments())
def test_judge_helpers_on_adversarial_probabilities(frame):
    merged = documented(lambda: ra.merge_bidirectional(frame))
    if merged is not None:
        assert merged["outcome"].is_in([0.0, 0.5, 1.0]).all()
    probs = frame.select(pl.col("a").alias("item"), pl.col("p_b").alias("score"), pl.col("p_a").alias("probability"))
    rating = documented(lambda: ra.expected_rating(probs))
    if rating is not None:
        assert np.all(np.isfinite(rating["rating"].to_numpy()))
    rewards = documented(
        lambda: ra.self_play_rewards(frame.rename({"p_a": "outcome"}).select("a", "b", "outcome"), group=None)
    )
    if rewards is not None:
        r = rewards["reward"].to_numpy()
        assert np.all((r >= 0) & (r <= 1))
