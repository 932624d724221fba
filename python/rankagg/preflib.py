"""Reading PrefLib election files (the 2022 PrefLib format): ``.soc`` (strict complete orders),
``.soi`` (strict incomplete), ``.toc`` (complete with ties), ``.toi`` (incomplete with ties).

A file is a header of ``# KEY: value`` lines (with ``# ALTERNATIVE NAME i: name``) and one line
per distinct order: ``count: 3,1,{2,5},4`` — best first, braces for tied alternatives.
Alternatives a voter did not rank are left out of that ranking (see :class:`Rankings`). Files
are parsed as text; nothing in them is executed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from rankagg.checks import flag
from rankagg.checks import path as file_path
from rankagg.display import display_name
from rankagg.errors import RankaggError
from rankagg.rankings import Rankings

__all__ = ["read_preflib"]

_HEADER = re.compile(r"^#\s*([^:]+):\s?(.*)$")
_NAME = re.compile(r"^ALTERNATIVE NAME ([0-9]+)$")  # ASCII digits only


def read_preflib(path: str | Path, *, names: bool = True) -> Rankings:
    """Reads a PrefLib ``.soc``/``.soi``/``.toc``/``.toi`` file into :class:`Rankings`, one
    ranking per distinct order with its count as weight.

    Args:
        path: the file.
        names: label items by their ``ALTERNATIVE NAME`` (default) or by their integer ids.

    Raises:
        RankaggError: a malformed line (with its line number), an alternative not declared in
            the header, or counts that disagree with the header's ``NUMBER VOTERS``.

    Example:

    >>> import rankagg as ra, tempfile, os
    >>> text = "# NUMBER ALTERNATIVES: 3\\n# NUMBER VOTERS: 5\\n# ALTERNATIVE NAME 1: x\\n" \\
    ...        "# ALTERNATIVE NAME 2: y\\n# ALTERNATIVE NAME 3: z\\n3: 1,{2,3}\\n2: 3,1\\n"
    >>> with tempfile.NamedTemporaryFile("w", suffix=".toi", delete=False) as f:
    ...     _ = f.write(text)
    >>> r = ra.read_preflib(f.name); os.unlink(f.name)
    >>> r.to_lists(), r.weights.tolist(), r.has_ties
    ([['x', ('y', 'z')], ['z', 'x']], [3.0, 2.0], True)
    """
    path = file_path("path", path)
    header: dict[str, str] = {}
    alternatives: dict[int, str] = {}
    orders: list[list[Any]] = []
    counts: list[int] = []
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        line_no = path.read_bytes()[: e.start].count(b"\n") + 1
        raise RankaggError(
            f"{path}: not UTF-8 text (byte {e.object[e.start]:#04x} on line {line_no}); PrefLib files are UTF-8"
        ) from None
    text = text.removeprefix("\ufeff")  # a byte-order mark, as some editors write
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            m = _HEADER.match(line)
            if m:
                key, value = m.group(1).strip(), m.group(2).strip()
                named = _NAME.match(key)
                if named:
                    alternatives[_alternative_id(named.group(1), number, path)] = value
                else:
                    header[key] = value
            continue
        orders.append(_parse_order(line, number, path, alternatives))
        digits = line.partition(":")[0].strip().lstrip("0") or "0"  # checked ASCII digits
        if len(digits) > 16 or int(digits) > _MAX_COUNT:  # int() of thousands of digits is slow, then refused
            shown = digits if len(digits) < 30 else f"of {len(digits)} digits"
            raise RankaggError(f"{path}, line {number}: count {shown} is above 2**53, where counts stop being exact")
        counts.append(int(digits))
    if not orders:
        raise RankaggError(f"{path}: no orders in the file")
    declared = header.get("NUMBER VOTERS")
    if declared is not None and declared.isascii() and declared.isdigit() and int(declared) != sum(counts):
        raise RankaggError(f"{path}: the orders count {sum(counts)} voters, the header says NUMBER VOTERS: {declared}")
    unique = header.get("NUMBER UNIQUE ORDERS")
    if unique is not None and unique.isascii() and unique.isdigit() and int(unique) != len(orders):
        raise RankaggError(f"{path}: {len(orders)} orders, the header says NUMBER UNIQUE ORDERS: {unique}")
    if alternatives:  # names declared after some orders are checked here
        unknown = sorted(
            {i for o in orders for g in o for i in (g if isinstance(g, tuple) else (g,)) if i not in alternatives}
        )
        if unknown:
            raise RankaggError(f"{path}: alternatives {unknown[:10]} are not declared in the header")
    if flag("names", names) and alternatives:
        orders = [
            [tuple(alternatives[i] for i in g) if isinstance(g, tuple) else alternatives[g] for g in o] for o in orders
        ]
    return Rankings.from_lists(orders, weights=[float(c) for c in counts])


_ID = r"\s*[0-9]+\s*"
_ORDER = re.compile(rf"(?:{_ID}|\s*\{{{_ID}(?:,{_ID})*\}}\s*)(?:,(?:{_ID}|\s*\{{{_ID}(?:,{_ID})*\}}\s*))*")
"""A whole order: ids or brace groups of ids, separated by commas (ASCII digits only)."""
_MAX_COUNT = 2**53


def _parse_order(line: str, number: int, path: Path, alternatives: dict[int, str]) -> list[Any]:
    count, sep, body = line.partition(":")
    if not sep or not (count.strip().isascii() and count.strip().isdigit()):
        raise RankaggError(f"{path}, line {number}: expected 'count: order', got {line[:60]!r}")
    if not _ORDER.fullmatch(body):
        raise RankaggError(
            f"{path}, line {number}: the order {body.strip()[:60]!r} is malformed (expected alternative ids separated by "
            "commas, tied ones in braces: '1,{2,3},4'; an empty item, an empty or unclosed brace or a stray character)"
        )
    order: list[Any] = []
    for token in re.findall(r"\{[^}]*\}|[^,{}\s]+", body):
        try:
            if token.startswith("{"):
                group = tuple(_alternative_id(x, number, path) for x in token[1:-1].split(",") if x.strip())
                order.append(group)
                ids = list(group)
            else:
                order.append(_alternative_id(token, number, path))
                ids = [order[-1]]
        except RankaggError:
            raise
        except ValueError:
            raise RankaggError(f"{path}, line {number}: {token!r} is not an alternative id") from None
        unknown = [i for i in ids if alternatives and i not in alternatives]
        if unknown:
            raise RankaggError(f"{path}, line {number}: alternatives {unknown} are not declared in the header")
    return order


def _alternative_id(text: str, number: int, path: Path) -> int:
    """An alternative id (ASCII digits, checked by the caller's pattern) in [0, 2**31)."""
    digits = text.strip().lstrip("0") or "0"
    if len(digits) > 10 or int(digits) >= 2**31:
        raise RankaggError(f"{path}, line {number}: alternative id {display_name(text.strip(), 40)} is out of range")
    return int(digits)
