"""Peak memory of each dense entry point, in n × n float64 matrices (issue 18, part 1).

    python benches/memory_peaks.py            # n = 2000
    python benches/memory_peaks.py --n 1500

Each entry point runs in a fresh subprocess on a prebuilt input (3 random complete rankings of
n items, or their ``Preferences``): the peak resident set (``VmHWM``, reset through
``/proc/self/clear_refs`` just before the call) and the peak address space (``VmPeak``) less
what the process held before the call, divided by 8·n² bytes. The resident peak is the
measure ``budget.dense_peak`` charges each entry point with (rounded up); ``VmPeak`` cannot be
reset, so its column also shows earlier peaks of the process (building a large input: the
"n rankings" rows) and is only a cross-check. Linux only.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _common import record

CALLS = {
    "pairwise_preferences": "ra.pairwise_preferences(votes)",
    "pairwise_preferences (n rankings)": "ra.pairwise_preferences(many)",
    "preference_matrix": "ra.preference_matrix(votes)",
    "maximal_lottery": "ra.maximal_lottery(votes)",
    "maximal_lottery (Preferences)": "ra.maximal_lottery(prefs)",
    "kemeny (heuristic)": "ra.kemeny(votes, method='heuristic')",
    "kemeny (Preferences)": "ra.kemeny(prefs, method='heuristic')",
    "linear_ordering": "ra.linear_ordering(prefs.matrix, method='heuristic')",
    "schulze": "ra.schulze(votes)",
    "copeland": "ra.copeland(votes)",
    "minimax": "ra.minimax(votes)",
    "ranked_pairs": "ra.ranked_pairs(votes, tie_break='label')",
    "smith_set": "ra.smith_set(votes)",
    "consistency": "ra.consistency(votes, k=[3])",
    "consistency (Preferences)": "ra.consistency(prefs, k=[3])",
    "instant_runoff (rankings x items)": "ra.instant_runoff(many)",
}

CHILD = """
import json, numpy as np, rankagg as ra
n = {n}
rng = np.random.default_rng(0)
votes = ra.Rankings.from_lists([[str(x) for x in rng.permutation(n)] for _ in range(3)])
prefs = ra.preference_matrix(votes)
many = ra.Rankings.from_lists([[str(x) for x in rng.permutation(n)] for _ in range(n)]) if {iru} else None
def status():
    fields = dict(line.split(":", 1) for line in open("/proc/self/status"))
    return {{k: int(fields[k].split()[0]) * 1024 for k in ("VmRSS", "VmHWM", "VmSize", "VmPeak")}}
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
before = status()
{call}
after = status()
print(json.dumps({{"rss": after["VmHWM"] - before["VmRSS"], "vm": after["VmPeak"] - before["VmSize"]}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    matrix = 8 * args.n**2
    print(f"n = {args.n}: one matrix = {matrix / 2**20:.1f} MiB")
    print(f"{'entry point':36} {'peak RSS':>9} {'peak VM':>9}  (in matrices)")
    for name, call in CALLS.items():
        if args.only and args.only not in name:
            continue
        code = CHILD.format(n=args.n, call=call, iru="many" in call)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        if out.returncode != 0:
            print(f"{name:36} failed: {out.stderr.strip().splitlines()[-1]}")
            continue
        got = json.loads(out.stdout.strip().splitlines()[-1])
        record(f"n = {args.n}: {name}", got["rss"] / matrix, unit="n² f64 peak RSS")
        print(f"{name:36} {got['rss'] / matrix:9.2f} {got['vm'] / matrix:9.2f}")


if __name__ == "__main__":
    main()
