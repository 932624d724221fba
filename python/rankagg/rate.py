"""Rating methods: one function per method, data first, keyword-only options."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Literal

import numpy as np
import polars as pl

from rankagg import _core
from rankagg.checks import one_of, shown
from rankagg.covariates import bootstrap as covariate_bootstrap
from rankagg.covariates import fit as covariate_fit
from rankagg.errors import (
    ConvergenceWarning,
    InvalidWeightError,
    NotIdentifiableError,
    OutcomeRangeError,
    RankaggError,
    warn,
)
from rankagg.intake import Frame, accepts_columns
from rankagg.intervals import (
    Bootstrap,
    Interval,
    Sandwich,
    percentile,
    run_rounds,
    sandwich_covariance,
    wald,
    z_value,
)
from rankagg.pairs import Comparisons, PairTable, core_table
from rankagg.rankings import Rankings
from rankagg.results import Ratings, anchor_index, not_identifiable, ratings_from, scaler, to_scale

__all__ = [
    "bradley_terry",
    "elo",
    "trueskill",
    "counting",
    "win_rate",
    "average_win_rate",
    "eigenvector",
    "pagerank",
    "rank_centrality",
    "plackett_luce",
]

Ties = Literal["half", "davidson", "rao_kupper", "drop"]
Scale = Literal["elo", "logit"]
Solver = Literal["newman", "mm"]


@accepts_columns
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
    covariates: Sequence[str | tuple[str, str]] | None = None,
    covariate_l2: float = 1.0,
    by: str | None = None,
    pooling: float | None = None,
) -> Ratings:
    """Bradley–Terry ratings by maximum likelihood: P(i beats j) = π_i / (π_i + π_j).

    Args:
        data: comparisons, one per row (a Polars DataFrame or LazyFrame, pandas, pyarrow,
            a dict of columns), or a :class:`PairTable`.
        a, b: the columns of the two items compared. Item names of any dtype the two columns
            share (strings, integers, dates, ...); String, Categorical and Enum columns may be
            mixed (they are compared as text) and the labels are then strings.
        outcome: the column saying who won: a number in [0, 1] (the probability that ``a``
            won: 1, 0, or 0.5 for a tie), or labels mapped by ``outcomes``. LMArena's labels
            ``model_a``, ``model_b``, ``tie`` and ``tie (bothbad)`` need no mapping.
        weight: optional column of non-negative row weights.
        outcomes: ``{label: value}`` for label outcomes, e.g. ``{"left": 1, "right": 0, "tie": 0.5}``.
        winner, loser: instead of ``a``/``b``/``outcome``: one column of winners and one of
            losers (RLHF chosen/rejected pairs).
        ties: ``"half"`` counts a tie as half a win for each side (the arena convention);
            ``"davidson"`` fits Davidson's (1970) tie parameter ν (``Ratings.tie_parameter``);
            ``"rao_kupper"`` fits Rao & Kupper's (1967) threshold η ≥ 1
            (P(a beats b) = π_a / (π_a + η π_b)); ``"drop"`` ignores ties.
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

        covariates: per-comparison features that shift the odds (LMArena's "style control"):
            logit P(a wins) = θ_a − θ_b + xᵀβ. Each entry is a column holding a-minus-b
            values, or a ``(column_for_a, column_for_b)`` pair whose difference is used (e.g.
            ``("len_a", "len_b")``); scale them as you want β read. The coefficients are in
            ``Ratings.covariates`` (covariate, coefficient, std_error; lower/upper with
            ``ci=``; with ``ci=Bootstrap(...)`` the rows are resampled and each round refitted,
            std_error is then the replicates' standard deviation). Fitted by Newton's method over the rows (a dense solve in
            n + p unknowns: up to a few thousand items). ``ties="half"`` or ``"drop"``.
        covariate_l2: L2 penalty λ on β (λ‖β‖²/2 subtracted from the log-likelihood).
        by: a column of tasks (categories, prompts' topics, benchmarks): one leaderboard per
            task, with partial pooling. In task t, θ_{t,i} = μ_i + δ_{t,i}, the task effects
            δ having a Gaussian prior N(0, 1/``pooling``) and the overall strengths μ the
            usual ``regularization``; the scores are the joint maximum a posteriori (a
            hierarchical Bradley–Terry model; partial pooling as in Gelman & Hill 2007, ch. 12).
            ``table`` then has the ``by`` column first, one row per (task, item), best first
            within each task (``rank`` is within the task; intervals with
            ``ci=Bootstrap(...)`` resample each task's comparisons), and a boolean
            ``pooled_only``: the item has no comparisons in that task and shows its overall
            strength μ. ``anchor`` pins the item in every task. ``ties="half"`` or ``"drop"``;
            no ``Sandwich`` or ``covariates``. See :mod:`rankagg.pooled` and docs/ratings.md.
        pooling: with ``by``: the prior precision of the task effects (default 1). ``0`` fits every task on
            its own (exactly :func:`bradley_terry` on that task's rows; items absent from a
            task have no row); larger values pull the tasks toward one leaderboard, which they
            reach as ``pooling → ∞``.

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
    if not one_of(ties, ("half", "davidson", "rao_kupper", "drop")):
        raise RankaggError(f"ties must be 'half', 'davidson', 'rao_kupper' or 'drop', not {ties!r}")
    if not one_of(scale, ("elo", "logit")):
        raise RankaggError(f"scale must be 'elo' or 'logit', not {scale!r}")
    if not one_of(solver, ("newman", "mm")):
        raise RankaggError(f"solver must be 'newman' or 'mm', not {solver!r}")
    if not (isinstance(regularization, (int, float)) and math.isfinite(regularization) and regularization >= 0):
        raise RankaggError(f"regularization must be a finite number >= 0, not {regularization!r}")
    if not (isinstance(tol, (int, float)) and tol > 0):
        raise RankaggError(f"tol must be > 0, not {tol!r}")
    if covariates is not None and (isinstance(covariates, (str, bytes)) or not isinstance(covariates, Sequence)):
        raise RankaggError(f"covariates must be a list of column names (or name pairs), not {shown(covariates)}")
    if not (isinstance(max_iter, int) and 0 <= max_iter < 2**63):
        raise RankaggError(f"max_iter must be an integer >= 0 (below 2**63), not {max_iter!r}")
    _check_ci(ci)
    if pooling is not None and by is None:
        raise RankaggError("pooling= applies to per-task leaderboards: pass by='<task column>' too")
    if by is not None:
        if covariates:
            raise RankaggError("by= (per-task leaderboards) does not support covariates")
        if isinstance(data, PairTable):
            raise RankaggError("by= needs the comparison rows with their task column, not a PairTable")
        from rankagg.pooled import fit_by

        return fit_by(
            data,
            by=by,
            pooling=1.0 if pooling is None else pooling,
            columns=dict(a=a, b=b, outcome=outcome, weight=weight, outcomes=outcomes, winner=winner, loser=loser),
            ties=ties,
            scale=scale,
            anchor=anchor,
            regularization=regularization,
            solver=solver,
            tol=tol,
            max_iter=max_iter,
            ci=ci,
        )
    if isinstance(ci, Sandwich) and ties in ("davidson", "rao_kupper"):
        raise RankaggError(f"Sandwich intervals need ties='half' or 'drop'; use ci=Bootstrap() with ties={ties!r}")
    rows: Comparisons | None = None
    if covariates:
        if isinstance(data, PairTable):
            raise RankaggError("covariates need the comparison rows, not a PairTable")
        if ties in ("davidson", "rao_kupper"):
            raise RankaggError(f"covariates support ties='half' or 'drop', not {ties!r}")
        if not (isinstance(covariate_l2, (int, float)) and math.isfinite(covariate_l2) and covariate_l2 >= 0):
            raise RankaggError(f"covariate_l2 must be a finite number >= 0, not {covariate_l2!r}")
        rows = Comparisons.from_frame(
            data,
            a=a,
            b=b,
            outcome=outcome,
            weight=weight,
            outcomes=outcomes,
            winner=winner,
            loser=loser,
            features=covariates,
        )
        table = rows.pair_table()
    else:
        table = (
            data
            if isinstance(data, PairTable)
            else PairTable.from_comparisons(
                data, a=a, b=b, outcome=outcome, weight=weight, outcomes=outcomes, winner=winner, loser=loser
            )
        )
    point: dict[str, Any] = {}

    def call(rounds: int, first: int) -> _core.BradleyTerryFit:
        # Later chunks of rounds start from the first chunk's point fit instead of refitting it.
        given = (
            {
                "point_theta": point["theta"],
                "point_virtual": point["virtual_theta"],
                "point_tie": point["tie_parameter"],
            }
            if point
            else {}
        )
        out = _core.bradley_terry(
            table.n_items,
            core_table(table),
            tie_model=ties,
            solver=solver,
            regularization=float(regularization),
            tol=float(tol),
            max_iter=int(max_iter),
            rounds=rounds,
            draws=_draws(table),
            seed=ci.seed if isinstance(ci, Bootstrap) else 0,
            first_round=first,
            **given,
        )
        if not point:
            point.update(out)
        return out

    try:
        fit = run_rounds(None if rows is not None else ci, call, "bootstrap")
    except NotIdentifiableError as e:
        raise not_identifiable(e, table.labels) from None
    theta: np.ndarray = fit["theta"]
    coefficients = None
    cov = None
    if rows is not None:
        wins0, losses0, ties0 = table.item_totals()
        counts = (wins0 + losses0 + ties0)[rows.rank]
        cf = covariate_fit(
            rows,
            theta[rows.rank],
            drop_ties=ties == "drop",
            l2=float(covariate_l2),
            regularization=float(regularization),
            tol=float(tol),
            max_iter=int(max_iter),
            counts=counts,
            with_sandwich=isinstance(ci, Sandwich),
        )
        n = table.n_items
        theta = np.empty(n)
        theta[rows.rank] = cf.theta
        order = np.concatenate([np.argsort(rows.rank), np.arange(n, n + len(cf.beta))])
        full = cf.sandwich if cf.sandwich is not None else cf.covariance
        cov = full[np.ix_(order, order)]
        se = np.sqrt(np.maximum(np.diag(cov)[n:], 0.0))
        coefficients = pl.DataFrame({"covariate": list(rows.feature_names), "coefficient": cf.beta, "std_error": se})
        if isinstance(ci, Sandwich):
            z = z_value(ci.level)
            coefficients = coefficients.with_columns(
                lower=pl.col("coefficient") - z * pl.col("std_error"),
                upper=pl.col("coefficient") + z * pl.col("std_error"),
            )
        fit.update(
            {
                "converged": cf.converged,
                "iterations": cf.iterations,
                "log_likelihood": cf.log_likelihood,
                "max_relative_gradient": cf.max_relative_gradient,
            }
        )
        if isinstance(ci, Bootstrap):
            boot = run_rounds(
                ci,
                lambda rounds, first: covariate_bootstrap(
                    rows,
                    cf,
                    rounds=rounds,
                    first_round=first,
                    seed=ci.seed,
                    drop_ties=ties == "drop",
                    l2=float(covariate_l2),
                    regularization=float(regularization),
                    tol=float(tol),
                    max_iter=int(max_iter),
                ),
                "bootstrap",
            )
            reps = np.empty_like(boot["replicates"])
            reps[:, rows.rank] = boot["replicates"]
            fit["replicates"], fit["redraws"] = reps, 0
            lo_b, hi_b = percentile(boot["beta_replicates"], ci.level)
            coefficients = coefficients.with_columns(
                std_error=pl.Series(boot["beta_replicates"].std(axis=0, ddof=1)),
                lower=pl.Series(lo_b),
                upper=pl.Series(hi_b),
            )
            if boot["not_converged"]:
                warn(
                    f"{boot['not_converged']} bootstrap round(s) stopped at max_iter before tol (e.g. a resample in "
                    "which an item never wins); pass regularization > 0",
                    ConvergenceWarning,
                )
    if not fit["converged"]:
        warn(
            f"bradley_terry did not converge in {fit['iterations']} iterations "
            f"(largest relative gradient {fit['max_relative_gradient']:.3g} > tol={tol}); "
            + (
                "raise max_iter"
                + (
                    ", or use solver='newman'"
                    if solver == "mm"
                    else ", or add regularization > 0 for near-separated data"
                )
            ),
            ConvergenceWarning,
        )
    anchor_at = anchor_index(table.labels, anchor)

    scaled = scaler(scale, anchor, anchor_at)

    scores = scaled(theta)
    options: dict[str, Any] = {"ties": ties, "solver": solver, "regularization": regularization, "tol": tol}
    if covariates:
        options["covariate_l2"] = covariate_l2
    lower = upper = replicates = None
    if isinstance(ci, Bootstrap):
        replicates = scaled(fit["replicates"])
        lower, upper = percentile(replicates, ci.level)
        options["bootstrap_redraws"] = int(fit["redraws"])
        _warn_redraws(int(fit["redraws"]), ci.rounds)
    elif isinstance(ci, Sandwich):
        exponent = 0
        if cov is None:
            cov, exponent = sandwich_covariance(
                table.n_items,
                table.i,
                table.j,
                table.wins_i,
                table.wins_j,
                table.ties,
                theta,
                ties_mode=ties,
                regularization=float(regularization),
                virtual_theta=fit["virtual_theta"],
            )
        lo_t, hi_t = wald(theta, cov[: table.n_items, : table.n_items], ci.level, anchor_at, exponent=exponent)
        shift = scores - to_scale(theta, scale)
        lower, upper = to_scale(lo_t, scale) + shift, to_scale(hi_t, scale) + shift
    return ratings_from(
        table.labels,
        (fit["wins"], fit["losses"], fit["ties"]) if "wins" in fit else table.item_totals(),
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
        covariates=coefficients,
    )


def _pairs(data: Frame | PairTable, **columns: Any) -> PairTable:
    return data if isinstance(data, PairTable) else PairTable.from_comparisons(data, **columns)


def _percentile_options(ci: Interval | None, method: str) -> tuple[int, int]:
    """(rounds, seed) for methods that support only the bootstrap."""
    _check_ci(ci)
    if isinstance(ci, Sandwich):
        raise RankaggError(f"{method} supports ci=Bootstrap(...); Sandwich intervals are for bradley_terry")
    return (ci.rounds, ci.seed) if isinstance(ci, Bootstrap) else (0, 0)


def _pair_method(
    method: Literal["counting", "win_rate", "average_win_rate", "eigenvector", "pagerank", "rank_centrality"],
    data: Frame | PairTable,
    columns: dict[str, Any],
    ci: Interval | None,
    *,
    scale: str,
    tol: float = 1e-12,
    max_iter: int = 10_000,
    **params: Any,
) -> Ratings:
    """Shared path of the count-based and spectral methods."""
    _, seed = _percentile_options(ci, method)
    if not (isinstance(tol, (int, float)) and tol > 0):
        raise RankaggError(f"tol must be > 0, not {tol!r}")
    if not (isinstance(max_iter, int) and 1 <= max_iter < 2**63):
        raise RankaggError(f"max_iter must be an integer >= 1 (below 2**63), not {max_iter!r}")
    table = _pairs(data, **columns)
    counts = (table.wins_i, table.wins_j, table.ties)
    top = max((float(c.max()) for c in counts if len(c)), default=0.0)
    if method != "counting" and top > 0:
        # Scale-free scores: the counts are brought to [0.5, 1) by a power of two (exact), where
        # the iterations' tolerances and sums mean what they say whatever the weights' magnitude
        # (with every weight 1e-30 the eigenvector came out uniform).
        e = math.frexp(top)[1]
        counts = tuple(np.ldexp(c, -e) for c in counts)
    fit = run_rounds(
        ci,
        lambda rounds, first: _core.pair_scores(
            method,
            table.n_items,
            (table.i, table.j, *counts),
            tol=float(tol),
            max_iter=int(max_iter),
            rounds=rounds,
            draws=_draws(table),
            seed=seed,
            first_round=first,
            **params,
        ),
        "bootstrap",
    )
    scores = fit["scores"]
    if not fit["converged"]:
        warn(f"{method} did not converge in {fit['iterations']} iterations; raise max_iter", ConvergenceWarning)
    lower = upper = None
    if isinstance(ci, Bootstrap):  # rounds > 0
        lower, upper = percentile(fit["replicates"], ci.level)
    return ratings_from(
        table.labels,
        table.item_totals(),
        scores,
        scores,
        method=method,
        scale=scale,
        converged=bool(fit["converged"]),
        iterations=int(fit["iterations"]),
        options=dict(params, tol=tol),
        lower=lower,
        upper=upper,
        ci=ci,
        replicates=fit.get("replicates"),
        predictive=False,
    )


def _check_ci(ci: Any) -> None:
    if ci is not None and not isinstance(ci, (Bootstrap, Sandwich)):
        raise RankaggError(f"ci must be rankagg.Bootstrap(...), rankagg.Sandwich(...) or None, not {ci!r}")


def _draws(table: PairTable) -> int:
    """Comparisons drawn per bootstrap round."""
    if table.rows > 0:
        return table.rows
    return max(1, round(float(table.wins_i.sum() + table.wins_j.sum() + table.ties.sum())))


def _warn_redraws(redraws: int, rounds: int) -> None:
    if redraws:
        warn(
            f"{redraws} bootstrap resample(s) (for {rounds} rounds) had no finite estimate and were "
            "drawn again, which narrows the intervals; pass regularization > 0 to keep every resample",
            RuntimeWarning,
        )


@accepts_columns
def elo(
    data: Frame,
    *,
    a: str = "a",
    b: str = "b",
    outcome: str = "outcome",
    weight: str | None = None,
    outcomes: Mapping[Any, float] | None = None,
    winner: str | None = None,
    loser: str | None = None,
    order_by: str | None = None,
    k: float = 4.0,
    base: float = 10.0,
    scale: float = 400.0,
    initial: float = 1000.0,
    ci: Bootstrap | None = None,
) -> Ratings:
    """Online Elo ratings: one pass over the comparisons in row order (or ``order_by`` order).

    For each row, E = 1 / (1 + base^((R_b − R_a)/scale)); R_a += k·w·(o − E) and
    R_b −= k·w·(o − E), where o is the outcome (1 win, 0 loss, 0.5 tie) and w the row weight.
    The defaults (k 4, base 10, scale 400, initial 1000) are the LMArena notebook's and
    evalica's.

    Args:
        data, a, b, outcome, weight, outcomes, winner, loser: the comparisons, as in
            :func:`bradley_terry`.
        order_by: a column to sort the rows by first (e.g. a timestamp); equal keys keep their
            row order. Without it, rows are used in the order given.
        k, base, scale, initial: the update size, the odds base, the rating scale, the
            starting rating.
        ci: ``Bootstrap(...)``: resamples rows with replacement (keeping their order) and reruns.

    Returns:
        :class:`Ratings` (``predict`` gives the Elo win probability).

    Example:

    >>> import rankagg as ra
    >>> r = ra.elo({"a": ["x", "x", "y"], "b": ["y", "z", "z"], "outcome": [1.0, 1.0, 0.5]}, k=32)
    >>> [(item, round(score, 2)) for item, score in r.table.select("item", "score").rows()]
    [('x', 1031.26), ('z', 984.7), ('y', 984.03)]
    >>> round(r.predict("x", "z"), 3)
    0.567
    """
    _percentile_options(ci, "elo")
    for name, value, ok in (
        ("k", k, lambda v: v > 0),
        ("base", base, lambda v: v > 1),
        ("scale", scale, lambda v: v > 0),
        ("initial", initial, lambda v: True),
    ):
        if not (isinstance(value, (int, float)) and math.isfinite(value) and ok(value)):
            raise RankaggError(f"elo: {name}={value!r} is not valid (need k > 0, base > 1, scale > 0, finite initial)")
    rows = Comparisons.from_frame(
        data, a=a, b=b, outcome=outcome, weight=weight, outcomes=outcomes, winner=winner, loser=loser, order_by=order_by
    )
    try:
        fit = run_rounds(
            ci,
            lambda rounds, first: _core.elo(
                len(rows.labels),
                rows.core_rows(),
                k=float(k),
                base=float(base),
                scale=float(scale),
                initial=float(initial),
                rounds=rounds,
                seed=ci.seed if ci else 0,
                first_round=first,
            ),
            "bootstrap",
        )
    except RankaggError as e:
        raise rows.explain(e) from None

    scores = rows.in_label_order(fit["scores"])
    if not np.all(np.isfinite(scores)):
        raise InvalidWeightError(
            f"elo: the ratings overflowed (k × weight × (outcome − expected) beyond double precision, e.g. weights "
            f"near 1e308 in column {weight!r}); scale the weights (or k) down"
            if weight is not None
            else "elo: the ratings overflowed double precision; use a smaller k or initial rating"
        )
    totals, lower, upper, replicates = _row_method_totals(rows, fit, ci)
    return ratings_from(
        rows.labels,
        totals,
        scores * (math.log(base) / scale),
        scores,
        method="elo",
        scale="elo",
        converged=True,
        iterations=1,
        options={"k": k, "base": base, "scale": scale, "initial": initial, "order_by": order_by},
        lower=lower,
        upper=upper,
        ci=ci,
        replicates=replicates,
    )


def _row_method_totals(
    rows: Comparisons, fit: _core.EloFit | _core.TrueSkillFit, ci: Bootstrap | None
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """What ``elo`` and ``trueskill`` (row-level fits) read the same way from their core result,
    in label order: the per-item (wins, losses, ties), and with ``ci`` the percentile interval
    (lower, upper) and the replicates."""
    totals = (rows.in_label_order(fit["wins"]), rows.in_label_order(fit["losses"]), rows.in_label_order(fit["ties"]))
    lower = upper = replicates = None
    if ci is not None:
        replicates = rows.in_label_order(fit["replicates"])
        lower, upper = percentile(replicates, ci.level)
    return totals, lower, upper, replicates


#: The most games (rows times their weights) that ``trueskill`` plays: ~7 minutes at ~1e7 per
#: second. A weight of 1e12 would otherwise run for a day.
_TRUESKILL_MAX_GAMES = 2**32


@accepts_columns
def trueskill(
    data: Frame,
    *,
    a: str = "a",
    b: str = "b",
    outcome: str = "outcome",
    weight: str | None = None,
    outcomes: Mapping[Any, float] | None = None,
    winner: str | None = None,
    loser: str | None = None,
    order_by: str | None = None,
    mu: float = 25.0,
    sigma: float = 25.0 / 3.0,
    beta: float = 25.0 / 6.0,
    tau: float = 25.0 / 300.0,
    draw_probability: float = 0.1,
    ci: Bootstrap | None = None,
) -> Ratings:
    """Two-player TrueSkill (Herbrich, Minka & Graepel 2006): one pass over the comparisons in
    row order (or ``order_by`` order), game by game as the ``trueskill`` package's ``rate_1vs1``.

    Each item's skill is a Gaussian N(μ, σ²), starting at N(``mu``, ``sigma``²). Before each game
    both players' σ² grow by ``tau``²; then, with c² = 2·``beta``² + σ_a² + σ_b², the beliefs
    are updated by the mean and variance of the performance difference truncated to a win
    (difference > ε) or a draw (|difference| ≤ ε), where the draw margin ε = Φ⁻¹((p + 1)/2)·√2·β
    makes p = ``draw_probability`` the chance of a draw between equal players. The table has
    ``mu``, ``sigma`` and ``score`` = μ − 3σ (the conservative skill the table is ranked by).

    Outcomes must be 1 (a wins), 0 (b wins) or 0.5 (a draw): TrueSkill has no partial wins, so
    other values raise :class:`~rankagg.errors.OutcomeRangeError` naming the rows (map labels
    with ``outcomes=``, e.g. LMArena's ``"tie (bothbad)"`` to 0.5). ``weight``: a whole number of
    repeats — a row of weight k is k identical games in a row (0 skips it; the time grows with
    the total weight, and Ctrl-C stops a long run); other weights raise
    :class:`~rankagg.errors.InvalidWeightError`. Draws need ``draw_probability > 0``.

    The truncated-Gaussian corrections are computed through the Mills ratio, accurate to about
    1e-13 relative even where the package's formulas underflow (it raises
    ``FloatingPointError`` there); the package's default backend approximates erfc to ~1e-7,
    so agreement with it is ~1e-6, and ~1e-12 with ``TrueSkill(backend="scipy")``.

    Args:
        data, a, b, outcome, weight, outcomes, winner, loser: the comparisons, as in
            :func:`bradley_terry` (``weight`` as above).
        order_by: a column to sort the rows by first (e.g. a timestamp); equal keys keep their
            row order. Without it, rows are used in the order given.
        mu, sigma: the initial mean and standard deviation of every item (finite, sigma > 0).
        beta: the performance noise, sigma of one game's performance (> 0).
        tau: the dynamics, added to sigma (in variance) before each game (≥ 0).
        draw_probability: the probability of a draw between equal players, in [0, 1).
        ci: ``Bootstrap(...)``: resamples rows with replacement (keeping their order) and reruns,
            as for :func:`elo`; the intervals are of the score μ − 3σ. (σ is the model's own
            uncertainty about μ; the bootstrap's is the data's.)

    Returns:
        :class:`Ratings` with ``item, mu, sigma, score, rank, wins, losses, ties, n`` (and
        ``lower, upper`` with ``ci``);
        ``predict(x, y)`` is the probability that x beats y outright in a next game,
        Φ((μ_x − μ_y − ε)/c) with c² = 2β² + σ_x² + σ_y² + 2τ² (the rest is a draw or a loss).

    Example:

    >>> import rankagg as ra
    >>> r = ra.trueskill({"a": ["x", "x", "y"], "b": ["y", "z", "z"], "outcome": [1.0, 1.0, 0.5]})
    >>> [(item, round(mu, 3), round(sd, 3)) for item, mu, sd in r.table.select("item", "mu", "sigma").rows()]
    [('x', 31.957, 6.464), ('z', 21.19, 5.692), ('y', 20.953, 5.683)]
    >>> round(r.predict("x", "y"), 3)
    0.837
    """
    _percentile_options(ci, "trueskill")
    for name, value, ok, need in (
        ("mu", mu, lambda v: True, "finite"),
        ("sigma", sigma, lambda v: v > 0, "finite and > 0"),
        ("beta", beta, lambda v: v > 0, "finite and > 0"),
        ("tau", tau, lambda v: v >= 0, "finite and >= 0"),
        ("draw_probability", draw_probability, lambda v: v < 1, "in [0, 1)"),
    ):
        valid = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and ok(value)
        if name == "draw_probability" and valid:
            valid = value >= 0
        if not valid:
            raise RankaggError(f"trueskill: {name}={value!r} is not valid (need {name} {need})")
    rows = Comparisons.from_frame(
        data, a=a, b=b, outcome=outcome, weight=weight, outcomes=outcomes, winner=winner, loser=loser, order_by=order_by
    )
    _, _, col_o, col_w = rows.names
    if rows.weight is not None:
        finite = rows.weight[np.isfinite(rows.weight)]
        games = float(finite.sum()) if len(finite) else 0.0
        if games > _TRUESKILL_MAX_GAMES:
            raise InvalidWeightError(
                f"trueskill: column {col_w!r} (weight=) asks for {games:.3g} games in all (a weight is a number "
                f"of repeats, each played in turn, ~1e7 per second); at most 2**32 = {_TRUESKILL_MAX_GAMES:,}"
            )
    if draw_probability == 0:
        o, _ = rows.row_values()
        draws = np.flatnonzero(o == 0.5)
        if len(draws):
            raise RankaggError(
                f"trueskill: {len(draws)} draw(s) in column {col_o!r} (outcome=) have probability 0 under "
                f"draw_probability=0: rows {(draws[:10] + rows.row_offset).tolist()}; pass draw_probability > 0"
            )
    try:
        fit = run_rounds(
            ci,
            lambda rounds, first: _core.trueskill(
                len(rows.labels),
                rows.core_rows(),
                mu=float(mu),
                sigma=float(sigma),
                beta=float(beta),
                tau=float(tau),
                draw_probability=float(draw_probability),
                rounds=rounds,
                seed=ci.seed if ci else 0,
                first_round=first,
            ),
            "bootstrap",
        )
    except OutcomeRangeError as e:
        shown = [r + rows.row_offset for r in e.rows]
        err = OutcomeRangeError(
            f"trueskill: column {col_o!r} (outcome=) has {e.count} value(s) other than 1 (a wins), "
            f"0 (b wins) and 0.5 (a draw): rows {shown}"
        )
        err.rows, err.count = shown, e.count
        raise err from None
    except InvalidWeightError as e:
        shown = [r + rows.row_offset for r in e.rows]
        err2 = InvalidWeightError(
            f"trueskill: column {col_w!r} (weight=) has {e.count} value(s) that are not whole numbers "
            f"of repeats (0, 1, 2, ...): rows {shown}"
        )
        err2.rows, err2.count = shown, e.count
        raise err2 from None
    except RankaggError as e:
        raise rows.explain(e) from None

    totals, lower, upper, replicates = _row_method_totals(rows, fit, ci)
    mus, sigmas = rows.in_label_order(fit["mu"]), rows.in_label_order(fit["sigma"])
    scores = mus - 3.0 * sigmas
    r = ratings_from(
        rows.labels,
        totals,
        scores,
        scores,
        method="trueskill",
        scale="trueskill",
        converged=True,
        iterations=1,
        extra={"mu": mus, "sigma": sigmas},
        options={
            "mu": mu,
            "sigma": sigma,
            "beta": beta,
            "tau": tau,
            "draw_probability": draw_probability,
            "order_by": order_by,
        },
        predictive=False,
        lower=lower,
        upper=upper,
        ci=ci,
        replicates=replicates,
    )
    labels = rows.labels.to_list()
    return replace(r, _theta=dict(zip(labels, mus.tolist())), _sigma=dict(zip(labels, sigmas.tolist())))


@accepts_columns
def counting(
    data: Frame | PairTable,
    *,
    a: str = "a",
    b: str = "b",
    outcome: str = "outcome",
    weight: str | None = None,
    outcomes: Mapping[Any, float] | None = None,
    winner: str | None = None,
    loser: str | None = None,
    tie_weight: float = 0.5,
    ci: Bootstrap | None = None,
) -> Ratings:
    """Wins: each item's weighted wins plus ``tie_weight`` × its ties (evalica's ``counting``).

    Args:
        data, a, b, outcome, weight, outcomes, winner, loser: the comparisons, as in
            :func:`bradley_terry` (or a :class:`PairTable`).
        tie_weight: what a tie is worth to each side.
        ci: ``Bootstrap(...)`` for percentile intervals.

    Example:

    >>> import rankagg as ra
    >>> ra.counting({"a": ["x", "x", "y"], "b": ["y", "z", "z"], "outcome": [1.0, 1.0, 0.5]}).table["score"].to_list()
    [2.0, 0.5, 0.5]
    """
    return _pair_method(
        "counting",
        data,
        dict(a=a, b=b, outcome=outcome, weight=weight, outcomes=outcomes, winner=winner, loser=loser),
        ci,
        scale="count",
        tie_weight=_tie_weight(tie_weight),
    )


@accepts_columns
def win_rate(
    data: Frame | PairTable,
    *,
    a: str = "a",
    b: str = "b",
    outcome: str = "outcome",
    weight: str | None = None,
    outcomes: Mapping[Any, float] | None = None,
    winner: str | None = None,
    loser: str | None = None,
    tie_weight: float = 0.5,
    ci: Bootstrap | None = None,
) -> Ratings:
    """Win rate: (wins + ``tie_weight`` × ties) / comparisons, per item.

    Args:
        data, a, b, outcome, weight, outcomes, winner, loser: the comparisons, as in
            :func:`bradley_terry` (or a :class:`PairTable`).
        tie_weight: what a tie is worth to each side.
        ci: ``Bootstrap(...)`` for percentile intervals.

    Example:

    >>> import rankagg as ra
    >>> ra.win_rate({"a": ["x", "x", "y"], "b": ["y", "z", "z"], "outcome": [1.0, 1.0, 0.5]}).table["score"].to_list()
    [1.0, 0.25, 0.25]
    """
    return _pair_method(
        "win_rate",
        data,
        dict(a=a, b=b, outcome=outcome, weight=weight, outcomes=outcomes, winner=winner, loser=loser),
        ci,
        scale="rate",
        tie_weight=_tie_weight(tie_weight),
    )


@accepts_columns
def average_win_rate(
    data: Frame | PairTable,
    *,
    a: str = "a",
    b: str = "b",
    outcome: str = "outcome",
    weight: str | None = None,
    outcomes: Mapping[Any, float] | None = None,
    winner: str | None = None,
    loser: str | None = None,
    tie_weight: float = 0.5,
    ci: Bootstrap | None = None,
) -> Ratings:
    """Average win rate: the mean, over the opponents an item met, of its win rate against
    each (evalica's ``average_win_rate``). Unlike :func:`win_rate` it does not favour items
    that met weak opponents more often.

    The win rate against one opponent is :func:`win_rate`'s on that pair alone,
    (wins + ``tie_weight`` × ties) / comparisons: ties stay among the comparisons whatever
    they are worth, so both scores agree on a single pair (one win and one tie is 0.5 at
    ``tie_weight=0``, 0.75 at the default 0.5).

    Args:
        data, a, b, outcome, weight, outcomes, winner, loser: the comparisons, as in
            :func:`bradley_terry` (or a :class:`PairTable`).
        tie_weight: what a tie is worth to each side.
        ci: ``Bootstrap(...)`` for percentile intervals.

    Example:

    >>> import rankagg as ra
    >>> data = {"a": ["x", "x", "x", "y"], "b": ["y", "y", "z", "z"], "outcome": [1.0, 0.0, 1.0, 1.0]}
    >>> ra.average_win_rate(data).table.select("item", "score").rows()
    [('x', 0.75), ('y', 0.75), ('z', 0.0)]
    """
    return _pair_method(
        "average_win_rate",
        data,
        dict(a=a, b=b, outcome=outcome, weight=weight, outcomes=outcomes, winner=winner, loser=loser),
        ci,
        scale="rate",
        tie_weight=_tie_weight(tie_weight),
    )


@accepts_columns
def eigenvector(
    data: Frame | PairTable,
    *,
    a: str = "a",
    b: str = "b",
    outcome: str = "outcome",
    weight: str | None = None,
    outcomes: Mapping[Any, float] | None = None,
    winner: str | None = None,
    loser: str | None = None,
    tol: float = 1e-12,
    max_iter: int = 10_000,
    ci: Bootstrap | None = None,
) -> Ratings:
    """Keener's (1993) eigenvector scores: with s_ij = wins of i over j + ½ ties, the leading
    eigenvector r of s (r_i ∝ Σ_j s_ij r_j: strong items score against strong items), of
    unit Euclidean length.

    evalica's ``eigen`` uses the transposed matrix (r_j ∝ Σ_i s_ij r_i, rewarding losses to
    strong items); its numbers are this function's on the data with every outcome reversed.

    Args:
        data, a, b, outcome, weight, outcomes, winner, loser: the comparisons, as in
            :func:`bradley_terry` (or a :class:`PairTable`).
        tol, max_iter: power iteration stops when the L1 change is below ``tol``.
        ci: ``Bootstrap(...)`` for percentile intervals.

    Example:

    >>> import rankagg as ra
    >>> r = ra.eigenvector({"a": ["x", "x", "y"], "b": ["y", "y", "x"], "outcome": [1.0, 1.0, 1.0]})
    >>> [round(v, 4) for v in r.table["score"]]  # (√2, 1)/√3
    [0.8165, 0.5774]
    """
    return _pair_method(
        "eigenvector",
        data,
        dict(a=a, b=b, outcome=outcome, weight=weight, outcomes=outcomes, winner=winner, loser=loser),
        ci,
        scale="eigenvector",
        tol=tol,
        max_iter=max_iter,
    )


@accepts_columns
def pagerank(
    data: Frame | PairTable,
    *,
    a: str = "a",
    b: str = "b",
    outcome: str = "outcome",
    weight: str | None = None,
    outcomes: Mapping[Any, float] | None = None,
    winner: str | None = None,
    loser: str | None = None,
    damping: float = 0.85,
    tol: float = 1e-12,
    max_iter: int = 10_000,
    ci: Bootstrap | None = None,
) -> Ratings:
    """PageRank on the graph in which each loser links to the items that beat it (weighted by
    their wins over it, a tie counting half each way); items that never lose link to all;
    the walk restarts uniformly with probability 1 − ``damping``. Scores sum to 1 (evalica's
    ``pagerank`` conventions).

    Args:
        data, a, b, outcome, weight, outcomes, winner, loser: the comparisons, as in
            :func:`bradley_terry` (or a :class:`PairTable`).
        damping: the probability of following a link.
        tol, max_iter: power iteration stops when the L1 change is below ``tol``.
        ci: ``Bootstrap(...)`` for percentile intervals.

    Example:

    >>> import rankagg as ra
    >>> r = ra.pagerank({"a": ["x", "x", "y"], "b": ["y", "z", "z"], "outcome": [1.0, 1.0, 1.0]})
    >>> r.table["item"].to_list(), round(sum(r.table["score"]), 12)
    (['x', 'y', 'z'], 1.0)
    """
    if not (isinstance(damping, (int, float)) and 0.0 <= damping <= 1.0):
        raise RankaggError(f"damping must be in [0, 1], not {damping!r}")
    return _pair_method(
        "pagerank",
        data,
        dict(a=a, b=b, outcome=outcome, weight=weight, outcomes=outcomes, winner=winner, loser=loser),
        ci,
        scale="probability",
        tol=tol,
        max_iter=max_iter,
        damping=float(damping),
    )


@accepts_columns
def rank_centrality(
    data: Frame | PairTable,
    *,
    a: str = "a",
    b: str = "b",
    outcome: str = "outcome",
    weight: str | None = None,
    outcomes: Mapping[Any, float] | None = None,
    winner: str | None = None,
    loser: str | None = None,
    tol: float = 1e-12,
    max_iter: int = 100_000,
    ci: Bootstrap | None = None,
) -> Ratings:
    """Rank Centrality (Negahban, Oh & Shah 2017): the stationary distribution of the random
    walk that moves from i to j with probability (j's share of their results) / d_max, d_max
    the largest number of distinct opponents of any item. Scores sum to 1; when the win shares
    follow a Bradley–Terry model they are its strengths π (normalised).

    Args:
        data, a, b, outcome, weight, outcomes, winner, loser: the comparisons, as in
            :func:`bradley_terry` (or a :class:`PairTable`).
        tol, max_iter: power iteration stops when the L1 change is below ``tol``.
        ci: ``Bootstrap(...)`` for percentile intervals.

    Example:

    >>> import rankagg as ra
    >>> data = {"a": ["x", "x", "x", "y"], "b": ["y", "y", "y", "x"], "outcome": [1.0, 1.0, 1.0, 1.0]}
    >>> [round(v, 6) for v in ra.rank_centrality(data).table["score"]]  # x wins 3 of 4: π ∝ (3, 1)
    [0.75, 0.25]
    """
    return _pair_method(
        "rank_centrality",
        data,
        dict(a=a, b=b, outcome=outcome, weight=weight, outcomes=outcomes, winner=winner, loser=loser),
        ci,
        scale="probability",
        tol=tol,
        max_iter=max_iter,
    )


def _tie_weight(t: float) -> float:
    if not (isinstance(t, (int, float)) and math.isfinite(t) and 0.0 <= t <= 1.0):
        raise RankaggError(f"tie_weight must be a number in [0, 1], not {t!r}")
    return float(t)


def plackett_luce(
    rankings: Rankings | Sequence[Sequence[Any]],
    *,
    unranked: Literal["below", "ignore"] = "below",
    solver: Literal["fast", "mm"] = "fast",
    regularization: float = 0.0,
    scale: Scale = "logit",
    anchor: tuple[Any, float] | None = None,
    tol: float = 1e-9,
    max_iter: int = 10_000,
    ci: Bootstrap | None = None,
) -> Ratings:
    """Plackett–Luce worths by maximum likelihood from complete, partial or top-k rankings:
    a ranking (a, b, c, …) is a sequence of choices, a from the items still to place with
    probability π_a/(π_a + π_b + π_c + …), then b from the rest, and so on. Rankings of two
    items read with ``unranked="ignore"`` are Bradley–Terry comparisons.

    A ranking that lists only some of the items is read in one of two ways (``unranked``):

    - ``"below"`` (default; as the voting rules' ``unranked``): a top-k ballot. The listed
      items, in order, were chosen before every item the voter did not list, so ``["b", "a"]``
      among a, b, c says b first, then a, both before c, and ``["b"]`` alone says b first.
    - ``"ignore"``: a ranking of a subset of the items (races that not every driver started,
      judges who saw different entries). Unlisted items are in none of that voter's choices:
      ``["b", "a"]`` says only b before a, and a single item says nothing.

    Top-k ballots read with ``"ignore"`` lose the information that the listed items beat the
    others, which shrinks the strengths and can reorder them.

    Args:
        rankings: a :class:`Rankings` (``Rankings.from_frame`` for long ``voter, item, rank``
            frames) or a list of lists of items, best first. The items are all the labels of
            the :class:`Rankings` (for lists: every item listed anywhere). Tied ranks are not
            part of this model and raise :class:`RankaggError`.
        unranked: ``"below"`` (top-k ballots) or ``"ignore"`` (rankings of subsets), as above.
        solver: ``"fast"`` (Newman's fixed point generalised to choice sets, accelerated) or
            ``"mm"`` (Hunter 2004's MM). Both stop at the same optimality test.
        regularization: ``r > 0`` gives each item ``r`` virtual wins and losses against an
            item of log-worth 0 (finite estimates whatever the data).
        scale: ``"logit"`` (default) reports log-worths θ = ln π; ``"elo"`` 1000 + 400·θ/ln 10.
        anchor: ``(item, value)`` pins one item's score (e.g. Hunter's reference driver);
            otherwise mean θ = 0.
        tol, max_iter: as in :func:`bradley_terry`.
        ci: ``Bootstrap(...)``: resamples rankings (voters) with replacement.

    Returns:
        :class:`Ratings`; ``wins``/``losses`` count the items ranked below/above each item
        (with ``"below"``, the unlisted items count as ranked below the listed ones).

    Example (the last ballot puts y, then z, before x):

    >>> import rankagg as ra
    >>> ballots = [["x", "y", "z"], ["y", "x", "z"], ["x", "z", "y"], ["z", "x", "y"], ["y", "z"]]
    >>> r = ra.plackett_luce(ballots)
    >>> r.table.select("item", "rank", "wins", "losses").rows()
    [('x', 1, 6.0, 4.0), ('y', 2, 5.0, 5.0), ('z', 3, 4.0, 6.0)]
    >>> round(r["x"], 4), round(ra.plackett_luce(ballots, unranked="ignore")["x"], 4)
    (0.2853, 0.7953)

    Hunter 2004's NASCAR fit reads each race as a ranking of the drivers who started it and
    reports log-worths relative to a reference driver:

    >>> races = [["x", "y", "z"], ["y", "x", "z"], ["x", "z", "y"], ["z", "x"]]  # y missed a race
    >>> r = ra.plackett_luce(races, unranked="ignore", anchor=("z", 0.0))
    >>> round(r["x"], 4), r["z"]
    (0.9482, 0.0)
    """
    if not one_of(unranked, ("below", "ignore")):
        raise RankaggError(f"unranked must be 'below' or 'ignore', not {unranked!r}")
    if not one_of(solver, ("fast", "mm")):
        raise RankaggError(f"solver must be 'fast' or 'mm', not {solver!r}")
    if not one_of(scale, ("elo", "logit")):
        raise RankaggError(f"scale must be 'elo' or 'logit', not {scale!r}")
    if not (isinstance(regularization, (int, float)) and math.isfinite(regularization) and regularization >= 0):
        raise RankaggError(f"regularization must be a finite number >= 0, not {regularization!r}")
    rounds, seed = _percentile_options(ci, "plackett_luce")
    data = rankings if isinstance(rankings, Rankings) else Rankings.from_lists(rankings)
    tied = data.tied_rankings()
    if tied:
        raise RankaggError(
            f"plackett_luce needs strict rankings; rankings {tied[:10]} contain ties "
            f"(voters {data.voters.gather(tied[:10]).to_list()})"
        )
    n = len(data.labels)
    try:
        fit = run_rounds(
            ci,
            lambda k, first: _core.plackett_luce(
                n,
                data.offsets,
                data.items,
                data.weights,
                solver=solver,
                regularization=float(regularization),
                tol=float(tol),
                max_iter=int(max_iter),
                rounds=k,
                seed=seed,
                first_round=first,
                unranked=unranked,
            ),
            "bootstrap",
        )
    except NotIdentifiableError as e:
        raise not_identifiable(e, data.labels, "Plackett–Luce", "ranked-above") from None
    theta = fit["theta"]
    if not fit["converged"]:
        warn(
            f"plackett_luce did not converge in {fit['iterations']} iterations (largest relative gradient "
            f"{fit['max_relative_gradient']:.3g} > tol={tol}); raise max_iter",
            ConvergenceWarning,
        )
    anchor_at = anchor_index(data.labels, anchor)

    scaled = scaler(scale, anchor, anchor_at)

    lower = upper = replicates = None
    options: dict[str, Any] = {"unranked": unranked, "solver": solver, "regularization": regularization, "tol": tol}
    if isinstance(ci, Bootstrap):  # rounds > 0
        replicates = scaled(fit["replicates"])
        lower, upper = percentile(replicates, ci.level)
        options["bootstrap_redraws"] = int(fit["redraws"])
        _warn_redraws(int(fit["redraws"]), rounds)
    wins, losses = data.pairwise_totals()
    if unranked == "below":
        # Each listed item also beats the n − m items its ranking leaves out, and each of
        # those loses to the m listed ones.
        lengths = np.diff(data.offsets).astype(np.int64)
        w = data.weights if data.weights is not None else np.ones(len(lengths))
        size = np.repeat(lengths, lengths)
        w_at = np.repeat(w, lengths)
        wins = wins + np.bincount(data.items, (n - size) * w_at, n)
        listed = np.bincount(data.items, size * w_at, n)
        # (w * lengths).sum(), not np.dot: a BLAS call leaves OpenBLAS threads spinning, which
        # slows the next parallel Rust call on a machine with few cores.
        losses = losses + np.maximum(float((w * lengths).sum()) - listed, 0.0)
    return ratings_from(
        data.labels,
        (wins, losses, np.zeros(n)),
        theta,
        scaled(theta),
        method="plackett_luce",
        scale=scale,
        converged=bool(fit["converged"]),
        iterations=int(fit["iterations"]),
        log_likelihood=float(fit["log_likelihood"]),
        options=options,
        lower=lower,
        upper=upper,
        ci=ci,
        replicates=replicates,
    )
