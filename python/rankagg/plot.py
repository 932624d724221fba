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

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from rankagg.budget import check_dense
from rankagg.checks import one_of
from rankagg.display import NAME_WIDTH, display_name, method_name
from rankagg.errors import RankaggError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from rankagg.games import Lottery
    from rankagg.results import Ratings
    from rankagg.vote import Consensus

__all__ = ["ratings", "heatmap", "consensus", "lottery", "win_probabilities"]

INSTALL_HINT = 'pip install "rankagg[plot]"'
_COLOR = "#3b6ea5"


def require_matplotlib() -> Any:
    """The matplotlib package, or an ImportError naming the extra that installs it."""
    try:
        import matplotlib
    except ImportError as e:
        raise ImportError(f"rankagg's plots need matplotlib, which is not installed: {INSTALL_HINT}") from e
    return matplotlib


def _axes(ax: Any, width: float, height: float) -> Any:
    """``ax``, or the axes of a new pyplot figure of the given size (inches)."""
    require_matplotlib()
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(width, height), layout="constrained")
    return ax


def label_text(label: Any, width: int | None = NAME_WIDTH) -> str:
    """An item label as drawn: :func:`~rankagg.display.display_name` (cut at ``width``
    characters, hidden characters escaped) as literal text (``$`` would otherwise start
    matplotlib's mathtext)."""
    return display_name(label, width).replace("$", r"\$")


def top_count(top: int | None, n: int) -> int:
    if top is None:
        return n
    if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 1:
        raise RankaggError(f"top must be a positive integer or None, not {top!r}")
    return min(int(top), n)


