"""Pictures of results, drawn with matplotlib (an optional dependency: ``pip install "rankagg[plot]"``).

Each function takes a result and an optional matplotlib ``Axes`` (a new figure is made with
``matplotlib.pyplot`` when ``ax`` is None), draws on it and returns the ``Axes``. The result
classes call them: :meth:`Ratings.plot <rankagg.Ratings.plot>`, :meth:`Ratings.heatmap
<rankagg.Ratings.heatmap>`, :meth:`Consensus.plot <rankagg.Consensus.plot>` and
:meth:`Lottery.plot <rankagg.Lottery.plot>`. matplotlib is imported only when a picture is
drawn; without it the call raises an ``ImportError`` naming the extra to install.

Item names are drawn as plain text (a ``$`` never starts mathtext).

>>> import matplotlib
>>> matplotlib.use("Agg")  # no window: draw into memory (the default on a machine without a display)
>>> import rankagg as ra
>>> games = {"a": ["x", "y", "z", "x", "y", "z"], "b": ["y", "z", "x", "z", "x", "y"],
...          "outcome": [1, 1, 0, 1, 0.5, 0]}
>>> ratings = ra.bradley_terry(games, regularization=1.0, ci=ra.Bootstrap(rounds=50, seed=0))
>>> ax = ratings.plot()                    # scores with 95% interval bars, best at the top
>>> [t.get_text() for t in ax.get_yticklabels()] == ratings.table["item"].to_list()
True
>>> ax = ratings.heatmap()                 # P(row beats column) under the fitted model
>>> ax.images[0].get_array().shape
(3, 3)
>>> ax.figure.savefig("/dev/null", format="png")
>>> import matplotlib.pyplot as plt
>>> plt.close("all")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from rankagg.budget import check_dense
from rankagg.errors import RankaggError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from rankagg.games import Lottery
    from rankagg.results import Ratings
    from rankagg.vote import Consensus

__all__ = ["ratings", "heatmap", "consensus", "lottery", "win_probabilities"]

INSTALL_HINT = 'pip install "rankagg[plot]"'
_COLOR = "#3b6ea5"


def _matplotlib() -> Any:
    """The matplotlib package, or an ImportError naming the extra that installs it."""
    try:
        import matplotlib
    except ImportError as e:
        raise ImportError(f"rankagg's plots need matplotlib, which is not installed: {INSTALL_HINT}") from e
    return matplotlib


def _axes(ax: Any, width: float, height: float) -> Any:
    """``ax``, or the axes of a new pyplot figure of the given size (inches)."""
    _matplotlib()
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(width, height), layout="constrained")
    return ax


def _text(label: Any) -> str:
    """An item label as literal text: ``$`` would otherwise start matplotlib's mathtext."""
    return str(label).replace("$", r"\$")


def _top(top: int | None, n: int) -> int:
    if top is None:
        return n
    if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 1:
        raise RankaggError(f"top must be a positive integer or None, not {top!r}")
    return min(int(top), n)


def _height(rows: int) -> float:
    return max(2.0, 0.6 + 0.25 * rows)


