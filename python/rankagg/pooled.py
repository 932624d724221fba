"""Per-task Bradley–Terry leaderboards with partial pooling (``bradley_terry(..., by=...)``).

Model (a hierarchical Bradley–Terry model; partial pooling in the sense of Gelman & Hill 2007,
ch. 12, and Gelman et al., *Bayesian Data Analysis*, 3rd ed., ch. 5): in task t,
P(i beats j) = σ(θ_{t,i} − θ_{t,j}) with θ_{t,i} = μ_i + δ_{t,i}, a Gaussian prior
δ_{t,i} ~ N(0, 1/pooling) on the task effects, and the overall strengths μ centred (or, with
``regularization`` r > 0, given r virtual wins and losses against θ = 0, as in
:func:`rankagg.bradley_terry`). The estimate is the maximum a posteriori point of

    Σ_t Σ_pairs [w_ij log σ(θ_{t,i} − θ_{t,j}) + w_ji log σ(θ_{t,j} − θ_{t,i})]
        − pooling/2 · Σ_{t,i} δ_{t,i}² + r Σ_i [log σ(μ_i) + log σ(−μ_i)].

``pooling = 0`` fits every task on its own (each exactly :func:`rankagg.bradley_terry` on that
task's rows); as ``pooling → ∞`` every task's scores tend to the one pooled fit. A cell (task,
item) without comparisons has δ = 0 at the optimum: it gets the overall strength μ_i.

The rows are reduced once to a per-(task, pair) table (the Rust reduce over the combined code
task·n + item); the fit then works on counts only, in Rust (``rate/pooled.rs``): Newton's
method on (μ, δ) jointly with a step-halving line search on the objective (strictly concave
for pooling > 0 once the pooled comparison graph is strongly connected or r > 0), each task's
block A_t = H_t + pooling·I (H_t the task's information matrix) factorised on its own (dense
Cholesky, tasks in parallel) and the overall strengths solving the n × n Schur complement
Σ_t pooling·A_t⁻¹H_t + R. Dense per task: suited to up to a few thousand items per task.

Example: in "code" x beats y 2–1; in "math" y beats x 3–1; z plays only in "code".
Fitted alone, "code" puts x first; partially pooled, y's strength elsewhere lifts it above x
there, and z's row in "math" (no data) shows its overall strength.

>>> import rankagg as ra
>>> battles = {
...     "task": ["code"] * 6 + ["math"] * 4,
...     "a": ["x", "x", "y", "z", "x", "y", "x", "y", "y", "x"],
...     "b": ["y", "y", "x", "x", "z", "z", "y", "x", "x", "y"],
...     "outcome": [1, 1, 1, 1, 1, 1, 0, 1, 1, 1],
... }
>>> r = ra.bradley_terry(battles, by="task", pooling=1.0)
>>> r.table.select("task", "item", "rank", "n", "pooled_only").rows()
[('code', 'y', 1, 4.0, False), ('code', 'x', 2, 5.0, False), ('code', 'z', 3, 3.0, False), ('math', 'y', 1, 4.0, False), ('math', 'x', 2, 4.0, False), ('math', 'z', 3, 0.0, True)]
>>> alone = ra.bradley_terry(battles, by="task", pooling=0)
>>> alone.table.filter(alone.table["task"] == "code")["item"].to_list()
['x', 'y', 'z']
>>> alone["code", "x"] == ra.bradley_terry({k: v[:6] for k, v in battles.items()})["x"]
True
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from rankagg import _core
from rankagg._util import MAX_SHOWN, sorted_rank
from rankagg.budget import check_dense
from rankagg.checks import one_of
from rankagg.errors import (
    ConvergenceWarning,
    EmptyDataError,
    NotIdentifiableError,
    RankaggError,
    UnknownItemError,
    warn,
)
from rankagg.intake import Frame, check_no_nulls, comparison_columns, factorize, select_columns
from rankagg.intervals import Bootstrap, Interval, Sandwich, interval_rank, percentile, run_rounds
from rankagg.pairs import Comparisons
from rankagg.results import Ratings, anchor_index, not_identifiable, tie_levels, tie_ranks, to_scale

if TYPE_CHECKING:
    from rankagg.rate import Solver, Ties


def _show(values: list[Any]) -> str:
    listed = ", ".join(repr(v) for v in values[:MAX_SHOWN])
    return listed + (f" and {len(values) - MAX_SHOWN} more" if len(values) > MAX_SHOWN else "")


def check_pooling(pooling: Any) -> float:
    if (
        isinstance(pooling, bool)
        or not isinstance(pooling, (int, float))
        or not (math.isfinite(pooling) and pooling >= 0)
    ):
        raise RankaggError(f"pooling must be a finite number >= 0 (0: independent fits per task), not {pooling!r}")
    return float(pooling)


class _Tasks:
    """The per-(task, pair) table: pairs sorted by task, then (i, j); items are global codes."""

    def __init__(self, data: Frame, by: str, columns: dict[str, Any]) -> None:
        cols = comparison_columns(
            columns["a"], columns["b"], columns["outcome"], columns["weight"], columns["winner"], columns["loser"]
        )
        frame = select_columns(data, cols + [("by", by)])
        if frame.height == 0:
            raise EmptyDataError("the data have no rows")
        check_no_nulls(frame, by, "by")
        rows = Comparisons.from_frame(frame, **columns)
        (task_codes,), task_labels = factorize([frame.get_column(by)])
        trank = sorted_rank(task_labels)
        self.task_labels: pl.Series = task_labels.sort().rename(by)
        self.labels: pl.Series = rows.labels
        n, n_tasks = len(rows.labels), len(task_labels)
        self.n, self.n_tasks = n, n_tasks
        if n * n_tasks >= 2**32:
            raise RankaggError(f"{n_tasks} tasks × {n} items is more than 2**32 cells")
        t = trank[task_codes].astype(np.int64)
        ca = (t * n + rows.rank[rows.a]).astype(np.uint32)
        cb = (t * n + rows.rank[rows.b]).astype(np.uint32)
        try:
            # codes kept as given (no relabel array of n × tasks entries): pairs come out in
            # (task, i, j) order
            i, j, wi, wj, tt = _core.reduce_pairs(n * n_tasks, rows.core_rows(ca, cb))
        except RankaggError as e:
            raise rows.explain(e) from None
        self.cell_i, self.cell_j = i, j
        self.task = (i // n).astype(np.int64)
        self.i, self.j = (i % n).astype(np.int64), (j % n).astype(np.int64)
        self.wins_i, self.wins_j, self.ties = wi, wj, tt
        positive = np.ones(len(t), bool) if rows.weight is None else rows.weight > 0
        self.rows_per_task = np.bincount(t[positive], minlength=n_tasks)
        has = np.bincount(self.task, minlength=n_tasks) > 0
        empty = np.flatnonzero(~has)
        if len(empty) == len(has):
            raise EmptyDataError("every row has zero weight: nothing to fit")
        if len(empty):
            raise RankaggError(
                f"task(s) {_show(self.task_labels.gather(empty).to_list())} in column {by!r} (by=) have fewer than "
                "two items compared (every row has zero weight); drop them or give them comparisons"
            )

    def task_range(self, t: int) -> slice:
        lo, hi = np.searchsorted(self.task, [t, t + 1])
        return slice(int(lo), int(hi))

    def totals(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per (task, item) cell (task-major, T × n): weighted wins, losses and ties."""
        cells = self.n * self.n_tasks
        w, lost, t = _core.item_totals(cells, (self.cell_i, self.cell_j, self.wins_i, self.wins_j, self.ties))
        shape = (self.n_tasks, self.n)
        return w.reshape(shape), lost.reshape(shape), t.reshape(shape)


