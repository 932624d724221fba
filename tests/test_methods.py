"""The registry of methods (``rankagg.methods``) agrees with everything that lists methods: the
package's exports, the functions' signatures and return types, the CLI's choices (and the CLI
runs each), the report, the API reference's sections and the guides' tables."""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import rankagg
from rankagg import scores
from rankagg.cli import build_parser, main
from rankagg.methods import METHODS, by_cli_name, names

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

RESULT_FAMILY = {
    "Ratings": "rating",
    "Mixture": "rating",
    "Consensus": "consensus",
    "Committee": "committee",
    "Lottery": "game",
    "Aggregate": "score table",
}
"""The result classes that only methods return, and the family each belongs to."""


def _returns(fn: Any) -> str:
    return str(inspect.signature(fn).return_annotation)


def test_every_method_is_exported_as_its_function():
    for name, m in METHODS.items():
        assert name in rankagg.__all__, name
        assert getattr(rankagg, name) is m.function, name
        assert m.function.__name__ == name


def test_every_public_function_returning_a_method_result_is_registered():
    found = {
        name
        for name in rankagg.__all__
        if inspect.isfunction(getattr(rankagg, name)) and _returns(getattr(rankagg, name)) in RESULT_FAMILY
    }
    assert len(found) > 40  # the annotations are read (strings under `from __future__ import annotations`)
    assert found <= set(METHODS), sorted(found - set(METHODS))


def test_each_family_returns_its_result():
    for name, m in METHODS.items():
        returns = _returns(m.function)
        if returns in RESULT_FAMILY:
            family = RESULT_FAMILY[returns]
            # benchmark aggregation ranks systems from a score table with a voting rule
            assert family == m.family or (m.family == "score table" and family == "consensus"), name
        else:  # winners only: the Condorcet winner, the Smith set
            assert m.family == "consensus" and m.command is None, name


def test_the_input_matches_the_signature():
    for name, m in METHODS.items():
        params = inspect.signature(m.function).parameters
        if m.family == "consensus":  # the rules on the majority matrix read unranked items one way or the other
            assert ("unranked" in params) == (m.takes == "votes"), name
        if m.takes == "ordered comparisons":
            assert "order_by" in params, name
        if m.takes == "judged comparisons":
            assert "judge" in params, name


def test_score_aggregation_rules_are_registered_rules_on_votes():
    assert set(scores.RULES) <= set(names("consensus", takes="votes"))


def _choices(parser: argparse.ArgumentParser, command: str, option: str) -> list[str]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    action = next(a for a in sub.choices[command]._actions if option in a.option_strings)
    return list(action.choices or [])


def test_the_cli_offers_exactly_the_registered_methods():
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert {m.command for m in METHODS.values() if m.command} <= set(sub.choices)
    assert _choices(parser, "leaderboard", "--method") == names("rating", command="leaderboard")
    assert _choices(parser, "consensus", "--method") == names("consensus", command="consensus")
    assert _choices(parser, "report", "--method") == names("rating", command="leaderboard", report=True)
    assert set(names("rating", report=True)) <= set(names("rating", command="leaderboard"))
    for command in ("leaderboard", "consensus"):
        for cli_name in names(command=command):
            assert by_cli_name(command, cli_name).on_cli == cli_name
    with pytest.raises(KeyError):
        by_cli_name("consensus", "no_such_rule")


def test_the_cli_runs_every_registered_consensus_method(tmp_path, capsys):
    votes = tmp_path / "votes.csv"
    ranks = [["a", "b", "c"], ["a", "c", "b"], ["b", "a", "c"], ["c", "b", "a"], ["a", "b", "c"]]
    pl.DataFrame(
        {
            "voter": [v for v in range(len(ranks)) for _ in range(3)],
            "item": [x for r in ranks for x in r],
            "rank": [k + 1 for _ in ranks for k in range(3)],
            "score": [3 - k for _ in ranks for k in range(3)],
            "approved": [int(k == 0) for _ in ranks for k in range(3)],
        }
    ).write_csv(votes)
    for method in names("consensus", command="consensus"):
        extra = {"approval": ["--score", "approved"], "star": ["--score", "score"]}.get(method, [])
        assert main(["consensus", str(votes), "--method", method, *extra]) == 0, method
        out = capsys.readouterr().out
        assert "winner(s): a" in out, (method, out)  # a is the Condorcet winner and has the most first places


def test_the_cli_runs_every_registered_rating_method(tmp_path, capsys):
    rows = tmp_path / "pairs.csv"
    pl.DataFrame(
        {
            "a": ["x", "x", "y", "x", "y", "z"] * 2,
            "b": ["y", "z", "z", "y", "z", "x"] * 2,
            "outcome": [1.0, 1.0, 1.0, 0.0, 0.5, 0.0] * 2,
            "judge": ["j1", "j2"] * 6,
        }
    ).write_csv(rows)
    for method in names("rating", command="leaderboard"):
        judge = ["--judge", "judge"] if by_cli_name("leaderboard", method).takes == "judged comparisons" else []
        assert main(["leaderboard", str(rows), "--method", method, *judge]) == 0, method
        assert "| x" in capsys.readouterr().out, method


def _gen_api() -> Any:
    spec = importlib.util.spec_from_file_location("gen_api", DOCS / "gen_api.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_api_reference_lists_every_method_in_its_family_section():
    sections = dict(_gen_api()._sections())
    listed = [n for names_ in sections.values() for n in names_]
    assert len(listed) == len(set(listed))  # each name once
    assert set(METHODS) <= set(listed)
    ratings = sections["Ratings from pairwise comparisons"] + sections["Rankings and Plackett–Luce"]
    assert set(names("rating")) <= set(ratings)
    assert set(names("consensus")) <= set(sections["Consensus: voting rules and Kemeny"])


def test_the_guides_describe_every_method():
    for name, m in METHODS.items():
        text = (DOCS / m.guide).read_text(encoding="utf-8")
        assert re.search(rf"`(ra\.)?{name}\b", text), (name, m.guide)
        if m.command in ("leaderboard", "consensus"):  # the guides' tables of methods list each
            rows = [line for line in text.splitlines() if line.startswith("|") and f"`{name}" in line]
            assert rows, (name, m.guide)