def ratings(result: Ratings, ax: Axes | None = None, *, top: int | None = None) -> Axes:
    """Scores of the best ``top`` items (all by default), best at the top, as points with
    horizontal interval bars when the ratings have ``lower``/``upper`` (``ci=``).

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import rankagg as ra
    >>> r = ra.bradley_terry(ra.datasets.llmfao(), a="left", b="right", outcome="winner",
    ...                      outcomes=ra.datasets.LLMFAO_OUTCOMES, ci=ra.Sandwich())
    >>> ax = ra.plot.ratings(r, top=10)
    >>> [t.get_text() for t in ax.get_yticklabels()][:2], ax.get_xlabel()
    (['GPT 4', 'Platypus-2 Instruct (70B)'], 'score (elo scale), 95% interval')
    >>> ax.figure.savefig("/dev/null", format="png")
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    table = result.table
    k = _top(top, table.height)
    shown = table.head(k)
    ax = _axes(ax, 6.4, _height(k))
    y = np.arange(k)
    score = shown["score"].to_numpy().astype(float)
    has_ci = "lower" in shown.columns and "upper" in shown.columns
    if has_ci:
        lower = shown["lower"].to_numpy().astype(float)
        upper = shown["upper"].to_numpy().astype(float)
        xerr = np.vstack([np.maximum(score - lower, 0.0), np.maximum(upper - score, 0.0)])
        ax.errorbar(score, y, xerr=xerr, fmt="o", color=_COLOR, ecolor="#8aa9cc", elinewidth=2, capsize=3, markersize=5)
    else:
        ax.plot(score, y, "o", color=_COLOR, markersize=5)
    ax.set_yticks(y, [_text(v) for v in shown["item"].to_list()])
    ax.set_ylim(k - 0.5, -0.5)  # best first, at the top
    label = f"score ({result.scale} scale)"
    if has_ci:
        level = getattr(result.ci, "level", None)
        label += f", {level:.0%} interval" if isinstance(level, float) else ", interval"
    ax.set_xlabel(label)
    ax.set_title(
        f"{result.method.replace('_', ' ')}: {'top ' + str(k) if k < table.height else str(k)} of {table.height} items"
    )
    ax.grid(axis="x", alpha=0.3)
    return ax


def win_probabilities(
    result: Ratings, items: list[Any] | None = None, *, data: Any = None, **columns: Any
) -> np.ndarray:
    """``P[i, j]`` = the probability that ``items[i]`` beats ``items[j]`` (diagonal NaN): from
    the fitted model (``Ratings.predict``), or, when ``data`` (comparisons, a ``PairTable``,
    ``Rankings`` or ``Preferences``; ``columns`` as in :func:`rankagg.bradley_terry`) is given,
    the observed share of wins (a tie counts half; NaN for pairs that never met).

    >>> import rankagg as ra
    >>> games = {"a": ["x", "x", "y"], "b": ["y", "y", "x"], "outcome": [1, 1, 1]}
    >>> r = ra.win_rate(games)
    >>> ra.plot.win_probabilities(r, data=games).round(3).tolist()
    [[nan, 0.667], [0.333, nan]]
    """
    names = result.table["item"].to_list() if items is None else list(items)
    k = len(names)
    check_dense((k, k), "the heatmap", hint="show fewer items with top=")
    p = np.full((k, k), np.nan)
    if data is not None:
        from rankagg.preferences import preference_matrix

        prefs = preference_matrix(data, **columns)
        index = {v: i for i, v in enumerate(prefs.labels.to_list())}
        missing = [v for v in names if v not in index]
        if missing:
            from rankagg.errors import UnknownItemError

            raise UnknownItemError(f"item(s) {missing[:10]!r} of the ratings are not in the data given to the heatmap")
        sel = np.array([index[v] for v in names], dtype=np.int64)
        w = prefs.matrix[np.ix_(sel, sel)]
        total = w + w.T
        with np.errstate(invalid="ignore", divide="ignore"):
            p = np.where(total > 0, w / np.where(total > 0, total, 1.0), np.nan)
        np.fill_diagonal(p, np.nan)
        return p
    if result._theta is None:
        raise RankaggError(
            f"{result.method} scores are not a probability model, so there are no model win probabilities: "
            "pass the comparisons as heatmap(data=..., a=..., b=..., outcome=...) to show the observed win rates"
        )
    for i, x in enumerate(names):
        for j, y in enumerate(names):
            if i != j:
                p[i, j] = result.predict(x, y)
    return p


def heatmap(
    result: Ratings,
    ax: Axes | None = None,
    *,
    top: int | None = None,
    data: Any = None,
    colorbar: bool = True,
    annotate: bool | None = None,
    **columns: Any,
) -> Axes:
    """A heatmap of ``P(row beats column)`` among the best ``top`` items (all by default),
    best first: the fitted model's probabilities (Bradley–Terry, Elo; see
    :func:`win_probabilities`), or the observed win rates when ``data`` is given — which a
    method without a probability model (win rate, PageRank, …) needs, or a
    :class:`~rankagg.RankaggError` says so. Cells show percentages when ``annotate``
    (default: up to 20 items); pairs that never met are blank.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import rankagg as ra
    >>> games = {"a": ["x", "y", "z", "x"], "b": ["y", "z", "x", "z"], "outcome": [1, 1, 0.5, 0]}
    >>> ax = ra.plot.heatmap(ra.win_rate(games), data=games)   # observed win rates
    >>> ax.images[0].get_array().shape, ax.get_title()
    ((3, 3), 'observed P(row beats column)')
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    table = result.table
    k = _top(top, table.height)
    names = table["item"].head(k).to_list()
    p = win_probabilities(result, names, data=data, **columns)
    size = max(3.0, 1.2 + 0.32 * k)
    ax = _axes(ax, size + (1.0 if colorbar else 0.0), size)
    image = ax.imshow(np.ma.masked_invalid(p), cmap="RdBu_r", vmin=0.0, vmax=1.0, interpolation="nearest")
    labels = [_text(v) for v in names]
    ticks = np.arange(k)
    ax.set_xticks(ticks, labels, rotation=90)
    ax.set_yticks(ticks, labels)
    ax.set_title(("observed" if data is not None else "model") + " P(row beats column)")
    if annotate is None:
        annotate = k <= 20
    if annotate:
        font = 8 if k <= 10 else 6
        for i in range(k):
            for j in range(k):
                if np.isfinite(p[i, j]):
                    ax.text(
                        j,
                        i,
                        f"{100 * p[i, j]:.0f}",
                        ha="center",
                        va="center",
                        fontsize=font,
                        color="white" if abs(p[i, j] - 0.5) > 0.3 else "black",
                    )
    if colorbar:
        ax.figure.colorbar(image, ax=ax, shrink=0.8, label="P(row beats column)")
    return ax


