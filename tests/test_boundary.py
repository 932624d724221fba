"""The boundary between Python and Rust (rust/python/src, python/rankagg/_core.pyi): the stub's
option ``Literal``s are exactly what the binding accepts, the ``TypedDict``s are exactly the
keys the binding returns, and each core error variant becomes its documented exception class
with its details as attributes."""

from __future__ import annotations

import ast
import pathlib
import re
from typing import Any

import numpy as np
import pytest

import rankagg as ra
from rankagg import _core
from rankagg.pairs import core_rows

STUB = ast.parse((pathlib.Path(ra.__file__).parent / "_core.pyi").read_text())


def _aliases() -> dict[str, ast.expr]:
    return {
        node.targets[0].id: node.value
        for node in STUB.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }


def _literal(annotation: ast.expr) -> list[str] | None:
    """The strings of a ``Literal[...]`` annotation (through a stub alias), else None."""
    annotation = _aliases().get(annotation.id, annotation) if isinstance(annotation, ast.Name) else annotation
    if isinstance(annotation, ast.Subscript) and ast.unparse(annotation.value) == "Literal":
        items = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else [annotation.slice]
        return [ast.literal_eval(x) for x in items]
    return None


def _options() -> dict[tuple[str, str], list[str]]:
    """(function, parameter) → the stub's choices, for every option parameter of the stub."""
    out = {}
    for node in STUB.body:
        if isinstance(node, ast.FunctionDef):
            args = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
            for arg in args:
                choices = _literal(arg.annotation) if arg.annotation is not None else None
                if choices is not None:
                    out[(node.name, arg.arg)] = choices
    return out


def _typed_dicts() -> dict[str, tuple[set[str], set[str]]]:
    """TypedDict name → (required keys, optional keys), bases included."""
    classes = {node.name: node for node in STUB.body if isinstance(node, ast.ClassDef)}

    def keys(name: str) -> tuple[set[str], set[str]]:
        node = classes[name]
        required: set[str] = set()
        optional: set[str] = set()
        for base in node.bases:
            if isinstance(base, ast.Name) and base.id in classes:
                r, o = keys(base.id)
                required, optional = required | r, optional | o
        for item in node.body:
            if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                text = ast.unparse(item.annotation)
                (optional if text.startswith("NotRequired[") else required).add(item.target.id)
        return required, optional

    def is_typed_dict(name: str) -> bool:
        bases = [ast.unparse(b) for b in classes[name].bases]
        return "TypedDict" in bases or any(b in classes and is_typed_dict(b) for b in bases)

    return {name: keys(name) for name in classes if is_typed_dict(name)}


def _returns() -> dict[str, str]:
    return {
        node.name: ast.unparse(node.returns)
        for node in STUB.body
        if isinstance(node, ast.FunctionDef) and node.returns is not None
    }


# A small identifiable pair table (3 items, a cycle of wins, a tie) and rankings over it.
N = 3
PI = np.array([0, 0, 1], np.uint32)
PJ = np.array([1, 2, 2], np.uint32)
WI = np.array([3.0, 1.0, 2.0])
WJ = np.array([1.0, 2.0, 1.0])
TIES = np.array([1.0, 0.0, 1.0])
A = np.array([0, 1, 2, 0, 1], np.uint32)
B = np.array([1, 2, 0, 2, 0], np.uint32)
OUTCOME = np.array([1.0, 1.0, 1.0, 0.5, 0.0])
OFFSETS = np.array([0, 3, 6, 9], np.uint64)
ITEMS = np.array([0, 1, 2, 1, 2, 0, 2, 0, 1], np.uint32)
P = np.array([[0, 2, 1], [1, 0, 2], [2, 1, 0]], np.float64).ravel()


def _call(name: str, **options: Any) -> dict[str, Any]:
    """Calls a dict-returning binding on the small inputs above (with a bootstrap chunk where
    it has one, so that every optional key shows up)."""
    table = (N, (PI, PJ, WI, WJ, TIES))
    boot = {"rounds": 3, "draws": 11, "seed": 1}
    calls = {
        "bradley_terry": lambda: _core.bradley_terry(*table, **boot, **options),
        "pair_scores": lambda: _core.pair_scores(options.pop("method", "pagerank"), *table, **boot, **options),
        "elo": lambda: _core.elo(N, core_rows(A, B, outcome=OUTCOME), rounds=3, seed=1, **options),
        "trueskill": lambda: _core.trueskill(N, core_rows(A, B, outcome=OUTCOME), rounds=3, seed=1, **options),
        "plackett_luce": lambda: _core.plackett_luce(N, OFFSETS, ITEMS, rounds=3, seed=1, **options),
        "pooled_bradley_terry": lambda: _core.pooled_bradley_terry(
            N,
            1,
            np.zeros(3, np.uint32),
            PI,
            PJ,
            WI + TIES / 2,
            WJ + TIES / 2,
            np.zeros(N),
            np.zeros(N),
            pooling=1.0,
            **options,
        ),
        "kemeny": lambda: _core.kemeny(P, N, **options),
        "linear_ordering": lambda: _core.linear_ordering(P, N, **options),
        "maximal_lottery": lambda: _core.maximal_lottery(P.reshape(N, N).T.ravel() - P, N),
        "maximal_lottery_sparse": lambda: _core.maximal_lottery_sparse(
            np.array([0, 2, 4, 6], np.uint64),
            np.array([1, 2, 0, 2, 0, 1], np.uint32),
            np.array([1.0, -1.0, -1.0, 1.0, 1.0, -1.0]),
            1e-9,
            100_000,
        ),
        "defensive": lambda: _core.defensive(
            (np.array([0, 0, 1, 1], np.uint32), np.array([0, 1], np.uint32), 0),
            2,
            (np.array([0, 1, 0, 1], np.uint32), np.array([0, 1], np.uint32), 0),
            2,
            np.array([1.0, 2.0, 3.0, 0.5]),
        ),
        "consistency_counts": lambda: _core.consistency_counts(P, N, [3, 4]),
    }
    return calls[name]()


