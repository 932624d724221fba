"""benches/all.py, the driver that runs every bench script against two builds: it covers every
script in benches/, the figures recorded through benches/_common.py reach its table (ratio of
the last build over the first, marked from 1.15), and a failing or overrunning script is
reported while the run goes on."""

from __future__ import annotations

import importlib.util
import json
import os
import stat
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHES = Path(__file__).resolve().parent.parent / "benches"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCHES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_every_bench_script_has_an_entry() -> None:
    driver = load("all")
    scripts = {e.script for e in driver.ENTRIES}
    on_disk = {p.name for p in BENCHES.glob("*.py")}
    assert on_disk - scripts - set(driver.NOT_RUN) == set()
    assert scripts <= on_disk
    assert len({e.name for e in driver.ENTRIES}) == len(driver.ENTRIES)
    assert {e.mode for e in driver.ENTRIES} <= {"each", "last", "compare"}


def test_record_writes_only_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    common = load("_common")
    path = tmp_path / "figures.jsonl"
    monkeypatch.delenv(common.RECORD, raising=False)
    common.timed(lambda: 1, 2, label="unset")
    assert not path.exists()
    monkeypatch.setenv(common.RECORD, str(path))
    common.timed(lambda: 1, 3)  # no label: not a figure
    seconds, out = common.timed(lambda: 2, 3, label="two")
    wall, _ = common.wall_and_cpu(lambda: None, 2, label="none")
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert out == 2
    assert [(x["label"], x["unit"]) for x in lines] == [
        ("two", "s"),
        ("two (CPU)", "CPU s"),
        ("none", "s"),
        ("none (CPU)", "CPU s"),
    ]
    assert lines[0]["value"] == seconds and lines[2]["value"] == wall


FAKE = """
import json, os, sys, time
build = int(os.environ.get("FAKE_BUILD", "1"))
if sys.argv[1] == "fail" and build == 2:
    sys.exit(3)
if sys.argv[1] == "hang":
    time.sleep(60)
with open(os.environ["RANKAGG_BENCH_RECORD"], "a") as f:
    f.write(json.dumps({"script": "fake.py", "label": sys.argv[1], "value": 0.5 * build, "unit": "s"}) + "\\n")
"""


def test_driver_table_and_failures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    driver = load("all")
    script = tmp_path / "fake.py"
    script.write_text(FAKE)
    second = tmp_path / "python2"  # the same interpreter, seen as a second build
    second.write_text(f'#!/bin/sh\nFAKE_BUILD=2 exec "{sys.executable}" "$@"\n')
    second.chmod(second.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(
        driver,
        "ENTRIES",
        [
            driver.Entry("slower", str(script), ["slower"]),
            driver.Entry("fails", str(script), ["fail"]),
            driver.Entry("hangs", str(script), ["hang"], timeout=1.0),
            driver.Entry("once", str(script), ["once"], mode="last"),
        ],
    )
    out = tmp_path / "out"
    argv = ["all.py", "--python", sys.executable, "--python", str(second), "--out", str(out)]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as exit_:
        driver.main()
    assert exit_.value.code == 1  # a script failed
    printed = capsys.readouterr().out
    table = (out / "table.md").read_text()
    assert "| slower | slower | s | 0.500 | 1.000 | **2.00** |" in table
    assert "| once | once | s | — | 1.000 | — |" in table
    assert "| fails | ok |" in printed and "exit 3" in printed
    assert "timeout 1 s" in printed
    assert os.path.exists(out / "slower.before.log") and os.path.exists(out / "slower.after.log")