def consensus(result: Consensus, ax: Axes | None = None, *, top: int | None = None, kind: str = "items") -> Axes:
    """A bar chart of a consensus.

    ``kind="items"``: one bar per item, best at the top: the rule's ``score`` when it has one,
    else the ``position`` (1 = best). ``kind="agreement"``: one bar per voter (or task), its
    Kendall τ-b with the consensus (``result.agreement``; highest first; needs a consensus of
    rankings). ``top`` keeps the first bars.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import rankagg as ra
    >>> votes = ra.Rankings.from_lists([["a", "b", "c"]] * 5 + [["b", "c", "a"]] * 2 + [["c", "a", "b"]] * 2)
    >>> ax = ra.borda(votes).plot()
    >>> len(ax.patches), ax.get_xlabel()
    (3, 'borda score')
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    if kind not in ("items", "agreement"):
        raise RankaggError(f"kind must be 'items' or 'agreement', not {kind!r}")
    agreement = result.agreement if kind == "agreement" else None
    if kind == "agreement" and agreement is None:
        raise RankaggError("no per-voter agreement: this consensus was computed from pairwise data, not rankings")
    if agreement is not None:
        who = agreement.columns[0]
        shown = agreement.sort("agreement", descending=True, nulls_last=True)
        k = _top(top, shown.height)
        shown = shown.head(k)
        names, values, xlabel = (
            shown[who].to_list(),
            shown["agreement"].to_numpy().astype(float),
            f"agreement with the {result.method} consensus",
        )
        title = f"{result.method.replace('_', ' ')}: agreement per {who}"
    else:
        table = result.table
        k = _top(top, table.height)
        shown = table.head(k)
        has_score = "score" in shown.columns and shown["score"].null_count() < shown.height
        column = "score" if has_score else "position"
        names, values = shown["item"].to_list(), shown[column].to_numpy().astype(float)
        xlabel = f"{result.method.replace('_', ' ')} {column}" + ("" if has_score else " (1 = best)")
        title = (
            f"{result.method.replace('_', ' ')} consensus: "
            + ", ".join(_text(w) for w in result.winners[:3])
            + (" …" if len(result.winners) > 3 else "")
            + " first"
        )
    ax = _axes(ax, 6.4, _height(k))
    y = np.arange(k)
    ax.barh(y, np.nan_to_num(values).tolist(), color=_COLOR)
    ax.set_yticks(y, [_text(v) for v in names])
    ax.set_ylim(k - 0.5, -0.5)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    return ax


def lottery(result: Lottery, ax: Axes | None = None) -> Axes:
    """A bar chart of the lottery's support: one bar per item of positive probability, most
    probable at the top.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import rankagg as ra
    >>> rps = {"a": ["rock", "paper", "scissors"], "b": ["scissors", "rock", "paper"], "outcome": [1, 1, 1]}
    >>> ax = ra.maximal_lottery(rps).plot()
    >>> [round(float(bar.get_width()), 3) for bar in ax.patches]
    [0.333, 0.333, 0.333]
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    support = result.table.filter(pl.col("probability") > 0)
    k = support.height
    ax = _axes(ax, 6.4, _height(k))
    y = np.arange(k)
    probability = support["probability"].to_numpy().astype(float)
    ax.barh(y, probability.tolist(), color=_COLOR)
    ax.set_yticks(y, [_text(v) for v in support["item"].to_list()])
    ax.set_ylim(k - 0.5, -0.5)
    ax.set_xlim(0, max(1e-12, float(probability.max(initial=0.0))) * 1.15)
    for yi, v in zip(y, probability):
        ax.text(v, float(yi), f" {v:.3f}", va="center", fontsize=8)
    ax.set_xlabel("probability")
    ax.set_title(f"maximal lottery: support {k} of {result.table.height} items")
    ax.grid(axis="x", alpha=0.3)
    return ax
