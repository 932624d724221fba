"""Adversarial inputs for the public functions beyond the rating methods (tests/test_fuzz.py):
voting rules, Kemeny, maximal lotteries, consistency, pair tables from counts, PrefLib text,
distances, benchmark aggregation, defensive aggregation, the judges' helpers, rank metrics and
reward transforms. Each call
returns a result that satisfies the method's invariants or raises a documented RankaggError —
never another exception, an InternalError (a caught panic), or a changed input."""

from __future__ import annotations

import copy
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
    pos = t["rank"].to_list()
    assert pos == sorted(pos) and (not pos or pos[0] == 1)
    first = {x for x, p in zip(t["item"].to_list(), pos) if p == 1}
    assert set(c.winners) == first and len(c.winners) == len(first)
    if c.cost is not None:
        assert c.lower_bound is not None and c.cost >= c.lower_bound - 1e-9 * max(1.0, abs(c.cost))
        assert not c.optimal or abs(c.cost - c.lower_bound) <= 1e-9 * max(1.0, abs(c.cost))
    if c.agreement is not None:
        a = c.agreement["agreement"].drop_nulls().to_numpy()
        assert np.all((a >= -1 - 1e-12) & (a <= 1 + 1e-12))


RULES = [
    ra.borda,
    ra.plurality,
    ra.instant_runoff,
    ra.copeland,
    ra.minimax,
    ra.schulze,
    ra.ranked_pairs,
    ra.kemeny,
    ra.nanson,
    ra.baldwin,
    ra.coombs,
    ra.bucklin,
    ra.weighted_bucklin,
    ra.anti_plurality,
]
RANKINGS_ONLY = (ra.plurality, ra.instant_runoff, ra.coombs, ra.bucklin, ra.weighted_bucklin, ra.anti_plurality)
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
        kwargs = {} if rule in (*RANKINGS_ONLY, ra.daunou) else {"unranked": unranked}
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
@given(ballots(), st.data())
def test_committee_on_adversarial_ballots(data, draw):
    lists, weights = data
    approvals = draw.draw(st.booleans())
    before = (copy.deepcopy(lists), copy.deepcopy(weights))
    if approvals:
        sets = [[x for e in b for x in (e if isinstance(e, tuple) else (e,))] for b in lists]
        votes = documented(lambda: ra.Approvals.from_lists(sets, weights=weights))
    else:
        votes = documented(lambda: ra.Rankings.from_lists(lists, weights=weights))
    assert (lists, weights) == before
    if votes is None:
        return
    labels = votes.labels.to_list()
    k = draw.draw(st.integers(-1, len(ITEMS) + 1))
    groups = None
    if draw.draw(st.booleans()):
        groups = {x: draw.draw(st.sampled_from(["g", "h"])) for x in labels if draw.draw(st.integers(0, 9))}
    bound = st.one_of(
        st.none(), st.integers(-1, 4), st.dictionaries(st.sampled_from(["g", "h", "z"]), st.integers(-1, 4))
    )
    at_least, at_most = draw.draw(bound), draw.draw(bound)
    kept = copy.deepcopy((groups, at_least, at_most))
    for rule in ("k_borda", "sntv", "bloc", "chamberlin_courant", "pav", "stv"):
        c = documented(
            lambda rule=rule: ra.committee(
                votes, k, rule=rule, groups=groups, at_least=at_least, at_most=at_most, node_limit=50
            )
        )
        assert (groups, at_least, at_most) == kept
        if c is None:
            continue
        assert len(set(c.items)) == k == c.table.height and set(c.items) <= set(labels)
        if c.score is not None:
            assert c.upper_bound >= c.score - 1e-9 * max(1.0, abs(c.score))
            assert c.optimal == (c.method == "exact")
        if groups is not None:
            members = [groups[x] for x in c.items]
            for g in set(groups.values()):  # an int bound is for every group that has items
                lo = at_least if isinstance(at_least, int) else (at_least or {}).get(g, 0)
                hi = at_most if isinstance(at_most, int) else (at_most or {}).get(g, k)
                assert lo <= members.count(g) <= hi


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
        for rule in (ra.copeland, ra.schulze, ra.ranked_pairs, ra.borda, ra.nanson, ra.baldwin, *MAJORITY_RULES):
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


@st.composite
def score_tables(draw):
    """Long voter/item/score tables (repeats, zeros, 1e12, booleans, fractions, weights), with at
    most one defect: a null, NaN, infinite or negative score, an item twice for a voter, a text
    score, a weight that varies within a voter."""
    rows = []
    for _ in range(draw(st.integers(0, 10))):
        voter = draw(st.integers(0, 3))
        rows.append(
            [voter, draw(st.sampled_from(ITEMS)), draw(st.sampled_from([0, 1, 5, 2.5, 1e12])), float(voter % 2 + 1)]
        )
    rows = list({(r[0], r[1]): r for r in rows}.values())  # one score per (voter, item) unless a defect repeats one
    kind = draw(st.sampled_from(["none", "value", "repeat", "weight"])) if rows and defect(draw) else "none"
    if kind == "value":
        rows[draw(st.integers(0, len(rows) - 1))][2] = draw(st.sampled_from([None, -1, math.nan, math.inf]))
    elif kind == "repeat":
        rows.append(list(rows[0]))
    elif kind == "weight":
        rows.append([rows[0][0], "zz", 1, rows[0][3] + 1])
    frame = pl.DataFrame(rows, schema=["voter", "item", "score", "w"], orient="row", strict=False)
    if rows and draw(st.integers(0, 7)) == 0:
        frame = frame.with_columns(pl.col("score").cast(pl.String) if kind != "none" else pl.col("score") > 0)
    return frame


