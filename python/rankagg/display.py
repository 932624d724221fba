"""How names and numbers are shown in summaries, titles and reprs: one place, so that the CLI,
the report, the plots and the result objects say things the same way."""

from __future__ import annotations

import os
import sys
from typing import Any

__all__ = ["PROGRESS_AFTER_SECONDS", "count_text", "method_name", "percent", "progress_delay", "short_label"]

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


def short_label(x: Any, width: int = 40) -> str:
    """An item label as shown in summaries: its repr, cut at ``width`` characters with an ellipsis."""
    text = repr(x)
    return text if len(text) <= width else text[: width - 1] + "…"


def count_text(x: float) -> str:
    """A weighted count as shown in summaries: an integer when it is one."""
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,.6g}"


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
