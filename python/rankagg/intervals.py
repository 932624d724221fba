"""Confidence intervals for ratings: what to compute (``Bootstrap``, ``Sandwich``) and the
statistics shared by every rating method (percentile intervals, the interval-aware rank).

>>> import rankagg as ra
>>> r = ra.bradley_terry(ra.datasets.llmfao(), a="left", b="right", outcome="winner",
...                      outcomes={"left": 1, "right": 0, "tie": 0.5}, ci=ra.Bootstrap(rounds=200))
>>> row = r.table.row(0, named=True)
>>> row["item"], row["lower"] < row["score"] < row["upper"]
('GPT 4', True)
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, TypeVar, cast

import numpy as np

from rankagg import _core
from rankagg.budget import check_dense
from rankagg.display import progress_delay
from rankagg.errors import RankaggError

__all__ = ["Bootstrap", "Sandwich", "Interval"]


def _check_level(level: float) -> None:
    if not (isinstance(level, (int, float)) and 0.0 < level < 1.0):
        raise RankaggError(f"level must be a number strictly between 0 and 1, not {level!r}")


@dataclass(frozen=True)
class Bootstrap:
    """Percentile bootstrap intervals, computed in Rust, in parallel.

    Methods that depend on the data only through the pair table (Bradley–Terry, win rates, the
    spectral methods) resample counts: each round draws as many comparisons as there were rows
    from the (pair, outcome) cells, in proportion to their counts — the same distribution as
    resampling rows, at a cost that does not grow with the rows. Elo, which depends on the order,
    resamples rows and keeps the drawn rows in their original order.

    Each round has its own random stream derived from ``seed`` and the round number, so the same
    seed gives the same intervals whatever the number of threads. A resample that admits no finite
    estimate is drawn again (``Ratings.options["bootstrap_redraws"]`` counts them; pass
    ``regularization`` to avoid them).

    Args:
        rounds: number of resamples (≥ 2).
        level: coverage of the intervals, e.g. 0.95.
        seed: any non-negative integer.
        progress: a progress bar on standard error: ``None`` (default) shows it once the
            rounds have run 2 s, in a terminal or a notebook (``RANKAGG_PROGRESS=0`` turns it
            off, ``=1`` on); ``True`` always, ``False`` never. (Rounds run in chunks of about
            0.1 s, a round per thread at least, with the same result as one run, so Ctrl-C is
            answered within a chunk.)
    """

    rounds: int = 1000
    level: float = 0.95
    seed: int = 0
    progress: bool | None = None

    def __post_init__(self) -> None:
        if not (isinstance(self.rounds, int) and self.rounds >= 2):
            raise RankaggError(f"Bootstrap(rounds=) must be an integer >= 2, not {self.rounds!r}")
        check_seed(self.seed, "Bootstrap(seed=)")
        _check_level(self.level)


def check_seed(seed: Any, what: str = "seed") -> None:
    """Raises RankaggError unless ``seed`` is an integer in [0, 2**64) (a Rust ``u64``)."""
    if not (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and 0 <= seed < 2**64):
        raise RankaggError(f"{what} must be an integer in [0, 2**64), not {seed!r}")


@dataclass(frozen=True)
class Sandwich:
    """Wald intervals from the sandwich (robust) covariance H⁻¹ J H⁻¹ of the Bradley–Terry
    log-strengths: H is the Fisher information, J the sum of outer products of the per-comparison
    scores. It stays valid when the model is misspecified (e.g. ties counted as half wins), needs
    no resampling, and is the default of arena-rank. Bradley–Terry with ``ties="half"`` or
    ``"drop"`` only. A row of weight w counts as w comparisons.

    Args:
        level: coverage of the intervals, e.g. 0.95.
    """

    level: float = 0.95

    def __post_init__(self) -> None:
        _check_level(self.level)


Interval = Bootstrap | Sandwich
"""What ``ci=`` accepts."""


_Fit = TypeVar("_Fit", bound=Mapping[str, Any])


def run_rounds(ci: Interval | None, call: Callable[[int, int], _Fit], what: str) -> _Fit:
    """Calls ``call(rounds, first_round)`` for the bootstrap's rounds in chunks of about
    ``CHUNK_SECONDS`` each, so that Ctrl-C is answered between chunks and a progress bar (with
    ``ci.progress``) can move; merges the chunks (replicates concatenated, counters added).
    Every round's random stream depends on its number only, so chunking does not change the
    result. Without a bootstrap, calls ``call(0, 0)`` once.

    A chunk is a multiple of the pool's threads (:func:`pool_threads`), the first at least 4
    rounds: the rounds run one per thread, so a smaller chunk leaves threads idle, and its
    time per round (the wall time over its rounds) would then shrink the next chunk again."""
    if not isinstance(ci, Bootstrap):
        return call(0, 0)
    parts: list[_Fit] = []
    threads = pool_threads()
    done, size = 0, min(ci.rounds, -(-4 // threads) * threads)
    after = progress_delay(ci.progress)
    start, shown = time.perf_counter(), False
    try:
        while done < ci.rounds:
            k = min(size, ci.rounds - done)
            started = time.perf_counter()
            parts.append(call(k, done))
            if done == 0:
                _check_replicates(parts[0], k, ci.rounds)
            per_round = max((time.perf_counter() - started) / k, 1e-9)
            done += k
            size = max(1, int(CHUNK_SECONDS / per_round) // threads) * threads
            if after is not None and time.perf_counter() - start >= after:
                filled = int(30 * done / ci.rounds)
                sys.stderr.write(f"\r{what}: [{'#' * filled}{'.' * (30 - filled)}] {done}/{ci.rounds} rounds")
                sys.stderr.flush()
                shown = True
    finally:
        if shown:
            sys.stderr.write("\n")
    merged = dict(parts[0])
    for key in merged:
        if key.endswith("replicates"):
            merged[key] = np.concatenate([p[key] for p in parts])
    for key in ("redraws", "not_converged"):
        if key in merged:
            merged[key] = sum(p[key] for p in parts)
    return cast(_Fit, merged)


CHUNK_SECONDS = 0.1
"""Target duration of one chunk of bootstrap rounds (the progress bar's step; Ctrl-C is also
answered inside a chunk, by the Rust rounds)."""


def pool_threads() -> int:
    """The threads a bootstrap's rounds run on, one round per thread at a time (Rayon's pool:
    ``RAYON_NUM_THREADS``, else the CPUs available to the process).

    >>> pool_threads() >= 1
    True
    """
    return max(1, _core.threads())


def _check_replicates(first: Mapping[str, Any], rounds_done: int, rounds: int) -> None:
    """The budget for all rounds' replicates, from the first chunk's size per round: the chunks,
    their concatenation and the percentile's sorted copy (three copies)."""
    per_round = sum(np.asarray(v).size for key, v in first.items() if key.endswith("replicates")) // max(rounds_done, 1)
    check_dense((rounds, per_round), "the bootstrap replicates", copies=3, hint="fewer rounds")


