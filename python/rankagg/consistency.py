"""How consistent are a judge's verdicts (and ratings)? Transitivity, cycles and Hodge theory.

:func:`consistency` reads pairwise verdicts (comparison rows, a :class:`rankagg.PairTable`,
:class:`rankagg.Rankings` or a :class:`rankagg.Preferences` matrix, optionally per ``group``
such as a prompt) and reports:

- **pairwise transitivity inconsistency** (TrustJudge's *non-transitivity ratio*: Wang et al.,
  "TrustJudge: Inconsistencies of LLM-as-a-Judge and How to Alleviate Them", 2025): among the
  k-subsets of items whose pairs were all judged, the share whose verdicts admit no weak
  order — a cycle ``A ≻ B ≻ C ≻ A`` or a contradiction through a tie (``A ~ B``, ``B ~ C``,
  ``A ≻ C``) — for k = 3, 4, 5;
- the number of **3-cycles** of the majority tournament (Kendall & Babington Smith, "On the
  method of paired comparisons", Biometrika 1940: ``C(n, 3) − Σ C(s_i, 2)`` for a complete
  tournament with scores ``s_i``);
- the **intransitive share** of the preference flow (Jiang, Lim, Yao & Ye, "Statistical ranking
  and combinatorial Hodge theory", Math. Programming 2011): the skew-symmetric margins on the
  comparison graph minus their least-squares gradient (the best fit ``s_i − s_j`` by item
  potentials), as a share of the flow's squared norm — the curl and harmonic parts;
- with ``scores=``, **score–comparison inconsistency** (TrustJudge): the judged pairs whose
  verdict disagrees with the order of the items' ratings, counted and listed.

The counting runs in Rust (``rust/core/src/consistency.rs``), on bitsets, in parallel.

>>> import rankagg as ra
>>> rps = {"a": ["rock", "paper", "scissors"], "b": ["scissors", "rock", "paper"], "outcome": [1, 1, 1]}
>>> c = ra.consistency(rps)
>>> c.cycles, c.non_transitivity[3], round(c.intransitive_share, 12)
(1, 1.0, 1.0)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import polars as pl

from rankagg import _core
from rankagg._util import MAX_SHOWN, sorted_rank
from rankagg.budget import check_dense, dense_peak
from rankagg.checks import one_of
from rankagg.errors import NonFiniteValueError, RankaggError, UnknownItemError
from rankagg.intake import Frame, check_no_nulls, factorize, index_labels_in_errors, select_columns
from rankagg.intervals import check_seed
from rankagg.pairs import Comparisons, PairTable
from rankagg.preferences import Preferences, Unranked, preference_matrix
from rankagg.rankings import Rankings

__all__ = ["Consistency", "consistency"]

Flow = Literal["margin", "probability"]


@dataclass(frozen=True, repr=False)
class Consistency:
    """The consistency report of a set of pairwise verdicts (summed over groups, if any).

    ``items``, ``pairs`` (pairs with a verdict) and ``ties`` (pairs judged equal); ``cycles``:
    strict 3-cycles of the majority relation; ``intransitive_share``: ‖curl + harmonic‖² /
    ‖flow‖² of the Hodge decomposition, in [0, 1] (0 when the flow is zero);
    ``table``: one row per subset size k — ``subsets`` (k-subsets with every pair judged),
    ``inconsistent`` (those admitting no weak order), ``ratio`` (inconsistent / subsets, null
    when there are none), ``with_cycle`` and ``with_tie`` (subsets containing a strict 3-cycle,
    and a contradiction through a tie; a subset can have both), ``exact`` (false: estimated
    from ``drawn`` random k-subsets). With scores: ``score_pairs`` (judged pairs whose items
    both have a rating), ``score_conflicts`` and ``conflicts`` (those pairs: ``a``, ``b``,
    ``outcome`` of the verdict, ``rating_a``, ``rating_b``). With groups: ``groups``, the same
    statistics per group.
    """

    items: int
    pairs: int
    ties: int
    cycles: int
    intransitive_share: float
    table: pl.DataFrame
    score_pairs: int | None = None
    score_conflicts: int | None = None
    conflicts: pl.DataFrame | None = None
    groups: pl.DataFrame | None = None

    @property
    def non_transitivity(self) -> dict[int, float | None]:
        """k → the share of fully judged k-subsets that admit no weak order."""
        return dict(zip(self.table["k"].to_list(), self.table["ratio"].to_list()))

    @property
    def conflict_rate(self) -> float | None:
        """Score–comparison conflicts / judged pairs with ratings (None without scores)."""
        if self.score_pairs is None or self.score_conflicts is None:
            return None
        return self.score_conflicts / self.score_pairs if self.score_pairs else 0.0

    def __repr__(self) -> str:
        lines = [
            f"Consistency({self.items} items, {self.pairs} judged pairs ({self.ties} tied), "
            f"{self.cycles} 3-cycle{'' if self.cycles == 1 else 's'}, intransitive share {self.intransitive_share:.4g})"
        ]
        for row in self.table.iter_rows(named=True):
            ratio = "—" if row["ratio"] is None else f"{row['ratio']:.4g}"
            how = "" if row["exact"] else f" (estimated from {row['drawn']} random subsets)"
            lines.append(f"  non-transitivity k={row['k']}: {row['inconsistent']} of {row['subsets']} = {ratio}{how}")
        if self.score_pairs is not None:
            lines.append(
                f"  score–comparison conflicts: {self.score_conflicts} of {self.score_pairs} = {self.conflict_rate:.4g}"
            )
        if self.groups is not None:
            lines.append(f"  {self.groups.height} groups")
        return "\n".join(lines)


def _components(adj: np.ndarray) -> list[np.ndarray]:
    """Connected components of a symmetric boolean adjacency matrix (breadth-first, numpy)."""
    n = len(adj)
    label = np.full(n, -1)
    comps: list[np.ndarray] = []
    for start in range(n):
        if label[start] >= 0:
            continue
        label[start] = len(comps)
        members = [np.array([start])]
        frontier = members[0]
        while frontier.size:
            nxt = np.flatnonzero(adj[frontier].any(axis=0) & (label < 0))
            label[nxt] = len(comps)
            members.append(nxt)
            frontier = nxt
        comps.append(np.sort(np.concatenate(members)))
    return comps


def hodge(w: np.ndarray, flow: Flow = "margin") -> tuple[float, float]:
    """(‖flow − gradient‖², ‖flow‖²) of the edge flow of a preference matrix ``w``.

    The flow lives on the pairs that met (``w[i, j] + w[j, i] > 0``): ``"margin"``: ``y_ij =
    w[i, j] − w[j, i]`` with unit edge weights; ``"probability"``: ``y_ij = (w[i, j] − w[j, i])
    / (w[i, j] + w[j, i])`` weighted by the number of comparisons (Jiang et al.'s binary
    comparison flow). The gradient component minimises ``Σ c_ij (y_ij − (s_i − s_j))²``; it is
    found per connected component from the graph Laplacian (one potential fixed at 0).

    >>> import numpy as np
    >>> hodge(np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]]))  # a pure 3-cycle: no gradient part
    (3.0, 3.0)
    """
    if not one_of(flow, ("margin", "probability")):
        raise RankaggError(f"flow must be 'margin' or 'probability', not {flow!r}")
    w = np.asarray(w, dtype=np.float64)
    tot = w + w.T
    met = tot > 0
    np.fill_diagonal(met, False)
    # Dense n × n: edge weights c (0 off the graph) and the skew-symmetric flow y.
    if flow == "margin":
        c = met.astype(np.float64)
        y = w - w.T
    else:
        c = np.where(met, tot, 0.0)
        y = np.where(met, (w - w.T) / np.where(met, tot, 1.0), 0.0)
    total = 0.5 * float(np.sum(c * y * y))
    if total == 0.0:
        return 0.0, 0.0
    lap = np.diag(c.sum(axis=1)) - c
    div = (c * y).sum(axis=1)
    s = np.zeros(len(w))
    for comp in _components(met):
        if len(comp) > 1:
            sub = comp[1:]
            s[sub] = np.linalg.solve(lap[np.ix_(sub, sub)], div[sub])
    r = y - (s[:, None] - s[None, :])
    return 0.5 * float(np.sum(c * r * r)), total


def _verdicts(w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Judged pairs i < j and the majority verdict's outcome (1: i ≻ j, 0: j ≻ i, 0.5: tie)."""
    iu, ju = np.nonzero(np.triu((w + w.T) > 0, 1))
    d = w[iu, ju] - w[ju, iu]
    return iu, ju, np.where(d > 0, 1.0, np.where(d < 0, 0.0, 0.5))


