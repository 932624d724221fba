"""Benchmark aggregation: per-task scores of systems → one consensus ranking.

:func:`aggregate_scores` ranks the systems within each task by their score, then combines the
task rankings with a voting rule (Borda, Kemeny, …) or averages the scores — the choice "What
are the best systems? New perspectives on NLP benchmarking" (Colombo et al., NeurIPS 2022)
argues about: a mean of raw scores lets one task's scale dominate, a consensus of rankings
does not. Optionally two-level: instances (e.g. test examples) are first aggregated into each
task's ranking, then tasks into the final one.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import polars as pl

from rankagg import vote
from rankagg._util import MAX_SHOWN
from rankagg.checks import column_name, one_of
from rankagg.consensus import Consensus, make_consensus
from rankagg.errors import NonFiniteValueError, RankaggError, warn
from rankagg.intake import Frame, checked_frame, index_labels_in_errors, renamed_keyword
from rankagg.rankings import Rankings

__all__ = ["aggregate_scores"]

RULES = ("borda", "kemeny", "copeland", "minimax", "schulze", "ranked_pairs")
"""The rules on rankings ``method`` may name, besides ``"mean"``."""


@index_labels_in_errors
def aggregate_scores(
    table: Frame,
    *,
    item: str = "system",
    over: str = "task",
    value: str = "score",
    method: str = "borda",
    instance: str | None = None,
    higher_is: Literal["better", "worse"] = "better",
    unranked: Literal["ignore", "below"] = "ignore",
    system: str | None = None,
    task: str | None = None,
    score: str | None = None,
) -> Consensus:
    """One ranking of systems from their scores on several tasks.

    ``table``: one row per (task, system) — or per (task, instance, system) with ``instance=``
    — with a numeric score (higher is better, or ``higher_is="worse"`` for errors and
    losses). Within a task (an instance), systems are ranked by score; equal scores tie. The
    columns are named as in :func:`rankagg.defensive` and :func:`rankagg.welfare`: ``item``
    (the systems; default column ``"system"``), ``over`` (the tasks; default ``"task"``) and
    ``value`` (the scores; default ``"score"``). ``system=``, ``task=``, ``score=`` and
    ``higher_is="lower"`` are the former names, still accepted with a ``DeprecationWarning``.

    ``method``: ``"borda"`` (default), ``"kemeny"`` (the order that disagrees least with the
    task rankings, proved optimal when it can be), or another rule on rankings (``"copeland"``,
    ``"minimax"``, ``"schulze"``, ``"ranked_pairs"``); or ``"mean"``, the average score over
    the tasks a system has (the usual leaderboard average; the result's ``score``).

    ``instance``: two-level aggregation. Each task's instances are ranked and combined into
    the task's ranking with the same method (``"mean"``: the task score is the mean over its
    instances), then the tasks are combined.

    Systems missing from a task (not evaluated on it) are left out of that task's comparisons
    (``unranked="ignore"``, the default), or count as tied below every system it has
    (``"below"``).

    Returns a :class:`rankagg.Consensus`: ``table`` (item = system, position, score),
    ``winners``; ``agreement`` gives each task's Kendall τ-b with the consensus (voter = task).

    >>> import rankagg as ra
    >>> bench = {"task": ["qa", "qa", "qa", "mt", "mt", "mt", "sum", "sum"],
    ...          "system": ["x", "y", "z", "x", "y", "z", "x", "y"],
    ...          "score": [0.71, 0.65, 0.64, 31.0, 33.5, 20.1, 0.40, 0.38]}
    >>> ra.aggregate_scores(bench).table["item"].to_list()
    ['x', 'y', 'z']
    >>> ra.aggregate_scores(bench, method="mean").table["item"].to_list()   # mt's BLEU scale dominates
    ['y', 'x', 'z']
    """
    if instance is not None:
        column_name("instance", instance)
    item = renamed_keyword("aggregate_scores", "system", system, "item", item, "system")
    over = renamed_keyword("aggregate_scores", "task", task, "over", over, "task")
    value = renamed_keyword("aggregate_scores", "score", score, "value", value, "score")
    if one_of(higher_is, ("lower",)):
        warn('aggregate_scores(higher_is="lower") is now higher_is="worse"', DeprecationWarning)
        higher_is = "worse"
    system, task, score = item, over, value
    if not one_of(method, ("mean", *RULES)):
        raise RankaggError(f"method must be 'mean' or one of {', '.join(RULES)}; not {method!r}")
    if not one_of(higher_is, ("better", "worse")):
        raise RankaggError(f"higher_is must be 'better' or 'worse', not {higher_is!r}")
    if not one_of(unranked, ("ignore", "below")):
        raise RankaggError(f"unranked must be 'ignore' or 'below', not {unranked!r}")
    cols = [("item", system), ("over", task), ("value", score)] + ([("instance", instance)] if instance else [])
    if len({c for _, c in cols}) < len(cols):
        raise RankaggError(
            f"item=, over=, value= and instance= must name different columns, not {[c for _, c in cols]}"
        )
    frame = checked_frame(table, cols, empty="the table has no rows")
    if not frame.schema[score].is_numeric():
        raise RankaggError(f"column {score!r} (value=) must be numeric, not {frame.schema[score]}")
    values = frame.get_column(score).cast(pl.Float64).to_numpy()
    bad = np.flatnonzero(~np.isfinite(values))
    if len(bad):
        raise NonFiniteValueError(
            f"column {score!r} (value=) has {len(bad)} NaN or infinite value(s): rows {bad[:MAX_SHOWN].tolist()}"
        )
    keys = [task] + ([instance] if instance else []) + [system]
    dup = frame.with_row_index("_row").filter(pl.struct(keys).is_duplicated())
    if dup.height:
        raise RankaggError(
            f"a system has two scores for one {' and '.join(repr(k) for k in keys[:-1])}: rows {dup['_row'].head(MAX_SHOWN).to_list()}"
        )
    frame = frame.with_columns(pl.col(score).cast(pl.Float64) * (1.0 if higher_is == "better" else -1.0))
    options: dict[str, Any] = {"higher_is": higher_is, "unranked": unranked, "two_level": instance is not None}

    if method == "mean":
        if instance:
            frame = frame.group_by(task, system, maintain_order=True).agg(_mean(score))
        votes = _rankings(frame, task, system, score)
        means = frame.group_by(system).agg(_mean(score))
        by_label = dict(zip(means[system].to_list(), means[score].to_list()))
        result = make_consensus(votes, np.array([by_label[v] for v in votes.labels.to_list()]), "mean", **options)
        if higher_is == "worse":  # report the mean itself (positions were set on −score)
            return Consensus(
                result.table.with_columns(-pl.col("score")), "mean", result.winners, result.options, votes=votes
            )
        return result

    rule = getattr(vote, method)
    if instance:
        rows = []
        for (t,), part in frame.group_by(task, maintain_order=True):
            level = rule(_rankings(part, instance, system, score), unranked=unranked).table
            rows.append(
                pl.DataFrame(
                    {
                        task: pl.Series([t] * level.height, dtype=frame.schema[task]),
                        system: level["item"],
                        "_rank": level["rank"].cast(pl.Float64),
                    }
                )
            )
        tasks = pl.concat(rows)
        votes = Rankings.from_frame(tasks, voter=task, item=system, rank="_rank")
    else:
        votes = _rankings(frame, task, system, score)
    result = rule(votes, unranked=unranked)
    return Consensus(
        result.table,
        method,
        result.winners,
        {**result.options, **options},
        cost=result.cost,
        optimal=result.optimal,
        lower_bound=result.lower_bound,
        components=result.components,
        stats=result.stats,
        votes=votes,
    )


def _rankings(frame: pl.DataFrame, voter: str, system: str, score: str) -> Rankings:
    """Each ``voter``'s ranking of the systems by ``score`` (higher first; equal scores tie)."""
    ranked = frame.with_columns((-pl.col(score)).rank("dense").over(voter).alias("_rank"))
    return Rankings.from_frame(ranked, voter=voter, item=system, rank="_rank")


def _mean(column: str) -> pl.Expr:
    """The mean of ``column``, as Σ x/n where Σ x overflows (scores near 1.8e308): each term
    is then below the largest score, so the mean is finite whenever the scores are."""
    plain = pl.col(column).mean()
    return pl.when(plain.is_finite()).then(plain).otherwise((pl.col(column) / pl.len()).sum()).alias(column)
