"""The guides in docs/ stay true: every ```python block runs (the blocks of one page in order,
in one namespace, as one script), every `rankagg …` command in a ```sh block exits 0, the
error catalogue covers every exception class, and docs/api.md is what docs/gen_api.py writes.

The blocks run in a temporary directory holding a link to tests/ (so `tests/data/…` paths
work and written files land in the temporary directory)."""

from __future__ import annotations

import importlib.util
import inspect
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import rankagg
import rankagg.errors

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(p.name for p in DOCS.glob("*.md"))
GUIDES = [
    "getting-started.md",
    "ratings.md",
    "consensus.md",
    "committees.md",
    "games.md",
    "robust.md",
    "judges.md",
    "metrics.md",
    "scale.md",
    "errors.md",
    "api.md",
]

# The docs use the current names: rankagg's own deprecation warnings ("x is now y") fail them.
DEPRECATED_NAMES_FAIL = "error:.*is now:DeprecationWarning"


def _blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.S | re.M)


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    (tmp_path / "tests").symlink_to(ROOT / "tests", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_guides_exist_and_the_readme_links_them():
    assert set(GUIDES) <= set(PAGES)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for page in GUIDES:
        assert f"docs/{page}" in readme, f"README.md does not link docs/{page}"
    for page in PAGES:  # relative links between the pages point at pages that exist
        for target in re.findall(r"\]\(([a-z-]+\.md)(?:#[^)]*)?\)", (DOCS / page).read_text(encoding="utf-8")):
            assert (DOCS / target).exists(), f"{page} links {target}, which does not exist"


def test_every_guide_has_python_examples():
    assert all(_blocks((DOCS / page).read_text(encoding="utf-8"), "python") for page in GUIDES if page != "api.md")


@pytest.mark.filterwarnings(DEPRECATED_NAMES_FAIL)
@pytest.mark.parametrize("page", [p for p in PAGES if _blocks((DOCS / p).read_text(encoding="utf-8"), "python")])
def test_python_blocks_run(page, workdir):
    blocks = _blocks((DOCS / page).read_text(encoding="utf-8"), "python")
    if any("matplotlib" in b or ".plot(" in b or ".heatmap(" in b or "report(" in b for b in blocks):
        pytest.importorskip("matplotlib", reason=f"{page} draws plots: pip install 'rankagg[plot]'")
        import matplotlib

        matplotlib.use("Agg")
    if any("pyspark" in b for b in blocks) and not os.environ.get("RANKAGG_REQUIRE_SPARK"):
        pytest.importorskip("pyspark", reason=f"{page} runs Spark: pip install pyspark")
        if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
            pytest.skip(f"{page} runs Spark, which needs Java")
    namespace: dict = {"__name__": f"docs_{page}"}
    for number, block in enumerate(blocks, start=1):
        exec(compile(block, f"docs/{page} (python block {number})", "exec"), namespace)
    if "matplotlib" in sys.modules:
        import matplotlib.pyplot as plt

        plt.close("all")


def _commands() -> list[tuple[str, str]]:
    out = []
    for page in PAGES:
        for block in _blocks((DOCS / page).read_text(encoding="utf-8"), "sh"):
            for line in block.splitlines():
                if line.startswith("rankagg "):
                    out.append((page, line))
    return out


@pytest.mark.parametrize(("page", "command"), _commands(), ids=[f"{p}: {c}" for p, c in _commands()])
def test_rankagg_commands_run(page, command, workdir):
    args = shlex.split(command, comments=True)[1:]
    if args and args[0] == "report":
        pytest.importorskip("matplotlib", reason="rankagg report needs matplotlib: pip install 'rankagg[plot]'")
    result = subprocess.run([sys.executable, "-m", "rankagg", *args], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{page}: `{command}` exited {result.returncode}:\n{result.stderr[-2000:]}"


def test_every_error_class_is_in_the_catalogue():
    text = (DOCS / "errors.md").read_text(encoding="utf-8")
    classes = [n for n in rankagg.errors.__all__ if inspect.isclass(getattr(rankagg.errors, n))]
    missing = [n for n in classes if f"## `{n}`" not in text]
    assert not missing, f"docs/errors.md has no section for {missing}"


def test_api_reference_is_current():
    spec = importlib.util.spec_from_file_location("gen_api", DOCS / "gen_api.py")
    gen_api = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen_api)
    committed = (DOCS / "api.md").read_text(encoding="utf-8")
    assert committed == gen_api.render(), (
        "docs/api.md is out of date: run `python docs/gen_api.py` and commit the result"
    )
    for name in rankagg.__all__:
        assert f"`rankagg.{name}`" in committed