def percentile(replicates: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Per-column percentile interval of a (rounds × items) array."""
    alpha = (1.0 - level) / 2.0
    lo, hi = np.quantile(replicates, [alpha, 1.0 - alpha], axis=0)
    return lo, hi


def z_value(level: float) -> float:
    """The standard normal quantile for a two-sided interval of coverage ``level``."""
    return NormalDist().inv_cdf(0.5 + level / 2.0)


def interval_rank(lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """The arena's interval-aware rank: 1 + the number of items whose lower bound exceeds this
    item's upper bound.

    >>> interval_rank(np.array([3.0, 1.0, 0.0]), np.array([4.0, 2.5, 1.5])).tolist()
    [1, 2, 2]
    """
    lo_sorted = np.sort(lower)
    beaten_by = len(lower) - np.searchsorted(lo_sorted, upper, side="right")
    return (1 + beaten_by).astype(np.uint32)


def sandwich_covariance(
    n: int,
    i: np.ndarray,
    j: np.ndarray,
    wins_i: np.ndarray,
    wins_j: np.ndarray,
    ties: np.ndarray,
    theta: np.ndarray,
    *,
    ties_mode: str,
    regularization: float,
    virtual_theta: float | None,
) -> tuple[np.ndarray, int]:
    """Sandwich covariance of the centred Bradley–Terry log-strengths (n × n), as ``(C, e)``:
    the covariance is C × 2**e (apart, so that a variance beyond double range still gives a
    finite standard deviation when that is in range; see :func:`wald`).

    Per pair the model sees ``games`` comparisons with P(i wins) = σ(θ_i − θ_j); a win of i
    scores (1 − p), a loss −p, a tie (under ``ties="half"``) 0.5 − p, along e_i − e_j.

    Weights of any magnitude: both matrices are computed on the counts (and the regularization's
    pseudo-counts) divided by a power of two that brings the largest to [0.5, 1), and the
    covariance, which scales as 1 / count, is multiplied back (``e``) — exactly, so subnormal
    weights (1e-320) give the digits they have, never NaN.

    Raises:
        RankaggError: every residual is zero (e.g. only ties between equal strengths: the
            covariance would be 0, intervals of zero width), or the information matrix is
            singular to working precision (a regularization too small for the comparison graph).
    """
    check_dense(
        (n, n), "the sandwich covariance", copies=4, hint="ci=ra.Bootstrap(...) resamples the sparse pair table instead"
    )
    keep_ties = ties_mode == "half"
    largest = max(float(np.max(wins_i + wins_j + ties, initial=0.0)), float(regularization))
    shift = -math.frexp(largest)[1] if 0.0 < largest < math.inf else 0  # counts × 2**shift: exact
    wins_i, wins_j, ties = np.ldexp(wins_i, shift), np.ldexp(wins_j, shift), np.ldexp(ties, shift)
    regularization = math.ldexp(regularization, shift)
    games = wins_i + wins_j + (ties if keep_ties else 0.0)
    p = 1.0 / (1.0 + np.exp(theta[j] - theta[i]))
    info = games * p * (1.0 - p)
    meat = wins_i * (1.0 - p) ** 2 + wins_j * p**2 + ((ties * (0.5 - p) ** 2) if keep_ties else 0.0)
    if len(meat) and not np.any(meat > 0):
        raise RankaggError(
            "Sandwich intervals are degenerate here: every comparison's residual is zero (e.g. only ties between "
            "items of equal strength, or only wins the model is certain of), so the robust covariance is 0 and every interval would have zero width; "
            "the data hold no spread to estimate uncertainty from (use ci=None, or more varied data)"
        )

    def laplacian(w: np.ndarray) -> np.ndarray:
        m = np.zeros((n, n))
        np.add.at(m, (i, j), -w)
        np.add.at(m, (j, i), -w)
        d = np.bincount(i, w, n) + np.bincount(j, w, n)
        m[np.diag_indices(n)] += d
        return m

    h = laplacian(info)
    jm = laplacian(meat)
    centre = np.eye(n) - 1.0 / n
    try:
        if regularization > 0 and virtual_theta is not None:
            pv = 1.0 / (1.0 + np.exp(virtual_theta - theta))
            h[np.diag_indices(n)] += 2.0 * regularization * pv * (1.0 - pv)
            hinv = np.linalg.inv(h)
        else:
            hinv = np.linalg.pinv(h, hermitian=True)
    except np.linalg.LinAlgError:
        raise RankaggError(
            "Sandwich intervals: the information matrix is singular to working precision (the regularization is too "
            "small for items or groups that never met): the intervals would be unbounded; use a larger "
            "regularization, or ci=Bootstrap(...)"
        ) from None
    return centre @ (hinv @ jm @ hinv) @ centre, shift


def wald(
    theta: np.ndarray, cov: np.ndarray, level: float, anchor: int | None, *, exponent: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """θ ± z·sd, with the variance of θ_k − θ_anchor when anchored (log-strength units), the
    covariance being ``cov`` × 2**``exponent``: a standard deviation beyond double range is
    infinite (so is the interval), never NaN."""
    d = np.diag(cov)
    var = d if anchor is None else d + d[anchor] - 2.0 * cov[:, anchor]
    if anchor is not None:
        var[anchor] = 0.0
    odd = exponent % 2  # sd = sqrt(var × 2**odd) × 2**((exponent − odd) / 2), exactly halved
    with np.errstate(over="ignore"):
        sd = np.ldexp(np.sqrt(np.maximum(var, 0.0) * (2.0 if odd else 1.0)), (exponent - odd) // 2)
    half = z_value(level) * sd
    return theta - half, theta + half
