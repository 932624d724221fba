"""Type stubs for the compiled extension ``rankagg._core`` (rust/python/src/lib.rs)."""

from typing import Any, Literal, final

import numpy as np
import numpy.typing as npt

__all__ = [
    "factorize_strings",
    "factorize_ints",
    "reduce_pairs",
    "bradley_terry",
    "elo",
    "pair_scores",
    "covariate_terms",
    "plackett_luce",
    "kemeny",
    "linear_ordering",
    "kendall_counts",
    "item_totals",
    "pairwise_preferences",
    "widest_paths",
    "ranked_pairs_label",
    "ranked_pairs_winners",
    "smith_set",
    "instant_runoff",
    "maximal_lottery",
    "maximal_lottery_sparse",
    "defensive",
    "dense_int_map",
    "consistency_counts",
    "three_cycles",
    "pooled_bradley_terry",
    "trueskill",
    "JudgeTable",
    "MixtureFit",
    "CrowdFit",
    "judge_table",
    "bradley_terry_mixture",
    "crowd_bradley_terry",
    "_debug_panic",
    "__version__",
]

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
    tie_model: Literal["half", "drop", "davidson", "rao_kupper"] = "half",
    solver: Literal["newman", "mm"] = "newman",
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
def pooled_bradley_terry(
    n: int,
    n_tasks: int,
    task: npt.NDArray[np.uint32],
    i: npt.NDArray[np.uint32],
    j: npt.NDArray[np.uint32],
    wij: npt.NDArray[np.float64],
    wji: npt.NDArray[np.float64],
    mu0: npt.NDArray[np.float64],
    delta0: npt.NDArray[np.float64],
    *,
    pooling: float,
    regularization: float = 0.0,
    tol: float = 1e-9,
    max_iter: int = 10000,
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
    method: Literal["counting", "win_rate", "average_win_rate", "eigenvector", "pagerank", "rank_centrality"],
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
    solver: Literal["fast", "mm"] = "fast",
    regularization: float = 0.0,
    tol: float = 1e-9,
    max_iter: int = 10000,
    rounds: int = 0,
    seed: int = 0,
    first_round: int = 0,
    unranked: Literal["below", "ignore"] = "below",
) -> dict[str, Any]: ...
def kemeny(
    p: npt.NDArray[np.float64],
    n: int,
    exact_limit: int = 16,
    method: Literal["auto", "exact", "heuristic"] = "auto",
    time_limit: float | None = None,
    seed: int = 0,
    progress: float | None = None,
) -> dict[str, Any]: ...
def linear_ordering(
    a: npt.NDArray[np.float64],
    n: int,
    exact_limit: int = 16,
    method: Literal["auto", "exact", "heuristic"] = "auto",
    time_limit: float | None = None,
    seed: int = 0,
    progress: float | None = None,
) -> dict[str, Any]: ...
def kendall_counts(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> tuple[int, int, int, int, int]: ...

# A key column: (uint32 codes, rank per code, 0) or (int64 values, rank per value − lo, lo); stub only.
_KeyArg = tuple[npt.NDArray[np.uint32] | npt.NDArray[np.int64], npt.NDArray[np.uint32], int]

def defensive(
    items: _KeyArg,
    n_items: int,
    obs: _KeyArg,
    n_obs: int,
    values: npt.NDArray[np.float64],
    groups: _KeyArg | None = None,
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
def ranked_pairs_label(n: int, p: npt.NDArray[np.float64]) -> npt.NDArray[np.uint32]: ...
def ranked_pairs_winners(
    k: int, m: npt.NDArray[np.float64], work: int, memory: int
) -> npt.NDArray[np.uint32] | None: ...
def smith_set(n: int, p: npt.NDArray[np.float64]) -> npt.NDArray[np.uint32]: ...
def instant_runoff(
    n: int,
    offsets: npt.NDArray[np.uint64],
    items: npt.NDArray[np.uint32],
    levels: npt.NDArray[np.uint32],
    weights: npt.NDArray[np.uint64] | None,
    unit: int,
) -> npt.NDArray[np.uint32]: ...
def pairwise_preferences(
    n: int,
    offsets: npt.NDArray[np.uint64],
    items: npt.NDArray[np.uint32],
    levels: npt.NDArray[np.uint32],
    weights: npt.NDArray[np.float64] | None = None,
    below: bool = True,
) -> npt.NDArray[np.float64]: ...

# rust/python/src/crowd.rs: heterogeneous judges

@final
class JudgeTable:
    """Comparisons reduced per (judge, pair): built once, fitted many times."""

    @property
    def n_items(self) -> int: ...
    @property
    def n_judges(self) -> int: ...
    @property
    def cells(self) -> int: ...
    @property
    def pairs(self) -> int: ...
    def judge_counts(self) -> npt.NDArray[np.float64]: ...

@final
class MixtureFit:
    @property
    def theta(self) -> npt.NDArray[np.float64]: ...
    @property
    def shares(self) -> npt.NDArray[np.float64]: ...
    @property
    def responsibilities(self) -> npt.NDArray[np.float64]: ...
    @property
    def log_likelihood(self) -> float: ...
    @property
    def iterations(self) -> int: ...
    @property
    def converged(self) -> bool: ...
    @property
    def best_restart(self) -> int: ...
    @property
    def restart_log_likelihoods(self) -> npt.NDArray[np.float64]: ...

@final
class CrowdFit:
    @property
    def theta(self) -> npt.NDArray[np.float64]: ...
    @property
    def reliability(self) -> npt.NDArray[np.float64]: ...
    @property
    def log_likelihood(self) -> float: ...
    @property
    def iterations(self) -> int: ...
    @property
    def converged(self) -> bool: ...
    @property
    def virtual_theta(self) -> float | None: ...

def judge_table(
    n_items: int,
    n_judges: int,
    judge: npt.NDArray[np.uint32],
    a: npt.NDArray[np.uint32],
    b: npt.NDArray[np.uint32],
    outcome: npt.NDArray[np.float64] | None = None,
    outcome_codes: npt.NDArray[np.uint32] | None = None,
    outcome_values: npt.NDArray[np.float64] | None = None,
    weight: npt.NDArray[np.float64] | None = None,
) -> JudgeTable: ...
def bradley_terry_mixture(
    table: JudgeTable,
    *,
    groups: int,
    restarts: int = 8,
    short_iter: int = 20,
    seed: int = 0,
    regularization: float = 1.0,
    tol: float = 1e-9,
    max_iter: int = 1000,
) -> MixtureFit: ...
def crowd_bradley_terry(
    table: JudgeTable,
    *,
    regularization: float = 0.0,
    prior: tuple[float, float] = ...,
    initial_reliability: float = 0.8,
    tol: float = 1e-9,
    max_iter: int = 1000,
) -> CrowdFit: ...
