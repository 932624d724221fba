"""Every docstring example and every README example runs."""

from __future__ import annotations

import doctest
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

MODULES = [
    "rankagg",
    "rankagg.rate",
    "rankagg.data",
    "rankagg.errors",
    "rankagg.results",
    "rankagg.reference",
    "rankagg.reference.scores",
    "rankagg.reference.trueskill",
    "rankagg.datasets",
    "rankagg.cli",
    "rankagg.vote",
    "rankagg.distance",
    "rankagg.rankings",
    "rankagg.preflib",
    "rankagg.intervals",
    "rankagg.preferences",
    "rankagg.games",
    "rankagg.robust",
    "rankagg.consistency",
    "rankagg.judges",
]
README = Path(__file__).parent.parent / "README.md"


@pytest.mark.parametrize("name", MODULES)
def test_docstrings(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.failed == 0


@pytest.mark.parametrize("name", ["rankagg.plot", "rankagg.report"])
def test_plot_docstrings(name):
    pytest.importorskip("matplotlib", reason="the plot examples need matplotlib (pip install 'rankagg[plot]')")
    import matplotlib

    matplotlib.use("Agg")
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_readme_python_examples():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "README has Python examples"
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})


def test_readme_leaderboard_command():
    out = subprocess.run(
        [sys.executable, "-m", "rankagg", "leaderboard", "--top", "3"], capture_output=True, text=True, check=True
    )
    assert "GPT 4" in out.stdout
