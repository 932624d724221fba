"""Writes ``docs/api.md``, the API reference, from the docstrings of rankagg's public names
(``rankagg.__all__``).

    python docs/gen_api.py            # rewrite docs/api.md
    python docs/gen_api.py --check    # exit 1 if docs/api.md is not current

``tests/test_docs_folder.py`` fails when the committed file differs from what this script
writes, so the reference follows the code: run it after changing a public docstring or
signature. The output depends only on the code (no dates, no memory addresses).
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import sys
from pathlib import Path
from typing import Any

API = Path(__file__).resolve().parent / "api.md"


# Sections, in order: (title, names). The methods come from the registry (rankagg.methods), so a
# new method lands in its family's section; public names not listed here land in "Other".
def _sections() -> list[tuple[str, list[str]]]:
    from rankagg import errors, metrics
    from rankagg.methods import names

    rules = names("consensus", takes=("votes", "rankings"))
    return [
        (
            "Ratings from pairwise comparisons",
            [
                *names("rating", takes=("comparisons", "ordered comparisons", "judged comparisons")),
                "Ratings",
                "Mixture",
                "Bootstrap",
                "Sandwich",
            ],
        ),
        ("Rankings and Plackett–Luce", ["Rankings", "read_preflib", *names("rating", takes="rankings")]),
        (
            "Consensus: voting rules and Kemeny",
            [
                "Consensus",
                "pairwise_preferences",
                *rules,
                "ScoreBallots",
                *names("consensus", takes="score ballots"),
                "linear_ordering",
                "LinearOrdering",
                "axioms",
                "Axioms",
                "Violation",
            ],
        ),
        ("Committees", ["Approvals", *names("committee"), "Committee"]),
        ("Preferences and maximal lotteries", ["Preferences", "preference_matrix", *names("game"), "Lottery"]),
        ("Score tables: defensive aggregation and welfare", [*names("score table"), "Aggregate"]),
        (
            "LLM judges and consistency",
            ["expected_rating", "merge_bidirectional", "self_play_rewards", "consistency", "Consistency"],
        ),
        ("Distances between rankings", ["kendall_tau", "kemeny_distance", "spearman_footrule"]),
        ("Rank metrics and reward transforms", [*metrics.__all__, "combine_rewards"]),
        ("Data", ["PairTable", "LMARENA_OUTCOMES", "datasets"]),
        ("Pictures and reports", ["plot", "report"]),
        ("Errors and warnings", list(errors.__all__)),
    ]


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def _default(value: Any) -> str:
    return _ADDRESS.sub("", repr(value))


def _annotation(annotation: Any) -> str:
    if isinstance(annotation, str):
        return annotation
    return inspect.formatannotation(annotation)


def signature(name: str, obj: Any) -> str:
    """``name(params) -> return``, annotations as written in the source; wrapped one parameter
    a line when long."""
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return f"{name}(...)"
    parts: list[str] = []
    star_done = False
    params = list(sig.parameters.values())
    for i, p in enumerate(params):
        if p.kind is p.KEYWORD_ONLY and not star_done:
            parts.append("*")
            star_done = True
        if p.kind is p.VAR_POSITIONAL:
            star_done = True
        text = {p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "") + p.name
        if p.annotation is not p.empty:
            text += f": {_annotation(p.annotation)}"
        if p.default is not p.empty:
            text += f" = {_default(p.default)}" if p.annotation is not p.empty else f"={_default(p.default)}"
        parts.append(text)
        if p.kind is p.POSITIONAL_ONLY and (i + 1 == len(params) or params[i + 1].kind is not p.POSITIONAL_ONLY):
            parts.append("/")
    ret = f" -> {_annotation(sig.return_annotation)}" if sig.return_annotation is not sig.empty else ""
    one_line = f"{name}({', '.join(parts)}){ret}"
    if len(one_line) <= 96:
        return one_line
    return f"{name}(\n" + "".join(f"    {p},\n" for p in parts) + f"){ret}"


def _doc(obj: Any) -> str:
    doc = inspect.getdoc(obj) if not isinstance(obj, (dict, list, tuple, str, int, float)) else None
    return doc or ""


def _block(text: str) -> str:
    return f"```text\n{text.rstrip()}\n```\n\n" if text.strip() else ""


def _members(cls: type) -> list[tuple[str, Any]]:
    """Public methods, class methods and properties defined on the class itself, in source order."""
    out = []
    for key, raw in cls.__dict__.items():
        if key.startswith("_"):
            continue
        if isinstance(raw, (property, classmethod, staticmethod)) or inspect.isfunction(raw):
            out.append((key, raw))
    return out


def _class(qualified: str, cls: type) -> str:
    bases = [b.__name__ for b in cls.__bases__ if b is not object]
    out = [f"### `{qualified}`\n\n"]
    out.append(f"class{'(' + ', '.join(bases) + ')' if bases else ''}\n\n")
    out.append(_block(_doc(cls)))
    if dataclasses.is_dataclass(cls):
        fields = [f.name for f in dataclasses.fields(cls) if not f.name.startswith("_")]
        if fields:
            out.append("Fields: " + ", ".join(f"`{f}`" for f in fields) + ".\n\n")
    for key, raw in _members(cls):
        if isinstance(raw, property):
            out.append(f"#### `{qualified}.{key}` (property)\n\n")
            out.append(_block(_doc(raw)))
        else:
            func = raw.__func__ if isinstance(raw, (classmethod, staticmethod)) else raw
            kind = (
                " (class method)"
                if isinstance(raw, classmethod)
                else " (static method)"
                if isinstance(raw, staticmethod)
                else ""
            )
            out.append(f"#### `{qualified}.{key}`{kind}\n\n")
            out.append(_block(signature(key, _unbound(func, raw))))
            out.append(_block(_doc(func)))
    return "".join(out)


def _unbound(func: Any, raw: Any) -> Any:
    """The signature without ``self``/``cls``."""
    sig = inspect.signature(func)
    params = list(sig.parameters.values())
    if not isinstance(raw, staticmethod) and params:
        params = params[1:]
    wrapper = lambda: None  # noqa: E731 - a carrier for __signature__
    wrapper.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
    return wrapper


def _entry(qualified: str, obj: Any) -> str:
    if inspect.isclass(obj):
        return _class(qualified, obj)
    if inspect.ismodule(obj):
        out = [f"### `{qualified}` (module)\n\n", _block(_doc(obj))]
        for key in getattr(obj, "__all__", []):
            member = getattr(obj, key)
            out.append(_entry(f"{qualified}.{key}", member).replace("### ", "#### ", 1))
        return "".join(out)
    if callable(obj):
        short = qualified.rsplit(".", 1)[-1]
        return f"### `{qualified}`\n\n" + _block(signature(short, obj)) + _block(_doc(obj))
    return f"### `{qualified}`\n\n" + _block(f"{qualified.rsplit('.', 1)[-1]} = {_default(obj)}")


def render() -> str:
    import rankagg

    public = list(rankagg.__all__)
    sections = [(title, [n for n in names if n in public]) for title, names in _sections()]
    listed = [n for _, names in sections for n in names]
    other = [n for n in public if n not in listed]
    if other:
        sections.append(("Other", other))
    out = [
        "# API reference\n\n",
        "Generated from the docstrings by `python docs/gen_api.py`; do not edit by hand (a test checks\n",
        f"that it is current). rankagg {rankagg.__version__}; every name below is importable as `rankagg.<name>`\n",
        "(`import rankagg as ra`). The guides explain when to use what: [getting started](getting-started.md),\n",
        "[ratings](ratings.md), [consensus](consensus.md), [games](games.md), [robust](robust.md),\n",
        "[errors](errors.md).\n\n",
        "## Contents\n\n",
    ]
    for title, names in sections:
        if names:
            out.append(f"- {title}: " + ", ".join(f"`{n}`" for n in names) + "\n")
    out.append("\n")
    for title, names in sections:
        if not names:
            continue
        out.append(f"## {title}\n\n")
        for name in names:
            out.append(_entry(f"rankagg.{name}", getattr(rankagg, name)))
    return "".join(out).rstrip("\n") + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if not API.exists() or API.read_text(encoding="utf-8") != text:
            print(f"{API} is not current: run python docs/gen_api.py", file=sys.stderr)
            return 1
        return 0
    API.write_text(text, encoding="utf-8")
    print(f"wrote {API}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
