"""Judge consistency, side by side (issue 5): 3-cycles and triple transitivity in Rust vs numpy.

    python benches/consistency.py             # n = 1000, 2000
    python benches/consistency.py --quick     # n = 300, 1000

Inputs (seed 0): a preference matrix W with a random majority relation, either a complete
tournament (every pair strict) or partial (10% of pairs tied, 20% never judged).

- rankagg `_core._three_cycles(W)`: builds the bitsets from W, then the score formula
  C(n, 3) − Σ C(s_i, 2) for a complete tournament, direct bitset counting otherwise.
- numpy: A = [W > Wᵀ] as float64, 3-cycles = Σ (A @ A) ∘ Aᵀ / 3 (one BLAS matmul, O(n³)).
- rankagg `_core.consistency_counts(W, k=[3])`: every triple classified (complete,
  inconsistent, 3-cycle, tie contradiction), bitsets; numpy has no cheap equivalent of the tie
  contradictions, so it is timed alone.
- `ra.consistency(Preferences, k=[3])`: the public call, adding the Hodge share (a dense
  Laplacian solve, O(n³) in LAPACK).

Each row is the median of --repeat runs (ra.consistency: half as many, at least 3: one call at
n = 2,000 scatters by 1.3-1.5x between processes, in every build); the numpy and Rust counts are
checked equal.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

import rankagg as ra
from _common import timed
from rankagg import _core


def relation(n: int, rng: np.random.Generator, p_tie: float, p_missing: float) -> np.ndarray:
    upper = np.triu(np.ones((n, n), dtype=bool), 1)
    u = rng.random((n, n))
    first = rng.random((n, n)) < 0.5
    strict = upper & (u >= p_missing + p_tie)
    tie = upper & (u >= p_missing) & (u < p_missing + p_tie)
    w = np.zeros((n, n))
    w[strict & first] = 1.0  # i ≻ j
    w.T[strict & ~first] = 1.0  # j ≻ i
    w[tie] = 0.5
    w.T[tie] = 0.5
    return w


def numpy_cycles(w: np.ndarray) -> int:
    a = (w > w.T).astype(np.float64)
    return round(float(np.sum((a @ a) * a.T)) / 3)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    sizes = [300, 1000] if args.quick else [1000, 2000]
    rng = np.random.default_rng(0)
    print("| input | n | rankagg three_cycles s | numpy A²∘Aᵀ s | × | consistency_counts k=3 s | ra.consistency s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for kind, p_tie, p_missing in (("complete tournament", 0.0, 0.0), ("partial, ties", 0.1, 0.2)):
        for n in sizes:
            w = relation(n, rng, p_tie, p_missing)
            flat = np.ascontiguousarray(w).ravel()
            t_rust, c_rust = timed(
                lambda: _core._three_cycles(flat, n), args.repeat, label=f"{kind}, n = {n}: three_cycles"
            )
            t_np, c_np = timed(lambda: numpy_cycles(w), args.repeat)
            assert c_rust == c_np, (c_rust, c_np)
            t_k3, r = timed(
                lambda: _core.consistency_counts(flat, n, [3]),
                args.repeat,
                label=f"{kind}, n = {n}: consistency_counts",
            )
            assert r["cycles"] == c_rust and r["with_cycle"][0] == c_rust
            pref = ra.Preferences([f"m{i}" for i in range(n)], w)
            t_all, _ = timed(
                lambda: ra.consistency(pref, k=[3]), max(3, args.repeat // 2), label=f"{kind}, n = {n}: ra.consistency"
            )
            print(f"| {kind} | {n} | {t_rust:.4f} | {t_np:.3f} | {t_np / t_rust:.0f} | {t_k3:.3f} | {t_all:.3f} |")


if __name__ == "__main__":
    main()