def _effective(wi: np.ndarray, wj: np.ndarray, tt: np.ndarray, ties: Ties) -> tuple[np.ndarray, np.ndarray]:
    if ties == "half":
        return wi + 0.5 * tt, wj + 0.5 * tt
    return wi, wj


class _Problem:
    """The MAP problem on counts: pairs (task, i, j, w_ij, w_ji), solved in Rust
    (``_core.pooled_bradley_terry``, GIL released)."""

    def __init__(
        self,
        n: int,
        n_tasks: int,
        task: np.ndarray,
        i: np.ndarray,
        j: np.ndarray,
        wij: np.ndarray,
        wji: np.ndarray,
        pooling: float,
        regularization: float,
    ) -> None:
        self.n, self.n_tasks = n, n_tasks
        self.task, self.i, self.j = task.astype(np.uint32), i.astype(np.uint32), j.astype(np.uint32)
        self.wij, self.wji = np.ascontiguousarray(wij, dtype=float), np.ascontiguousarray(wji, dtype=float)
        self.p, self.r = pooling, regularization
        cells = n * n_tasks
        m = self.wij + self.wji
        count = np.bincount(task * n + i, m, cells) + np.bincount(task * n + j, m, cells)
        sizes = (count.reshape(n_tasks, n) > 0).sum(axis=1)
        # the task blocks A⁻¹H (all kept for the step) and the n × n Schur complement
        check_dense((int((sizes.astype(np.int64) ** 2).sum()) + 1,), "the tasks' Newton blocks", copies=2)
        check_dense((n, n), "the overall strengths' Newton system", copies=2)

    def with_counts(self, wij: np.ndarray, wji: np.ndarray) -> _Problem:
        """The same layout with other counts (a bootstrap resample)."""
        other = _Problem.__new__(_Problem)
        other.__dict__.update(self.__dict__)
        other.wij, other.wji = np.ascontiguousarray(wij, dtype=float), np.ascontiguousarray(wji, dtype=float)
        return other

    def solve(self, mu: np.ndarray, delta: np.ndarray, tol: float, max_iter: int) -> _core.PooledFit:
        return _core.pooled_bradley_terry(
            self.n,
            self.n_tasks,
            self.task,
            self.i,
            self.j,
            self.wij,
            self.wji,
            np.ascontiguousarray(mu, dtype=float),
            np.ascontiguousarray(delta, dtype=float).reshape(-1),
            pooling=self.p,
            regularization=self.r,
            tol=tol,
            max_iter=max_iter,
        )