def _scores_frame(scores: Frame | Mapping[Any, float], group: str | None, item: str, rating: str) -> pl.DataFrame:
    """(group?, item, rating) with checks: nulls, finite ratings, one rating per item."""
    if isinstance(scores, Mapping) and not all(
        isinstance(v, (list, tuple, np.ndarray, pl.Series)) for v in scores.values()
    ):
        if group is not None:
            raise RankaggError("with group=, pass scores as a frame with the group, item= and rating= columns")
        frame = pl.DataFrame({"item": list(scores.keys()), "rating": [float(v) for v in scores.values()]}, strict=False)
        keys = ["item"]
        item, rating = "item", "rating"
    else:
        cols = ([("group", group)] if group is not None else []) + [("item", item), ("rating", rating)]
        frame = select_columns(scores, cols)
        for keyword, name in cols:
            check_no_nulls(frame, name, keyword)
        keys = ([group] if group is not None else []) + [item]
    r = frame.get_column(rating)
    if not r.dtype.is_numeric():
        raise RankaggError(f"scores column {rating!r} (rating=) must be numeric, not {r.dtype}")
    v = r.cast(pl.Float64).to_numpy()
    bad = np.flatnonzero(~np.isfinite(v))
    if len(bad):
        raise NonFiniteValueError(
            f"scores column {rating!r} (rating=) has {len(bad)} NaN or infinite value(s): rows {bad[:MAX_SHOWN].tolist()}"
        )
    dup = frame.select(pl.struct(keys).is_duplicated()).to_series()
    if dup.any():
        raise RankaggError(
            f"scores: {int(dup.sum())} row(s) rate the same item twice: rows {dup.arg_true().head(MAX_SHOWN).to_list()}"
        )
    out = frame.select(*keys, pl.Series("_rating", v))
    return out.rename({item: "_item"})


