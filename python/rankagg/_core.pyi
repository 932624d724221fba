"""Type stubs for the compiled extension ``rankagg._core`` (rust/python/src/lib.rs)."""

from typing import Any

import numpy as np
import numpy.typing as npt

__version__: str

def factorize_strings(columns: list[Any]) -> tuple[list[npt.NDArray[np.uint32]], list[str]]: ...
def factorize_ints(
    columns: list[npt.NDArray[np.int64]],
) -> tuple[list[npt.NDArray[np.uint32]], npt.NDArray[np.int64]]: ...
def reduce_pairs(
    n: int,
    a: npt.NDArray[np.uint32],
    b: npt.NDArray[np.uint32],
    outcome: npt.NDArray[np.float64] | None = None,
    outcome_codes: npt.NDArray[np.uint32] | None = None,
    outcome_values: npt.NDArray[np.float64] | None = None,
    weight: npt.NDArray[np.float64] | None = None,
    relabel: npt.NDArray[np.uint32] | None = None,
) -> tuple[
    npt.NDArray[np.uint32],
    npt.NDArray[np.uint32],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
]: ...
def bradley_terry(
    n: int,
    i: npt.NDArray[np.uint32],
    j: npt.NDArray[np.uint32],
    wins_i: npt.NDArray[np.float64],
    wins_j: npt.NDArray[np.float64],
    ties: npt.NDArray[np.float64],
    *,
    tie_model: str = "half",
    solver: str = "newman",
    regularization: float = 0.0,
    tol: float = 1e-9,
    max_iter: int = 10000,
    rounds: int = 0,
    draws: int = 0,
    seed: int = 0,
    first_round: int = 0,
    point_theta: npt.NDArray[np.float64] | None = None,
    point_virtual: float | None = None,
    point_tie: float | None = None,
) -> dict[str, Any]: ...
def elo(
    n: int,
    a: npt.NDArray[np.uint32],
    b: npt.NDArray[np.uint32],
    outcome: npt.NDArray[np.float64] | None = None,
    outcome_codes: npt.NDArray[np.uint32] | None = None,
    outcome_values: npt.NDArray[np.float64] | None = None,
    weight: npt.NDArray[np.float64] | None = None,
    *,
    k: float = 4.0,
    base: float = 10.0,
    scale: float = 400.0,
    initial: float = 1000.0,
    rounds: int = 0,
    seed: int = 0,
    first_round: int = 0,
) -> dict[str, Any]: ...
def trueskill(
    n: int,
    a: npt.NDArray[np.uint32],
    b: npt.NDArray[np.uint32],
    outcome: npt.NDArray[np.float64] | None = None,
    outcome_codes: npt.NDArray[np.uint32] | None = None,
    outcome_values: npt.NDArray[np.float64] | None = None,
    weight: npt.NDArray[np.float64] | None = None,
    *,
    mu: float = 25.0,
    sigma: float = 25.0 / 3.0,
    beta: float = 25.0 / 6.0,
    tau: float = 25.0 / 300.0,
    draw_probability: float = 0.1,
    rounds: int = 0,
    seed: int = 0,
    first_round: int = 0,
) -> dict[str, Any]: ...
def pair_scores(
    method: str,
    n: int,
    i: npt.NDArray[np.uint32],
    j: npt.NDArray[np.uint32],
    wins_i: npt.NDArray[np.float64],
    wins_j: npt.NDArray[np.float64],
    ties: npt.NDArray[np.float64],
    *,
    tie_weight: float = 0.5,
    damping: float = 0.85,
    tol: float = 1e-12,
    max_iter: int = 10000,
    rounds: int = 0,
    draws: int = 0,
    seed: int = 0,
    first_round: int = 0,
) -> dict[str, Any]: ...
def covariate_terms(
    n: int,
    a: npt.NDArray[np.uint32],
    b: npt.NDArray[np.uint32],
    x: npt.NDArray[np.float64],
    theta: npt.NDArray[np.float64],
    beta: npt.NDArray[np.float64],
    outcome: npt.NDArray[np.float64] | None = None,
    outcome_codes: npt.NDArray[np.uint32] | None = None,
    outcome_values: npt.NDArray[np.float64] | None = None,
    weight: npt.NDArray[np.float64] | None = None,
    *,
    drop_ties: bool = False,
    with_meat: bool = False,
    validate: bool = False,
) -> tuple[float, npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64] | None]: ...
def plackett_luce(
    n: int,
    offsets: npt.NDArray[np.uint64],
    items: npt.NDArray[np.uint32],
    weight: npt.NDArray[np.float64] | None = None,
    *,
    solver: str = "fast",
    regularization: float = 0.0,
    tol: float = 1e-9,
    max_iter: int = 10000,
    rounds: int = 0,
    seed: int = 0,
    first_round: int = 0,
    unranked: str = "below",
) -> dict[str, Any]: ...
def kemeny(
    p: npt.NDArray[np.float64],
    n: int,
    exact_limit: int = 16,
    method: str = "auto",
    time_limit: float | None = None,
    seed: int = 0,
    progress: bool = False,
) -> dict[str, Any]: ...
def linear_ordering(
    a: npt.NDArray[np.float64],
    n: int,
    exact_limit: int = 16,
    method: str = "auto",
    time_limit: float | None = None,
    seed: int = 0,
    progress: bool = False,
) -> dict[str, Any]: ...
def kendall_counts(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> tuple[int, int, int, int, int]: ...

KeyArg = tuple[npt.NDArray[np.uint32] | npt.NDArray[np.int64], npt.NDArray[np.uint32], int]
"""(uint32 codes, rank per code, 0) or (int64 values, rank per value − lo, lo)."""

def defensive(
    items: KeyArg,
    n_items: int,
    obs: KeyArg,
    n_obs: int,
    values: npt.NDArray[np.float64],
    groups: KeyArg | None = None,
    n_groups: int = 0,
    *,
    tail: float = 0.0,
    prior: float = 1.0,
    regret: bool = False,
) -> dict[str, Any]: ...
def dense_int_map(
    x: npt.NDArray[np.int64], limit: int
) -> tuple[int, npt.NDArray[np.uint32], npt.NDArray[np.int64]] | None: ...
def _debug_panic() -> None: ...
def consistency_counts(
    w: npt.NDArray[np.float64], n: int, ks: list[int], exact_limit: int = 100, samples: int = 100000, seed: int = 0
) -> dict[str, Any]: ...
def three_cycles(w: npt.NDArray[np.float64], n: int) -> int: ...
def maximal_lottery(m: npt.NDArray[np.float64], n: int) -> dict[str, Any]: ...
def maximal_lottery_sparse(
    offsets: npt.NDArray[np.uint64],
    cols: npt.NDArray[np.uint32],
    vals: npt.NDArray[np.float64],
    tol: float,
    max_iter: int,
) -> dict[str, Any]: ...
def item_totals(
    n: int,
    i: npt.NDArray[np.uint32],
    j: npt.NDArray[np.uint32],
    wins_i: npt.NDArray[np.float64],
    wins_j: npt.NDArray[np.float64],
    ties: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
def widest_paths(n: int, links: npt.NDArray[np.float64]) -> None: ...
def pairwise_preferences(
    n: int,
    offsets: npt.NDArray[np.uint64],
    items: npt.NDArray[np.uint32],
    levels: npt.NDArray[np.uint32],
    weights: npt.NDArray[np.float64] | None = None,
    below: bool = True,
) -> npt.NDArray[np.float64]: ...
