"""Compatibility: ``rankagg.data`` held frame intake and the pair table until they were split
into ``intake.py`` (frames → checked columns and codes, the entry points' decorators) and
``pairs.py`` (``Comparisons``, ``PairTable``). Its public names stay importable from here.

>>> from rankagg.data import PairTable
>>> PairTable.from_comparisons({"a": ["x"], "b": ["y"], "outcome": [1.0]}).n_items
2
"""

from __future__ import annotations

from rankagg.intake import (
    KNOWN_LAYOUTS,
    Frame,
    accepts_columns,
    check_columns,
    check_no_nulls,
    factorize,
    index_labels_in_errors,
    known_layout,
    renamed_keyword,
    select_columns,
)
from rankagg.pairs import LMARENA_OUTCOMES, STREAM_BATCH_ROWS, Comparisons, PairTable

__all__ = [
    "Frame",
    "PairTable",
    "Comparisons",
    "LMARENA_OUTCOMES",
    "STREAM_BATCH_ROWS",
    "KNOWN_LAYOUTS",
    "accepts_columns",
    "check_columns",
    "check_no_nulls",
    "factorize",
    "index_labels_in_errors",
    "known_layout",
    "renamed_keyword",
    "select_columns",
]
