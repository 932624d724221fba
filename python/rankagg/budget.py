"""The memory budget: dense requests (an n × n matrix, a rankings × items table) are checked
against it before anything is allocated, and fail with :class:`rankagg.MemoryBudgetError`
naming what was asked, its size and a sparse alternative.

Pair tables and every pair-table method are sparse (memory follows the pairs that met), so
the budget only concerns the methods that need all n² cells: preference matrices, exact
maximal lotteries, Kemeny, the voting rules on margins, consistency, sandwich intervals and
the win-probability heatmap. The default is half of the machine's physical memory; set it
with :func:`set_memory_budget` or the environment variable ``RANKAGG_MEMORY_BUDGET`` (bytes,
or a number with K, M, G or T).

>>> import rankagg as ra
>>> previous = ra.set_memory_budget("1M")
>>> try:
...     ra.preference_matrix({"a": ["x"] * 400, "b": [f"y{k}" for k in range(400)], "outcome": [1.0] * 400})
... except ra.MemoryBudgetError as e:
...     print(e)
a dense preference matrix of 401 × 401 float64 needs 1.2 MiB, over the memory budget of 1.0 MiB (rankagg.set_memory_budget, or RANKAGG_MEMORY_BUDGET); pair-table methods (bradley_terry, win_rate, elo, maximal_lottery(method="first_order")) stay sparse
>>> _ = ra.set_memory_budget(previous)
"""

from __future__ import annotations

import math
import os

from rankagg.errors import MemoryBudgetError, RankaggError

__all__ = ["set_memory_budget", "memory_budget", "check_dense"]

SPARSE_HINT = 'pair-table methods (bradley_terry, win_rate, elo, maximal_lottery(method="first_order")) stay sparse'
"""What the error suggests when the dense request came from comparisons."""

_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def _parse(value: int | str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise RankaggError(f"a memory budget is a number of bytes or a string like '4G', not {value!r}")
    if isinstance(value, int):
        nbytes = value
    else:
        text = value.strip().upper().removesuffix("B").removesuffix("I")
        unit = text[-1:] if text[-1:] in _UNITS and text[-1:] else ""
        try:
            nbytes = int(float(text[: len(text) - len(unit)]) * _UNITS[unit])
        except ValueError:
            raise RankaggError(
                f"cannot read the memory budget {value!r} (bytes, or a number with K, M, G or T)"
            ) from None
    if nbytes <= 0:
        raise RankaggError(f"the memory budget must be positive, not {value!r}")
    return nbytes


def _default() -> int:
    env = os.environ.get("RANKAGG_MEMORY_BUDGET")
    if env:
        return _parse(env)
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not a POSIX system
        return 8 << 30


_budget: int | None = None


def memory_budget() -> int:
    """The current budget in bytes."""
    global _budget
    if _budget is None:
        _budget = _default()
    return _budget


def set_memory_budget(nbytes: int | str | None) -> int:
    """Sets the budget (bytes, or a string such as ``"4G"``; ``None`` restores the default) and
    returns the previous one.

    >>> import rankagg as ra
    >>> previous = ra.set_memory_budget("2G")
    >>> ra.set_memory_budget(previous)
    2147483648
    """
    global _budget
    previous = memory_budget()
    _budget = None if nbytes is None else _parse(nbytes)
    return previous


def _size(nbytes: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if nbytes < 1024 or unit == "TiB":
            return f"{nbytes:.0f} {unit}" if unit == "B" else f"{nbytes:.1f} {unit}"
        nbytes /= 1024
    return ""  # pragma: no cover


def check_dense(shape: tuple[int, ...], what: str, *, copies: int = 1, itemsize: int = 8, hint: str = "") -> None:
    """Raises MemoryBudgetError if ``copies`` arrays of ``shape`` would exceed the budget."""
    need = math.prod(shape) * itemsize * copies
    budget = memory_budget()
    if need > budget:
        dims = " × ".join(str(d) for d in shape)
        times = f"{copies} × " if copies > 1 else ""
        raise MemoryBudgetError(
            f"{what} of {times}{dims} float64 needs {_size(need)}, over the memory budget of {_size(budget)} "
            f"(rankagg.set_memory_budget, or RANKAGG_MEMORY_BUDGET)" + (f"; {hint}" if hint else "")
        )