def fit_by(
    data: Frame,
    *,
    by: str,
    pooling: float,
    columns: dict[str, Any],
    ties: Ties,
    scale: str,
    anchor: tuple[Any, float] | None,
    regularization: float,
    solver: Solver,
    tol: float,
    max_iter: int,
    ci: Interval | None,
) -> Ratings:
    """``bradley_terry(data, by=..., pooling=...)``; arguments already checked by the caller
    except ``by`` and ``pooling``."""
    if not isinstance(by, str):
        raise RankaggError(f"by must be a column name, not {by!r}")
    reserved = ("item", "score", "lower", "upper", "rank", "wins", "losses", "ties", "n", "pooled_only")
    if by in reserved:
        raise RankaggError(
            f"by={by!r} is also a column of the result table ({', '.join(reserved)}); rename the task column"
        )
    pooling = check_pooling(pooling)
    if not one_of(ties, ("half", "drop")):
        raise RankaggError(f"by= (per-task leaderboards) supports ties='half' or 'drop', not {ties!r}")
    if isinstance(ci, Sandwich):
        raise RankaggError(
            "by= (per-task leaderboards) supports ci=Bootstrap(...) (each task's counts resampled); "
            "Sandwich intervals are not available per task"
        )
    tasks = _Tasks(data, by, columns)
    n, n_tasks = tasks.n, tasks.n_tasks
    if isinstance(ci, Bootstrap):
        check_dense((ci.rounds, n_tasks, n), "the bootstrap replicates", copies=2)
    names = tasks.task_labels.to_list()
    wins, losses, tie_counts = tasks.totals()
    level = ci.level if isinstance(ci, Bootstrap) else 0.0
    replicates: np.ndarray | None = None
    redraws = not_converged = 0

    if pooling == 0:
        theta = np.full((n_tasks, n), np.nan)
        iterations, converged, ll, worst = 0, True, 0.0, 0.0
        if isinstance(ci, Bootstrap):
            replicates = np.full((ci.rounds, n_tasks, n), np.nan)
        for t in range(n_tasks):
            s = tasks.task_range(t)
            items = np.unique(np.concatenate([tasks.i[s], tasks.j[s]]))
            li = np.searchsorted(items, tasks.i[s]).astype(np.uint32)
            lj = np.searchsorted(items, tasks.j[s]).astype(np.uint32)
            counts = (tasks.wins_i[s], tasks.wins_j[s], tasks.ties[s])
            call = _task_fitter(
                len(items),
                li,
                lj,
                counts,
                {
                    "tie_model": ties,
                    "solver": solver,
                    "regularization": float(regularization),
                    "tol": float(tol),
                    "max_iter": int(max_iter),
                    "draws": max(1, int(tasks.rows_per_task[t])),
                    "seed": ci.seed if isinstance(ci, Bootstrap) else 0,
                },
            )
            try:
                fit = run_rounds(ci, call, "bootstrap")
            except NotIdentifiableError as e:
                err = not_identifiable(e, tasks.labels.gather(items.tolist()))
                msg = str(err).replace("Pass regularization > 0 (e.g. regularization=1.0) for finite estimates.", "")
                new = NotIdentifiableError(
                    f"task {names[t]!r} (column {by!r} (by=)), fitted on its own (pooling=0), has {msg.strip()} "
                    "Pass pooling > 0 to shrink it toward the overall strengths (or regularization > 0)."
                )
                new.task = names[t]
                new.never_win, new.never_lose = err.never_win, err.never_lose
                raise new from None
            theta[t, items] = fit["theta"]
            iterations = max(iterations, int(fit["iterations"]))
            converged = converged and bool(fit["converged"])
            worst = max(worst, float(fit["max_relative_gradient"]))
            ll += float(fit["log_likelihood"])
            if replicates is not None:
                replicates[:, t, items] = fit["replicates"]
                redraws += int(fit["redraws"])
        present = ~np.isnan(theta)
    else:
        wij, wji = _effective(tasks.wins_i, tasks.wins_j, tasks.ties, ties)
        problem = _Problem(n, n_tasks, tasks.task, tasks.i, tasks.j, wij, wji, pooling, float(regularization))
        mu0 = _pooled_start(tasks, ties, solver, regularization, tol, max_iter, not_identifiable, by)
        sol = problem.solve(mu0, np.zeros((n_tasks, n)), float(tol), int(max_iter))
        mu, delta = sol["mu"], sol["delta"]
        iterations, converged, ll = sol["iterations"], sol["converged"], sol["log_likelihood"]
        worst = sol["max_relative_gradient"]
        centre = float(mu.mean())
        theta = mu[None, :] + delta - centre
        present = np.ones((n_tasks, n), bool)
        if isinstance(ci, Bootstrap):
            boot = run_rounds(
                ci,
                lambda rounds, first: _bootstrap(
                    tasks, problem, sol, ties, regularization, tol, max_iter, ci.seed, first, rounds
                ),
                "bootstrap",
            )
            replicates = boot["replicates"]
            redraws, not_converged = int(boot["redraws"]), int(boot["not_converged"])
    if not converged:
        warn(
            f"bradley_terry(by={by!r}) did not converge in {iterations} iterations "
            f"(largest relative gradient {worst:.3g} > tol={tol}); raise max_iter",
            ConvergenceWarning,
        )
    if not_converged:
        warn(f"{not_converged} bootstrap round(s) stopped at max_iter before tol; raise max_iter", ConvergenceWarning)
    if redraws:
        warn(
            f"{redraws} bootstrap resample(s) had no finite estimate and were drawn again, which narrows the "
            "intervals; pass regularization > 0 to keep every resample",
            RuntimeWarning,
        )

    scores = to_scale(theta, scale)
    if replicates is not None:
        replicates = to_scale(replicates, scale)
    if anchor is not None:
        at = _anchor_index(tasks.labels, anchor)
        missing = np.flatnonzero(~present[:, at])
        if len(missing):
            raise UnknownItemError(
                f"anchor item {anchor[0]!r} has no comparisons in task(s) {_show([names[t] for t in missing])} "
                "(with pooling=0 it needs data in every task)"
            )
        scores = scores + (float(anchor[1]) - scores[:, at : at + 1])
        if replicates is not None:
            replicates = replicates + (float(anchor[1]) - replicates[:, :, at : at + 1])
    lower = upper = None
    if replicates is not None:
        lower, upper = percentile(replicates.reshape(len(replicates), -1), level)
        lower, upper = lower.reshape(n_tasks, n), upper.reshape(n_tasks, n)

    frames = []
    for t in range(n_tasks):
        keep = np.flatnonzero(present[t])
        th = theta[t, keep]
        cols: dict[str, Any] = {
            by: tasks.task_labels.gather([t] * len(keep)),
            "item": tasks.labels.gather(keep.tolist()),
            "score": scores[t, keep],
        }
        if lower is not None and upper is not None:
            cols["lower"], cols["upper"] = lower[t, keep], upper[t, keep]
            cols["rank"] = interval_rank(lower[t, keep], upper[t, keep])
        else:
            cols["rank"] = pl.Series(tie_ranks(th))
        w, lo, ti = wins[t, keep], losses[t, keep], tie_counts[t, keep]
        cols.update({"wins": w, "losses": lo, "ties": ti, "n": w + lo + ti})
        eff = w + lo + (ti if ties == "half" else 0.0)
        cols["pooled_only"] = eff == 0
        frames.append(
            pl.DataFrame(cols)
            .with_columns(pl.Series("_order", -tie_levels(th)))
            .sort(["rank", "_order", "item"])
            .drop("_order")
        )
    table = pl.concat(frames)
    options: dict[str, Any] = {
        "by": by,
        "pooling": pooling,
        "ties": ties,
        "solver": solver,
        "regularization": regularization,
        "tol": tol,
    }
    if isinstance(ci, Bootstrap):
        options["bootstrap_redraws"] = redraws
    return Ratings(
        table=table,
        method="bradley_terry",
        scale=scale,
        converged=bool(converged),
        iterations=int(iterations),
        log_likelihood=float(ll),
        options=options,
        ci=ci,
        _theta=None,
        _replicates=None,
        _labels=tasks.labels,
    )


