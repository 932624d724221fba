"""Random comparison data shared by the tests."""

from __future__ import annotations

import numpy as np


def arena(n: int = 100, m: int = 100_000, seed: int = 0) -> dict[str, np.ndarray]:
    """``m`` comparisons of ``n`` items (integer codes) as columns a, b, outcome: uniform pairs
    of distinct items, outcomes 0, 0.5 and 1 equally likely."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, n, m)
    b = (a + rng.integers(1, n, m)) % n
    o = rng.choice([0.0, 0.5, 1.0], m)
    return {"a": a, "b": b, "outcome": o}