def _matrices(
    data: Any, group: str | None, columns: dict[str, Any], unranked: Unranked
) -> tuple[list[Any], list[Preferences], str | None]:
    """Group labels (Series of length 1, sorted; [None] without groups), their preference
    matrices, and the group column's name."""
    if group is None:
        return [None], [preference_matrix(data, unranked=unranked, **columns)], None
    if isinstance(data, (PairTable, Rankings, Preferences, np.ndarray)):
        raise RankaggError("group= needs comparison rows (a frame with the group column)")
    comps = Comparisons.from_frame(data, **columns)
    comps.pair_table()  # validates every row, with row numbers
    o, w = comps.row_values()
    gframe = select_columns(data, [("group", group)])
    check_no_nulls(gframe, group, "group")
    (cg,), glabels = factorize([gframe.get_column(group)])
    grank = sorted_rank(glabels)[cg]
    ra_, rb_ = comps.rank[comps.a].astype(np.int64), comps.rank[comps.b].astype(np.int64)
    order = np.argsort(grank, kind="stable")
    bounds = np.searchsorted(grank[order], np.arange(len(glabels) + 1))
    labels, mats = [], []
    sorted_labels = glabels.sort()
    for k in range(len(sorted_labels)):
        rows = order[bounds[k] : bounds[k + 1]]
        items = np.unique(np.concatenate([ra_[rows], rb_[rows]]))
        la, lb = np.searchsorted(items, ra_[rows]), np.searchsorted(items, rb_[rows])
        check_dense((len(items), len(items)), f"the preference matrix of group {sorted_labels[k]!r}")
        mat = np.zeros((len(items), len(items)))
        np.add.at(mat, (la, lb), o[rows] * w[rows])
        np.add.at(mat, (lb, la), (1.0 - o[rows]) * w[rows])
        labels.append(sorted_labels.slice(k, 1))
        mats.append(Preferences(comps.labels.gather(pl.Series(items, dtype=pl.UInt32)), mat))
    return labels, mats, group


