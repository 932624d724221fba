"""Robust aggregation of score tables: defensive aggregation and welfare rules.

Both read a *long* table, one row per cell:

- :func:`defensive`: ``item × observation [× group]`` scores (per-query attention importances
  of KV-cache entries, per-task benchmark scores, per-judge ratings). Instead of the mean over
  observations it takes a worst case (the maximum, or the mean of the largest fraction
  ``tail``) and floors it at ``prior`` × its group's average worst case — the two-step
  *defensive aggregation* of DefensiveKV (Feng, Guo, Lv, Zhou and Xie, "Taming the Fragility of
  KV Cache Eviction in LLM Inference", arXiv:2510.13334, 2025).
- :func:`welfare`: ``item × group`` utilities (a model's reward or accuracy per user group).
  ``rule=`` picks the social welfare function: ``"utilitarian"`` (mean), ``"worst_group"``
  (max–min, the egalitarian rule of MaxMin-RLHF: Chakraborty et al., "MaxMin-RLHF: Alignment
  with Diverse Human Preferences", ICML 2024), ``"leximin"``, ``"quantile"`` or ``"gini"``
  (Sen's welfare ``mean × (1 − Gini)``).

Results are :class:`Aggregate` objects: a Polars ``.table`` keyed by item, best first, with a
``rank`` column (1 = best; items equal on the score and on the tie-break share a rank).

>>> import rankagg as ra
>>> utilities = {"model": ["x", "x", "y", "y"], "group": ["g1", "g2", "g1", "g2"], "reward": [0.9, 0.1, 0.5, 0.4]}
>>> ra.welfare(utilities, item="model", value="reward", rule="worst_group").table["item"].to_list()
['y', 'x']
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Any, Literal, TypeGuard

import numpy as np
import polars as pl

from rankagg import _core
from rankagg._util import MAX_SHOWN, sorted_rank
from rankagg.checks import one_of
from rankagg.display import display_frame, display_name
from rankagg.errors import FloorWarning, NonFiniteValueError, RankaggError, UnknownItemError, warn
from rankagg.intake import Frame, checked_frame, factorize, index_labels_in_errors, renamed_keyword

__all__ = ["Aggregate", "defensive", "welfare", "WELFARE_RULES"]

HigherIs = Literal["risk", "better"]
Rule = Literal["utilitarian", "worst_group", "leximin", "quantile", "gini"]
WELFARE_RULES: tuple[str, ...] = ("utilitarian", "worst_group", "leximin", "quantile", "gini")
"""The rules :func:`welfare` accepts."""


@dataclass(frozen=True, repr=False)
class Aggregate:
    """The result of a score-table aggregation (:func:`defensive`, :func:`welfare`).

    ``table``: one row per item, best first, with ``item, score, rank`` and the method's
    diagnostics (see each function). ``method`` names the rule; ``options`` holds the knobs
    used; ``descending`` says whether a larger ``score`` ranks higher (False for regrets).
    """

    table: pl.DataFrame
    method: str
    options: dict[str, Any] = field(default_factory=dict)
    descending: bool = True

    def __len__(self) -> int:
        return self.table.height

    def __getitem__(self, item: Any) -> float:
        """The score of one item."""
        row = self.table.filter(pl.col("item") == item)
        if row.height == 0:
            raise UnknownItemError(f"item {item!r} is not in the result")
        return float(row["score"][0])

    @property
    def winners(self) -> list[Any]:
        """The items of rank 1 (as :attr:`rankagg.Consensus.winners` and
        :attr:`rankagg.Ratings.winners`)."""
        return self.table.filter(pl.col("rank") == 1)["item"].to_list()

    @property
    def best(self) -> list[Any]:
        """The former name of :attr:`winners` (deprecated)."""
        warn("Aggregate.best is now Aggregate.winners", DeprecationWarning)
        return self.winners

    def __repr__(self) -> str:
        opts = ", ".join(f"{k}={v!r}" for k, v in self.options.items())
        with pl.Config(tbl_rows=12, tbl_cols=-1, tbl_hide_dataframe_shape=True):
            return f"Aggregate({self.method}; {opts}; {self.table.height} items, winners [{', '.join(display_name(b, quote=True) for b in self.winners)}])\n{display_frame(self.table)!r}"


# ---------------------------------------------------------------------------------------------
# shared checks


def _values(frame: pl.DataFrame, column: str, keyword: str) -> np.ndarray:
    """The numeric column as float64, every value finite (else the rows are named)."""
    s = frame.get_column(column)
    if not (s.dtype.is_numeric() or s.dtype == pl.Boolean):
        raise RankaggError(f"column {column!r} ({keyword}=) must be numeric, not {s.dtype}")
    v = s.cast(pl.Float64).to_numpy()
    finite = np.isfinite(v)
    if not finite.all():
        bad = np.flatnonzero(~finite)
        raise NonFiniteValueError(
            f"column {column!r} ({keyword}=) has {len(bad)} NaN or infinite value(s): rows {bad[:MAX_SHOWN].tolist()}"
        )
    return v


def _is_number(x: object) -> TypeGuard[numbers.Real]:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


@dataclass(frozen=True)
class _Keys:
    """A key column for the core: ``arg`` = (uint32 codes, rank per code, 0) or (int64 values,
    rank per value − lo, lo); ``labels``: the distinct labels in rank (sorted) order."""

    arg: tuple[np.ndarray, np.ndarray, int]
    labels: pl.Series

    def ranks(self) -> np.ndarray:
        """The rank of every row (int64)."""
        data, rank, lo = self.arg
        return rank[data - lo if data.dtype == np.int64 else data].astype(np.int64)


def _keys(s: pl.Series) -> _Keys:
    """Integers of a small range (token ids, task numbers: below twice the rows plus 2^16, the
    factorizer's threshold) are ranked by an array lookup in Rust, without a per-row code
    array; anything else is factorized by :func:`rankagg.intake.factorize` and ranked in sorted
    label order."""
    if s.dtype.is_integer() and s.dtype != pl.UInt64:
        x = s.cast(pl.Int64).to_numpy()
        dense = _core.dense_int_map(x)
        if dense is not None:
            lo, rank, values = dense
            return _Keys((x, rank, lo), pl.Series(s.name, values).cast(s.dtype))
    (codes,), labels = factorize([s])
    return _Keys((codes, sorted_rank(labels), 0), labels.sort())


def _ranked(keys: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Order (best first) and competition ranks of items by ``keys`` (primary first, smaller
    first; item index breaks remaining ties). Items equal on every key share a rank."""
    n = len(keys[0])
    order = np.lexsort([np.arange(n)] + keys[::-1])
    new = np.ones(n, dtype=bool)
    if n > 1:
        differs = np.zeros(n - 1, dtype=bool)
        for k in keys:
            ks = k[order]
            differs |= ks[1:] != ks[:-1]
        new[1:] = differs
    position = np.arange(1, n + 1, dtype=np.uint32)
    rank = np.maximum.accumulate(np.where(new, position, 0)).astype(np.uint32)
    return order, rank


# ---------------------------------------------------------------------------------------------
# defensive aggregation


@index_labels_in_errors
def defensive(
    table: Frame,
    *,
    item: str = "item",
    over: str = "observation",
    value: str = "value",
    group: str | None = None,
    tail: float = 0.0,
    prior: float = 1.0,
    higher_is: HigherIs = "risk",
) -> Aggregate:
    """Defensive aggregation (DefensiveKV; Feng et al. 2025, arXiv:2510.13334): a worst case
    over observations, floored at the group's average worst case.

    Mean aggregation trusts that an item's importance is stable across observations; a single
    observation in which the item matters a lot is averaged away. Defensive aggregation controls
    the worst case instead, in two linear-time steps. With ``r[i, o]`` the risk of item ``i`` in
    observation ``o`` (its ``k_i`` observations):

    1. worst case: ``w_i`` = the mean of the ``m_i = ⌈tail · k_i⌉`` (at least 1) largest
       ``r[i, o]`` — the upper-tail mean (CVaR); ``tail = 0`` is the maximum, ``tail = 1`` the
       mean. A product ``tail · k_i`` within 1e-9 of an integer counts as that integer.
    2. adaptive prior: ``score_i = max(w_i, prior · mean of w_j over the items j of i's
       group)`` (all items are one group when ``group=None``; ``prior = 0`` skips the floor).

    ``higher_is="risk"``: ``value`` is the risk itself — e.g. the attention a query pays to a KV
    entry, i.e. what is lost by evicting the entry. The defended score is an importance: rank 1
    is the item with the **largest** score (the entry to keep; evict from the bottom).

    ``higher_is="better"``: ``value`` is a benchmark score (higher is better). The risk is the
    normalised regret in each observation, ``r[i, o] = (best_o − value[i, o]) / (best_o −
    worst_o)`` with ``best_o``/``worst_o`` the largest/smallest value of observation ``o`` over
    all items of the table (``r = 0`` when they are equal), so ``r ∈ [0, 1]`` and 0 is the best
    item of that observation. Rank 1 is the item with the **smallest** defended regret (the
    most robust item). Note that with ``prior > 0`` every item whose worst regret is below
    ``prior`` × its group's average is lifted to that floor and those items are then ordered by
    their mean regret; ``prior=0`` ranks by the worst-case regret alone.

    Ties in ``score`` are broken by the mean risk (higher first for risks, lower first for
    regrets), then by label order; items equal in both share a rank. The results do not depend
    on the row order or the labels' first appearance (bit-identical), nor on the thread count.

    Args:
        table: long frame, one row per (item, observation): Polars (eager or lazy), pandas,
            pyarrow or a dict of columns. It is not modified.
        item: column of item labels (any dtype).
        over: column of observation labels (queries, tasks, judges); an (item, observation)
            pair may occur once. Items need not share the same observations.
        value: numeric column of scores (finite).
        group: optional column of each item's group (e.g. the attention head of a KV entry);
            constant within an item.
        tail: the fraction of the largest risks averaged in step 1, in [0, 1].
        prior: the weight of the group-mean floor in step 2, ≥ 0. The floor is meant for
            non-negative risks (importances, regrets).
        higher_is: ``"risk"`` or ``"better"`` (see above).

    Returns:
        :class:`Aggregate` whose ``table`` has, best first: ``item``, ``score`` (the defended
        risk), ``rank``, ``worst_case`` (step 1), ``floor`` (step 2's ``prior × group mean``,
        null when ``prior = 0``), ``floored`` (the floor lifted the item), ``mean`` (mean risk),
        ``n`` (observations) and ``group`` when given. With ``higher_is="better"`` the risks
        are regrets.

    Runs in Rust, in parallel, in time linear in the rows: fixed blocks of rows are grouped by
    item with counting sorts, each item's values are put in observation order (already so, or
    placed by observation; only an item with fewer than a quarter of the observations is
    sorted, in O(k log k)) and reduced, with ``select_nth_unstable`` for the tail. Integer item / observation / group columns of a
    small range are ranked by array lookup; other labels go through the hash factorizer.

    Example: token ``a`` matters in one query only; the mean ranks it below ``b``, defensive
    aggregation keeps it first. The floor, the mean of the maxima (0.9 + 0.35 + 0.2) / 3,
    lifts ``b`` and ``c``, which are then ordered by their mean.

    >>> import polars as pl
    >>> import rankagg as ra
    >>> attention = pl.DataFrame({
    ...     "token": ["a"] * 3 + ["b"] * 3 + ["c"] * 3,
    ...     "query": [1, 2, 3] * 3,
    ...     "weight": [0.0, 0.9, 0.0, 0.35, 0.35, 0.35, 0.1, 0.2, 0.1],
    ... })
    >>> kept = ra.defensive(attention, item="token", over="query", value="weight")
    >>> kept.table.with_columns(pl.col(pl.Float64).round(4))
    shape: (3, 8)
    ┌──────┬────────┬──────┬────────────┬────────┬─────────┬────────┬─────┐
    │ item ┆ score  ┆ rank ┆ worst_case ┆ floor  ┆ floored ┆ mean   ┆ n   │
    │ ---  ┆ ---    ┆ ---  ┆ ---        ┆ ---    ┆ ---     ┆ ---    ┆ --- │
    │ str  ┆ f64    ┆ u32  ┆ f64        ┆ f64    ┆ bool    ┆ f64    ┆ u32 │
    ╞══════╪════════╪══════╪════════════╪════════╪═════════╪════════╪═════╡
    │ a    ┆ 0.9    ┆ 1    ┆ 0.9        ┆ 0.4833 ┆ false   ┆ 0.3    ┆ 3   │
    │ b    ┆ 0.4833 ┆ 2    ┆ 0.35       ┆ 0.4833 ┆ true    ┆ 0.35   ┆ 3   │
    │ c    ┆ 0.4833 ┆ 3    ┆ 0.2        ┆ 0.4833 ┆ true    ┆ 0.1333 ┆ 3   │
    └──────┴────────┴──────┴────────────┴────────┴─────────┴────────┴─────┘
    >>> ra.defensive(attention, item="token", over="query", value="weight", tail=1.0, prior=0.0).table["item"].to_list()
    ['b', 'a', 'c']

    Benchmark scores (higher is better): the regret in each task, then its maximum. ``m1`` and
    ``m3`` are equal in worst case and mean, so they share rank 2.

    >>> bench = {"model": ["m1", "m1", "m2", "m2", "m3", "m3"], "task": ["t1", "t2"] * 3,
    ...          "accuracy": [0.9, 0.2, 0.6, 0.5, 0.1, 0.6]}
    >>> r = ra.defensive(bench, item="model", over="task", value="accuracy", higher_is="better", prior=0.0)
    >>> r.table.select("item", "rank", pl.col("worst_case", "mean").round(4)).rows()
    [('m2', 1, 0.375, 0.3125), ('m1', 2, 1.0, 0.5), ('m3', 2, 1.0, 0.5)]
    """
    if not one_of(higher_is, ("risk", "better")):
        raise RankaggError(f"higher_is must be 'risk' or 'better', not {higher_is!r}")
    if not _is_number(tail) or not (0.0 <= float(tail) <= 1.0):
        raise RankaggError(f"tail must be a number in [0, 1] (0: the maximum, 1: the mean), not {tail!r}")
    if not _is_number(prior) or not (0.0 <= float(prior) < float("inf")):
        raise RankaggError(f"prior must be a finite number >= 0 (0: no floor), not {prior!r}")
    cols = [("item", item), ("over", over), ("value", value)] + ([("group", group)] if group is not None else [])
    frame = checked_frame(table, cols)
    values = _values(frame, value, "value")
    items = _keys(frame.get_column(item))
    obs = _keys(frame.get_column(over))
    groups = _keys(frame.get_column(group)) if group is not None else None
    out = _core.defensive(
        items.arg,
        len(items.labels),
        obs.arg,
        len(obs.labels),
        values,
        None if groups is None else groups.arg,
        0 if groups is None else len(groups.labels),
        tail=float(tail),
        prior=float(prior),
        regret=higher_is == "better",
    )
    sorted_labels = items.labels
    if out["duplicate_count"]:
        rows = out["duplicate_rows"]
        r0 = rows[0]
        raise RankaggError(
            f"{out['duplicate_count']} row(s) repeat an (item, observation) pair of an earlier row (columns "
            f"{item!r}, {over!r}): rows {rows}, e.g. row {r0} ({frame[item][r0]!r}, {frame[over][r0]!r}); "
            "reduce repeated measurements first (e.g. their mean)"
        )
    if out["mixed_count"]:
        names = sorted_labels.gather(pl.Series(out["mixed_items"], dtype=pl.UInt32)).to_list()
        raise RankaggError(
            f"{out['mixed_count']} item(s) are in more than one group (column {group!r}, group=): {names}; "
            "each item must belong to one group"
        )
    score, mean = out["score"], out["mean"]
    descending = higher_is == "risk"
    sign = -1.0 if descending else 1.0
    order, rank = _ranked([sign * score, sign * mean])
    idx = pl.Series(order, dtype=pl.UInt32)
    floor = pl.Series("floor", out["floor"][order], nan_to_null=True)
    columns: dict[str, Any] = {
        "item": sorted_labels.gather(idx),
        "score": score[order],
        "rank": rank,
        "worst_case": out["worst"][order],
        "floor": floor,
        "floored": score[order] > out["worst"][order],
        "mean": mean[order],
        "n": out["count"][order],
    }
    if groups is not None:
        columns["group"] = groups.labels.gather(pl.Series(out["group_of"][order], dtype=pl.UInt32)).rename("group")
    options: dict[str, Any] = {"tail": float(tail), "prior": float(prior), "higher_is": higher_is}
    if group is not None:
        options["group"] = group
    floored = columns["floored"]
    if higher_is == "better" and floored[0] and floored.sum() >= 2:
        warn(
            f"defensive: the floor (prior={float(prior):g} × the {'group' if group else 'overall'} mean of the worst "
            f"regrets) lifted {int(floored.sum())} of {len(floored)} items, the best among them, to one defended "
            "regret: their order comes from the mean regret, not the worst case. On benchmark scores pass prior=0 "
            "to rank by the worst case alone (docs/robust.md)",
            FloorWarning,
        )
    return Aggregate(pl.DataFrame(columns), "defensive", options, descending)


# ---------------------------------------------------------------------------------------------
# welfare


@index_labels_in_errors
def welfare(
    table: Frame,
    *,
    item: str = "item",
    over: str = "group",
    value: str = "value",
    rule: Rule = "utilitarian",
    q: float | None = None,
    group: str | None = None,
) -> Aggregate:
    """Ranks items by a social welfare function of their utilities across groups.

    The table holds one utility per (item, group) — e.g. a model's reward or accuracy for each
    user group — and must be complete: every item has exactly one value in every group. With
    ``u_i`` the item's utilities, ``rule=``:

    - ``"utilitarian"``: the mean of ``u_i``.
    - ``"worst_group"``: the minimum (max–min / egalitarian welfare; Rawls 1971; the objective
      of MaxMin-RLHF, Chakraborty et al. 2024, which maximises the worst user group's reward).
    - ``"leximin"``: compare the utilities sorted from the worst, lexicographically: the worst
      group first, then the second worst, … (Sen 1970, *Collective Choice and Social
      Welfare*). The ``score`` column shows the minimum; the order refines ``"worst_group"``.
    - ``"quantile"``: the ``q``-quantile of ``u_i`` (numpy's default linear interpolation;
      ``q = 0`` is the minimum, ``0.5`` the median). ``q=`` is required and used only here.
    - ``"gini"``: Sen's welfare ``mean × (1 − Gini)`` (Sen 1976, "Real National Income",
      *Review of Economic Studies* 43(1)), i.e. the average over all ordered pairs of groups
      (with repetition) of ``min(u_a, u_b)``: the mean, discounted for inequality. It is used
      rather than the Gini coefficient alone, which would rank an item that is uniformly bad
      above one that is uniformly good but for one group.

    Larger welfare is better (rank 1). Ties in ``score`` are broken by the mean (higher first)
    except under ``"leximin"`` (whose ties are exact: equal sorted utilities), then by label
    order; items equal in both share a rank.

    Args:
        table: long frame, one row per (item, group).
        item, over, value: column names (as in :func:`defensive` and
            :func:`rankagg.aggregate_scores`): the items, the groups their utilities range
            over (default column ``"group"``), the utilities; ``value`` is numeric and finite.
            ``group=`` is the former name of ``over=`` (deprecated).
        rule: one of :data:`WELFARE_RULES`.
        q: the quantile for ``rule="quantile"``, in [0, 1].

    Returns:
        :class:`Aggregate` whose ``table`` has, best first: ``item, score, rank, mean, min,
        worst_group`` (the group of the minimum; the first in label order on ties) and
        ``gini`` (Σ_a Σ_b |u_a − u_b| / (2 g² · mean) over the g groups; null when the mean is
        not positive, where the coefficient has no meaning).

    >>> import rankagg as ra
    >>> u = {"model": ["x"] * 3 + ["y"] * 3 + ["z"] * 3,
    ...      "group": ["g1", "g2", "g3"] * 3,
    ...      "reward": [0.9, 0.8, 0.1,  0.5, 0.5, 0.5,  0.6, 0.4, 0.5]}
    >>> for rule in ("utilitarian", "worst_group", "leximin", "gini"):
    ...     r = ra.welfare(u, item="model", value="reward", rule=rule)
    ...     print(rule, r.table["item"].to_list(), r.table["rank"].to_list())
    utilitarian ['x', 'y', 'z'] [1, 2, 2]
    worst_group ['y', 'z', 'x'] [1, 2, 3]
    leximin ['y', 'z', 'x'] [1, 2, 3]
    gini ['y', 'z', 'x'] [1, 2, 3]
    >>> ra.welfare(u, item="model", value="reward", rule="quantile", q=0.5).table.select("item", "score").rows()
    [('x', 0.8), ('y', 0.5), ('z', 0.5)]
    """
    if not one_of(rule, WELFARE_RULES):
        raise RankaggError(f"rule must be one of {list(WELFARE_RULES)}, not {rule!r}")
    level = math.nan  # rule="quantile"'s q, checked
    if rule == "quantile":
        if not _is_number(q) or not (0.0 <= float(q) <= 1.0):
            raise RankaggError(f"rule='quantile' needs q= a number in [0, 1], not {q!r}")
        level = float(q)
    elif q is not None:
        raise RankaggError(f"q= is only used by rule='quantile', not rule={rule!r}")
    group = renamed_keyword("welfare", "group", group, "over", over, "group")
    cols = [("item", item), ("over", group), ("value", value)]
    frame = checked_frame(table, cols)
    v = _values(frame, value, "value")
    ikeys, gkeys = _keys(frame.get_column(item)), _keys(frame.get_column(group))
    ir, gr = ikeys.ranks(), gkeys.ranks()
    sorted_labels, sorted_groups = ikeys.labels, gkeys.labels
    n, g, m = len(sorted_labels), len(sorted_groups), frame.height
    key = ir * g + gr
    order = np.argsort(key, kind="stable")
    repeated = order[1:][key[order][1:] == key[order][:-1]]
    if len(repeated):
        rows = np.sort(repeated)[:MAX_SHOWN].tolist()
        r0 = rows[0]
        raise RankaggError(
            f"{len(repeated)} row(s) repeat an (item, group) pair of an earlier row (columns {item!r}, {group!r}): "
            f"rows {rows}, e.g. row {r0} ({frame[item][r0]!r}, {frame[group][r0]!r})"
        )
    if m != n * g:
        per_item = np.bincount(ir, minlength=n)
        short = np.flatnonzero(per_item < g)
        first = int(short[0])
        have = set(gr[ir == first].tolist())
        missing = [sorted_groups[j] for j in range(g) if j not in have][:MAX_SHOWN]
        raise RankaggError(
            f"the table is not complete: {len(short)} item(s) lack a value in some group (every item needs one "
            f"value per group, {g} groups): items {sorted_labels.gather(pl.Series(short[:MAX_SHOWN], dtype=pl.UInt32)).to_list()}; "
            f"e.g. {sorted_labels[first]!r} has no value for groups {missing}"
        )
    u = np.empty((n, g))
    u[ir, gr] = v
    s = np.sort(u, axis=1)
    # The sums (mean, Gini, quantile interpolation) are homogeneous of degree 1 (the Gini index
    # of degree 0): computed on the utilities × 2**shift (largest magnitude in [0.5, 1), exact),
    # then scaled back, so 1e308 never overflows and 1e-320 keeps its digits.
    largest = float(np.max(np.abs(v), initial=0.0))
    shift = -math.frexp(largest)[1] if 0.0 < largest < math.inf else 0
    us, ss = np.ldexp(u, shift), np.ldexp(s, shift)
    mean = np.ldexp(us.mean(axis=1), -shift)
    k = np.arange(1, g + 1, dtype=float)
    abs_diff = 2.0 * (ss @ (2.0 * k - g - 1.0))  # Σ_a Σ_b |u_a − u_b| × 2**shift
    with np.errstate(divide="ignore", invalid="ignore"):
        gini = np.where(mean > 0, abs_diff / (2.0 * g * g * np.ldexp(mean, shift)), np.nan)
    if rule == "utilitarian":
        score = mean
    elif rule in ("worst_group", "leximin"):
        score = s[:, 0].copy()
    elif rule == "quantile":
        score = np.ldexp(np.quantile(us, level, axis=1), -shift)
    else:  # mean of min(u_a, u_b) over ordered pairs
        score = np.ldexp((ss @ (2.0 * (g - k) + 1.0)) / (g * g), -shift)
    if rule == "leximin":
        rank_order, rank = _ranked([-s[:, j] for j in range(g)])
    else:
        rank_order, rank = _ranked([-score, -mean])
    idx = pl.Series(rank_order, dtype=pl.UInt32)
    worst_group = sorted_groups.gather(pl.Series(np.argmin(u, axis=1)[rank_order], dtype=pl.UInt32)).rename(
        "worst_group"
    )
    result = pl.DataFrame(
        {
            "item": sorted_labels.gather(idx),
            "score": score[rank_order],
            "rank": rank,
            "mean": mean[rank_order],
            "min": s[rank_order, 0],
            "worst_group": worst_group,
            "gini": pl.Series("gini", gini[rank_order], nan_to_null=True),
        }
    )
    options: dict[str, Any] = {"rule": rule}
    if rule == "quantile":
        options["q"] = level
    return Aggregate(result, f"welfare ({rule})", options, True)
