"""Judges who differ: latent groups of judges, and how far each judge can be trusted.

- :func:`bradley_terry_mixture`: judges fall into latent groups, each with its own
  Bradley–Terry strengths (a latent-class model fitted by EM); finds the groups, each judge's
  group and each group's leaderboard. Its ``table`` feeds :func:`rankagg.welfare` directly
  (a worst-group leaderboard over the groups found: the MaxMin-RLHF recipe).
- :func:`crowd_bradley_terry`: Crowd-BT (Chen et al., 2013): one leaderboard, and a
  reliability per judge — the probability that the judge reports the true order.

Both read the usual comparison frame plus a ``judge=`` column, reduce the rows once per
(judge, pair) in Rust, and iterate on those counts (never on rows), in Rust with the GIL
released; the same seed gives the same answer whatever the thread count.

>>> import rankagg as ra
>>> data = {"a": ["x", "y", "x", "y"] * 3, "b": ["y", "z", "z", "x"] * 3,
...         "outcome": [1, 1, 1, 0] * 3, "judge": ["j1"] * 4 + ["j2"] * 4 + ["j3"] * 4}
>>> ra.crowd_bradley_terry(data, regularization=0.5).table["item"].to_list()
['x', 'y', 'z']
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import polars as pl

from rankagg import _core
from rankagg.checks import number, one_of
from rankagg.display import display_frame
from rankagg.errors import ConvergenceWarning, NotIdentifiableError, RankaggError, UnknownItemError, warn
from rankagg.intake import Frame, index_labels_in_errors
from rankagg.intervals import check_seed
from rankagg.pairs import Comparisons
from rankagg.results import Ratings, anchor_index, not_identifiable, ratings_from, scaler, tie_levels, to_scale

__all__ = ["Mixture", "bradley_terry_mixture", "crowd_bradley_terry"]

#: The numbers of groups that ``groups="auto"`` tries.
AUTO_GROUPS = range(1, 9)


@dataclass(frozen=True, repr=False)
class Mixture:
    """A latent-class mixture of Bradley–Terry models (:func:`bradley_terry_mixture`).

    Groups are numbered 1, 2, … by decreasing share (no label switching between runs).

    - ``table``: one row per (group, item): ``group, item, score, rank`` (rank within the
      group; best first within each group). Feed it to :func:`rankagg.welfare`
      (``value="score"``) for a leaderboard over the groups.
    - ``judges``: one row per judge: ``judge, group`` (the most likely), ``probability`` (of
      that group), ``n`` (the judge's weighted comparisons).
    - ``shares``: one row per group: ``group, share`` (the mixing weight π) and ``judges`` (how
      many judges have it as their most likely group).
    - ``log_likelihood``: Σ over judges of ln Σ_g π_g P(judge's comparisons | group g), ties
      as half a win each; ``bic`` = −2·log_likelihood + p·ln(judges), p = groups·(items − 1)
      + groups − 1 (the judges are the independent observations).
    - ``selection``: with ``groups="auto"``, the fits tried (``groups, log_likelihood, bic``).
    """

    table: pl.DataFrame
    judges: pl.DataFrame
    shares: pl.DataFrame
    groups: int
    log_likelihood: float
    bic: float
    converged: bool
    iterations: int
    scale: str
    options: dict[str, Any] = field(default_factory=dict)
    selection: pl.DataFrame | None = None
    responsibilities: np.ndarray | None = None
    """judges × groups posterior probabilities (rows in the order of ``judges``)."""

    def group(self, group: int) -> pl.DataFrame:
        """One group's leaderboard (``item, score, rank``, best first)."""
        if not (isinstance(group, (int, np.integer)) and 1 <= group <= self.groups):
            raise RankaggError(f"group must be an integer from 1 to {self.groups}, not {group!r}")
        return self.table.filter(pl.col("group") == group).drop("group")

    def judge(self, judge: Any) -> int:
        """The most likely group of one judge."""
        try:
            row = self.judges.filter(pl.col("judge") == judge)
        except (pl.exceptions.PolarsError, TypeError):
            row = self.judges.clear()
        if row.height == 0:
            raise UnknownItemError(f"judge {judge!r} is not in the data")
        return int(row["group"][0])

    def __repr__(self) -> str:
        shares = ", ".join(f"{s:.2f}" for s in self.shares["share"])
        with pl.Config(tbl_rows=12, tbl_cols=-1, tbl_hide_dataframe_shape=True):
            return (
                f"Mixture({self.groups} groups, shares {shares}; {self.judges.height} judges; "
                f"log-likelihood {self.log_likelihood:.6g}, BIC {self.bic:.6g})\n{display_frame(self.table)!r}"
            )


def _judge_rows(
    data: Frame,
    *,
    a: str,
    b: str,
    outcome: str,
    judge: str,
    weight: str | None,
    outcomes: Mapping[Any, float] | None,
    winner: str | None,
    loser: str | None,
) -> tuple[Comparisons, pl.Series, Any]:
    """The coded rows, the sorted judge labels and the per-judge pair table (in Rust)."""
    if not isinstance(judge, str):
        raise RankaggError(f"judge= must be a column name, not {judge!r}")
    rows = Comparisons.from_frame(
        data,
        a=a,
        b=b,
        outcome=outcome,
        weight=weight,
        outcomes=outcomes,
        winner=winner,
        loser=loser,
        keys=[("judge", judge)],
    )
    judge_codes, judge_labels = rows.keys["judge"]
    try:
        table = _core.judge_table(
            len(rows.labels), len(judge_labels), judge_codes, rows.core_rows(rows.rank[rows.a], rows.rank[rows.b])
        )
    except RankaggError as e:
        raise rows.explain(e) from None
    return rows, judge_labels, table


@index_labels_in_errors
def bradley_terry_mixture(
    data: Frame,
    *,
    a: str = "a",
    b: str = "b",
    outcome: str = "outcome",
    judge: str = "judge",
    weight: str | None = None,
    outcomes: Mapping[Any, float] | None = None,
    winner: str | None = None,
    loser: str | None = None,
    groups: int | Literal["auto"] = 2,
    seed: int = 0,
    restarts: int = 8,
    regularization: float = 1.0,
    scale: Literal["elo", "logit"] = "elo",
    tol: float = 1e-9,
    max_iter: int = 1000,
) -> Mixture:
    """Latent groups of judges, each with its own Bradley–Terry leaderboard, fitted by EM.

    Each judge belongs to one of ``groups`` latent classes (with probabilities π, the shares);
    in class g, P(i beats j) = σ(θ_gi − θ_gj). Judges with opposite tastes end up in different
    groups, and each group gets its own leaderboard — the model behind mixtures of ranking
    models (e.g. Gormley & Murphy, "Exploring voting blocs within the Irish electorate", JASA
    2008) and behind preference learning for diverse users (MaxMin-RLHF: Chakraborty et al.,
    ICML 2024, which learns one reward per user group by EM, then maximises the worst group's).

    EM alternates the judges' posterior over groups (E-step) and each group's strengths from
    the judges' counts weighted by those posteriors (M-step: a Bradley–Terry fit, warm-started,
    with ``regularization`` virtual wins and losses per item so that every group's estimate is
    finite). ``restarts`` random balanced partitions of the judges run 20 iterations each, in
    parallel; the best (highest likelihood) continues until the log-likelihood changes by less
    than ``tol·(1 + |ℓ|)`` (Biernacki, Celeux & Govaert's "short runs" start, CSDA 2003). EM
    finds a local maximum: more restarts make the global one more likely.

    Args:
        data, a, b, outcome, weight, outcomes, winner, loser: the comparisons, as in
            :func:`rankagg.bradley_terry`.
        judge: the column naming who made each comparison (any dtype; no nulls).
        groups: the number of latent groups (1 to the number of judges), or ``"auto"``: each
            of 1…8 (up to the number of judges) is fitted and the lowest BIC wins (ties: fewer
            groups); the fits tried are in ``Mixture.selection``. A ``UserWarning`` says when
            the lowest is at 8 (the BIC was still falling).
        seed: the restarts' random seed (the result depends on it, not on the thread count).
        restarts: random starts (≥ 1).
        regularization: the pseudo-count prior of every group's fit (> 0 keeps groups with
            few judges finite; see :func:`rankagg.bradley_terry`).
        scale: ``"elo"`` (1000 + 400·θ/ln 10) or ``"logit"`` (θ); each group's θ has mean 0.
        tol, max_iter: EM's stopping rule and iteration limit (not converging warns).

    Returns:
        :class:`Mixture`: ``table`` (group, item, score, rank), ``judges``, ``shares``,
        ``log_likelihood``, ``bic``.

    Raises:
        MissingColumnError, NullValueError, ...: bad comparison rows (as
            :func:`rankagg.bradley_terry`), including nulls in the judge column.
        RankaggError: ``groups`` outside 1…judges, bad ``restarts``/``regularization``.

    Example: two camps of judges with opposite tastes.

    >>> import rankagg as ra
    >>> rows = {"a": [], "b": [], "outcome": [], "judge": []}
    >>> for k in range(6):
    ...     for x, y in [("p", "q"), ("q", "r"), ("p", "r")] * 3:
    ...         rows["a"].append(x); rows["b"].append(y); rows["judge"].append(f"judge{k}")
    ...         rows["outcome"].append(1.0 if k < 3 else 0.0)
    >>> m = ra.bradley_terry_mixture(rows, groups=2)
    >>> m.judges.select("judge", "group").rows()
    [('judge0', 1), ('judge1', 1), ('judge2', 1), ('judge3', 2), ('judge4', 2), ('judge5', 2)]
    >>> m.group(1)["item"].to_list(), m.group(2)["item"].to_list()
    (['p', 'q', 'r'], ['r', 'q', 'p'])
    >>> ra.welfare(m.table, value="score", rule="worst_group").table["item"].to_list()[0]
    'q'
    """
    if not one_of(groups, ("auto",)) and not (
        isinstance(groups, (int, np.integer)) and not isinstance(groups, bool) and groups >= 1
    ):
        raise RankaggError(f"groups must be an integer >= 1 or 'auto', not {groups!r}")
    if not (isinstance(restarts, int) and not isinstance(restarts, bool) and 1 <= restarts <= 100_000):
        raise RankaggError(f"restarts must be an integer from 1 to 100000, not {restarts!r}")
    check_seed(seed)
    if not (isinstance(max_iter, int) and 1 <= max_iter < 2**63):
        raise RankaggError(f"max_iter must be an integer >= 1, not {max_iter!r}")
    number("regularization", regularization, lambda v: v >= 0, "a finite number >= 0")
    number("tol", tol, lambda v: v > 0, "a finite number > 0")
    if not one_of(scale, ("elo", "logit")):
        raise RankaggError(f"scale must be 'elo' or 'logit', not {scale!r}")
    rows, judge_labels, table = _judge_rows(
        data, a=a, b=b, outcome=outcome, judge=judge, weight=weight, outcomes=outcomes, winner=winner, loser=loser
    )
    n_judges, n = len(judge_labels), len(rows.labels)
    if isinstance(groups, (int, np.integer)) and groups > n_judges:
        raise RankaggError(f"groups={groups} is more than the {n_judges} judge(s) in column {judge!r}")

    def fit(k: int) -> Any:
        try:
            return _core.bradley_terry_mixture(
                table,
                groups=int(k),
                restarts=restarts,
                seed=int(seed),
                regularization=float(regularization),
                tol=float(tol),
                max_iter=max_iter,
            )
        except NotIdentifiableError as e:
            raise not_identifiable(e, rows.labels) from None

    def bic(f: Any, k: int) -> float:
        return -2.0 * f.log_likelihood + (k * (n - 1) + k - 1) * math.log(n_judges)

    selection = None
    if groups == "auto":
        tried = [(k, fit(k)) for k in AUTO_GROUPS if k <= n_judges]
        bics = [bic(f, k) for k, f in tried]
        k, best = tried[int(np.argmin(bics))]
        if k == AUTO_GROUPS[-1]:
            warn(
                f"bradley_terry_mixture: BIC is lowest at the largest number of groups tried ({k}); the judges may "
                "differ more than a few groups can describe (see Mixture.selection)",
                UserWarning,
            )
        selection = pl.DataFrame(
            {
                "groups": pl.Series([k for k, _ in tried], dtype=pl.UInt32),
                "log_likelihood": [f.log_likelihood for _, f in tried],
                "bic": bics,
            }
        )
    else:
        k, best = int(groups), fit(int(groups))
    if not best.converged:
        warn(
            f"bradley_terry_mixture: EM did not converge in {best.iterations} iterations; raise max_iter",
            ConvergenceWarning,
        )
    theta = np.asarray(best.theta)
    scores = to_scale(theta, scale)
    group_col = pl.Series("group", np.repeat(np.arange(1, k + 1, dtype=np.uint32), n))
    table_frame = (
        pl.DataFrame({"group": group_col, "item": pl.concat([rows.labels] * k), "score": scores.reshape(-1)})
        .with_columns(_order=pl.Series(-np.concatenate([tie_levels(t) for t in theta])))
        .with_columns(rank=pl.col("_order").rank("min").over("group").cast(pl.UInt32))
        .sort(["group", "rank", "_order", "item"])
        .drop("_order")
        .select("group", "item", "score", "rank")
    )
    resp = np.asarray(best.responsibilities)
    most = resp.argmax(axis=1)
    judges = pl.DataFrame(
        {
            "judge": judge_labels,
            "group": pl.Series(most + 1, dtype=pl.UInt32),
            "probability": resp[np.arange(n_judges), most],
            "n": table.judge_counts(),
        }
    )
    shares = pl.DataFrame(
        {
            "group": pl.Series(np.arange(1, k + 1), dtype=pl.UInt32),
            "share": np.asarray(best.shares),
            "judges": pl.Series(np.bincount(most, minlength=k), dtype=pl.UInt32),
        }
    )
    return Mixture(
        table=table_frame,
        judges=judges,
        shares=shares,
        groups=k,
        log_likelihood=float(best.log_likelihood),
        bic=bic(best, k),
        converged=bool(best.converged),
        iterations=int(best.iterations),
        scale=scale,
        options={"restarts": restarts, "seed": seed, "regularization": regularization, "tol": tol},
        selection=selection,
        responsibilities=resp,
    )


@index_labels_in_errors
def crowd_bradley_terry(
    data: Frame,
    *,
    a: str = "a",
    b: str = "b",
    outcome: str = "outcome",
    judge: str = "judge",
    weight: str | None = None,
    outcomes: Mapping[Any, float] | None = None,
    winner: str | None = None,
    loser: str | None = None,
    scale: Literal["elo", "logit"] = "elo",
    anchor: tuple[Any, float] | None = None,
    regularization: float = 0.0,
    reliability_prior: tuple[float, float] = (1.0, 1.0),
    tol: float = 1e-9,
    max_iter: int = 1000,
) -> Ratings:
    """Crowd-BT: Bradley–Terry strengths and each judge's reliability, fitted jointly.

    Judge k reports the true order with probability η_k and the reverse otherwise (Chen,
    Bennett, Collins-Thompson & Horvitz, "Pairwise ranking aggregation in a crowdsourced
    setting", WSDM 2013): P(k says i beats j) = η_k σ(θ_i − θ_j) + (1 − η_k) σ(θ_j − θ_i).
    Careless judges get η near 0.5 and adversarial ones (who answer the reverse) η below 0.5;
    their reports then count little, or count reversed. Ties count as half a report each way.

    Fitted by EM from the plain Bradley–Terry fit with every η = 0.8 (the model is symmetric
    under θ → −θ, η → 1 − η; starting with honest judges picks the orientation in which most
    judges are honest). Each M-step sets η_k to the judge's expected share of truthful reports
    (with a Beta(α, β) prior: (truthful + α − 1) / (n + α + β − 2)) and refits θ on the
    implied true wins. With honest judges η → 1 and the fit approaches plain Bradley–Terry.

    Args:
        data, a, b, outcome, weight, outcomes, winner, loser, scale, anchor, regularization:
            as in :func:`rankagg.bradley_terry` (ties as ``ties="half"``).
        judge: the column naming who made each comparison (no nulls).
        reliability_prior: (α, β) ≥ 1 of the Beta prior on each η; (1, 1) is maximum
            likelihood, e.g. (2, 2) pulls judges with few comparisons toward 0.5.
        tol, max_iter: EM's stopping rule (relative change of the log-likelihood) and limit.

    Returns:
        :class:`rankagg.Ratings` with ``method="crowd_bradley_terry"`` and ``judges``: one row
        per judge, ``judge, reliability, n`` (least reliable first).

    Example: judge "troll" answers the reverse of the others.

    >>> import rankagg as ra
    >>> pairs = [("x", "y"), ("y", "z"), ("x", "z")] * 4
    >>> rows = {"a": [], "b": [], "outcome": [], "judge": []}
    >>> for k in ["ann", "bob", "cat", "troll"]:
    ...     for x, y in pairs:
    ...         rows["a"].append(x); rows["b"].append(y); rows["judge"].append(k)
    ...         rows["outcome"].append(0.0 if k == "troll" else 1.0)
    >>> r = ra.crowd_bradley_terry(rows, regularization=0.5)
    >>> r.table["item"].to_list()
    ['x', 'y', 'z']
    >>> [(j, round(eta, 2)) for j, eta in r.judges.select("judge", "reliability").rows()][:1]
    [('troll', 0.0)]
    """
    if not (isinstance(max_iter, int) and 1 <= max_iter < 2**63):
        raise RankaggError(f"max_iter must be an integer >= 1, not {max_iter!r}")
    number("regularization", regularization, lambda v: v >= 0, "a finite number >= 0")
    number("tol", tol, lambda v: v > 0, "a finite number > 0")
    if not (isinstance(reliability_prior, (tuple, list)) and len(reliability_prior) == 2):
        raise RankaggError(f"reliability_prior must be an (alpha, beta) pair, not {reliability_prior!r}")
    for v in reliability_prior:
        number("reliability_prior", v, lambda v: v >= 1, "two finite numbers >= 1")
    if not one_of(scale, ("elo", "logit")):
        raise RankaggError(f"scale must be 'elo' or 'logit', not {scale!r}")
    rows, judge_labels, table = _judge_rows(
        data, a=a, b=b, outcome=outcome, judge=judge, weight=weight, outcomes=outcomes, winner=winner, loser=loser
    )
    anchor_at = anchor_index(rows.labels, anchor)
    try:
        fit = _core.crowd_bradley_terry(
            table,
            regularization=float(regularization),
            prior=(float(reliability_prior[0]), float(reliability_prior[1])),
            tol=float(tol),
            max_iter=max_iter,
        )
    except NotIdentifiableError as e:
        raise not_identifiable(e, rows.labels) from None
    if not fit.converged:
        warn(
            f"crowd_bradley_terry: EM did not converge in {fit.iterations} iterations; raise max_iter",
            ConvergenceWarning,
        )
    theta = np.asarray(fit.theta)
    scores = scaler(scale, anchor, anchor_at)(theta)
    judges = pl.DataFrame(
        {"judge": judge_labels, "reliability": np.asarray(fit.reliability), "n": table.judge_counts()}
    ).sort(["reliability", "judge"])
    return ratings_from(
        rows.labels,
        rows.pair_table().item_totals(),
        theta,
        scores,
        method="crowd_bradley_terry",
        scale=scale,
        converged=bool(fit.converged),
        iterations=int(fit.iterations),
        log_likelihood=float(fit.log_likelihood),
        options={"regularization": regularization, "reliability_prior": tuple(reliability_prior), "tol": tol},
        judges=judges,
    )
