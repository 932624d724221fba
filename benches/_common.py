"""What the benches share: timing (the median of several runs, each after a garbage
collection, so that one run's garbage is not collected during the next), the Markdown tables
of their results, and the synthetic arena frame that the rating benches time.

The benches run as scripts (``python benches/bt.py``), so this folder is on ``sys.path`` and
they import it as ``from _common import timed``.

Recording: when the environment variable ``RANKAGG_BENCH_RECORD`` names a file, every rankagg
figure a bench measures is appended to it as one JSON line (script, label, seconds): the timing
helpers below do it when given a ``label``, and scripts that time otherwise call ``record``.
``benches/all.py`` sets it to compare two builds figure by figure; unset, nothing is written.
"""

from __future__ import annotations

import gc
import importlib.machinery
import importlib.util
import json
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import polars as pl

T = TypeVar("T")
RECORD = "RANKAGG_BENCH_RECORD"


def load_core(path: str) -> Any:
    """Another build's extension module (a ``rankagg/_core*.so`` path), loaded beside this one:
    the benches' ``--before`` option sets it as a module's ``_core`` to time that build."""
    loader = importlib.machinery.ExtensionFileLoader("rankagg._core", path)
    spec = importlib.util.spec_from_file_location("rankagg._core", path, loader=loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def record(label: str, value: float, unit: str = "s", build: str | None = None) -> None:
    """Appends one measured rankagg figure to the file named by ``RANKAGG_BENCH_RECORD`` (one
    JSON line: the script's file name, ``label``, ``value`` in ``unit``); does nothing when the
    variable is unset. ``build`` names the interpreter the figure belongs to, for the scripts
    that run several builds themselves (the driver otherwise knows which one ran)."""
    path = os.environ.get(RECORD)
    if not path:
        return
    line = {"script": os.path.basename(sys.argv[0]), "label": label, "value": value, "unit": unit}
    if build is not None:
        line["build"] = build
    with open(path, "a") as f:
        f.write(json.dumps(line) + "\n")


def _measured(
    fn: Callable[[], T], repeat: int, stop_after: float, label: str | None
) -> tuple[list[float], list[float], T]:
    """Wall and CPU seconds (process time, every thread) of each of up to ``repeat`` calls of
    ``fn`` after a garbage collection (fewer once one takes longer than ``stop_after``), and the
    last call's result; with a ``label``, both medians are recorded (the CPU seconds under
    ``label + " (CPU)"``)."""
    times: list[float] = []
    cpus: list[float] = []
    out: Any = None
    for _ in range(repeat):
        out = None  # the last result is freed before the next run
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
        if times[-1] > stop_after:
            break
    if label is not None:
        record(label, statistics.median(times))
        record(label + " (CPU)", statistics.median(cpus), unit="CPU s")
    return times, cpus, out


def runs(
    fn: Callable[[], T], repeat: int, stop_after: float = math.inf, label: str | None = None
) -> tuple[list[float], T]:
    """Seconds of each of ``repeat`` calls of ``fn`` (fewer when one takes longer than
    ``stop_after``), and the last call's result; with a ``label``, their median is recorded
    (``record``), and the median CPU seconds (process time, every thread) under
    ``label + " (CPU)"``: on a shared machine the steadier figure."""
    times, _, out = _measured(fn, repeat, stop_after, label)
    return times, out


def timed(fn: Callable[[], T], repeat: int, label: str | None = None) -> tuple[float, T]:
    """The median seconds of ``repeat`` calls of ``fn``, and the last call's result; with a
    ``label``, the median is recorded (``record``)."""
    times, out = runs(fn, repeat, label=label)
    return statistics.median(times), out


def median_time(fn: Callable[[], Any], repeat: int, label: str | None = None) -> float:
    """The median seconds of ``repeat`` calls of ``fn`` (recorded under ``label`` if given)."""
    return timed(fn, repeat, label)[0]


def wall_and_cpu(
    fn: Callable[[], Any], repeat: int, stop_after: float = math.inf, warm_up: bool = False, label: str | None = None
) -> tuple[float, float]:
    """The median wall seconds and the median CPU seconds (process time, every thread) of up to
    ``repeat`` calls of ``fn`` (fewer once one takes longer than ``stop_after``), each after a
    garbage collection; ``warm_up`` makes one untimed call first. On a shared machine the CPU
    seconds are the steadier figure. With a ``label``, both medians are recorded (the CPU
    seconds under ``label + " (CPU)"``)."""
    if warm_up:
        fn()
    walls, cpus, _ = _measured(fn, repeat, stop_after, label)
    return statistics.median(walls), statistics.median(cpus)


def table(title: str, rows: list[tuple[str, float, str]]) -> None:
    """Prints a Markdown table: median seconds and × slower than the first row (rankagg)."""
    paired_table(title, [(name, t, t / rows[0][1], note) for name, t, note in rows])


def paired_table(title: str, rows: list[tuple[str, float, float, str]]) -> None:
    """Prints a Markdown table: median seconds and × slower than rankagg (given: e.g. the
    median of the ratios of runs made side by side, see bt.py's `run`)."""
    print(f"### {title}\n")
    print("| implementation | median s | × rankagg | notes |")
    print("|---|---:|---:|---|")
    for name, t, ratio, note in rows:
        print(f"| {name} | {t:.3f} | {ratio:.1f} | {note} |")
    print()


def make(n: int, m: int, seed: int = 0) -> pl.DataFrame:
    """``m`` arena comparisons of ``n`` models (names ``model-00000``…): Bradley–Terry
    outcomes from normal strengths, 20 % ties; columns model_a, model_b and winner
    (``"model_a"``, ``"model_b"``, ``"tie"``, LMArena's labels)."""
    rng = np.random.default_rng(seed)
    strength = rng.normal(0, 1, n)
    names = np.array([f"model-{k:05d}" for k in range(n)])
    a = rng.integers(0, n, m)
    b = (a + rng.integers(1, n, m)) % n
    p = 1 / (1 + np.exp(strength[b] - strength[a]))
    u = rng.random(m)
    tie = rng.random(m) < 0.2
    winner = np.where(tie, "tie", np.where(u < p, "model_a", "model_b"))
    return pl.DataFrame({"model_a": names[a], "model_b": names[b], "winner": winner})
