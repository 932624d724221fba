"""What the Ctrl-C watching and the fallible allocations cost (issue 18, parts 1 and 4).

    python benches/hardening_overhead.py --before /path/to/other/checkout/python

The two builds cannot share one process (one ``rankagg._core`` each), so each workload runs in
alternating subprocesses — this checkout's package, then the one under ``--before`` (a checkout
of main with its extension built) — ``--repeat`` times each; reported: medians and their ratio
(> 1: this checkout is slower). Workloads: the bootstrap rounds (count resampling + refit;
row resampling + Elo), the exact consistency enumeration, the majority matrix of many rankings.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

WORK = """
import json, time, numpy as np, rankagg as ra
rng = np.random.default_rng(0)
m = 1_000_000
a = rng.integers(0, 300, m)
rows = {"a": a, "b": (a + rng.integers(1, 300, m)) % 300, "outcome": rng.random(m).round()}
table = ra.PairTable.from_comparisons(rows)
w = rng.integers(0, 3, (100, 100)).astype(float)
np.fill_diagonal(w, 0.0)
prefs = ra.Preferences([str(k) for k in range(100)], w)
votes = ra.Rankings.from_lists([[str(x) for x in rng.permutation(500)] for _ in range(2000)])
calls = {
    "bradley_terry bootstrap (300 items, 1M rows, 40 rounds)": lambda: ra.bradley_terry(table, ci=ra.Bootstrap(rounds=40)),
    "elo bootstrap (1M rows, 8 rounds)": lambda: ra.elo(rows, ci=ra.Bootstrap(rounds=8)),
    "consistency exact k = 3, 4 (n = 100)": lambda: ra.consistency(prefs, k=[3, 4]),
    "pairwise_preferences (2,000 rankings of 500)": lambda: ra.pairwise_preferences(votes),
}
out = {}
for name, call in calls.items():
    call()
    t = time.perf_counter()
    call()
    out[name] = time.perf_counter() - t
print(json.dumps(out))
"""


def run(pythonpath: str | None) -> dict[str, float]:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    out = subprocess.run([sys.executable, "-c", WORK], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", required=True, help="the python/ folder of a checkout with its _core built")
    parser.add_argument(
        "--this", help="the folder holding the package to compare (default: this checkout's python/ folder)"
    )
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    here = args.this or str(Path(__file__).resolve().parent.parent / "python")
    now: dict[str, list[float]] = {}
    before: dict[str, list[float]] = {}
    for _ in range(args.repeat):
        for store, path in ((now, here), (before, args.before)):
            for k, v in run(path).items():
                store.setdefault(k, []).append(v)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _common import record

    print(f"{'workload':58} {'this':>9} {'before':>9} {'ratio':>6}")
    for k in now:
        a, b = statistics.median(now[k]), statistics.median(before[k])
        record(k, a, build=here)
        record(k, b, build=args.before)
        print(f"{k:58} {a * 1000:7.0f}ms {b * 1000:7.0f}ms {a / b:6.2f}")


if __name__ == "__main__":
    main()
