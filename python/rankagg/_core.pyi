"""Type stubs for the compiled extension ``rankagg._core`` (rust/python/src/: lib.rs and one file
per family). The dicts the functions return are typed below (``TypedDict``s, stub only); keys
marked ``NotRequired`` are present only when the docstring of the Rust function says so (a
bootstrap chunk, the first chunk's totals)."""

from typing import Any, Literal, TypedDict, final, type_check_only

import numpy as np
import numpy.typing as npt
from typing_extensions import NotRequired

__all__ = [
    "factorize_strings",
    "factorize_ints",
    "reduce_pairs",
    "reduce_ids",
    "reduce_names",
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
    "schulze",
    "instant_runoff",
    "maximal_lottery",
    "maximal_lottery_sparse",
    "defensive",
    "dense_int_map",
    "consistency_counts",
    "_three_cycles",
    "pooled_bradley_terry",
    "trueskill",
    "JudgeTable",
    "MixtureFit",
    "CrowdFit",
    "judge_table",
    "bradley_terry_mixture",
    "crowd_bradley_terry",
    "_debug_panic",
    "threads",
    "__version__",
]

__version__: str

_F64 = npt.NDArray[np.float64]  # stub-only aliases (underscored: not in the module)
_U32 = npt.NDArray[np.uint32]
# The comparison rows of every row-level call (rust/python/src/pairs.rs, `RowArrays`): a, b,
# outcome, outcome_codes, outcome_values, weight (`rankagg.pairs.core_rows` builds it).
_Rows = tuple[_U32, _U32, _F64 | None, _U32 | None, _F64 | None, _F64 | None]
# A pair table of the table-level calls (pairs.rs, `TableArrays`): i, j, wins_i, wins_j, ties
# (`rankagg.pairs.core_table` builds it).
_Table = tuple[_U32, _U32, _F64, _F64, _F64]

_TieModel = Literal["half", "drop", "davidson", "rao_kupper"]
_PairScoreMethod = Literal["counting", "win_rate", "average_win_rate", "eigenvector", "pagerank", "rank_centrality"]
_SearchMethod = Literal["auto", "exact", "heuristic"]

# The results (rust/python/src/rate.rs, consensus.rs, games.rs, aggregate.rs).

@type_check_only
class BradleyTerryFit(TypedDict):
    theta: _F64
    iterations: int
    converged: bool
    log_likelihood: float
    tie_parameter: float | None
    max_relative_gradient: float
    virtual_theta: float | None
    # Per item, with the first chunk of rounds (first_round == 0).
    wins: NotRequired[_F64]
    losses: NotRequired[_F64]
    ties: NotRequired[_F64]
    # With rounds > 0.
    replicates: NotRequired[_F64]
    replicate_tie_parameter: NotRequired[_F64]
    redraws: NotRequired[int]
    not_converged: NotRequired[int]

@type_check_only
class PooledFit(TypedDict):
    mu: _F64
    delta: _F64
    iterations: int
    converged: bool
    max_relative_gradient: float
    log_likelihood: float

@type_check_only
class _RowTotals(TypedDict):
    # Per item, and the row-resampling bootstrap's chunk (with rounds > 0).
    wins: _F64
    losses: _F64
    ties: _F64
    replicates: NotRequired[_F64]

@type_check_only
class EloFit(_RowTotals):
    scores: _F64

@type_check_only
class TrueSkillFit(_RowTotals):
    mu: _F64
    sigma: _F64

@type_check_only
class PairScoresFit(TypedDict):
    scores: _F64
    iterations: int
    converged: bool
    replicates: NotRequired[_F64]

@type_check_only
class PlackettLuceFit(TypedDict):
    theta: _F64
    iterations: int
    converged: bool
    log_likelihood: float
    max_relative_gradient: float
    replicates: NotRequired[_F64]
    redraws: NotRequired[int]

@type_check_only
class _SearchStats(TypedDict):
    nodes: int
    cut_rounds: int
    lp_iterations: int
    timed_out: bool

@type_check_only
class KemenyFit(_SearchStats):
    order: npt.NDArray[np.uint32]
    cost: float
    lower_bound: float
    optimal: bool
    components: list[list[int]]

@type_check_only
class LinearOrderingFit(_SearchStats):
    order: npt.NDArray[np.uint32]
    value: float
    upper_bound: float
    optimal: bool
    components: list[list[int]]

@type_check_only
class LotteryFit(TypedDict):
    p: _F64
    exploitability: float
    iterations: int
    unique: bool
    converged: bool

@type_check_only
class DefensiveFit(TypedDict):
    # The invalid-data report; when a count is > 0 the per-item arrays are empty.
    duplicate_rows: list[int]
    duplicate_count: int
    mixed_items: list[int]
    mixed_count: int
    worst: _F64
    mean: _F64
    count: npt.NDArray[np.uint32]
    floor: _F64
    score: _F64
    group_of: npt.NDArray[np.uint32]

@type_check_only
class ConsistencyCounts(TypedDict):
    pairs: int
    ties: int
    tournament: bool
    cycles: int
    # One entry per k asked for.
    k: list[int]
    subsets: list[int]
    inconsistent: list[int]
    with_cycle: list[int]
    with_tie: list[int]
    exact: list[bool]
    drawn: list[int]

