"""Every bench script against two (or more) builds of rankagg, side by side in one run, and one
table of rankagg's figures per build.

    python benches/all.py --python /work/venv-before/bin/python --python /work/venv-after/bin/python
    python benches/all.py --python OLD --python NEW --only bt ingest --out /tmp/bench-all
    python benches/all.py --python OLD --python NEW --only judges --rounds 3   # confirm a ratio
    python benches/all.py --list                    # the entries, their arguments, what is skipped

Each interpreter must import its own installed rankagg (a non-editable install in its own venv:
two builds cannot share one process). Every entry below runs each bench script by path with
arguments chosen so that one interpreter's pass over all of them takes about 10-15 minutes on a
2-core machine (quick modes where they exist, the issues' sizes where cheap), the interpreters
alternated per entry (first A then B, the next entry B then A, so that a drift of the shared
machine's speed falls on both), each run in a fresh directory outside the repository (so that
no checkout's ``python/`` folder shadows the installed package; ``PYTHONPATH`` is cleared). Its
stdout and stderr go to ``DIR/NAME.BUILD.log``; a run that fails or passes its time limit is
reported and the next one goes on. Entries that compare builds themselves (``boundary.py``,
``hardening_overhead.py``) and those that need call forms of the newest build
(``sparse_reduce.py``, ``interrupt_latency.py``, ``bootstrap_chunks.py``) run once, on the last
interpreter.

The figures: each run gets ``RANKAGG_BENCH_RECORD`` set to a file of its own, where the scripts
append one JSON line per measured rankagg figure (``_common.record``); at the end a Markdown
table lists, per entry and figure, each build's value and the ratio last / first (> 1: the last
build is slower), marked where it is 1.15 or more. It is also written to ``DIR/table.md``. With
``--rounds N`` each entry runs N times per build (A B, then B A, ...) and the table gives each
figure's median over the rounds: the way to confirm, or not, a ratio seen once.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SLOWER = 1.15
"""A ratio last / first at or above this is marked in the table (beyond the machine's noise)."""


@dataclass
class Entry:
    """One run of a bench script: ``mode`` "each" runs it with every interpreter; "last" once,
    with the last one (call forms the first build lacks); "compare" once, with the last one,
    given every build through ``build_args`` (a script that compares builds itself)."""

    name: str
    script: str
    args: list[str] = field(default_factory=list)
    mode: str = "each"
    timeout: float = 600.0
    build_args: Callable[[list[str], list[str]], list[str]] | None = None


RULES_SKIP = "Schulze, incremental (before 37);ranked pairs, label, one by one (before 37)"

ENTRIES = [
    Entry("bt", "bt.py", ["--no-reference", "--repeat", "3"]),
    Entry("build_profile", "build_profile.py", ["3"]),
    Entry("committee", "committee.py", ["--quick", "--no-stv-peer", "--repeat", "3"]),
    Entry("consensus", "consensus.py", ["--quick", "--repeat", "3", "--cap", "2"]),
    Entry("consensus --many", "consensus.py", ["--many", "--repeat", "3"]),
    Entry("consistency", "consistency.py", ["--repeat", "3"]),
    Entry("ingest", "ingest.py", ["--rows", "10000000", "--repeat", "3"]),
    Entry("judges", "judges.py", ["--quick", "--no-reference", "--no-crowdkit", "--repeat", "3"]),
    Entry(
        "kemeny_uniform --heuristic", "kemeny_uniform.py", ["--heuristic", "--sizes", "1000", "--phis", "0.9", "0.99"]
    ),
    Entry("lolib", "lolib.py", ["--repeat", "3", "--time-limit", "30"]),
    Entry("lottery", "lottery.py", ["--sizes", "300", "1000", "--repeat", "3", "--cap", "8"]),
    Entry("memory_peaks", "memory_peaks.py", ["--n", "1000"]),
    Entry(
        "metrics",
        "metrics.py",
        ["--queries", "3000", "--pairs", "300000", "--items", "30000", "--samples", "300000", "--prompts", "30000"]
        + ["--repeat", "3"],
    ),
    Entry("pooled", "pooled.py", ["--repeat", "3"]),
    Entry("rating_systems", "rating_systems.py", ["--rows", "300000", "--peer-rows", "5000", "--repeat", "3"]),
    Entry("ratings", "ratings.py", ["--no-reference", "--repeat", "3"]),
    Entry("robust", "robust.py", ["--items", "30000", "--repeat", "3"]),
    Entry("row_arguments", "row_arguments.py", ["--repeat", "5"]),
    Entry(
        "rules_scale",
        "rules_scale.py",
        ["--sizes", "1000,3000", "--cap", "0", "--repeat", "3", "--skip", RULES_SKIP],
        timeout=900,
    ),
    Entry("scale items", "scale.py", ["items", "--max-items", "100000", "--repeat", "3"]),
    Entry("scale rows", "scale.py", ["rows", "--max-rows", "10000000", "--repeat", "3"]),
    Entry("tie_models", "tie_models.py"),
    Entry("voting_rules", "voting_rules.py", ["--quick", "--repeat", "3", "--cap", "10", "--limit", "10"]),
    Entry(
        "boundary",
        "boundary.py",
        ["--repeat", "3"],
        mode="compare",
        build_args=lambda pythons, sites: [a for py in pythons for a in ("--python", py)],
    ),
    Entry(
        "hardening_overhead",
        "hardening_overhead.py",
        ["--repeat", "3"],
        mode="compare",
        build_args=lambda pythons, sites: ["--before", sites[0], "--this", sites[-1]],
    ),
    Entry(
        "regressions",
        "regressions.py",
        ["--rounds", "1", "--repeat", "7"],
        mode="compare",
        build_args=lambda pythons, sites: [a for k, py in enumerate(pythons) for a in ("--python", f"build{k}={py}")],
    ),
    Entry(
        "widest_paths",
        "widest_paths.py",
        ["--rounds", "3"],
        mode="compare",
        build_args=lambda pythons, sites: ["--before", sites[0]],
    ),
    Entry("sparse_reduce", "sparse_reduce.py", ["--repeat", "3"], mode="last"),
    Entry("interrupt_latency", "interrupt_latency.py", ["--repeat", "1"], mode="last"),
    Entry("bootstrap_chunks", "bootstrap_chunks.py", ["--repeat", "3"], mode="last"),
]

NOT_RUN = {
    "_common.py": "the helpers the scripts share",
    "numpy_baseline.py": "a module (bt.py's and ingest.py's baselines)",
    "all.py": "this driver",
}
"""Files of benches/ that are not bench scripts. Modes left out on purpose (their time is a
time limit or needs another package): consensus.py --large / --corankco / --rules,
kemeny_uniform.py without --heuristic (120 s a seed), scale.py plot."""


def site_of(python: str, env: dict[str, str], cwd: str) -> str:
    """The folder holding the rankagg that ``python`` imports (from ``cwd``)."""
    code = "import os, rankagg; print(os.path.dirname(os.path.dirname(os.path.abspath(rankagg.__file__))))"
    out = subprocess.run([python, "-c", code], env=env, cwd=cwd, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def run_one(
    entry: Entry, python: str, tag: str, args: list[str], env: dict[str, str], out: Path
) -> tuple[str, float, Path]:
    """Runs ``entry`` with ``python`` (``tag``: the build's name, and the round's when there are
    several); returns (status, wall seconds, its record file)."""
    slug = entry.name.replace(" ", "_").replace("-", "")
    record = out / "records" / f"{slug}.{tag}.jsonl"
    record.unlink(missing_ok=True)
    log = out / f"{slug}.{tag}.log"
    cwd = tempfile.mkdtemp(prefix=f"{slug}.{tag}.", dir=out / "cwd")
    cmd = [python, str(HERE / entry.script), *args]
    t0 = time.perf_counter()
    with open(log, "w") as f:
        f.write(f"$ {' '.join(cmd)}\n# load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}\n\n")
        f.flush()
        proc = subprocess.Popen(
            cmd,
            env={**env, "RANKAGG_BENCH_RECORD": str(record)},
            cwd=cwd,
            stdout=f,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a timeout ends its children too
        )
        try:
            code = proc.wait(timeout=entry.timeout)
            status = "ok" if code == 0 else f"exit {code}"
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            status = f"timeout {entry.timeout:.0f} s"
    wall = time.perf_counter() - t0
    with open(log, "a") as f:
        f.write(f"\n# {status}, {wall:.1f} s wall\n")
    return status, wall, record


def read_records(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def fmt(value: float | None) -> str:
    if value is None:
        return "—"
    if value >= 100:
        return f"{value:.1f}"
    return f"{value:.3f}" if value >= 0.1 else f"{value:.3g}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--python", action="append", default=[], help="an interpreter (give two: before, then after)")
    ap.add_argument("--names", nargs="+", help="the builds' names in the table (default: before after)")
    ap.add_argument("--only", nargs="+", help="entries to run (their names, see --list; a script's name runs all its)")
    ap.add_argument("--out", help="where the logs and records go (default: a new folder under /tmp)")
    ap.add_argument(
        "--rounds", type=int, default=1, help="runs of each entry per build, alternated (the table: their medians)"
    )
    ap.add_argument("--list", action="store_true", help="print the entries and exit")
    args = ap.parse_args()
    if args.list:
        for e in ENTRIES:
            print(f"{e.name:28} {e.mode:8} {e.script} {' '.join(e.args)}")
        for name, why in NOT_RUN.items():
            print(f"{'(not run)':28} {'':8} {name}: {why}")
        return
    if not args.python:
        ap.error("give at least one --python")
    pythons = args.python
    names = args.names or (["before", "after"] if len(pythons) == 2 else [f"py{k + 1}" for k in range(len(pythons))])
    if len(names) != len(pythons) or len(set(names)) != len(names):
        ap.error("--names must give one distinct name per --python")
    known = {e.script for e in ENTRIES} | set(NOT_RUN)
    for path in sorted(HERE.glob("*.py")):
        if path.name not in known:
            print(f"note: benches/{path.name} has no entry in benches/all.py: not run")
    entries = ENTRIES
    if args.only:
        entries = [e for e in ENTRIES if e.name in args.only or e.script.removesuffix(".py") in args.only]
        unknown = set(args.only) - {e.name for e in entries} - {e.script.removesuffix(".py") for e in entries}
        if unknown:
            ap.error(f"unknown entries {sorted(unknown)}; see --list")
    out = Path(args.out or tempfile.mkdtemp(prefix="rankagg-bench-all."))
    (out / "records").mkdir(parents=True, exist_ok=True)
    (out / "cwd").mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "RANKAGG_BENCH_RECORD")}
    start = time.perf_counter()
    print(f"# benches/all.py: {len(entries)} entries, logs in {out}")
    print(f"# load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} cores")
    sites = []
    for py, name in zip(pythons, names):
        site = site_of(py, env, str(out / "cwd"))
        sites.append(site)
        print(f"# {name}: {py} imports rankagg from {site}")
    if len(set(sites)) < len(sites):
        print("warning: two interpreters import the same rankagg: the comparison is meaningless")
    build_of = {**dict(zip(pythons, names)), **dict(zip(sites, names))}
    print()
    print("| entry | " + " | ".join(f"{n} status | {n} wall s" for n in names) + " |")
    print("|---|" + "---|---:|" * len(names))
    # figures[(entry, label, unit)][build]: the values of each round
    figures: dict[tuple[str, str, str], dict[str, list[float]]] = {}
    failed = []
    spent = dict.fromkeys(names, 0.0)
    for k, e in enumerate(entries):
        extra = e.build_args(pythons, sites) if e.build_args else []
        statuses: dict[str, list[str]] = {n: [] for n in names}
        walls: dict[str, list[str]] = {n: [] for n in names}
        for round_ in range(args.rounds):
            order = list(range(len(pythons))) if e.mode == "each" else [len(pythons) - 1]
            if (k + round_) % 2:
                order.reverse()
            for i in order:
                tag = names[i] if args.rounds == 1 else f"{names[i]}.{round_ + 1}"
                status, wall, record = run_one(e, pythons[i], tag, e.args + extra, env, out)
                statuses[names[i]].append(status)
                spent[names[i]] += wall
                walls[names[i]].append(f"{wall:.1f}")
                if status != "ok":
                    failed.append(f"{e.name} ({tag}): {status}, see {out}/{record.name.replace('.jsonl', '.log')}")
                for r in read_records(record):
                    build = build_of.get(r["build"], r["build"]) if "build" in r else names[i]
                    figures.setdefault((e.name, r["label"], r["unit"]), {}).setdefault(build, []).append(r["value"])
        cells = [f"{', '.join(sorted(set(statuses[n]))) or 'not run'} | {' / '.join(walls[n])}" for n in names]
        print(f"| {e.name} | " + " | ".join(cells) + " |", flush=True)
    total = time.perf_counter() - start
    lines = [
        f"| bench | figure | unit | {' | '.join(names)} | {names[-1]} / {names[0]} |",
        "|---|---|---|" + "---:|" * (len(names) + 1),
    ]
    marked = []
    medians = {key: {n: statistics.median(v) for n, v in rounds.items()} for key, rounds in figures.items()}
    ratios = {}
    for key, values in medians.items():
        first, last = values.get(names[0]), values.get(names[-1])
        ratios[key] = last / first if first and last is not None else None
    for (entry, label, unit), values in medians.items():
        ratio = ratios[(entry, label, unit)]
        cell = "—" if ratio is None else f"{ratio:.2f}"
        if ratio is not None and ratio >= SLOWER:
            cell = f"**{cell}**"
            cpu = ratios.get((entry, label + " (CPU)", "CPU s"))  # the steadier figure, where timed
            marked.append(f"{entry}: {label} ({ratio:.2f}" + (f"; CPU {cpu:.2f})" if cpu else ")"))
        lines.append(
            f"| {entry} | {label} | {unit} | " + " | ".join(fmt(values.get(n)) for n in names) + f" | {cell} |"
        )
    table = "\n".join(lines)
    (out / "table.md").write_text(table + "\n")
    print(f"\n{table}\n")
    if marked:
        print(f"{names[-1]} / {names[0]} >= {SLOWER}: " + "; ".join(marked))
    for f in failed:
        print(f"failed: {f}")
    print(f"# load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("# wall per build: " + ", ".join(f"{n} {spent[n] / 60:.1f} min" for n in names))
    print(f"# total {total / 60:.1f} min; logs, records and table.md in {out}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
