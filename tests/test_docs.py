"""Every docstring example and every README example runs."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import rankagg

# Every module of the package (found, not listed, so a new module's examples run too); the
# plotting ones need matplotlib (the "plot" extra); __main__ runs the CLI on import; _core is
# compiled (its docstrings have no examples).
_ALL = sorted(m.name for m in pkgutil.walk_packages(rankagg.__path__, "rankagg."))
PLOTTING = ["rankagg.plot", "rankagg.report"]
MODULES = ["rankagg"] + [m for m in _ALL if m not in PLOTTING and m not in ("rankagg.__main__", "rankagg._core")]
README = Path(__file__).parent.parent / "README.md"

# The docs use the current names: rankagg's own deprecation warnings ("x is now y") fail them.
DEPRECATED_NAMES_FAIL = "error:.*is now:DeprecationWarning"


@pytest.mark.filterwarnings(DEPRECATED_NAMES_FAIL)
@pytest.mark.parametrize("name", MODULES)
def test_docstrings(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.failed == 0


def test_every_module_with_examples_is_collected():
    assert {"rankagg.scores", "rankagg.budget", "rankagg.reference.scores", "rankagg.rate"} <= set(MODULES)
    assert set(MODULES) | set(PLOTTING) | {"rankagg.__main__", "rankagg._core"} == set(_ALL) | {"rankagg"}


@pytest.mark.filterwarnings(DEPRECATED_NAMES_FAIL)
@pytest.mark.parametrize("name", PLOTTING)
def test_plot_docstrings(name):
    pytest.importorskip("matplotlib", reason="the plot examples need matplotlib (pip install 'rankagg[plot]')")
    import matplotlib

    matplotlib.use("Agg")
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.filterwarnings(DEPRECATED_NAMES_FAIL)
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
