"""Frame intake: from the user's frame (Polars DataFrame or LazyFrame, pandas, pyarrow, a dict of
columns) to checked columns and dense item codes. Only the named columns are read and the
caller's object is never modified (``select_columns``); nulls are reported per column with their
rows (``check_no_nulls``); item names of any dtype are factorized into dense ``uint32`` codes
whose labels keep their dtype (``factorize``). Also the decorators of the public entry points
(``index_labels_in_errors``, ``accepts_columns``), renamed keywords and the known comparison
layouts that the CLI detects.

>>> from rankagg.intake import factorize
>>> import polars as pl
>>> (a, b), labels = factorize([pl.Series(["x", "y"]), pl.Series(["y", "z"])])
>>> a.tolist(), b.tolist(), labels.to_list()
([0, 1], [1, 2], ['x', 'y', 'z'])
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

import numpy as np
import polars as pl

from rankagg import _core
from rankagg._util import MAX_SHOWN, is_column
from rankagg.checks import column_name
from rankagg.errors import (
    EmptyDataError,
    InternalError,
    MissingColumnError,
    NullValueError,
    RankaggError,
    warn,
)

__all__ = [
    "Frame",
    "select_columns",
    "check_columns",
    "check_no_nulls",
    "checked_frame",
    "factorize",
    "index_labels_in_errors",
    "accepts_columns",
    "renamed_keyword",
    "KNOWN_LAYOUTS",
    "known_layout",
    "comparison_columns",
    "is_text",
    "SHARED_CATEGORIES",
]

Frame = pl.DataFrame | pl.LazyFrame | Mapping[str, Any] | Any
"""What ``data`` arguments accept: Polars, pandas, pyarrow, or a dict of columns."""


def select_columns(data: Frame, columns: Sequence[tuple[str, str]]) -> pl.DataFrame:
    """Returns a new Polars frame with just the named columns.

    ``columns`` holds (keyword, column name) pairs, so errors can say which argument named a
    missing column.
    """
    names = [c for _, c in columns]
    if isinstance(data, pl.LazyFrame):
        available = data.collect_schema().names()
    elif isinstance(data, pl.DataFrame):
        available = data.columns
    elif isinstance(data, Mapping):
        available = list(data.keys())
    elif type(data).__module__.split(".")[0] == "pandas" and hasattr(data, "columns"):
        available = [str(c) for c in data.columns]
    elif type(data).__module__.split(".")[0] == "pyarrow" and hasattr(data, "column_names"):
        available = list(data.column_names)
    else:
        raise TypeError(
            "data must be a Polars DataFrame or LazyFrame, a pandas DataFrame, a pyarrow Table "
            f"or a dict of columns, not {type(data).__name__}"
        )
    check_columns(available, columns)
    unique = list(dict.fromkeys(names))
    if isinstance(data, pl.LazyFrame):
        return data.select(unique).collect()
    if isinstance(data, pl.DataFrame):
        # (not ``data.select``: where the columns' chunks do not line up, as when a column
        # read from CSV meets one built in memory, it rechunks every column — 37 ms at 10M
        # rows, and a copy of each — where the frame of the same Series keeps their chunks)
        return pl.DataFrame([data.get_column(c) for c in unique])
    if isinstance(data, Mapping):
        return pl.DataFrame({c: data[c] for c in unique}, strict=False)  # [1, 0.5, 0] is a float column
    if type(data).__module__.split(".")[0] == "pandas":
        return pl.from_pandas(data[unique])
    table = pl.from_arrow(data.select(unique))
    return table if isinstance(table, pl.DataFrame) else table.to_frame()  # a table is a DataFrame


_F = TypeVar("_F", bound=Callable[..., Any])
_COLUMN_KEYWORDS = ("a", "b", "outcome", "winner", "loser")


def _column_values(x: Any) -> Any:
    """The values of a column given positionally (a pandas Series loses its index: rows are
    matched by position, as in evalica)."""
    if type(x).__module__.split(".")[0] == "pandas":
        return pl.from_pandas(x.reset_index(drop=True))
    return x


_ROWS = re.compile(r"(?:\brows \[([0-9, ]*)\]|\brow ([0-9]+)\b)(?! \(index label)")


def _custom_index(data: Any) -> Any:
    """The index of a pandas DataFrame when it is not the default 0 … n−1 (else None)."""
    if type(data).__module__.split(".")[0] != "pandas" or type(data).__name__ != "DataFrame":
        return None
    index = data.index
    if type(index).__name__ == "RangeIndex" and index.start == 0 and index.step == 1:
        return None
    return index


def _with_index_labels(message: str, index: Any) -> str:
    """Adds the pandas index labels after each "rows [i, j]" / "row i" of ``message``."""

    def labelled(m: re.Match[str]) -> str:
        positions = [int(x) for x in (m.group(1) if m.group(1) is not None else m.group(2)).split(",") if x.strip()]
        labels = [index[p] for p in positions if 0 <= p < len(index)]
        labels = [x.item() if isinstance(x, np.generic) else x for x in labels]  # 100, not np.int64(100)
        if not labels:
            return m.group(0)
        shown = labels if m.group(1) is not None else labels[0]
        return f"{m.group(0)} (index label{'s' if m.group(1) is not None else ''} {shown!r})"

    return _ROWS.sub(labelled, message)


def index_labels_in_errors(fn: _F) -> _F:
    """Row numbers in errors are positions (0 = the first row); when the data was a pandas
    DataFrame with an index of its own, the error also names the index labels of those rows:
    "rows [1, 4] (index labels ['r1', 'r4'])". The exception keeps its class."""

    @functools.wraps(fn)
    def call(*args: Any, **options: Any) -> Any:
        try:
            return fn(*args, **options)
        except RankaggError as e:
            candidates = [*args[:2], options.get("data"), options.get("table")]
            index = next((i for i in map(_custom_index, candidates) if i is not None), None)
            message = str(e) if index is None or isinstance(e, InternalError) else _with_index_labels(str(e), index)
            if message == str(e):
                raise
            raise type(e)(message) from None

    return cast(_F, call)


def accepts_columns(fn: _F) -> _F:
    """Lets a comparison method be called with the columns themselves, evalica's way:
    ``fn(a, b, outcome, **options)`` (three Series, arrays or lists of one length) or
    ``fn(winner, loser, **options)``; ``weight=`` may then be a column too. The columns are
    gathered into a table (``a``, ``b``, ``outcome`` or ``winner``, ``loser``) and ``fn`` is
    called on it, so everything else (validation, errors naming rows) is unchanged."""

    @functools.wraps(fn)
    def call(data: Any, *columns: Any, **options: Any) -> Any:
        if not columns:
            if is_column(data) and not isinstance(data, list | tuple):  # a list may hold rows: fn says
                raise TypeError(
                    f"{fn.__name__}() got one column; give the comparisons as a table "
                    f"({fn.__name__}(df, a='model_a', b='model_b', outcome='winner')) or as three columns "
                    f"({fn.__name__}(df.model_a, df.model_b, df.winner))"
                )
            return fn(data, **options)
        given = [data, *columns]
        if len(given) not in (2, 3) or not all(is_column(c) for c in given):
            raise TypeError(
                f"{fn.__name__}() takes a table, or the columns a, b, outcome (or winner, loser) as Series, "
                f"arrays or lists; got {len(given)} positional arguments of types "
                f"{', '.join(type(c).__name__ for c in given)}"
            )
        named = [k for k in _COLUMN_KEYWORDS if k in options]
        if named:
            raise TypeError(
                f"{fn.__name__}(): the columns were given positionally; drop the keyword(s) "
                f"{', '.join(k + '=' for k in named)} (they name columns of a table)"
            )
        keys = ("a", "b", "outcome") if len(given) == 3 else ("winner", "loser")
        table = {k: _column_values(c) for k, c in zip(keys, given, strict=True)}
        weight = options.pop("weight", None)
        if weight is not None:
            if not is_column(weight):
                raise TypeError(
                    f"{fn.__name__}(): with the columns given positionally, weight= is a column of weights "
                    f"too, not {type(weight).__name__}"
                )
            table["weight"] = _column_values(weight)
            options["weight"] = "weight"
        lengths = {k: len(v) for k, v in table.items()}
        if len(set(lengths.values())) > 1:
            raise RankaggError(
                "the columns given positionally differ in length: "
                + ", ".join(f"{k} has {n}" for k, n in lengths.items())
            )
        if len(given) == 2:
            options.update(winner="winner", loser="loser")
        return fn(table, **options)

    return index_labels_in_errors(cast(_F, call))


def check_columns(available: Sequence[str], columns: Sequence[tuple[str, str]]) -> None:
    """Raises MissingColumnError for the first (keyword, column) pair not in ``available`` (a
    RankaggError for a name that is not a ``str``)."""
    for keyword, name in columns:
        column_name(keyword, name)
        if name not in available:
            shown = ", ".join(repr(c) for c in available[:20])
            more = f" and {len(available) - 20} more" if len(available) > 20 else ""
            raise MissingColumnError(
                f"column {name!r} ({keyword}=) is not in the data; columns are: {shown}{more}{_layout_hint(available, keyword)}"
            )


def renamed_keyword(function: str, old: str, old_value: str | None, new: str, new_value: str, default: str) -> str:
    """The column named by a keyword that was renamed: ``old=`` (deprecated, with a warning) or
    ``new=``; both given with different values is an error."""
    column_name(new, new_value)
    if old_value is None:
        return new_value
    column_name(old, old_value)
    if new_value != default and new_value != old_value:
        raise RankaggError(f"{function}(): {old}= is the former name of {new}=; give one of them, not both")
    warn(f"{function}({old}=...) is now {new}=...", DeprecationWarning)
    return old_value


KNOWN_LAYOUTS: tuple[tuple[str, dict[str, str]], ...] = (
    ("an LMArena battle log", {"a": "model_a", "b": "model_b", "outcome": "winner"}),
    ("preference pairs", {"winner": "chosen", "loser": "rejected"}),
)
"""The comparison layouts users bring most, with the column keywords that read them: the CLI
uses them when no column flag is given, the missing-column error suggests them."""


def known_layout(names: Sequence[str]) -> tuple[str, dict[str, str]] | None:
    """The first of :data:`KNOWN_LAYOUTS` whose columns are all in ``names``, or None."""
    return next((known for known in KNOWN_LAYOUTS if set(known[1].values()) <= set(names)), None)


def _layout_hint(available: Sequence[str], keyword: str) -> str:
    """For a comparison column missing at its default name: how to read a known layout."""
    found = known_layout(available) if keyword in ("a", "b", "outcome") else None
    if found is None:
        return ""
    what, layout = found
    return f" ({what}? pass {', '.join(f'{k}={v!r}' for k, v in layout.items())})"


def _rows(mask: pl.Series, offset: int = 0) -> list[int]:
    return [offset + r for r in mask.arg_true().head(MAX_SHOWN).to_list()]


def check_no_nulls(frame: pl.DataFrame, column: str, keyword: str, offset: int = 0) -> None:
    """Raises NullValueError naming the first null rows (numbered from ``offset``)."""
    s = frame.get_column(column)
    k = s.null_count()
    if k:
        raise NullValueError(f"column {column!r} ({keyword}=) has {k} null(s): rows {_rows(s.is_null(), offset)}")


def checked_frame(
    data: Frame, columns: Sequence[tuple[str, str]], *, empty: str = "the data have no rows", offset: int = 0
) -> pl.DataFrame:
    """The named columns of ``data`` (:func:`select_columns`), refused when there are no rows
    (:class:`EmptyDataError` saying ``empty``) or when one of them holds nulls
    (:func:`check_no_nulls`, rows numbered from ``offset``): the first step of every entry point
    that reads a frame.

    >>> checked_frame({"x": [1, None]}, [("score", "x")])
    Traceback (most recent call last):
    rankagg.errors.NullValueError: column 'x' (score=) has 1 null(s): rows [1]
    """
    frame = select_columns(data, columns)
    if frame.height == 0:
        raise EmptyDataError(empty)
    for keyword, name in columns:
        check_no_nulls(frame, name, keyword, offset)
    return frame


def factorize(columns: Sequence[pl.Series]) -> tuple[list[np.ndarray], pl.Series]:
    """Jointly codes the columns: equal names get equal codes, in order of first appearance
    (all of the first column, then the second, ...). Returns the codes and the labels."""
    dtypes = {s.dtype for s in columns}
    if len(dtypes) > 1 and all(is_text(dt) for dt in dtypes):
        # e.g. a Categorical column and a String one, or two different Enums: compare the text
        columns = [s.cast(pl.String) for s in columns]
        dtypes = {pl.String()}
    if len(dtypes) > 1:
        names = ", ".join(f"{s.name!r}: {s.dtype}" for s in columns)
        raise RankaggError(f"item columns must have the same dtype; got {names}")
    dtype = columns[0].dtype
    if isinstance(dtype, (pl.List, pl.Array)):  # Polars cannot hash-replace lists
        names = ", ".join(repr(s.name) for s in columns)
        raise RankaggError(f"item columns must hold scalar names (text, numbers), not {dtype}: columns {names}")
    if (dtype == pl.Categorical or isinstance(dtype, pl.Enum)) and not SHARED_CATEGORIES:
        columns = [s.cast(pl.String) for s in columns]
        dtype = pl.String()
    if dtype == pl.Categorical or isinstance(dtype, pl.Enum):
        # One Enum, or Polars' shared categories: equal names have equal physical codes, which
        # code like small integers (casting to strings took ~20 ms per 1M rows).
        physical = [s.to_physical() for s in columns]
        codes, uniques = _core.factorize_ints([p.cast(pl.Int64).to_numpy() for p in physical])
        labels = pl.Series("item", uniques).cast(physical[0].dtype).cat.to(dtype).cast(pl.String)
        return codes, labels
    if dtype == pl.String:
        codes, texts = _core.factorize_strings(list(columns))
        return codes, pl.Series("item", texts, dtype=pl.String)
    if dtype in (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32):
        arrays = [s.cast(pl.Int64).to_numpy() for s in columns]
        codes, values = _core.factorize_ints(arrays)
        return codes, pl.Series("item", values).cast(dtype)
    # Any other dtype: Polars does the hashing.
    stacked = pl.concat([s.rename("item") for s in columns])
    distinct = stacked.unique(maintain_order=True)
    coded = stacked.replace_strict(distinct, pl.arange(0, len(distinct), eager=True), return_dtype=pl.UInt32)
    out, start = [], 0
    for s in columns:
        out.append(coded.slice(start, len(s)).to_numpy())
        start += len(s)
    return out, distinct


SHARED_CATEGORIES = int(pl.__version__.split(".")[0]) >= 2
"""From Polars 2, categorical columns of one dtype share one name → physical code mapping
(before, each column built without a string cache had its own) and ``.cat.to`` maps codes back."""


def is_text(dtype: pl.DataType) -> bool:
    return dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum)


def comparison_columns(
    a: str, b: str, outcome: str, weight: str | None, winner: str | None, loser: str | None
) -> list[tuple[str, str]]:
    """(keyword, column) pairs that a comparison frame is read from."""
    if (winner is None) != (loser is None):
        raise RankaggError("give both winner= and loser= (or neither, and a=, b=, outcome=)")
    if winner is not None and loser is not None:
        cols = [("winner", winner), ("loser", loser)]
    else:
        cols = [("a", a), ("b", b), ("outcome", outcome)]
    if weight is not None:
        cols.append(("weight", weight))
    return cols