@index_labels_in_errors
@dense_peak(9, "consistency")
def consistency(
    data: Frame | PairTable | Rankings | Preferences,
    *,
    scores: Frame | Mapping[Any, float] | None = None,
    a: str = "a",
    b: str = "b",
    outcome: str = "outcome",
    weight: str | None = None,
    outcomes: Mapping[Any, float] | None = None,
    winner: str | None = None,
    loser: str | None = None,
    group: str | None = None,
    item: str = "item",
    rating: str = "rating",
    score_tolerance: float = 0.0,
    k: Sequence[int] = (3, 4, 5),
    exact_limit: int = 100,
    samples: int = 100_000,
    seed: int = 0,
    flow: Flow = "margin",
    unranked: Unranked = "below",
) -> Consistency:
    """Transitivity, 3-cycles, Hodge intransitivity and score–comparison conflicts of pairwise
    verdicts.

    ``data``: comparison rows (same keywords as :func:`rankagg.bradley_terry`; e.g. the output
    of :func:`rankagg.merge_bidirectional`), a :class:`rankagg.PairTable`,
    :class:`rankagg.Rankings` or :class:`rankagg.Preferences`. Each pair's verdict is its
    majority: ``i ≻ j`` when i was preferred more often (ties count half each way), a tie when
    equally often, none when the pair was never judged. ``group``: a column of the rows (e.g.
    the prompt); items are compared within their group only, and counts are summed over groups
    (the intransitive share pools the squared norms), with per-group rows in ``.groups``.

    Transitivity (TrustJudge's non-transitivity ratio, for each size in ``k``, 3 ≤ k ≤ 6): a
    k-subset counts when all its pairs are judged, and is inconsistent when its verdicts admit
    no weak order (a complete relation is a weak order exactly when each of its triples is).
    Triples are counted exactly at any size (O(n³/64) word operations, or O(n²) for a complete
    tournament without ties); for k ≥ 4, exactly (enumerating subsets, cost about C(n, k − 1))
    when a group has at most ``exact_limit`` items, and otherwise estimated from ``samples``
    random k-subsets drawn with ``seed`` (``.table["exact"]`` is then false; ``subsets`` and
    ``inconsistent`` count the draws). TrustJudge's code also splits inconsistencies into
    "circle" and "equal" types by the order in which a triple is read; ``with_cycle``
    (a strict 3-cycle) and ``with_tie`` (a contradiction involving a tie) do not depend on it.

    Hodge (Jiang et al. 2011): ``flow="margin"`` takes ``y_ij = W[i, j] − W[j, i]`` on the
    pairs that met; ``"probability"`` takes ``P(i ≻ j) − P(j ≻ i)`` weighted by the number of
    comparisons. The share is 0 for a flow that is a difference of potentials and 1 for a pure
    cycle. It measures cardinal, not just ordinal, inconsistency: the single ranking a > b > c
    gives margins +1, +1 and +1 (a over c), which no potentials reproduce, so its share is 1/9
    although it has no cycle.

    Scores (``scores=``): a frame with ``item`` and ``rating`` columns (plus the group column
    with ``group=``; e.g. the output of :func:`rankagg.expected_rating`) or a mapping item →
    rating. A judged pair conflicts when its verdict differs from the ratings' order, the
    ratings counting as tied when ``|rating_a − rating_b| ≤ score_tolerance`` (TrustJudge's
    score–comparison inconsistency). Every judged item needs a rating.

    >>> import rankagg as ra
    >>> verdicts = {"a": ["x", "y", "x", "x"], "b": ["y", "z", "z", "w"], "outcome": [1, 1, 0.5, 1]}
    >>> c = ra.consistency(verdicts, scores={"x": 3.0, "y": 2.0, "z": 1.0, "w": 3.0})
    >>> c.cycles, c.non_transitivity[3], c.score_conflicts, c.conflicts.rows()
    (0, 1.0, 2, [('w', 'x', 0.0, 3.0, 3.0), ('x', 'z', 0.5, 3.0, 1.0)])
    >>> c.table.select("k", "subsets", "inconsistent", "with_tie").rows()
    [(3, 1, 1, 1), (4, 0, 0, 0), (5, 0, 0, 0)]
    """
    sizes = [k] if isinstance(k, numbers.Integral) else list(k) if isinstance(k, list | tuple | range) else None
    if sizes is None or not all(isinstance(x, numbers.Integral) and not isinstance(x, bool) for x in sizes):
        raise RankaggError(f"k must be a subset size or a list of them (integers 3 to 6), not {k!r:.80}")
    ks = [int(x) for x in sizes]
    if not ks or any(not 3 <= x <= 6 for x in ks) or len(set(ks)) != len(ks):
        raise RankaggError(f"k must list distinct subset sizes between 3 and 6, got {k!r}")
    if not one_of(flow, ("margin", "probability")):
        raise RankaggError(f"flow must be 'margin' or 'probability', not {flow!r}")
    if not (
        isinstance(score_tolerance, int | float)
        and not isinstance(score_tolerance, bool)
        and math.isfinite(score_tolerance)
        and score_tolerance >= 0
    ):
        raise RankaggError(f"score_tolerance must be a finite number ≥ 0, not {score_tolerance!r}")
    if not (isinstance(samples, int) and not isinstance(samples, bool) and 0 < samples < 2**63):
        raise RankaggError(f"samples must be a positive integer, not {samples!r}")
    if not (isinstance(exact_limit, int) and not isinstance(exact_limit, bool) and 0 <= exact_limit < 2**63):
        raise RankaggError(f"exact_limit must be an integer >= 0, not {exact_limit!r}")
    check_seed(seed)
    columns = dict(a=a, b=b, outcome=outcome, weight=weight, outcomes=outcomes, winner=winner, loser=loser)
    glabels, mats, gname = _matrices(data, group, columns, unranked)
    score_table = None if scores is None else _scores_frame(scores, group, item, rating)

    per_group = []
    sums = np.zeros((len(ks), 5), dtype=np.int64)  # subsets, inconsistent, with_cycle, with_tie, drawn
    exact = np.ones(len(ks), dtype=bool)
    totals = dict(items=0, pairs=0, ties=0, cycles=0, res=0.0, norm=0.0, score_pairs=0, score_conflicts=0)
    conflict_parts = []
    by_group: dict[Any, pl.DataFrame] = {}
    if score_table is not None and gname is not None:
        by_group = {key[0]: part.drop(gname) for key, part in score_table.partition_by(gname, as_dict=True).items()}
    for lab, pref in zip(glabels, mats):
        n = pref.n_items
        wmat = np.ascontiguousarray(pref.matrix)
        r = _core.consistency_counts(wmat.ravel(), n, ks, exact_limit=exact_limit, samples=samples, seed=seed)
        block = np.array(
            [r["subsets"], r["inconsistent"], r["with_cycle"], r["with_tie"], r["drawn"]], dtype=np.int64
        ).T
        sums += block
        exact &= np.array(r["exact"], dtype=bool)
        res, norm = hodge(wmat, flow)
        row: dict[str, Any] = {} if gname is None else {gname: lab.item()}
        row.update(
            items=n,
            pairs=r["pairs"],
            ties=r["ties"],
            cycles=r["cycles"],
            intransitive_share=res / norm if norm > 0 else 0.0,
        )
        for x, (sub, inc, *_rest) in zip(ks, block):
            row[f"non_transitivity_{x}"] = inc / sub if sub else None
        totals["items"] += n
        totals["pairs"] += r["pairs"]
        totals["ties"] += r["ties"]
        totals["cycles"] += r["cycles"]
        totals["res"] += res
        totals["norm"] += norm
        if score_table is not None:
            if lab is None or gname is None:
                group_scores = score_table
            else:
                group_scores = by_group.get(lab.item(), score_table.drop(gname).clear())
            part = _score_conflicts(pref, group_scores, gname, lab, score_tolerance, item)
            row.update(score_pairs=part.height, score_conflicts=int(part.get_column("_conflict").sum()))
            totals["score_pairs"] += row["score_pairs"]
            totals["score_conflicts"] += row["score_conflicts"]
            conflict_parts.append(part.filter(pl.col("_conflict")).drop("_conflict"))
        per_group.append(row)

    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = [float(s[1] / s[0]) if s[0] else None for s in sums]
    table = pl.DataFrame(
        {
            "k": ks,
            "subsets": sums[:, 0],
            "inconsistent": sums[:, 1],
            "ratio": pl.Series(ratio, dtype=pl.Float64),
            "with_cycle": sums[:, 2],
            "with_tie": sums[:, 3],
            "exact": exact,
            "drawn": sums[:, 4],
        }
    )
    conflicts = None
    if score_table is not None:
        conflicts = pl.concat(conflict_parts) if conflict_parts else None
    return Consistency(
        items=int(totals["items"]),
        pairs=int(totals["pairs"]),
        ties=int(totals["ties"]),
        cycles=int(totals["cycles"]),
        intransitive_share=totals["res"] / totals["norm"] if totals["norm"] > 0 else 0.0,
        table=table,
        score_pairs=None if score_table is None else int(totals["score_pairs"]),
        score_conflicts=None if score_table is None else int(totals["score_conflicts"]),
        conflicts=conflicts,
        groups=None
        if gname is None
        else pl.DataFrame(per_group, schema_overrides={f"non_transitivity_{x}": pl.Float64 for x in ks}),
    )


