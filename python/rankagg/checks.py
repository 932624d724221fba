"""Checks of keyword values shared by the entry points: a value that is not of the expected
kind (a frame, an array, a list or a number where a name goes) is a :class:`RankaggError`
naming the keyword, never the ``TypeError``/``ValueError`` that comparing it would raise
(``frame == "half"`` is a frame; ``array in ("a", "b")`` is ambiguous).

>>> from rankagg.checks import column_name, one_of
>>> one_of("half", ("half", "drop")), one_of([1, 2], ("half", "drop"))
(True, False)
>>> column_name("a", 3)
Traceback (most recent call last):
...
rankagg.errors.RankaggError: a= must name a column (a str), not int 3
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import numpy as np

from rankagg.errors import RankaggError


def one_of(value: Any, choices: Collection[str]) -> bool:
    """Whether ``value`` is one of the option names ``choices`` (only a ``str`` can be)."""
    return isinstance(value, str) and value in choices


def shown(value: Any) -> str:
    """A short description of a bad value for a message: its type, and its repr when short."""
    text = repr(value)
    return f"{type(value).__name__} {text}" if len(text) <= 40 and "\n" not in text else type(value).__name__


def column_name(keyword: str, value: Any) -> str:
    """``value`` if it is a column name (a ``str``), else a RankaggError naming ``keyword``."""
    if not isinstance(value, str):
        raise RankaggError(f"{keyword}= must name a column (a str), not {shown(value)}")
    return value


def flag(keyword: str, value: Any) -> bool | None:
    """``value`` as a yes/no switch (``None`` kept: "decide for me"); anything but a bool, an
    int or None is a RankaggError naming ``keyword`` (``bool(frame)`` would raise)."""
    if value is None:
        return None
    if not isinstance(value, (bool, int, np.bool_)):
        raise RankaggError(f"{keyword}= must be True or False, not {shown(value)}")
    return bool(value)


def floats(keyword: str, values: Any, error: type[RankaggError] = RankaggError) -> np.ndarray:
    """``values`` as a new float64 array, or ``error`` naming ``keyword`` when they are not
    numbers (text, dicts, objects)."""
    try:
        return np.array(values, dtype=float)
    except (TypeError, ValueError):
        raise error(f"{keyword} must be numbers, not {shown(values)}") from None


def path(keyword: str, value: Any) -> Path:
    """``value`` as a file path (a ``str`` or ``os.PathLike``), else a RankaggError naming
    ``keyword``."""
    if not isinstance(value, (str, os.PathLike)):
        raise RankaggError(f"{keyword} must be a file path (a str or Path), not {shown(value)}")
    return Path(value)


def number(keyword: str, value: Any, ok: Callable[[float], bool], need: str) -> None:
    """A RankaggError naming ``keyword`` unless ``value`` is a finite real number (not a bool)
    for which ``ok`` holds; ``need`` says what is accepted ("a finite number > 0")."""
    real = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    if not real or not math.isfinite(value) or not ok(value):
        raise RankaggError(f"{keyword} must be {need}, not {shown(value)}")