def factorize_strings(columns: list[Any]) -> tuple[list[npt.NDArray[np.uint32]], list[str]]: ...
def factorize_ints(
    columns: list[npt.NDArray[np.int64]],
) -> tuple[list[npt.NDArray[np.uint32]], npt.NDArray[np.int64]]: ...
def reduce_pairs(
    n: int,
    rows: _Rows,
    relabel: npt.NDArray[np.uint32] | None = None,
) -> tuple[
    npt.NDArray[np.uint32],
    npt.NDArray[np.uint32],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
]: ...
def reduce_ids(
    a: npt.NDArray[np.integer[Any]] | list[npt.NDArray[np.integer[Any]]],
    b: npt.NDArray[np.integer[Any]] | list[npt.NDArray[np.integer[Any]]],
    outcome: npt.NDArray[np.number[Any] | np.bool_] | Any | None = None,
    outcome_codes: npt.NDArray[np.unsignedinteger[Any]] | None = None,
    outcome_labels: tuple[Any, list[str]] | None = None,
    outcome_values: npt.NDArray[np.float64] | None = None,
) -> (
    tuple[
        npt.NDArray[np.uint64],
        npt.NDArray[np.uint32],
        npt.NDArray[np.uint32],
        npt.NDArray[np.float64],
        npt.NDArray[np.float64],
        npt.NDArray[np.float64],
    ]
    | None
): ...
def reduce_names(
    a: Any,
    b: Any,
    outcome: npt.NDArray[np.number[Any] | np.bool_] | Any | None = None,
    outcome_codes: npt.NDArray[np.unsignedinteger[Any]] | None = None,
    outcome_labels: tuple[Any, list[str]] | None = None,
    outcome_values: npt.NDArray[np.float64] | None = None,
) -> (
    tuple[
        list[str],
        npt.NDArray[np.uint32],
        npt.NDArray[np.uint32],
        npt.NDArray[np.float64],
        npt.NDArray[np.float64],
        npt.NDArray[np.float64],
    ]
    | None
): ...
def bradley_terry(
    n: int,
    table: _Table,
    *,
    tie_model: _TieModel = "half",
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
) -> BradleyTerryFit: ...
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
) -> PooledFit: ...
def elo(
    n: int,
    rows: _Rows,
    *,
    k: float = 4.0,
    base: float = 10.0,
    scale: float = 400.0,
    initial: float = 1000.0,
    rounds: int = 0,
    seed: int = 0,
    first_round: int = 0,
) -> EloFit: ...
def trueskill(
    n: int,
    rows: _Rows,
    *,
    mu: float = 25.0,
    sigma: float = 25.0 / 3.0,
    beta: float = 25.0 / 6.0,
    tau: float = 25.0 / 300.0,
    draw_probability: float = 0.1,
    rounds: int = 0,
    seed: int = 0,
    first_round: int = 0,
) -> TrueSkillFit: ...
def pair_scores(
    method: _PairScoreMethod,
    n: int,
    table: _Table,
    *,
    tie_weight: float = 0.5,
    damping: float = 0.85,
    tol: float = 1e-12,
    max_iter: int = 10000,
    rounds: int = 0,
    draws: int = 0,
    seed: int = 0,
    first_round: int = 0,
) -> PairScoresFit: ...
def covariate_terms(
    n: int,
    rows: _Rows,
    x: npt.NDArray[np.float64],
    theta: npt.NDArray[np.float64],
    beta: npt.NDArray[np.float64],
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
) -> PlackettLuceFit: ...
def kemeny(
    p: npt.NDArray[np.float64],
    n: int,
    exact_limit: int = 16,
    method: _SearchMethod = "auto",
    time_limit: float | None = None,
    seed: int = 0,
    progress: float | None = None,
) -> KemenyFit: ...
def linear_ordering(
    a: npt.NDArray[np.float64],
    n: int,
    exact_limit: int = 16,
    method: _SearchMethod = "auto",
    time_limit: float | None = None,
    seed: int = 0,
    progress: float | None = None,
) -> LinearOrderingFit: ...
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
) -> DefensiveFit: ...
def dense_int_map(x: npt.NDArray[np.int64]) -> tuple[int, npt.NDArray[np.uint32], npt.NDArray[np.int64]] | None: ...

# Test hooks, not API (rust/python/src/errors.rs, consensus.rs).
def _debug_panic() -> None:
    """Raises what a panic in the core raises (``InternalError``): tests/test_errors.py."""

def consistency_counts(
    w: npt.NDArray[np.float64], n: int, ks: list[int], exact_limit: int = 100, samples: int = 100000, seed: int = 0
) -> ConsistencyCounts: ...
def _three_cycles(w: npt.NDArray[np.float64], n: int) -> int:
    """Strict 3-cycles of a majority relation (tests/test_consistency.py, benches/consistency.py)."""

def maximal_lottery(m: npt.NDArray[np.float64], n: int, algorithm: str = "blocked") -> LotteryFit: ...
def maximal_lottery_sparse(
    offsets: npt.NDArray[np.uint64],
    cols: npt.NDArray[np.uint32],
    vals: npt.NDArray[np.float64],
    tol: float,
    max_iter: int,
) -> LotteryFit: ...
def item_totals(
    n: int,
    table: _Table,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
def widest_paths(n: int, links: npt.NDArray[np.float64], method: str = "auto") -> None: ...
def schulze(
    n: int, p: npt.NDArray[np.float64], winning_votes: bool
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]: ...
def ranked_pairs_label(n: int, p: npt.NDArray[np.float64], one_by_one: bool = False) -> npt.NDArray[np.uint32]: ...
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
    rows: _Rows,
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
def threads() -> int: ...