def figure_height(rows: int) -> float:
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
    k = top_count(top, table.height)
    shown = table.head(k)
    ax = _axes(ax, 6.4, figure_height(k))
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
    ax.set_yticks(y, [label_text(v) for v in shown["item"].to_list()])
    ax.set_ylim(k - 0.5, -0.5)  # best first, at the top
    label = f"score ({result.scale} scale)"
    if has_ci:
        level = getattr(result.ci, "level", None)
        label += f", {level:.0%} interval" if isinstance(level, float) else ", interval"
    ax.set_xlabel(label)
    ax.set_title(
        f"{method_name(result.method)}: {'top ' + str(k) if k < table.height else str(k)} of {table.height} items"
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


@dataclass(frozen=True)
class _HeatmapLayout:
    """How a heatmap of k items is labelled, and the figure size that fits it (inches)."""

    font: float  # tick labels, points
    cell_font: float  # cell percentages, points
    rows: list[str]  # y tick labels
    columns: list[str]  # x tick labels
    rotate: bool  # x labels vertical (names) or horizontal (numbers)
    numbered: bool  # rows "1. name" and columns "1" … "k": the names did not fit under the columns
    side: float  # the square plot's side in a new figure
    left: float  # room for the row labels
    bottom: float  # room for the column labels (and the x axis title)
    figsize: tuple[float, float]

    def place(self, fig: Any, colorbar: bool) -> tuple[Any, Any]:
        """The heatmap's axes (and the colour bar's, or None) placed in a new figure of ``figsize``."""
        w, h = self.figsize
        ax = fig.add_axes((self.left / w, self.bottom / h, self.side / w, self.side / h))
        cax = (
            fig.add_axes(((self.left + self.side + 0.15) / w, self.bottom / h, 0.18 / w, self.side / h))
            if colorbar
            else None
        )
        return ax, cax


def _text_width(text: str, size: float) -> float:
    """Width in inches of ``text`` drawn at ``size`` points in the default font."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    width, _, _ = TextToPath().get_text_width_height_descent(text, FontProperties(size=size), ismath=False)
    return float(width) / 72.0


def _shorten(text: str, size: float, budget: float) -> str:
    """``text``, or its start and (longer) end around an ellipsis, at most ``budget`` inches wide
    (and at most ``_MEASURED`` characters: measuring a name of 100 kB took matplotlib 45 s)."""
    if len(text) <= _MEASURED and _text_width(text, size) <= budget:
        return text
    lo, hi = 2, min(len(text) - 1, _MEASURED)  # characters kept: the largest count that fits (at least 2)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _text_width(_cut(text, mid), size) <= budget:
            lo = mid
        else:
            hi = mid - 1
    return _cut(text, lo)


_MEASURED = 200


def _cut(text: str, keep: int) -> str:
    head = (2 * keep) // 5  # the end tells model versions apart ("…-Instruct-Turbo-v2")
    return text[:head] + "…" + text[len(text) - (keep - head) :]


def _heatmap_layout(names: list[str], box: tuple[float, float] | None, left: float | None = None) -> _HeatmapLayout:
    """Labels and fonts for a heatmap of ``names`` drawn in a ``box`` (width, height in inches:
    the axes' share of a given figure; None: a new figure, sized here from the labels). Names
    on both axes when they fit under the columns; otherwise rows ``"1. name"`` (shortened with
    an ellipsis to about 40 % of the plot's side) and columns numbered. ``left``: room left of
    the axes when the figure has no layout engine to make room for the labels."""
    k = max(len(names), 1)
    if box is None:
        side = max(4.2, 0.3 * k)
        budget = min(max(0.4 * side, 1.4), 3.2)
    else:
        budget = min(max(0.3 * box[0], 0.6), 3.2)
        side = max(min(box[0] - budget - 1.0, box[1] - 0.9), 0.5)
    if left is not None:
        budget = min(budget, max(left - 0.2, 0.3))
    cell = 72.0 * side / k  # points
    font = min(9.0, max(3.0, 0.6 * cell))
    cell_font = min(8.0, max(3.0, 0.4 * cell))
    widths = [_text_width(v[: _MEASURED + 1], font) for v in names]  # longer never fits
    if not widths or max(widths) <= min(budget, 0.3 * side):
        rows, columns, rotate, numbered = list(names), list(names), True, False
    else:
        rows = [
            f"{i}. " + _shorten(v, font, max(budget - _text_width(f"{i}. ", font), 0.0)) for i, v in enumerate(names, 1)
        ]
        columns, rotate, numbered = [str(i) for i in range(1, k + 1)], False, True
    left = max([_text_width(v, font) for v in rows] + [0.0]) + 0.2  # labels, ticks, padding
    bottom = (max([_text_width(v, font) for v in columns] + [0.0]) if rotate else font / 72.0) + 0.2
    bottom += 0.3 if numbered else 0.0  # the x axis title
    width = left + side + 1.2  # the colour bar with its labels
    height = bottom + side + 0.5  # the title
    return _HeatmapLayout(font, cell_font, rows, columns, rotate, numbered, side, left, bottom, (width, height))


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
    (default: up to 20 items), on the colour bar's scale; pairs that never met are blank.

    Long names do not crowd out the plot: the figure (when ``ax`` is None) is sized from the
    labels, and when the names do not fit under the columns, rows are labelled ``"1. name"``
    — the name shortened with an ellipsis in the middle when it is too long, its end kept —
    and columns by the same numbers: number i is row i of ``result.table`` (the full name).

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import rankagg as ra
    >>> games = {"a": ["x", "y", "z", "x"], "b": ["y", "z", "x", "z"], "outcome": [1, 1, 0.5, 0]}
    >>> ax = ra.plot.heatmap(ra.win_rate(games), data=games)   # observed win rates
    >>> ax.images[0].get_array().shape, ax.get_title()
    ((3, 3), 'observed P(row beats column)')
    >>> long = [f"meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo-v{i}" for i in range(3)]
    >>> games = {"a": [long[0], long[1], long[2]], "b": [long[1], long[2], long[0]], "outcome": [1, 1, 0.5]}
    >>> ax = ra.plot.heatmap(ra.bradley_terry(games, regularization=1.0))
    >>> [t.get_text() for t in ax.get_xticklabels()]        # columns numbered
    ['1', '2', '3']
    >>> row = ax.get_yticklabels()[0].get_text()             # e.g. '1. meta-lla…truct-Turbo-v0'
    >>> row.startswith("1. meta-"), "…" in row, row[:-1].endswith("-Turbo-v")  # the end is kept
    (True, True, True)
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    return draw_heatmap(result, ax, None, top=top, data=data, colorbar=colorbar, annotate=annotate, **columns)


def draw_heatmap(
    result: Ratings,
    ax: Axes | None,
    _figure: Any,
    *,
    top: int | None,
    data: Any,
    colorbar: bool,
    annotate: bool | None,
    **columns: Any,
) -> Axes:
    """:func:`heatmap`; ``_figure(figsize=...)`` makes the new figure when ``ax`` is None
    (default: ``pyplot.figure``; the report passes ``matplotlib.figure.Figure``)."""
    table = result.table
    k = top_count(top, table.height)
    names = table["item"].head(k).to_list()
    p = win_probabilities(result, names, data=data, **columns)
    labels = [label_text(v, None) for v in names]  # cut to the plot's side by _heatmap_layout
    cax = None
    if ax is None:
        layout = _heatmap_layout(labels, None)
        if _figure is None:
            require_matplotlib()
            import matplotlib.pyplot as plt

            _figure = plt.figure
        ax, cax = layout.place(_figure(figsize=layout.figsize), colorbar)
    else:
        fig: Any = ax.figure  # a Figure or a SubFigure
        root: Any = getattr(fig, "figure", None) or fig
        fw, fh = fig.bbox.width / root.dpi, fig.bbox.height / root.dpi  # inches
        pos = ax.get_position()
        left = None if root.get_layout_engine() is not None else pos.x0 * fw
        layout = _heatmap_layout(labels, (pos.width * fw, pos.height * fh), left)
    image = ax.imshow(
        np.ma.masked_invalid(p), cmap="RdBu_r", vmin=0.0, vmax=1.0, interpolation="nearest", aspect="auto"
    )
    ticks = np.arange(k)
    ax.set_xticks(ticks, layout.columns, rotation=90 if layout.rotate else 0, fontsize=layout.font)
    ax.set_yticks(ticks, layout.rows, fontsize=layout.font)
    ax.tick_params(length=2)
    if layout.numbered:
        ax.set_xlabel("column number = row number", fontsize=layout.font)
    ax.set_title(("observed" if data is not None else "model") + " P(row beats column)")
    if annotate is None:
        annotate = k <= 20
    if annotate:
        for i in range(k):
            for j in range(k):
                if np.isfinite(p[i, j]):
                    ax.text(
                        j,
                        i,
                        f"{100 * p[i, j]:.0f}",
                        ha="center",
                        va="center",
                        fontsize=layout.cell_font,
                        color="white" if abs(p[i, j] - 0.5) > 0.3 else "black",
                    )
    if colorbar:
        from matplotlib.ticker import FuncFormatter

        if cax is not None:
            bar = ax.figure.colorbar(image, cax=cax, label="P(row beats column), %")
        else:
            bar = ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.03, label="P(row beats column), %")
        bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{100 * v:.0f}"))
    return ax


def consensus(result: Consensus, ax: Axes | None = None, *, top: int | None = None, kind: str = "items") -> Axes:
    """A bar chart of a consensus.

    ``kind="items"``: one bar per item, best at the top: the rule's ``score`` when it has one,
    else the ``rank`` (1 = best). ``kind="agreement"``: one bar per voter (or task), its
    Kendall τ-b with the consensus (``result.agreement``; highest first; needs a consensus of
    rankings). ``top`` keeps the first bars.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import rankagg as ra
    >>> votes = ra.Rankings.from_lists([["a", "b", "c"]] * 5 + [["b", "c", "a"]] * 2 + [["c", "a", "b"]] * 2)
    >>> ax = ra.borda(votes).plot()
    >>> len(ax.patches), ax.get_xlabel()
    (3, 'Borda score')
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    if not one_of(kind, ("items", "agreement")):
        raise RankaggError(f"kind must be 'items' or 'agreement', not {kind!r}")
    agreement = result.agreement if kind == "agreement" else None
    if kind == "agreement" and agreement is None:
        raise RankaggError("no per-voter agreement: this consensus was computed from pairwise data, not rankings")
    if agreement is not None:
        who = agreement.columns[0]
        shown = agreement.sort("agreement", descending=True, nulls_last=True)
        k = top_count(top, shown.height)
        shown = shown.head(k)
        names, values, xlabel = (
            shown[who].to_list(),
            shown["agreement"].to_numpy().astype(float),
            f"agreement with the {result.method} consensus",
        )
        title = f"{method_name(result.method)}: agreement per {who}"
    else:
        table = result.table
        k = top_count(top, table.height)
        shown = table.head(k)
        has_score = "score" in shown.columns and shown["score"].null_count() < shown.height
        column = "score" if has_score else "rank"
        names, values = shown["item"].to_list(), shown[column].to_numpy().astype(float)
        xlabel = f"{method_name(result.method)} {column}" + ("" if has_score else " (1 = best)")
        title = (
            f"{method_name(result.method)} consensus: "
            + ", ".join(label_text(w) for w in result.winners[:3])
            + (" …" if len(result.winners) > 3 else "")
            + " first"
        )
    ax = _axes(ax, 6.4, figure_height(k))
    y = np.arange(k)
    ax.barh(y, np.nan_to_num(values).tolist(), color=_COLOR)
    ax.set_yticks(y, [label_text(v) for v in names])
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
    ax = _axes(ax, 6.4, figure_height(k))
    y = np.arange(k)
    probability = support["probability"].to_numpy().astype(float)
    ax.barh(y, probability.tolist(), color=_COLOR)
    ax.set_yticks(y, [label_text(v) for v in support["item"].to_list()])
    ax.set_ylim(k - 0.5, -0.5)
    ax.set_xlim(0, max(1e-12, float(probability.max(initial=0.0))) * 1.15)
    for yi, v in zip(y, probability):
        ax.text(v, float(yi), f" {v:.3f}", va="center", fontsize=8)
    ax.set_xlabel("probability")
    ax.set_title(f"maximal lottery: support {k} of {result.table.height} items")
    ax.grid(axis="x", alpha=0.3)
    return ax
