"""Rating methods: one function per method, data first, keyword-only options."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import polars as pl

from rankagg import _core
from rankagg.data import Frame, PairTable
from rankagg.errors import ConvergenceWarning, NotIdentifiableError, RankaggError, UnknownItemError
from rankagg.intervals import Bootstrap, Interval, Sandwich, interval_rank, percentile, sandwich_covariance, wald
from rankagg.results import Ratings, to_scale

__all__ = ["bradley_terry"]

Ties = Literal["half", "davidson", "drop"]
Scale = Literal["elo", "logit"]
Solver = Literal["newman", "mm"]


def bradley_terry(
    data: Frame | PairTable,
    *,
    a: str = "a",
    b: str = "b",
    outcome: str = "outcome",
    weight: str | None = None,
    outcomes: Mapping[Any, float] | None = None,
    winner: str | None = None,
    loser: str | None = None,
    ties: Ties = "half",
    scale: Scale = "elo",
    anchor: tuple[Any, float] | None = None,
    regularization: float = 0.0,
    solver: Solver = "newman",
    tol: float = 1e-9,
    max_iter: int = 10_000,
    ci: Interval | None = None,
) -> Ratings:
    """Bradley–Terry ratings by maximum likelihood: P(i beats j) = π_i / (π_i + π_j).

    Args:
        data: comparisons, one per row (a Polars DataFrame or LazyFrame, pandas, pyarrow,
            a dict of columns), or a :class:`PairTable`.
        a, b: the columns of the two items compared.
        outcome: the column saying who won: a number in [0, 1] (the probability that ``a``
            won: 1, 0, or 0.5 for a tie), or labels mapped by ``outcomes``. LMArena's labels
            ``model_a``, ``model_b``, ``tie`` and ``tie (bothbad)`` need no mapping.
        weight: optional column of non-negative row weights.
        outcomes: ``{label: value}`` for label outcomes, e.g. ``{"left": 1, "right": 0, "tie": 0.5}``.
        winner, loser: instead of ``a``/``b``/``outcome``: one column of winners and one of
            losers (RLHF chosen/rejected pairs).
        ties: ``"half"`` counts a tie as half a win for each side (the arena convention);
            ``"davidson"`` fits Davidson's (1970) tie parameter ν (``Ratings.tie_parameter``);
            ``"drop"`` ignores ties.
        scale: ``"elo"`` reports 1000 + 400·θ/ln 10; ``"logit"`` reports θ = ln π.
        anchor: ``(item, value)`` pins that item's score to ``value`` (in ``scale`` units);
            otherwise scores are centred so that mean θ = 0.
        regularization: ``r > 0`` gives each item ``r`` virtual wins and ``r`` virtual losses
            against a virtual item of strength θ = 0 — a prior that makes every estimate finite.
        solver: ``"newman"`` (Newman 2023's fixed point, fast) or ``"mm"`` (Hunter 2004's MM,
            the textbook reference). Both stop at the same optimality test, so they agree to
            ``tol``. With ``ties="davidson"`` a Davidson fixed point is used either way.
        tol: stop when every item's observed and expected wins agree to ``tol`` relative to
            its number of comparisons (the scaled gradient of the log-likelihood).
        max_iter: iteration limit; hitting it gives ``converged=False`` and a
            :class:`ConvergenceWarning`.
        ci: :class:`Bootstrap` (percentile intervals from resampled counts, in parallel in
            Rust) or :class:`Sandwich` (analytic robust intervals) to add ``lower`` and
            ``upper`` columns; ``rank`` then becomes the interval-aware rank.

    Returns:
        :class:`Ratings` with ``table`` (item, score, rank, wins, losses, ties, n; best first;
        with ``ci``, also lower, upper).

    Raises:
        MissingColumnError, NullValueError, UnknownOutcomeError, OutcomeRangeError,
        InvalidWeightError, SelfComparisonError, EmptyDataError: bad input, naming the
        column and rows or labels at fault.
        NotIdentifiableError: no finite estimate (an item never wins or never loses, or the
            comparison graph is not strongly connected; under ``ties="davidson"`` only decisive
            outcomes count) and ``regularization == 0``.

    Example:

    >>> import polars as pl
    >>> import rankagg as ra
    >>> battles = pl.DataFrame({
    ...     "model_a": ["gpt", "gpt", "claude", "llama", "llama", "claude"],
    ...     "model_b": ["claude", "llama", "llama", "gpt", "claude", "gpt"],
    ...     "winner": ["model_a", "model_a", "tie", "model_b", "model_a", "model_a"],
    ... })
    >>> r = ra.bradley_terry(battles, a="model_a", b="model_b", outcome="winner")
    >>> r.table.select("item", "rank", "wins", "losses", "ties")
    shape: (3, 5)
    ┌────────┬──────┬──────┬────────┬──────┐
    │ item   ┆ rank ┆ wins ┆ losses ┆ ties │
    │ ---    ┆ ---  ┆ ---  ┆ ---    ┆ ---  │
    │ str    ┆ u32  ┆ f64  ┆ f64    ┆ f64  │
    ╞════════╪══════╪══════╪════════╪══════╡
    │ gpt    ┆ 1    ┆ 3.0  ┆ 1.0    ┆ 0.0  │
    │ claude ┆ 2    ┆ 1.0  ┆ 2.0    ┆ 1.0  │
    │ llama  ┆ 2    ┆ 1.0  ┆ 2.0    ┆ 1.0  │
    └────────┴──────┴──────┴────────┴──────┘
    >>> round(r.predict("gpt", "claude"), 3)
    0.75

    An item that never loses has no finite maximum-likelihood strength; that is an error
    unless a prior is given:

    >>> unbeaten = battles.filter(pl.col("model_a") != "claude")
    >>> ra.bradley_terry(unbeaten, a="model_a", b="model_b", outcome="winner")
    Traceback (most recent call last):
    ...
    rankagg.errors.NotIdentifiableError: no finite Bradley–Terry estimate: ... never lose: 'gpt'. Pass regularization > 0 (e.g. regularization=1.0) for finite estimates.
    >>> r = ra.bradley_terry(unbeaten, a="model_a", b="model_b", outcome="winner", regularization=1.0)
    >>> r.table["item"].to_list()
    ['gpt', 'llama', 'claude']
    """
    if ties not in ("half", "davidson", "drop"):
        raise RankaggError(f"ties must be 'half', 'davidson' or 'drop', not {ties!r}")
    if scale not in ("elo", "logit"):
        raise RankaggError(f"scale must be 'elo' or 'logit', not {scale!r}")
    if solver not in ("newman", "mm"):
        raise RankaggError(f"solver must be 'newman' or 'mm', not {solver!r}")
    if not (isinstance(regularization, (int, float)) and math.isfinite(regularization) and regularization >= 0):
        raise RankaggError(f"regularization must be a finite number >= 0, not {regularization!r}")
    if not (isinstance(tol, (int, float)) and tol > 0):
        raise RankaggError(f"tol must be > 0, not {tol!r}")
    if not (isinstance(max_iter, int) and max_iter >= 0):
        raise RankaggError(f"max_iter must be an integer >= 0, not {max_iter!r}")
    _check_ci(ci)
    if isinstance(ci, Sandwich) and ties == "davidson":
        raise RankaggError("Sandwich intervals need ties='half' or 'drop'; use ci=Bootstrap() with ties='davidson'")
    table = (
        data
        if isinstance(data, PairTable)
        else PairTable.from_comparisons(
            data, a=a, b=b, outcome=outcome, weight=weight, outcomes=outcomes, winner=winner, loser=loser
        )
    )
    try:
        fit = _core.bradley_terry(
            table.n_items,
            table.i,
            table.j,
            table.wins_i,
            table.wins_j,
            table.ties,
            tie_model=ties,
            solver=solver,
            regularization=float(regularization),
            tol=float(tol),
            max_iter=int(max_iter),
            rounds=ci.rounds if isinstance(ci, Bootstrap) else 0,
            draws=_draws(table),
            seed=ci.seed if isinstance(ci, Bootstrap) else 0,
        )
    except NotIdentifiableError as e:
        raise _not_identifiable(e, table.labels) from None
    theta: np.ndarray = fit["theta"]
    if not fit["converged"]:
        warnings.warn(
            f"bradley_terry did not converge in {fit['iterations']} iterations "
            f"(largest relative gradient {fit['max_relative_gradient']:.3g} > tol={tol}); "
            "raise max_iter, or use solver='newman'",
            ConvergenceWarning,
            stacklevel=2,
        )
    anchor_at = _anchor_index(table.labels, anchor)

    def scaled(t: np.ndarray) -> np.ndarray:
        """Log-strengths (one row per replicate, or one vector) → reported scores."""
        s = to_scale(t, scale)
        if anchor is not None and anchor_at is not None:
            s = s + (float(anchor[1]) - s[..., anchor_at : anchor_at + 1])
        return s

    scores = scaled(theta)
    options: dict[str, Any] = {"ties": ties, "solver": solver, "regularization": regularization, "tol": tol}
    lower = upper = replicates = None
    if isinstance(ci, Bootstrap):
        replicates = scaled(fit["replicates"])
        lower, upper = percentile(replicates, ci.level)
        options["bootstrap_redraws"] = int(fit["redraws"])
        _warn_redraws(int(fit["redraws"]), ci.rounds)
    elif isinstance(ci, Sandwich):
        cov = sandwich_covariance(
            table.n_items, table.i, table.j, table.wins_i, table.wins_j, table.ties, theta,
            ties_mode=ties, regularization=float(regularization), virtual_theta=fit["virtual_theta"],
        )
        lo_t, hi_t = wald(theta, cov, ci.level, anchor_at)
        shift = scores - to_scale(theta, scale)
        lower, upper = to_scale(lo_t, scale) + shift, to_scale(hi_t, scale) + shift
    return _ratings_from(
        table,
        theta,
        scores,
        method="bradley_terry",
        scale=scale,
        converged=bool(fit["converged"]),
        iterations=int(fit["iterations"]),
        log_likelihood=float(fit["log_likelihood"]),
        tie_parameter=fit["tie_parameter"],
        options=options,
        lower=lower,
        upper=upper,
        ci=ci,
        replicates=replicates,
    )


def _check_ci(ci: Any) -> None:
    if ci is not None and not isinstance(ci, (Bootstrap, Sandwich)):
        raise RankaggError(f"ci must be rankagg.Bootstrap(...), rankagg.Sandwich(...) or None, not {ci!r}")


def _draws(table: PairTable) -> int:
    """Comparisons drawn per bootstrap round."""
    if table.rows > 0:
        return table.rows
    return max(1, int(round(float(table.wins_i.sum() + table.wins_j.sum() + table.ties.sum()))))


def _warn_redraws(redraws: int, rounds: int) -> None:
    if redraws:
        warnings.warn(
            f"{redraws} bootstrap resample(s) (for {rounds} rounds) had no finite estimate and were "
            "drawn again, which narrows the intervals; pass regularization > 0 to keep every resample",
            RuntimeWarning,
            stacklevel=3,
        )


def _anchor_index(labels: pl.Series, anchor: tuple[Any, float] | None) -> int | None:
    if anchor is None:
        return None
    item, _ = anchor
    hits = np.flatnonzero((labels == item).to_numpy())
    if len(hits) == 0:
        raise UnknownItemError(f"anchor item {item!r} is not in the data")
    return int(hits[0])


def _ratings_from(
    table: PairTable,
    theta: np.ndarray,
    scores: np.ndarray,
    *,
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
    replicates: np.ndarray | None = None,
    **kwargs: Any,
) -> Ratings:
    """The result frame: ``theta`` orders the items (larger is better), ``scores`` are shown."""
    wins, losses, ties = table.item_totals()
    columns: dict[str, Any] = {"item": table.labels, "score": scores}
    if lower is not None and upper is not None:
        columns["lower"] = lower
        columns["upper"] = upper
        columns["rank"] = interval_rank(lower, upper)
    else:
        # Items whose scores agree to 1e-8 share a rank (solver noise is far below).
        columns["rank"] = pl.Series(-np.round(theta, 8)).rank("min").cast(pl.UInt32)
    columns.update({"wins": wins, "losses": losses, "ties": ties, "n": wins + losses + ties})
    frame = pl.DataFrame(columns).with_columns(pl.Series("_order", -np.round(theta, 8))).sort(["rank", "_order", "item"]).drop("_order")
    return Ratings(
        table=frame,
        _theta=dict(zip(table.labels.to_list(), theta.tolist())),
        _replicates=replicates,
        _labels=table.labels,
        **kwargs,
    )


def _not_identifiable(e: Any, labels: pl.Series) -> NotIdentifiableError:
    names = labels.to_list()

    def show(codes: list[int]) -> str:
        listed = ", ".join(repr(names[c]) for c in codes[:10])
        return listed + (f" and {len(codes) - 10} more" if len(codes) > 10 else "")

    parts = []
    if e.never_win:
        parts.append(f"never win: {show(e.never_win)}")
    if e.never_lose:
        parts.append(f"never lose: {show(e.never_lose)}")
    if not parts:
        comp = np.asarray(e.component_of)
        top = np.flatnonzero(comp == 0).tolist()
        parts.append(f"items {show(top)} are never beaten by any item outside their group")
    msg = (
        "no finite Bradley–Terry estimate: the comparison graph splits into "
        f"{e.components} strongly connected components; items that {'; '.join(parts)}. "
        "Pass regularization > 0 (e.g. regularization=1.0) for finite estimates."
    )
    err = NotIdentifiableError(msg)
    err.never_win = [names[c] for c in e.never_win]  # type: ignore[attr-defined]
    err.never_lose = [names[c] for c in e.never_lose]  # type: ignore[attr-defined]
    err.components = e.components  # type: ignore[attr-defined]
    return err
