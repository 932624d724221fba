"""The exceptions and warnings rankagg raises.

Every error is a subclass of :class:`RankaggError`, itself a :class:`ValueError`, so existing
``except ValueError`` code keeps working. Messages name the column, rows or labels at fault.

>>> import rankagg as ra
>>> try:
...     ra.bradley_terry({"a": ["x"], "b": ["x"], "outcome": [1.0]})
... except ra.SelfComparisonError as e:
...     print(e)
1 row(s) compare an item with itself (columns 'a' and 'b' are equal): rows [0]
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import Any

__all__ = [
    "RankaggError",
    "MissingColumnError",
    "NullValueError",
    "UnknownOutcomeError",
    "OutcomeRangeError",
    "InvalidWeightError",
    "SelfComparisonError",
    "EmptyDataError",
    "UnknownItemError",
    "NotIdentifiableError",
    "NonFiniteValueError",
    "MemoryBudgetError",
    "GroupConstraintError",
    "InternalError",
    "ConvergenceWarning",
    "FloorWarning",
]


class RankaggError(ValueError):
    """Base class of every rankagg error (also raised for inconsistent arguments)."""


class MissingColumnError(RankaggError):
    """A column named by a keyword argument is not in the data."""


class NullValueError(RankaggError):
    """An item, outcome or weight column holds nulls."""


class UnknownOutcomeError(RankaggError):
    """Outcome labels that the ``outcomes`` mapping does not cover."""


class OutcomeRangeError(RankaggError):
    """Numeric outcomes outside [0, 1], or NaN."""

    # Set on the errors the core raises (the rows are 0-based; the first ones, ``count`` in all):
    rows: list[int]
    count: int


class InvalidWeightError(RankaggError):
    """Weights that are NaN, infinite or negative."""

    # Set on the errors the core raises (the rows are 0-based; the first ones, ``count`` in all):
    rows: list[int]
    count: int


class SelfComparisonError(RankaggError):
    """Rows that compare an item with itself."""

    # Set on the errors the core raises (the rows are 0-based; the first ones, ``count`` in all):
    rows: list[int]
    count: int


class EmptyDataError(RankaggError):
    """No rows (or only rows of zero weight) to fit."""


class UnknownItemError(RankaggError):
    """An item named in an argument (``anchor=``, ``predict``) is not in the data."""


class NotIdentifiableError(RankaggError):
    """The data admit no finite estimate: some items never win or never lose, or the
    comparison graph is not strongly connected. Use ``regularization > 0``."""

    # Set on the errors the fits raise: the items (labels) that never win / never lose, the
    # number of strongly connected components; ``task`` by a per-task fit (``by=``).
    never_win: list[Any]
    never_lose: list[Any]
    components: int
    task: Any


class NonFiniteValueError(RankaggError):
    """A score or utility column holds NaN or infinite values (the rows are named)."""


class MemoryBudgetError(RankaggError):
    """A dense request (an n × n matrix, a rankings × items table) would need more memory than
    :func:`rankagg.set_memory_budget` allows; raised before anything is allocated."""


class GroupConstraintError(RankaggError):
    """Group bounds of a committee that are malformed or that no committee can meet: an item
    without a group, a bound naming an unknown group, Σ at_least > k, at_least above a group's
    size or its at_most, or too little room under at_most; the message names the groups."""


class InternalError(RankaggError):
    """A bug in rankagg's core (a caught panic). Please report it."""


class ConvergenceWarning(RuntimeWarning):
    """An iterative solver stopped at ``max_iter`` before meeting ``tol``."""


class FloorWarning(UserWarning):
    """:func:`rankagg.defensive` on benchmark scores: the group-mean floor (``prior``) lifted
    several items, the best among them, to one defended regret, so their order comes from the
    tie-break (the mean regret) rather than from their worst case."""


_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def warn(message: str, category: type[Warning]) -> None:
    """Issues a warning attributed to the first caller outside rankagg, however many of
    rankagg's own frames (helpers, decorators) lie between: the user sees their own line."""
    level = 2  # warnings.warn: 1 is this function, 2 its caller
    frame: Any = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)
