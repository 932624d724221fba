"""Packaging: one version (Cargo.toml's), the CLI's --version, the release workflow's syntax.

The wheel itself (its tags, contents and a smoke run in a venv without a compiler) is checked
by tests/wheel.sh, which tests/run.sh runs on the wheel it builds."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import rankagg
from rankagg import _core
from rankagg.cli import main

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).parent.parent


def _cargo_version() -> str:
    return tomllib.loads((ROOT / "Cargo.toml").read_text())["workspace"]["package"]["version"]


def test_one_version_from_cargo_toml():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in pyproject["project"]
    assert "version" in pyproject["project"]["dynamic"]
    assert rankagg.__version__ == _core.__version__ == _cargo_version()
    # no third copy: no version literal in the Python package
    for path in (ROOT / "python" / "rankagg").rglob("*.py"):
        assert not re.search(r"__version__\s*=\s*['\"]", path.read_text()), path


def test_installed_metadata_matches():
    from importlib.metadata import version

    assert version("rankagg") == rankagg.__version__


def test_cli_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"rankagg {_cargo_version()}"


def test_release_profile_keeps_unwinding():
    # The bindings catch Rust panics (catch_unwind) and raise them in Python: panic = "abort"
    # would kill the interpreter instead.
    profile = tomllib.loads((ROOT / "Cargo.toml").read_text())["profile"]["release"]
    assert profile.get("panic", "unwind") == "unwind"


WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"


def test_release_workflow_matches_the_github_actions_schema():
    # check-jsonschema ships SchemaStore's GitHub workflow schema (no network). actionlint would
    # check more, but its PyPI wrapper downloads the binary from GitHub when it installs.
    pytest.importorskip("check_jsonschema")
    cmd = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows"]
    proc = subprocess.run([*cmd, str(WORKFLOW)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_schema_check_can_fail(tmp_path):
    pytest.importorskip("check_jsonschema")
    bad = tmp_path / "bad.yml"
    bad.write_text(WORKFLOW.read_text().replace("runs-on: ubuntu-24.04\n", "runs-on: 42\n    bogus: 1\n", 1))
    cmd = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows"]
    assert subprocess.run([*cmd, str(bad)], capture_output=True).returncode != 0


def test_release_workflow_references():
    yaml = pytest.importorskip("ruamel.yaml")
    flow = yaml.YAML(typ="safe").load(WORKFLOW.read_text())
    jobs = flow["jobs"]
    for name, job in jobs.items():
        needs = job.get("needs", [])
        for other in [needs] if isinstance(needs, str) else needs:
            assert other in jobs, (name, other)
        text = str(job)
        keys = set(re.findall(r"matrix\.(\w+)", text))
        if keys:
            include = job["strategy"]["matrix"]["include"]
            for key in keys:
                assert all(key in row for row in include), (name, key)
    assert jobs["publish"]["permissions"] == {"id-token": "write"}
    assert set(jobs["publish"]["needs"]) == set(jobs) - {"publish"}


def test_release_workflow_covers_the_platforms():
    text = WORKFLOW.read_text()
    for needle in (
        "x86_64",
        "aarch64",
        "manylinux",
        "musllinux",
        "universal2",
        "windows",
        "id-token: write",
        "pypa/gh-action-pypi-publish",
        "tags:",
    ):
        assert needle in text, needle
    assert "target-cpu=native" not in text
