"""A careful vectorised Bradley–Terry in numpy (with pandas' hash factorization for the item
names): what a competent notebook would do. A baseline for the benches, not part of rankagg."""

from __future__ import annotations

import numpy as np
import pandas as pd


def bradley_terry(a, b, outcome, tol: float = 1e-9, max_iter: int = 10_000) -> tuple[pd.Index, np.ndarray, int]:
    """Ties (outcome 0.5) count half each way. Returns (labels, θ centred, iterations)."""
    codes, labels = pd.factorize(np.concatenate([np.asarray(a), np.asarray(b)]))
    m = len(a)
    ca, cb = codes[:m], codes[m:]
    n = len(labels)
    o = np.asarray(outcome, dtype=np.float64)
    # Reduce to pairs: key = lo * n + hi, wins of lo and of hi.
    lo, hi = np.minimum(ca, cb), np.maximum(ca, cb)
    lo_won = np.where(ca < cb, o, 1.0 - o)
    key = lo.astype(np.int64) * n + hi
    uniq, inv = np.unique(key, return_inverse=True)
    w_lo = np.bincount(inv, lo_won, len(uniq))
    w_hi = np.bincount(inv, 1.0 - lo_won, len(uniq))
    i, j = uniq // n, uniq % n
    tot = w_lo + w_hi
    wins = np.bincount(i, w_lo, n) + np.bincount(j, w_hi, n)
    pi = np.ones(n)
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 (the count is returned)
        # Newman's iteration (simultaneous form with a damping average against oscillation).
        inv_s = 1.0 / (pi[i] + pi[j])
        num = np.bincount(i, w_lo * pi[j] * inv_s, n) + np.bincount(j, w_hi * pi[i] * inv_s, n)
        den = np.bincount(i, w_hi * inv_s, n) + np.bincount(j, w_lo * inv_s, n)
        new = np.sqrt(pi * num / den)  # geometric mean of old and new: no 2-cycles
        new /= np.exp(np.log(new).mean())
        expected = np.bincount(i, tot * pi[i] * inv_s, n) + np.bincount(j, tot * pi[j] * inv_s, n)
        count = np.bincount(i, tot, n) + np.bincount(j, tot, n)
        pi = new
        if np.max(np.abs(wins - expected) / count) < tol:
            break
    theta = np.log(pi)
    return labels, theta - theta.mean(), it


def bradley_terry_ids(
    a: np.ndarray, b: np.ndarray, outcome: np.ndarray, n: int, tol: float = 1e-10, max_iter: int = 10_000
) -> tuple[np.ndarray, int]:
    """The integer-id baseline of issue 20: ids already 0 … n−1, so the reduce is two
    ``np.bincount`` of a·n + b (with and without the outcome as weights) and the fit Hunter's
    MM on the dense n × n win matrix, to a relative change of ``tol``. Ties (0.5) count half
    each way. Returns (θ centred, iterations)."""
    key = a * n + b
    games = np.bincount(key, minlength=n * n).reshape(n, n)
    won = np.bincount(key, weights=outcome, minlength=n * n).reshape(n, n)  # a's wins, per (a, b)
    wins = won + (games - won).T  # wins[i, j]: i over j, from both orientations
    played = wins + wins.T
    total = wins.sum(axis=1)
    p = np.ones(n)
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 (the count is returned)
        new = total / (played / (p[:, None] + p[None, :])).sum(axis=1)
        new /= new.sum()
        change = np.max(np.abs(new - p) / new)
        p = new
        if change < tol:
            break
    theta = np.log(p)
    return theta - theta.mean(), it