@FUZZ
@given(score_tables(), st.booleans(), st.sampled_from(["frame", "dicts", "sets"]))
def test_approval_and_star_on_adversarial_score_tables(frame, weighted, intake):
    before = frame.clone()
    rows = list(zip(frame["voter"].to_list(), frame["item"].to_list(), frame["score"].to_list()))
    if intake == "dicts":
        dicts: dict = {}
        for v, i, s in rows:
            dicts.setdefault(v, {})[i] = s
        ballots = documented(lambda: ra.ScoreBallots.from_dicts(list(dicts.values())))
    elif intake == "sets":
        sets: dict = {}
        for v, i, _ in rows:
            sets.setdefault(v, []).append(i)  # a repeated row repeats the item: an error to name
        weights = [float(k % 3) for k in range(len(sets))] if weighted else None  # 0 is a legal weight
        ballots = documented(lambda: ra.ScoreBallots.from_sets(list(sets.values()), weights=weights))
    else:
        ballots = documented(lambda: ra.ScoreBallots.from_frame(frame, weight="w" if weighted else None))
    for rule in (ra.approval, ra.star):
        c = documented(functools.partial(rule, frame if ballots is None else ballots))
        if c is not None:
            check_consensus(c, ballots.labels.to_list() if ballots is not None else c.table["item"].to_list())
            assert np.all(c.table["score"].to_numpy() >= 0)
    if ballots is not None:
        r = documented(ballots.to_rankings)
        assert r is not None and len(r) == len(ballots)
    assert frame.equals(before)


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
    weighted = functools.partial(ra.kendall_tau, weights="dcg")
    for f in (ra.kendall_tau, ra.kemeny_distance, ra.spearman_footrule, weighted):
        v = documented(functools.partial(f, x, y))
        if v is not None:
            assert len(x) == len(y) and (math.isnan(v) or math.isfinite(v))
            if f in (ra.kendall_tau, weighted) and not math.isnan(v):
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
    w = documented(lambda: ra.welfare(frame, item="item", over="observation", value="value", rule=rule))
    if w is not None:  # by repr: a NaN label is not equal to itself
        assert {repr(x) for x in w.winners} <= {repr(x) for x in frame["item"].to_list()}
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


@st.composite
def ranked_runs(draw):
    """(query, score, relevance) rows: ties, one-document queries, all-irrelevant queries, huge
    and tiny values; with a defect, a null, a NaN, an infinity or a negative relevance."""
    rows = [
        [
            draw(st.sampled_from(["q1", "q2", "q3"])),
            draw(st.sampled_from([0.0, 1.0, 1.0, -2.5, 1e300, -1e300, 5e-324])),
            draw(st.sampled_from([0, 0, 1, 3, 1000])),
        ]
        for _ in range(draw(st.integers(0, 9)))
    ]
    if rows and defect(draw):
        r, c = draw(st.integers(0, len(rows) - 1)), draw(st.sampled_from([0, 1, 2]))
        rows[r][c] = draw(st.sampled_from([None, math.nan, math.inf, -1] if c else [None]))
    schema = {"query": pl.String, "score": pl.Float64, "relevance": pl.Float64}
    return pl.DataFrame(rows, schema=schema, orient="row", strict=False)


@FUZZ
@given(ranked_runs(), st.sampled_from([None, 1, 3, 0, -2]), st.booleans(), st.sampled_from(["linear", "exponential"]))
def test_rank_metrics_on_adversarial_runs(frame, k, grouped, gain):
    before = frame.clone()
    by = "query" if grouped else None
    calls = [
        functools.partial(ra.ndcg, frame, by=by, k=k, gain=gain),
        functools.partial(ra.precision_at_k, frame, by=by, k=k),
        functools.partial(ra.average_precision, frame, by=by, k=k),
        functools.partial(ra.rbo, frame, by=by, k=k, p=0.8),
    ]
    for call in calls:
        out = documented(call)
        if out is not None:
            values = out.table.to_series(1).to_numpy() if isinstance(out, ra.Metric) else np.array([out])
            assert np.all((values >= 0) & (values <= 1 + 1e-12)), values
            if isinstance(out, ra.Metric):
                assert out.table.height == frame["query"].n_unique() and 0 <= out.mean <= 1 + 1e-12
    assert frame.equals(before)
    items = frame["query"].to_list()
    v = documented(lambda: ra.rbo(items, items[::-1], p=0.8, k=k))
    if v is not None:
        assert 0 <= v <= 1 and len(set(items)) == len(items)


@FUZZ
@given(ranked_runs(), judgments(), st.booleans())
def test_ranking_accuracy_and_rewards_on_adversarial_frames(runs, prefs, grouped):
    scores = runs.select(pl.col("query").alias("item"), "score")
    before_s, before_p = scores.clone(), prefs.clone()
    acc = documented(
        lambda: ra.ranking_accuracy(
            scores.with_columns(pl.col("item").replace({"q1": "x", "q2": "y", "q3": "z"})),
            prefs.select("a", "b", pl.col("p_a").alias("outcome")),
        )
    )
    if acc is not None:
        assert 0 <= acc.accuracy <= acc.idealized + 1e-12 <= 1 + 2e-12
    assert scores.equals(before_s) and prefs.equals(before_p)
    rewards = runs.rename({"score": "r1", "relevance": "r2"})
    before = rewards.clone()
    for method in ("log_sigmoid", "sum", "min", "softmin"):
        out = documented(
            lambda method=method: ra.combine_rewards(
                rewards, rewards=["r1", "r2"], prompt="query" if grouped else None, method=method, temperature=0.3
            )
        )
        if out is not None:
            combined = out["combined"].to_numpy()
            assert out.height == rewards.height and not np.isnan(combined).any()
            if method == "log_sigmoid":
                assert np.all(combined <= 0)
    assert rewards.equals(before)
