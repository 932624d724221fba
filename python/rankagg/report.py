"""A one-page HTML report of pairwise comparisons: ``rankagg.report`` and ``rankagg report``.

The page is self-contained — inline CSS, plots embedded as base64 PNG images, no scripts and no
network references — so it can be mailed, archived or opened offline. It holds a data summary
(rows, items, pairs compared, share of ties, the date range when a ``timestamp`` column is
named), the leaderboard with its intervals, the interval plot, the win-probability heatmap of
the top 20 items and the support of the maximal lottery. Needs matplotlib
(``pip install "rankagg[plot]"``).

>>> import rankagg as ra, tempfile, pathlib
>>> games = {"a": ["x", "y", "z", "x", "y", "z"], "b": ["y", "z", "x", "z", "x", "y"],
...          "outcome": [1, 1, 0, 1, 0.5, 0], "day": ["2024-05-01", "2024-05-01", "2024-05-02",
...          "2024-05-03", "2024-05-03", "2024-05-04"]}
>>> path = pathlib.Path(tempfile.mkdtemp()) / "report.html"
>>> ra.report(games, path, timestamp="day", regularization=1.0, rounds=50) == path
True
>>> html = path.read_text(encoding="utf-8")
>>> "2024-05-01 to 2024-05-04" in html
True
>>> html.count("data:image/png;base64,")   # interval plot, heatmap, lottery
3
"""

from __future__ import annotations

import base64
import html as _html
import io
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import polars as pl

from rankagg import plot as _plot
from rankagg.checks import one_of
from rankagg.checks import path as file_path
from rankagg.display import display_name, method_name, percent
from rankagg.errors import RankaggError
from rankagg.intake import Frame, index_labels_in_errors, select_columns
from rankagg.intervals import Bootstrap, Sandwich
from rankagg.methods import METHODS, names
from rankagg.pairs import PairTable

__all__ = ["report", "HEATMAP_TOP", "PLOT_TOP"]

HEATMAP_TOP = 20
"""The heatmap shows at most this many items (the best)."""
PLOT_TOP = 100
"""The interval plot shows at most this many items (the best); the table shows ``top``."""

_METHODS = tuple(names("rating", report=True))
"""The rating methods the report offers: the registry's (``methods.py``)."""

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem auto;
       max-width: 70rem; padding: 0 1rem; color: #1d232a; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #d6dde5; padding-bottom: 0.2rem; }
