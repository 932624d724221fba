"""How names and numbers are shown in summaries, titles and reprs: one place, so that the CLI,
the report, the plots and the result objects say things the same way."""

from __future__ import annotations

import os
import sys
from typing import Any

import numpy as np
import polars as pl

from rankagg.checks import flag

__all__ = [
    "NAME_WIDTH",
    "PROGRESS_AFTER_SECONDS",
    "count_text",
    "display_frame",
    "display_name",
    "method_name",
    "percent",
    "progress_delay",
    "whole_counts",
]

_METHOD_NAMES = {
    "bradley_terry": "Bradley–Terry",
    "bradley_terry_mixture": "Bradley–Terry mixture",
    "crowd_bradley_terry": "Crowd-BT",
    "plackett_luce": "Plackett–Luce",
    "elo": "Elo",
    "trueskill": "TrueSkill",
    "pagerank": "PageRank",
    "rank_centrality": "Rank Centrality",
    "schulze": "Schulze",
    "kemeny": "Kemeny",
    "borda": "Borda",
    "copeland": "Copeland",
    "minimax": "minimax",
    "linear_ordering": "linear ordering",
}


def method_name(method: str) -> str:
    """A method's name as titles and summaries show it: ``"bradley_terry"`` → ``"Bradley–Terry"``;
    names without a proper form lose their underscores (``"win_rate"`` → ``"win rate"``)."""
    return _METHOD_NAMES.get(method, method.replace("_", " "))


def percent(part: float, whole: float) -> str:
    """``part`` of ``whole`` as a percentage to one decimal that never rounds a part to the
    whole or to nothing: 779 of 780 is "99.9 %", not "100 %"."""
    if whole <= 0:
        return "–"
    if part >= whole:
        return "100 %"
    if part <= 0:
        return "0 %"
    share = 100.0 * part / whole
    return "<0.1 %" if share < 0.05 else ">99.9 %" if share >= 99.95 else f"{share:.1f} %"


NAME_WIDTH = 40
"""Characters of a name shown in tables, plots and reprs (the full name stays in the data)."""

_HIDDEN = ((0x00, 0x1F), (0x7F, 0x9F), (0x061C, 0x061C), (0x200E, 0x200F), (0x2028, 0x202E), (0x2066, 0x2069))
"""Code point ranges that a displayed name shows escaped: C0 and C1 control characters, line and
paragraph separators, and the bidirectional marks, embeddings, overrides and isolates (which
reorder the text around them: "Trojan Source", Boucher & Anderson 2023)."""

_ESCAPES = {c: ascii(chr(c))[1:-1] for lo, hi in _HIDDEN for c in range(lo, hi + 1)}
HIDDEN_PATTERN = "[" + "".join(f"\\x{{{lo:X}}}-\\x{{{hi:X}}}" for lo, hi in _HIDDEN) + "]"
"""The same characters as a regular expression for Polars (``str.contains``)."""


def display_name(x: Any, width: int | None = NAME_WIDTH, *, quote: bool = False) -> str:
    """An item label as people see it — in plots, the HTML report, the CLI's tables and the
    reprs: ``str(x)`` with control characters and bidirectional formatting characters written
    as their escapes (``\\n``, ``\\u202e``), so a name can neither reorder nor hide the text
    around it; longer than ``width`` characters (``None``: never cut), its start and (longer)
    end around an ellipsis, since the end tells model versions apart. ``quote``: strings in
    quotes, as reprs show them.

    >>> display_name("meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo-v2", 30)
    'meta-llama/M…Instruct-Turbo-v2'
    >>> display_name("abc\\u202edef\\n"), display_name(3, quote=True), display_name("x", quote=True)
    ('abc\\\\u202edef\\\\n', '3', "'x'")
    """
    text = x if isinstance(x, str) else str(x)
    if width is not None and len(text) > width:  # only the ends are shown: escape just those
        head = max((2 * width) // 5, 0)
        tail = max(width - 1 - head, 0)
        start = text[:head].translate(_ESCAPES)[:head]
        end = text[len(text) - tail :].translate(_ESCAPES)
        text = start + "…" + end[len(end) - tail :]
    else:
        text = text.translate(_ESCAPES)
        if width is not None and len(text) > width:  # escapes made it longer
            return display_name(text, width, quote=quote)
    return f"'{text}'" if quote and isinstance(x, str) else text


def display_frame(frame: pl.DataFrame, width: int | None = NAME_WIDTH) -> pl.DataFrame:
    """``frame`` with every text column's values as :func:`display_name` shows them (only the
    values that need it go through Python: longer than ``width``, or holding a hidden character).

    >>> display_frame(pl.DataFrame({"item": ["a\\u202eb", "c"], "n": [1, 2]}))["item"].to_list()
    ['a\\\\u202eb', 'c']
    """
    shown = []
    for name, dtype in frame.schema.items():
        if dtype != pl.String:
            continue
        column = frame[name]
        odd = column.str.contains(HIDDEN_PATTERN)
        if width is not None:
            odd = odd | (column.str.len_chars() > width)
        values = column.filter(odd).unique().to_list()
        if values:
            shown.append(pl.col(name).replace({v: display_name(v, width) for v in values}))
    return frame.with_columns(shown) if shown else frame


def count_text(x: float) -> str:
    """A weighted count as shown in summaries: an integer when it is one."""
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,.6g}"


COUNT_COLUMNS = ("wins", "losses", "ties", "n", "comparisons", "judges", "voters", "count", "rows")


def whole_counts(frame: pl.DataFrame) -> pl.DataFrame:
    """Count columns (wins, losses, ties, n, …) as integers when every value is a whole number,
    so that text tables show ``12``, not ``12.0``."""
    whole = []
    for c in COUNT_COLUMNS:
        if c in frame.columns and frame[c].dtype.is_float() and frame[c].null_count() == 0:
            v = frame[c].to_numpy()
            if bool((np.isfinite(v) & (v == np.round(v)) & (np.abs(v) < 2.0**53)).all()):
                whole.append(pl.col(c).cast(pl.Int64))
    return frame.with_columns(whole) if whole else frame


PROGRESS_AFTER_SECONDS = 2.0
"""With ``progress=None`` (the default), long calls show progress once they have run this long."""


def progress_delay(progress: bool | None) -> float | None:
    """When a long call shows its progress on standard error: ``None`` never, else after that
    many seconds. ``progress=True``: from the start; ``False``: never; ``None`` (the default):
    after :data:`PROGRESS_AFTER_SECONDS` when standard error is a terminal or the call runs in a
    Jupyter kernel — unless the environment variable ``RANKAGG_PROGRESS`` says ``0`` (never) or
    ``1`` (as if in a terminal).

    >>> progress_delay(True), progress_delay(False)
    (0.0, None)
    """
    progress = flag("progress", progress)
    if progress is not None:
        return 0.0 if progress else None
    env = os.environ.get("RANKAGG_PROGRESS", "").strip().lower()
    if env in ("0", "false", "no", "off"):
        return None
    interactive = env in ("1", "true", "yes", "on") or "ipykernel" in sys.modules
    try:
        interactive = interactive or sys.stderr.isatty()
    except (AttributeError, ValueError):  # no stderr, or a closed one
        pass
    return PROGRESS_AFTER_SECONDS if interactive else None