def _score_conflicts(
    pref: Preferences, scores: pl.DataFrame, gname: str | None, glabel: pl.Series | None, tolerance: float, item: str
) -> pl.DataFrame:
    """The judged pairs of one group (``glabel``: its label, a Series of length 1) with their
    ratings and whether they conflict; ``scores``: (_item, _rating) of that group."""
    iu, ju, out = _verdicts(pref.matrix)
    lab = pref.labels
    sdt = scores.schema["_item"]
    if sdt != lab.dtype:
        try:
            scores = scores.with_columns(pl.col("_item").cast(lab.dtype))
        except Exception:
            raise RankaggError(f"scores column {item!r} has dtype {sdt}, the items have dtype {lab.dtype}") from None
    looked = pl.DataFrame({"_item": lab}).join(scores, on="_item", how="left", maintain_order="left")
    missing = looked.get_column("_rating").is_null().to_numpy()
    judged = np.zeros(len(lab), dtype=bool)
    judged[iu] = True
    judged[ju] = True
    unrated = np.flatnonzero(missing & judged)
    if len(unrated):
        where = "" if glabel is None else f" in group {glabel.item()!r}"
        raise UnknownItemError(
            f"{len(unrated)} judged item(s){where} have no rating in scores: {lab.gather(unrated[:MAX_SHOWN].tolist()).to_list()}"
        )
    r = looked.get_column("_rating").fill_null(np.nan).to_numpy()
    d = r[iu] - r[ju]
    expected = np.where(np.abs(d) <= tolerance, 0.5, np.where(d > 0, 1.0, 0.0))
    cols: dict[str, Any] = (
        {} if gname is None or glabel is None else {gname: glabel.gather(pl.Series(np.zeros(len(iu)), dtype=pl.UInt32))}
    )
    cols.update(
        a=lab.gather(pl.Series(iu, dtype=pl.UInt32)),
        b=lab.gather(pl.Series(ju, dtype=pl.UInt32)),
        outcome=out,
        rating_a=r[iu],
        rating_b=r[ju],
        _conflict=out != expected,
    )
    return pl.DataFrame(cols)