p.note { color: #56606b; font-size: 0.9rem; }
table { border-collapse: collapse; font-size: 0.9rem; }
th, td { padding: 0.25rem 0.7rem; border-bottom: 1px solid #e6eaef; text-align: right; }
th { background: #f3f6f9; }
td.item, th.item, table.summary th, table.summary td { text-align: left; }
table.summary th { background: none; font-weight: 600; }
ol.key { columns: 2; font-size: 0.85rem; }
img { max-width: 100%; height: auto; display: block; margin: 0.8rem 0; }
"""


def _e(value: Any) -> str:
    """Text for HTML: escaped, quotes included."""
    return _html.escape(str(value), quote=True)


def _name(value: Any) -> str:
    """The attributes and text of an element showing an item's name (after its tag name): the
    name as :func:`~rankagg.display.display_name` shows it, the whole name (hidden characters
    escaped) in the ``title`` attribute (a tooltip)."""
    return f'class="item" title="{_e(display_name(value, None))}">{_e(display_name(value))}'


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _figure(width: float, height: float) -> Any:
    """A matplotlib figure that draws with Agg, outside pyplot (no global state, no window)."""
    _plot.require_matplotlib()
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _img(fig: Any, alt: str) -> str:
    return f'<img alt="{_e(alt)}" src="data:image/png;base64,{_png(fig)}">'


def _number(x: Any, digits: int) -> str:
    if x is None:
        return ""
    if isinstance(x, float):
        if not np.isfinite(x):
            return _e(x)
        if abs(x) < 0.5 * 10.0**-digits:
            x = 0.0  # no "-0.0000"
        return f"{x:,.{digits}f}"
    return _e(x)


def _html_table(frame: pl.DataFrame, digits: dict[str, int], css: str = "") -> str:
    head = "".join(f'<th class="item">{_e(c)}</th>' if c == "item" else f"<th>{_e(c)}</th>" for c in frame.columns)
    rows = []
    for row in frame.iter_rows():
        cells = []
        for column, value in zip(frame.columns, row):
            if column == "item":
                cells.append(f"<td {_name(value)}</td>")
            else:
                cells.append(f"<td>{_number(value, digits.get(column, 2))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cls = f' class="{css}"' if css else ""
    return f"<table{cls}><thead><tr>{head}</tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table>"


def _interval(ci: Any, rounds: int, level: float, seed: int) -> Bootstrap | Sandwich | None:
    if isinstance(ci, (Bootstrap, Sandwich)):
        return ci
    if ci is None or one_of(ci, ("none",)):
        return None
    if one_of(ci, ("bootstrap",)):
        return Bootstrap(rounds=rounds, level=level, seed=seed)
    if one_of(ci, ("sandwich",)):
        return Sandwich(level=level)
    raise RankaggError(f"ci must be 'bootstrap', 'sandwich', 'none', None, or a Bootstrap/Sandwich, not {ci!r}")


def _date_range(data: Frame, column: str) -> tuple[Any, Any]:
    if isinstance(data, pl.LazyFrame):
        from rankagg.intake import check_columns

        check_columns(data.collect_schema().names(), [("timestamp", column)])
        frame = data.select(pl.col(column).min().alias("lo"), pl.col(column).max().alias("hi")).collect()
    else:
        frame = select_columns(data, [("timestamp", column)]).select(
            pl.col(column).min().alias("lo"), pl.col(column).max().alias("hi")
        )
    return frame["lo"][0], frame["hi"][0]


def _digits(scale: str) -> int:
    """Decimals shown for scores on ``scale``."""
    return 1 if scale in ("elo", "count") else 4


@index_labels_in_errors
def report(
    data: Frame | PairTable,
    path: str | os.PathLike[str] | None = None,
    *,
    a: str = "a",
    b: str = "b",
    outcome: str = "outcome",
    weight: str | None = None,
    outcomes: Mapping[Any, float] | None = None,
    winner: str | None = None,
    loser: str | None = None,
    timestamp: str | None = None,
    method: str = "bradley_terry",
    ci: Any = "bootstrap",
    rounds: int = 200,
    level: float = 0.95,
    seed: int = 0,
    regularization: float = 0.0,
    top: int | None = None,
    title: str | None = None,
    source: str | None = None,
    judge: str | None = None,
    groups: int | Literal["auto"] = "auto",
) -> str | Path:
    """A self-contained HTML report of pairwise comparisons: written to ``path`` when given
    (then the path is returned, as a :class:`pathlib.Path`), else returned as a string.

    Args:
        data: comparisons (a frame, with the column keywords ``a`` … ``loser`` of
            :func:`rankagg.bradley_terry`) or a :class:`PairTable`.
        timestamp: a column of dates or times; the summary shows its range.
        method: the rating method of the leaderboard: ``"bradley_terry"`` (default), ``"elo"``
            or ``"trueskill"`` (rows in data order), ``"win_rate"``, ``"average_win_rate"``, ``"counting"``,
            ``"pagerank"``, ``"eigenvector"`` or ``"rank_centrality"``. The heatmap shows the
            model's win probabilities for Bradley–Terry, Elo and TrueSkill, the observed win rates otherwise.
        ci: ``"bootstrap"`` (default; ``rounds`` resamples, ``seed``), ``"sandwich"``
            (Bradley–Terry only), ``"none"``/None, or a :class:`Bootstrap`/:class:`Sandwich`.
        regularization: Bradley–Terry's prior pseudo-counts (needed when some item never wins
            or never loses).
        top: rows of the leaderboard and the interval plot (default: every item); the plot
            shows at most the best 100 and the heatmap the best ``min(top, 20)``.
        title, source: the page's title and the description of the data (defaults: generic).
        judge: a column naming who made each comparison: the page then adds the latent groups
            of judges found by :func:`rankagg.bradley_terry_mixture` (``groups``: their number, or
            ``"auto"``, chosen by BIC), with each group's share and leaderboard.

    Item names are escaped in the page and drawn as plain text in the plots.
    """
    if not one_of(method, _METHODS):
        raise RankaggError(f"method must be one of {', '.join(_METHODS)}; not {method!r}")
    if path is not None:
        file_path("path", path)  # before any work, as the matplotlib check
    _plot.require_matplotlib()  # before any work: the ImportError names the extra to install
    spec = _interval(ci, rounds, level, seed)
    columns: dict[str, Any] = dict(
        a=a, b=b, outcome=outcome, weight=weight, outcomes=outcomes, winner=winner, loser=loser
    )
    if isinstance(data, PairTable):
        if METHODS[method].takes == "ordered comparisons":
            raise RankaggError(f"{method} needs the comparison rows in order, not a PairTable")
        if timestamp is not None:
            raise RankaggError("a PairTable has no timestamp column; pass the comparison rows")
        table = data
    else:
        table = PairTable.from_comparisons(data, **columns)
    dates = _date_range(data, timestamp) if timestamp is not None else None

    from rankagg import rate
    from rankagg.games import maximal_lottery

    if method == "bradley_terry":
        ratings = rate.bradley_terry(table, regularization=regularization, ci=spec)
    elif isinstance(spec, Sandwich):
        raise RankaggError(f"Sandwich intervals are for bradley_terry; use ci='bootstrap' or 'none' with {method}")
    elif method == "elo":
        ratings = rate.elo(data, **columns, ci=spec)
    elif method == "trueskill":
        if isinstance(spec, Sandwich):
            raise RankaggError("Sandwich intervals are for bradley_terry; use ci='bootstrap' or 'none' with trueskill")
        ratings = rate.trueskill(data, **columns, ci=spec)
    else:
        ratings = METHODS[method].function(table, ci=spec)
    mixture_html = ""
    if judge is not None:
        if isinstance(data, PairTable):
            raise RankaggError("judge= needs the comparison rows, not a PairTable")
        from rankagg.crowd import bradley_terry_mixture

        mix = bradley_terry_mixture(
            data, **columns, judge=judge, groups=groups, seed=seed, regularization=regularization or 1.0
        )
        group_size = len(mix.table) // mix.groups
        kk = group_size if top is None else min(top, group_size)
        per_group = "\n".join(
            f"<h3>Group {g}: share {mix.shares['share'][g - 1]:.1%}, {mix.shares['judges'][g - 1]} judges</h3>\n"
            + _html_table(mix.group(g).head(kk).select("rank", "item", "score"), {"score": _digits(mix.scale)})
            for g in range(1, mix.groups + 1)
        )
        chosen = " (chosen by BIC among 1–8)" if groups == "auto" else ""
        mixture_html = f"""<h2>Groups of judges</h2>
<p class="note">A mixture of Bradley–Terry models over the judges (column {_e(judge)}): {mix.groups} latent
group(s){chosen}, each with its own leaderboard (scores centred within each group); log-likelihood
{mix.log_likelihood:.2f}, BIC {mix.bic:.2f}.</p>
{per_group}
"""
    n = table.n_items
    lottery = maximal_lottery(table, method="exact" if n <= 2000 else "first_order", tol=1e-9)

    board = ratings.table
    k = n if top is None else _plot.top_count(top, n)
    heat_k = min(k, HEATMAP_TOP)
    digits = _digits(ratings.scale)

    # -- summary --------------------------------------------------------------------------
    decided = float(table.wins_i.sum() + table.wins_j.sum())
    ties = float(table.ties.sum())
    total = decided + ties
    summary: list[tuple[str, str]] = [("data", _e(source or "comparisons"))]
    summary.append(("rows", f"{table.rows:,}"))
    if weight is not None:
        summary.append(("total weight", f"{total:,.6g}"))
    summary.append(("items", f"{n:,}"))
    possible = n * (n - 1) // 2
    summary.append(
        (
            "pairs compared",
            f"{len(table.i):,} of {possible:,}" + (f" ({percent(len(table.i), possible)})" if possible else ""),
        )
    )
    summary.append(("ties", f"{percent(ties, total)} of comparisons" if total > 0 else "none"))
    if dates is not None:
        summary.append((f"date range ({_e(timestamp)})", f"{_e(dates[0])} to {_e(dates[1])}"))
    summary.append(
        (
            "method",
            _e(method_name(method))
            + (f", regularization {regularization:g}" if method == "bradley_terry" and regularization else ""),
        )
    )
    if isinstance(spec, Bootstrap):
        summary.append(("intervals", f"{spec.level:.0%} percentile bootstrap, {spec.rounds} rounds, seed {spec.seed}"))
    elif isinstance(spec, Sandwich):
        summary.append(("intervals", f"{spec.level:.0%} sandwich (robust) covariance"))
    else:
        summary.append(("intervals", "none"))
    summary_html = (
        '<table class="summary"><tbody>\n'
        + "\n".join(f"<tr><th>{label}</th><td>{value}</td></tr>" for label, value in summary)
        + "\n</tbody></table>"
    )

    # -- leaderboard ----------------------------------------------------------------------
    shown_cols = [
        c for c in ("rank", "item", "score", "lower", "upper", "wins", "losses", "ties", "n") if c in board.columns
    ]
    shown = board.head(k).select(shown_cols)
    count_digits: dict[str, int] = {
        c: (0 if all(float(v).is_integer() for v in board[c].to_list()) else 2)
        for c in ("wins", "losses", "ties", "n")
        if c in board.columns
    }
    board_html = _html_table(shown, {"score": digits, "lower": digits, "upper": digits, **count_digits})
    rank_note = (
        "rank = 1 + the number of items whose lower bound exceeds this item's upper bound"
        if "lower" in board.columns
        else "rank = 1 + the number of items with a higher score"
    )

    # -- pictures -------------------------------------------------------------------------
    plot_k = min(k, PLOT_TOP)
    fig = _figure(7.5, _plot.figure_height(plot_k))
    _plot.ratings(ratings, fig.add_subplot(), top=plot_k)
    intervals_img = _img(fig, f"{method} scores of the top {plot_k} items" + (" with intervals" if spec else ""))

    observed = ratings._theta is None
    from matplotlib.figure import Figure

    ax = _plot.draw_heatmap(
        ratings, None, Figure, top=heat_k, data=table if observed else None, colorbar=True, annotate=None
    )
    heat_img = _img(ax.figure, f"win probabilities among the top {heat_k} items")
    heat_names = board["item"].head(heat_k).to_list()
    heat_key = ""
    if [t.get_text() for t in ax.get_yticklabels()] != [_plot.label_text(v, None) for v in heat_names]:  # numbered
        heat_key = (
            '<p class="note">Rows and columns are numbered:</p>\n<ol class="key">\n'
            + "\n".join(f"<li {_name(v)}</li>" for v in heat_names)
            + "\n</ol>"
        )
    heat_note = (
        "observed share of wins of the row item against the column item (a tie counts half; blank: never met)"
        if observed
        else f"probability that the row item beats the column item under the fitted {method_name(method)} model"
    )

    support = lottery.table.filter(pl.col("probability") > 0)
    fig = _figure(7.5, _plot.figure_height(support.height))
    _plot.lottery(lottery, fig.add_subplot())
    lottery_img = _img(fig, "the maximal lottery's support")
    lottery_html = _html_table(support, {"probability": 4, "payoff": 4})

    heading = title or f"Leaderboard of {source or 'comparisons'}"
    from rankagg import __version__

    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(heading)}</title>
<style>{_CSS}</style>
</head>
<body>
<h1>{_e(heading)}</h1>
<p class="note">made by rankagg {_e(__version__)}</p>

<h2>Data</h2>
{summary_html}

<h2>Leaderboard</h2>
<p class="note">{_e(method_name(ratings.method))} scores ({_e(ratings.scale)} scale), best first; {_e(rank_note)}.
{"Showing the top " + str(k) + " of " + str(n) + " items." if k < n else ""}</p>
{board_html}

<h2>Scores and intervals</h2>
{intervals_img}

<h2>Who beats whom: the top {heat_k}</h2>
<p class="note">{_e(heat_note)}.</p>
{heat_img}
{heat_key}

<h2>Maximal lottery</h2>
<p class="note">The distribution over items that no item beats in expectation (the von Neumann winner):
support {support.height} of {n} items, exploitability {lottery.exploitability:.2g}; {_e(lottery.uniqueness)}.
The payoff is the expected margin of a draw from the lottery against the item: ≥ 0 for every item, 0 on the support.</p>
{lottery_html}
{lottery_img}
{mixture_html}
</body>
</html>
"""
    if path is None:
        return page
    written = file_path("path", path)
    written.write_text(page, encoding="utf-8")
    return written