def _task_fitter(
    n: int, li: np.ndarray, lj: np.ndarray, counts: tuple[np.ndarray, np.ndarray, np.ndarray], options: dict[str, Any]
) -> Any:
    """``call(rounds, first_round)`` for :func:`run_rounds`: one task's Rust fit (and bootstrap
    chunks, handed the first chunk's point fit)."""
    point: dict[str, Any] = {}

    def call(rounds: int, first: int) -> _core.BradleyTerryFit:
        given = (
            {"point_theta": point["theta"], "point_virtual": point["virtual_theta"], "point_tie": None} if point else {}
        )
        out = _core.bradley_terry(n, (li, lj, *counts), rounds=rounds, first_round=first, **options, **given)
        if not point:
            point.update(out)
        return out

    return call


def _anchor_index(labels: pl.Series, anchor: tuple[Any, float]) -> int:
    at = anchor_index(labels, anchor)
    assert at is not None
    return at


def _pooled_start(
    tasks: _Tasks, ties: Ties, solver: Solver, regularization: float, tol: float, max_iter: int, explain: Any, by: str
) -> np.ndarray:
    """μ's starting point: the single Bradley–Terry fit of all tasks' comparisons together
    (its identifiability check is the joint model's: the pooled comparison graph)."""
    n = tasks.n
    keys = tasks.i * n + tasks.j
    unique, where = np.unique(keys, return_inverse=True)
    added = [np.bincount(where, v, len(unique)).astype(np.float64) for v in (tasks.wins_i, tasks.wins_j, tasks.ties)]
    try:
        fit = _core.bradley_terry(
            n,
            ((unique // n).astype(np.uint32), (unique % n).astype(np.uint32), *added),
            tie_model=ties,
            solver=solver,
            regularization=float(regularization),
            tol=float(tol),
            max_iter=int(max_iter),
        )
    except NotIdentifiableError as e:
        err = explain(e, tasks.labels)
        raise NotIdentifiableError(f"all tasks together (by={by!r}): {err}") from None
    return np.asarray(fit["theta"], dtype=float)


def _bootstrap(
    tasks: _Tasks,
    problem: _Problem,
    point: _core.PooledFit,
    ties: Ties,
    regularization: float,
    tol: float,
    max_iter: int,
    seed: int,
    first: int,
    rounds: int,
) -> dict[str, Any]:
    """Rounds ``first .. first + rounds``: each task's counts resampled (a multinomial draw of
    that task's number of rows over its (pair, outcome) cells, each draw carrying the task's
    total weight / rows), refitted from the point estimate. A resample whose pooled graph
    admits no finite estimate (regularization 0) is drawn again and counted."""
    n, n_tasks = tasks.n, tasks.n_tasks
    mass = np.stack([tasks.wins_i, tasks.wins_j, tasks.ties], axis=1)  # pairs × 3
    spans = [tasks.task_range(t) for t in range(n_tasks)]
    out = np.empty((rounds, n_tasks, n))
    redraws = not_converged = 0
    pooled = _pooled_pairs(n, tasks.i, tasks.j)
    for k in range(rounds):
        r = first + k
        for attempt in range(100):
            rng = np.random.default_rng([seed, r, attempt])
            sample = np.empty_like(mass)
            for t, s in enumerate(spans):
                cells = mass[s].reshape(-1)
                total = float(cells.sum())
                draws = max(1, int(tasks.rows_per_task[t]))
                sample[s] = (rng.multinomial(draws, cells / total) * (total / draws)).reshape(-1, 3)
            wij, wji = _effective(sample[:, 0], sample[:, 1], sample[:, 2], ties)
            if regularization == 0 and not _identifiable(pooled, wij, wji):
                redraws += 1
                continue
            resampled = problem.with_counts(wij, wji)
            sol = resampled.solve(point["mu"], point["delta"], tol, max_iter)
            not_converged += not sol["converged"]
            out[k] = sol["mu"][None, :] + sol["delta"] - float(sol["mu"].mean())
            break
        else:
            raise NotIdentifiableError(
                "100 bootstrap resamples in a row had no finite estimate; pass regularization > 0"
            )
    return {"replicates": out, "redraws": redraws, "not_converged": not_converged}


def _identifiable(pooled: tuple[int, np.ndarray, np.ndarray, np.ndarray], wij: np.ndarray, wji: np.ndarray) -> bool:
    """Whether the pooled "beat" graph is strongly connected (finite estimates); ``pooled``:
    (n, i, j, where) from :func:`_pooled_pairs`."""
    n, pi, pj, where = pooled
    try:
        _core.bradley_terry(
            n,
            (
                pi,
                pj,
                np.bincount(where, wij, len(pi)).astype(np.float64, copy=False),
                np.bincount(where, wji, len(pi)).astype(np.float64, copy=False),
                np.zeros(len(pi)),
            ),
            max_iter=0,
        )
    except NotIdentifiableError:
        return False
    return True


def _pooled_pairs(n: int, i: np.ndarray, j: np.ndarray) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """The pairs of all tasks together: (n, i, j, where), ``where[q]`` the pooled pair of pair q."""
    unique, where = np.unique(i * n + j, return_inverse=True)
    return n, (unique // n).astype(np.uint32), (unique % n).astype(np.uint32), where