def test_every_option_literal_is_accepted_and_nothing_else():
    options = _options()
    assert {f for f, _ in options} >= {"bradley_terry", "pair_scores", "plackett_luce", "kemeny", "linear_ordering"}
    for (function, parameter), choices in options.items():
        for choice in choices:
            _call(function, **{parameter: choice})
        with pytest.raises(ra.RankaggError) as e:
            _call(function, **{parameter: "Nope"})
        assert type(e.value) is ra.RankaggError
        listed = " or ".join([", ".join(f"'{c}'" for c in choices[:-1]), f"'{choices[-1]}'"])
        assert str(e.value) == f'invalid argument: {parameter} must be {listed}, not "Nope"'


def test_each_typed_dict_is_exactly_what_the_binding_returns():
    typed = _typed_dicts()
    returns = _returns()
    dict_functions = {f: t for f, t in returns.items() if t in typed}
    assert len(dict_functions) == 12 and not [f for f, t in returns.items() if "dict[" in t]
    for function, name in dict_functions.items():
        required, optional = typed[name]
        got = set(_call(function))
        assert required <= got, (function, required - got)
        assert got <= required | optional, (function, got - required - optional)
    # the optional keys are exactly the bootstrap's and the first chunk's
    later = _core.bradley_terry(N, (PI, PJ, WI, WJ, TIES), point_theta=np.zeros(N), first_round=4)
    assert set(later) == typed["BradleyTerryFit"][0]
    assert np.isnan(later["log_likelihood"]) and later["iterations"] == 0


def _rows_error(cls: type[ra.RankaggError], **rows: Any) -> ra.RankaggError:
    with pytest.raises(cls) as e:
        _core.reduce_pairs(N, core_rows(**rows))
    assert type(e.value) is cls
    return e.value


def test_each_core_error_variant_maps_to_its_class_with_details():
    a, b = np.array([0, 1, 1, 2], np.uint32), np.array([1, 1, 2, 2], np.uint32)
    err = _rows_error(ra.SelfComparisonError, a=a, b=b)
    assert (err.rows, err.count) == ([1, 3], 2)  # type: ignore[attr-defined]
    ok = np.array([1, 2, 2, 0], np.uint32)
    err = _rows_error(ra.OutcomeRangeError, a=a, b=ok, outcome=np.array([0.0, 1.5, np.nan, 1.0]))
    assert (err.rows, err.count) == ([1, 2], 2)  # type: ignore[attr-defined]
    err = _rows_error(ra.InvalidWeightError, a=a, b=ok, weight=np.array([1.0, -1.0, 1.0, np.inf]))
    assert (err.rows, err.count) == ([1, 3], 2)  # type: ignore[attr-defined]
    # item 2 never wins, item 0 never loses: three components, 0 on top
    with pytest.raises(ra.NotIdentifiableError) as e:
        _core.bradley_terry(N, (PI, PJ, np.array([1.0, 1.0, 1.0]), np.zeros(3), np.zeros(3)))
    details = e.value
    assert (details.never_win, details.never_lose, details.components) == ([2], [0], 3)  # type: ignore[attr-defined]
    assert details.component_of == [0, 1, 2]  # type: ignore[attr-defined]
    with pytest.raises(ra.RankaggError, match=re.escape("invalid argument")) as e:
        _core.kemeny(P, N + 1)
    assert type(e.value) is ra.RankaggError
    with pytest.raises(ra.InternalError, match="debug hook"):
        _core._debug_panic()


def test_test_hooks_are_private():
    public = [name for name in dir(_core) if not name.startswith("_")]
    assert "three_cycles" not in public and "debug_panic" not in public
    assert _core._three_cycles(P, N) == 1  # 0 → 1 → 2 → 0 by majority
