"""rankagg: fast, correct ranking aggregation with a Rust core.

>>> import rankagg as ra
>>> ratings = ra.bradley_terry(ra.datasets.llmfao(), a="left", b="right", outcome="winner",
...                            outcomes={"left": 1.0, "right": 0.0, "tie": 0.5})
>>> ratings.table["item"][0]
'GPT 4'
"""

from rankagg import _core, datasets, errors, plot, rate
from rankagg.axioms import Axioms, Violation, axioms
from rankagg.ballots import ScoreBallots, approval, star
from rankagg.budget import memory_budget, set_memory_budget
from rankagg.committee import Approvals, Committee, committee
from rankagg.consensus import Consensus
from rankagg.consistency import Consistency, consistency
from rankagg.crowd import Mixture, bradley_terry_mixture, crowd_bradley_terry
from rankagg.distance import kemeny_distance, kendall_tau, spearman_footrule
from rankagg.elimination import baldwin, coombs, nanson
from rankagg.errors import *  # noqa: F403 - every name of errors.__all__, added to __all__ below
from rankagg.games import Lottery, maximal_lottery
from rankagg.intervals import Bootstrap, Sandwich
from rankagg.judges import expected_rating, merge_bidirectional, self_play_rewards
from rankagg.majority import (
    beat_path,
    black,
    daunou,
    river,
    slater,
    split_cycle,
    stable_voting,
    top_cycle,
    uncovered_set,
)
from rankagg.metrics import Metric, RankingAccuracy, average_precision, ndcg, precision_at_k, ranking_accuracy, rbo
from rankagg.pairs import LMARENA_OUTCOMES, PairTable
from rankagg.positional import anti_plurality, bucklin, weighted_bucklin
from rankagg.preferences import Preferences, pairwise_preferences, preference_matrix
from rankagg.preflib import read_preflib
from rankagg.rankings import Rankings
from rankagg.rate import *  # noqa: F403 - every name of rate.__all__, added to __all__ below
from rankagg.report import report
from rankagg.results import Ratings
from rankagg.rewards import combine_rewards
from rankagg.robust import Aggregate, defensive, welfare
from rankagg.scores import aggregate_scores
from rankagg.vote import (
    LinearOrdering,
    borda,
    condorcet_winner,
    copeland,
    instant_runoff,
    kemeny,
    linear_ordering,
    minimax,
    plurality,
    ranked_pairs,
    schulze,
    smith_set,
)

# The one version is Cargo.toml's (workspace.package.version); maturin copies it into the wheel's
# metadata and the extension carries it (CARGO_PKG_VERSION), so there is no copy to keep in step.
__version__: str = _core.__version__

# The rating methods first, then by topic; the exceptions and warnings come from errors.__all__
# and the rating methods from rate.__all__ (mypy reads `__all__ +=` of a module's list).
__all__: list[str] = []
__all__ += rate.__all__
__all__ += [
    "bradley_terry_mixture",
    "Mixture",
    "crowd_bradley_terry",
    "Rankings",
    "Preferences",
    "preference_matrix",
    "read_preflib",
    "Consensus",
    "pairwise_preferences",
    "borda",
    "plurality",
    "copeland",
    "minimax",
    "schulze",
    "ranked_pairs",
    "instant_runoff",
    "condorcet_winner",
    "smith_set",
    "nanson",
    "baldwin",
    "coombs",
    "bucklin",
    "weighted_bucklin",
    "anti_plurality",
    "ScoreBallots",
    "approval",
    "star",
    "split_cycle",
    "stable_voting",
    "beat_path",
    "black",
    "top_cycle",
    "uncovered_set",
    "slater",
    "river",
    "daunou",
    "axioms",
    "Axioms",
    "Violation",
    "kemeny",
    "linear_ordering",
    "LinearOrdering",
    "committee",
    "Committee",
    "Approvals",
    "maximal_lottery",
    "Lottery",
    "defensive",
    "welfare",
    "Aggregate",
    "consistency",
    "Consistency",
    "expected_rating",
    "merge_bidirectional",
    "self_play_rewards",
    "kendall_tau",
    "kemeny_distance",
    "spearman_footrule",
    "ndcg",
    "precision_at_k",
    "average_precision",
    "rbo",
    "ranking_accuracy",
    "Metric",
    "RankingAccuracy",
    "combine_rewards",
    "Bootstrap",
    "Sandwich",
    "PairTable",
    "Ratings",
    "report",
    "datasets",
    "plot",
    "LMARENA_OUTCOMES",
    "set_memory_budget",
    "memory_budget",
    "aggregate_scores",
]
__all__ += errors.__all__
