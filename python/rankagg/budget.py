"""The memory budget: dense requests (an n × n matrix, a rankings × items table) are checked
against it before anything is allocated, and fail with :class:`rankagg.MemoryBudgetError`
naming what was asked, its size and a sparse alternative.

Pair tables and every pair-table method are sparse (memory follows the pairs that met), so
the budget only concerns the methods that need all n² cells: preference matrices, exact
maximal lotteries, Kemeny, the voting rules on margins, consistency, sandwich intervals and
the win-probability heatmap; also the bootstrap's replicates (rounds × items) and the
rankings × items tables of the positional rules. Each entry point is charged with its measured peak (so many
n × n matrices at once: ``benches/memory_peaks.py``), before its first dense allocation.

The default is the least of half the machine's physical memory, the room left under the
process's memory cgroup limit (v2 ``memory.max`` or v1 ``memory.limit_in_bytes``, the usage
counted without reclaimable file cache) and the room left under its address-space limit
(``RLIMIT_AS``, ``ulimit -v``), recomputed at each check; set it with
:func:`set_memory_budget` or the environment variable ``RANKAGG_MEMORY_BUDGET`` (bytes, or a
number with K, M, G or T). Beyond the budget, the Rust core allocates fallibly: an allocation
the system refuses raises ``MemoryError`` instead of aborting the process.

>>> import rankagg as ra
>>> previous = ra.set_memory_budget("1M")
>>> try:
...     ra.preference_matrix({"a": ["x"] * 400, "b": [f"y{k}" for k in range(400)], "outcome": [1.0] * 400})
... except ra.MemoryBudgetError as e:
...     print(e)
a dense preference matrix of 3 × 401 × 401 float64 (preference_matrix peaks at 3 of them) needs 3.7 MiB, over the memory budget of 1.0 MiB (rankagg.set_memory_budget, or RANKAGG_MEMORY_BUDGET); pair-table methods (bradley_terry, win_rate, elo, maximal_lottery(method="first_order")) stay sparse
>>> _ = ra.set_memory_budget(previous)
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar, cast

from rankagg.errors import MemoryBudgetError, RankaggError

__all__ = ["set_memory_budget", "memory_budget", "check_dense", "dense_peak"]

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


def _read(path: str) -> str | None:
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def _number(text: str | None) -> int | None:
    """A cgroup file's byte count; None for a missing file, "max" or v1's "unlimited" (~2^63)."""
    if text is None:
        return None
    text = text.strip()
    if not text.isdigit():
        return None
    value = int(text)
    return None if value >= 1 << 60 else value


def _stat(text: str | None, key: str) -> int:
    for line in (text or "").splitlines():
        name, _, value = line.partition(" ")
        fields = value.split()
        if name == key and fields and fields[0].isdigit():
            return int(fields[0])
    return 0


CGROUP_ROOT = "/sys/fs/cgroup"
"""Where the cgroup file systems are mounted (v2 there, v1's memory controller in ``memory/``)."""

PROC_SELF = "/proc/self"
"""This process's ``/proc`` directory (its cgroup membership and address-space size)."""


def _cgroup_dirs(version: int) -> list[str]:
    """The memory cgroup directories of this process, its own first, then each ancestor up to
    the root (a limit on any of them applies)."""
    base = CGROUP_ROOT if version == 2 else os.path.join(CGROUP_ROOT, "memory")
    path = "/"
    for line in (_read(os.path.join(PROC_SELF, "cgroup")) or "").splitlines():
        _, controllers, where = (line.split(":", 2) + ["", ""])[:3]
        if (version == 2 and controllers == "" and line.startswith("0::")) or (
            version == 1 and "memory" in controllers.split(",")
        ):
            path = where.strip() or "/"
    dirs, parts = [], [p for p in path.split("/") if p]
    for k in range(len(parts), -1, -1):
        dirs.append(os.path.join(base, *parts[:k]))
    return dirs


def cgroup_headroom() -> int | None:
    """The bytes this process's memory cgroup (v2 ``memory.max`` or v1
    ``memory.limit_in_bytes``, on its own cgroup or an ancestor) still allows: the limit less
    the working set (usage less inactive file cache, which the kernel reclaims first, as
    container runtimes count it); None when no limit is set."""
    best: int | None = None
    for version, limit_file, usage_file, inactive in (
        (2, "memory.max", "memory.current", "inactive_file"),
        (1, "memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file"),
    ):
        for d in _cgroup_dirs(version):
            limit = _number(_read(os.path.join(d, limit_file)))
            if limit is None:
                continue
            usage = _number(_read(os.path.join(d, usage_file))) or 0
            working = max(usage - _stat(_read(os.path.join(d, "memory.stat")), inactive), 0)
            room = max(limit - working, 0)
            best = room if best is None else min(best, room)
    return best


def address_space_headroom() -> int | None:
    """The bytes of address space this process may still map under ``RLIMIT_AS``
    (``ulimit -v``): the soft limit less the current size (``VmSize``); None when unlimited."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not a POSIX system
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY or soft < 0:
        return None
    used = _stat((_read(os.path.join(PROC_SELF, "status")) or "").replace(":", " "), "VmSize")
    return max(soft - used * 1024, 0)


def _physical_half() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not a POSIX system
        return 8 << 30


def _default() -> tuple[int, str]:
    """The default budget and where it comes from: the least of half the physical memory, the
    room left under the memory cgroup's limit and under the address-space limit."""
    env = os.environ.get("RANKAGG_MEMORY_BUDGET")
    if env:
        return _parse(env), "RANKAGG_MEMORY_BUDGET"
    best = (_physical_half(), "half the physical memory")
    for room, source in (
        (cgroup_headroom(), "the room left under the memory cgroup's limit"),
        (address_space_headroom(), "the room left under the address-space limit (ulimit -v)"),
    ):
        if room is not None and room < best[0]:
            best = (max(room, 1), source)
    return best


_budget: int | None = None


def memory_budget() -> int:
    """The current budget in bytes: the one set, else the default (recomputed at every call, so
    it follows the process's use of a cgroup or address-space limit).

    >>> import rankagg as ra
    >>> ra.memory_budget() > 0
    True
    """
    return _budget if _budget is not None else _default()[0]


def set_memory_budget(nbytes: int | str | None) -> int | None:
    """Sets the budget (bytes, or a string such as ``"4G"``; ``None`` restores the default) and
    returns the previous setting (``None`` for the default), so that passing it back restores it.

    >>> import rankagg as ra
    >>> previous = ra.set_memory_budget("2G")
    >>> ra.set_memory_budget(previous)
    2147483648
    """
    global _budget
    previous = _budget
    _budget = None if nbytes is None else _parse(nbytes)
    return previous


def _size(nbytes: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if nbytes < 1024 or unit == "TiB":
            return f"{nbytes:.0f} {unit}" if unit == "B" else f"{nbytes:.1f} {unit}"
        nbytes /= 1024
    return ""  # pragma: no cover


_PEAK: ContextVar[tuple[float, str] | None] = ContextVar("rankagg_dense_peak", default=None)

F = TypeVar("F", bound=Callable[..., Any])


def dense_peak(copies: float, name: str) -> Callable[[F], F]:
    """Marks an entry point whose dense work peaks at ``copies`` n × n matrices (measured:
    benches/memory_peaks.py): every :func:`check_dense` inside the call counts that many, so
    the budget is checked against the call's real peak before its first n × n allocation."""

    def wrap(func: F) -> F:
        @functools.wraps(func)
        def call(*args: Any, **kwargs: Any) -> Any:
            outer = _PEAK.get()
            token = _PEAK.set((copies, name) if outer is None or outer[0] < copies else outer)
            try:
                return func(*args, **kwargs)
            finally:
                _PEAK.reset(token)

        return cast(F, call)

    return wrap


def check_dense(
    shape: tuple[int, ...], what: str, *, copies: float = 1, itemsize: int = 8, hint: str = "", given: bool = False
) -> None:
    """Raises MemoryBudgetError if ``copies`` arrays of ``shape`` would exceed the budget (more
    inside an entry point marked with :func:`dense_peak`: its measured peak). ``given``: one of
    the arrays is the caller's input, already allocated, so it is not counted.

    >>> check_dense((1000, 1000), "a test matrix", copies=2)
    """
    peak = _PEAK.get()
    note = ""
    if peak is not None and peak[0] > copies:
        copies, note = peak[0], f" ({peak[1]} peaks at {peak[0]:g} of them)"
    if given:
        copies -= 1
    need = int(math.prod(shape) * itemsize * copies)
    if need <= 0:
        return
    budget = memory_budget()
    if need > budget:
        dims = " × ".join(str(d) for d in shape)
        times = f"{copies:g} × " if copies != 1 else ""
        source = "" if _budget is not None else f", {_default()[1]}"
        raise MemoryBudgetError(
            f"{what} of {times}{dims} float64{note} needs {_size(need)}, over the memory budget of {_size(budget)}"
            f"{source} (rankagg.set_memory_budget, or RANKAGG_MEMORY_BUDGET)" + (f"; {hint}" if hint else "")
        )
