"""Result objects: frozen, keyed by item label, each with a Polars ``.table``."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np
import polars as pl

from rankagg._util import is_column
from rankagg.display import display_frame, whole_counts
from rankagg.errors import NotIdentifiableError, RankaggError, UnknownItemError
from rankagg.intervals import interval_rank

__all__ = ["Ratings"]

_LN10 = math.log(10.0)


def to_scale(theta: Any, scale: str) -> Any:
    """Natural-log strengths (a float or a numpy array) → the reported scores (a new object)."""
    return 1000.0 + 400.0 * theta / _LN10 if scale == "elo" else theta * 1.0


@dataclass(frozen=True, repr=False)
class Ratings:
    """Scores of items from a rating method.

    ``table`` has one row per item, best first: ``item, score, rank, wins, losses, ties, n``,
    and ``lower, upper`` when intervals were asked for (``ci=``). ``rank`` is the competition
    rank (1 + the number of items with a strictly higher score); with intervals it is the
    arena's interval-aware rank (1 + the number of items whose ``lower`` exceeds this item's
    ``upper``). ``wins``/``losses``/``ties``/``n`` are weighted counts from the data.

    Per-task ratings (``bradley_terry(by=...)``) have the task column first, one row per
    (task, item), best first within each task, and ``pooled_only``; index them with
    ``r[task, item]``.

    Diagnostics: ``converged``, ``iterations``, ``log_likelihood``; ``tie_parameter`` is
    Davidson's ν when ``ties="davidson"``; ``ci`` is the interval specification used.
    """

    table: pl.DataFrame
    method: str
    scale: str
    converged: bool
    iterations: int
    log_likelihood: float | None = None
    tie_parameter: float | None = None
    options: dict[str, Any] = field(default_factory=dict)
    ci: Any = None
    covariates: pl.DataFrame | None = None
    """With ``covariates=``: one row per covariate (covariate, coefficient, std_error, …)."""
    judges: pl.DataFrame | None = None
    """:func:`rankagg.crowd_bradley_terry`: one row per judge (judge, reliability, n)."""
    _theta: dict[Any, float] | None = field(default_factory=dict)
    _sigma: dict[Any, float] | None = None
    """TrueSkill: σ per item (``_theta`` then holds μ)."""
    _replicates: Any = None
    _labels: Any = None

    @property
    def replicates(self) -> pl.DataFrame | None:
        """The bootstrap replicates in long format (``round, item, score``), or ``None``
        without ``ci=Bootstrap(...)``."""
        if self._replicates is None:
            return None
        rounds, n = self._replicates.shape
        return pl.DataFrame(
            {
                "round": pl.arange(0, rounds, dtype=pl.UInt32, eager=True).repeat_by(n).explode(),
                "item": pl.concat([self._labels] * rounds) if rounds else self._labels.clear(),
                "score": self._replicates.reshape(-1),
            }
        )

    def __len__(self) -> int:
        return self.table.height

    def __getitem__(self, item: Any) -> float:
        """The score of one item; for per-task ratings (``by=``), of one ``(task, item)``."""
        by = self.options.get("by")
        if by is not None:
            if not (isinstance(item, tuple) and len(item) == 2):
                raise RankaggError(f"per-task ratings (by={by!r}) are indexed by (task, item), not {item!r}")
            try:
                row = self.table.filter((pl.col(by) == item[0]) & (pl.col("item") == item[1]))
            except (pl.exceptions.PolarsError, TypeError):
                row = self.table.clear()
            if row.height == 0:
                raise UnknownItemError(f"(task, item) {item!r} is not in the ratings")
            return float(row["score"][0])
        try:
            row = self.table.filter(pl.col("item") == item)
        except (pl.exceptions.PolarsError, TypeError):  # an item of another type than the labels
            row = self.table.clear()
        if row.height == 0:
            raise UnknownItemError(f"item {item!r} is not in the ratings")
        return float(row["score"][0])

    @property
    def winners(self) -> list[Any]:
        """The items of rank 1 (as :attr:`rankagg.Consensus.winners`); with intervals, every
        item no other item is surely above. Per-task ratings: ``(task, item)`` pairs."""
        top = self.table.filter(pl.col("rank") == 1)
        by = self.options.get("by")
        return top["item"].to_list() if by is None else list(zip(top[by], top["item"], strict=True))

    @property
    def scores(self) -> dict[Any, float]:
        """The scores keyed by item (by ``(task, item)`` for per-task ratings), best first.

        >>> import rankagg as ra
        >>> r = ra.counting({"a": ["x", "x", "y"], "b": ["y", "z", "z"], "outcome": [1.0, 1.0, 0.5]})
        >>> r.scores
        {'x': 2.0, 'y': 0.5, 'z': 0.5}
        """
        by = self.options.get("by")
        keys = (
            self.table["item"].to_list() if by is None else list(zip(self.table[by], self.table["item"], strict=True))
        )
        return dict(zip(keys, self.table["score"].to_list(), strict=True))

    def to_pandas(self) -> Any:
        """The table as a pandas DataFrame indexed by item (by task and item for per-task
        ratings), best first: ``r.to_pandas().loc["x", "score"]``. Needs pandas."""
        by = self.options.get("by")
        return self.table.to_pandas().set_index(["item"] if by is None else [by, "item"])

    def predict(self, a: Any, b: Any) -> Any:
        """Probability that ``a`` beats ``b`` under the fitted model: a float for two items, a
        numpy array for two columns of items (Series, arrays or lists of one length), e.g.
        ``r.predict(pairs["model_a"], pairs["model_b"])``.

        With ``ties="davidson"`` or ``"rao_kupper"`` this is the probability of an outright win
        (the rest is the probability of a tie); otherwise σ(θ_a − θ_b). For TrueSkill it is
        the probability that ``a`` wins a next game outright, Φ((μ_a − μ_b − ε)/c) with
        c² = 2β² + σ_a² + σ_b² + 2τ² and ε the draw margin.

        >>> import rankagg as ra
        >>> r = ra.bradley_terry({"a": ["x", "y", "x"], "b": ["y", "x", "y"], "outcome": [1, 1, 1]}, scale="logit")
        >>> round(r.predict("x", "y"), 4), r.predict(["x", "y"], ["y", "x"]).round(4).tolist()
        (0.6667, [0.6667, 0.3333])
        """
        if self.options.get("by") is not None:
            raise RankaggError(
                "per-task ratings (by=...) have one score per (task, item): predict from two rows of the same task, "
                "σ(θ_a − θ_b) with θ on the logit scale"
            )
        theta = self._theta
        if theta is None:
            raise RankaggError(
                f"{self.method} scores are not a probability model; predict() needs bradley_terry, elo or trueskill ratings"
            )
        single = not (_many(a) or _many(b))
        xs, ys = ([a], [b]) if single else (_items(a), _items(b))
        if len(xs) != len(ys):
            raise RankaggError(f"predict(a, b): a has {len(xs)} items and b has {len(ys)}; give one b per a")
        try:
            missing = list(dict.fromkeys(x for x in (*xs, *ys) if x not in theta))
        except TypeError:  # an unhashable item
            missing = [x for x in (*xs, *ys) if not isinstance(x, Hashable)][:1]
        if missing:
            raise UnknownItemError(f"unknown item(s) {missing[:10]!r}; known items are in Ratings.table['item']")
        ta = np.array([theta[x] for x in xs], dtype=float)
        tb = np.array([theta[y] for y in ys], dtype=float)
        if self._sigma is not None:
            o, sigma = self.options, self._sigma
            dist = NormalDist()
            margin = dist.inv_cdf((o["draw_probability"] + 1) / 2) * math.sqrt(2) * o["beta"]
            sa = np.array([sigma[x] for x in xs], dtype=float)
            sb = np.array([sigma[y] for y in ys], dtype=float)
            c = np.sqrt(2 * o["beta"] ** 2 + sa**2 + sb**2 + 2 * o["tau"] ** 2)
            p = np.array([dist.cdf(z) for z in ((ta - tb - margin) / c).tolist()])
        else:
            ties = self.options.get("ties")
            with np.errstate(over="ignore"):
                if ties == "davidson" and self.tie_parameter is not None:
                    # π_a / (π_a + π_b + ν √(π_a π_b)), divided through by π_a
                    p = 1.0 / (1.0 + np.exp(tb - ta) + self.tie_parameter * np.exp((tb - ta) / 2))
                elif ties == "rao_kupper" and self.tie_parameter is not None:
                    p = 1.0 / (1.0 + self.tie_parameter * np.exp(tb - ta))
                else:
                    p = 1.0 / (1.0 + np.exp(tb - ta))
        return float(p[0]) if single else p

    def plot(self, ax: Any = None, top: int | None = None) -> Any:
        """The scores of the best ``top`` items (all by default), best at the top, with interval
        bars when there are ``lower``/``upper`` columns; returns the matplotlib ``Axes`` (a new
        figure when ``ax`` is None). Needs matplotlib (``pip install "rankagg[plot]"``); see
        :func:`rankagg.plot.ratings` for an example."""
        from rankagg.plot import ratings

        return ratings(self, ax, top=top)

    def heatmap(self, ax: Any = None, top: int | None = None, *, data: Any = None, **columns: Any) -> Any:
        """A heatmap of P(row beats column) among the best ``top`` items: the model's
        probabilities (``predict``), or the observed win rates of ``data`` (comparisons, with
        the column keywords of :func:`rankagg.bradley_terry`), which methods without a
        probability model need (else a :class:`RankaggError`). Returns the matplotlib ``Axes``;
        see :func:`rankagg.plot.heatmap`."""
        from rankagg.plot import heatmap

        return heatmap(self, ax, top=top, data=data, **columns)

    def __repr__(self) -> str:
        if self.iterations == 0 and self.converged:
            status = "closed form"
        else:
            status = (
                f"converged in {self.iterations} iterations"
                if self.converged
                else f"NOT converged after {self.iterations} iterations"
            )
        extra = ""
        if self.log_likelihood is not None:
            extra += f", log-likelihood {self.log_likelihood:.4f}"
        if self.tie_parameter is not None:
            symbol = "η" if self.options.get("ties") == "rao_kupper" else "ν"
            extra += f", tie parameter {symbol} = {self.tie_parameter:.4f}"
        return f"Ratings({self.method}, {self.table.height} items, scale={self.scale!r}, {status}{extra})\n{_shown(self.table)}"


def _shown(table: pl.DataFrame, lead: Sequence[str] = ("item", "rank", "score", "lower", "upper")) -> str:
    """A result table as printed: the lead columns first (so the rank is never elided), every
    column shown, floats to 4 significant digits, long names cut at 40 characters, 12 rows."""
    first = [c for c in lead if c in table.columns]
    head = [c for c in table.columns if c not in lead and table.columns.index(c) < table.columns.index("item")]
    order = head + first + [c for c in table.columns if c not in first and c not in head]
    shown = whole_counts(display_frame(table.select(order).with_columns(pl.col(pl.Float64).round_sig_figs(6))))
    with pl.Config(tbl_rows=12, tbl_cols=-1, tbl_hide_dataframe_shape=True, tbl_width_chars=250, fmt_str_lengths=40):
        return repr(shown)


def _many(x: Any) -> bool:
    """Whether ``x`` is a column of items rather than one item (strings and tuples are items)."""
    return is_column(x) and not isinstance(x, tuple)


def _items(x: Any) -> list[Any]:
    if isinstance(x, pl.Series | np.ndarray):
        return x.tolist() if isinstance(x, np.ndarray) else x.to_list()
    if type(x).__module__.split(".")[0] == "pandas":
        return list(x.tolist())
    return list(x) if isinstance(x, list) else [x]


# Shared by the rating methods (rate, crowd, pooled): anchoring, the result table, errors.


def scaler(scale: str, anchor: tuple[Any, float] | None, anchor_at: int | None) -> Any:
    """Log-strengths (one vector, or one row per replicate) → reported scores, anchored."""

    def scaled(t: np.ndarray) -> np.ndarray:
        s = to_scale(t, scale)
        if anchor is not None and anchor_at is not None:
            s = s + (float(anchor[1]) - s[..., anchor_at : anchor_at + 1])
        return s

    return scaled


def anchor_index(labels: pl.Series, anchor: tuple[Any, float] | None) -> int | None:
    if anchor is None:
        return None
    if isinstance(anchor, (str, bytes)) or not isinstance(anchor, Sequence) or len(anchor) != 2:
        raise RankaggError(f"anchor must be an (item, value) pair, not {anchor!r}")
    item, value = anchor
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float, np.integer, np.floating))
        or not np.isfinite(value)
    ):
        raise RankaggError(f"anchor value must be a finite number, not {value!r}")
    try:
        hits = np.flatnonzero((labels == item).to_numpy())
    except (pl.exceptions.PolarsError, TypeError):  # an item of another type than the labels
        hits = np.array([], dtype=np.int64)
    if len(hits) == 0:
        raise UnknownItemError(f"anchor item {item!r} is not in the data")
    return int(hits[0])


def ratings_from(
    labels: pl.Series,
    totals: tuple[np.ndarray, np.ndarray, np.ndarray],
    theta: np.ndarray,
    scores: np.ndarray,
    *,
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
    replicates: np.ndarray | None = None,
    predictive: bool = True,
    extra: Mapping[str, np.ndarray] | None = None,
    **kwargs: Any,
) -> Ratings:
    """The result frame: ``theta`` orders the items (larger is better), ``scores`` are shown;
    ``totals`` are the per-item wins, losses and ties (label order); ``extra`` columns go
    between ``item`` and ``score``."""
    wins, losses, ties = totals
    columns: dict[str, Any] = {"item": labels, **(extra or {}), "score": scores}
    if lower is not None and upper is not None:
        columns["lower"] = lower
        columns["upper"] = upper
        columns["rank"] = interval_rank(lower, upper)
    else:
        columns["rank"] = pl.Series(tie_ranks(theta))
    columns.update({"wins": wins, "losses": losses, "ties": ties, "n": wins + losses + ties})
    frame = (
        pl.DataFrame(columns)
        .with_columns(pl.Series("_order", -tie_levels(theta)))
        .sort(["rank", "_order", "item"])
        .drop("_order")
    )
    return Ratings(
        table=frame,
        _theta=dict(zip(labels.to_list(), theta.tolist())) if predictive else None,
        _replicates=replicates,
        _labels=labels,
        **kwargs,
    )


def not_identifiable(
    e: Any, labels: pl.Series, model: str = "Bradley–Terry", graph: str = "comparison"
) -> NotIdentifiableError:
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
        f"no finite {model} estimate: the {graph} graph splits into "
        f"{e.components} strongly connected components; items that {'; '.join(parts)}. "
        "Pass regularization > 0 (e.g. regularization=1.0) for finite estimates."
    )
    err = NotIdentifiableError(msg)
    err.never_win = [names[c] for c in e.never_win]
    err.never_lose = [names[c] for c in e.never_lose]
    err.components = e.components
    return err


#: Scores closer than this (relative to max(1, |θ|)) are the same score: solver noise (the fits
#: stop at a relative gradient of 1e-9) is below it, real differences far above.
TIE_TOLERANCE = 1e-8


def tie_levels(theta: np.ndarray) -> np.ndarray:
    """Each θ replaced by the largest θ of its tie group: sorted from the top, a value within
    :data:`TIE_TOLERANCE` of the one above it joins that one's group. (Rounding to a fixed
    number of decimals instead splits noise-level differences that straddle a rounding
    boundary.)"""
    theta = np.asarray(theta, dtype=float)
    order = np.argsort(-theta, kind="stable")
    s = theta[order]
    starts = np.ones(len(s), dtype=bool)
    starts[1:] = (s[:-1] - s[1:]) > TIE_TOLERANCE * np.maximum(1.0, np.abs(s[1:]))
    leader = np.maximum.accumulate(np.where(starts, np.arange(len(s)), 0))
    out = np.empty_like(s)
    out[order] = s[leader]
    return out


def tie_ranks(theta: np.ndarray) -> np.ndarray:
    """Competition ranks (1 = largest θ), tie groups as in :func:`tie_levels` sharing the rank of
    their top: 1 + the number of items in groups above."""
    levels = tie_levels(theta)
    return pl.Series(-levels).rank("min").cast(pl.UInt32).to_numpy()
