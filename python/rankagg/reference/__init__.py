"""Pure-Python reference implementations: the oracles of the tests and the baselines of the
benches. Plain loops over Python lists and dicts, written for clarity, not speed; they share
no code with the Rust core.

>>> from rankagg.reference import bradley_terry
>>> fit = bradley_terry(["x", "x", "y"], ["y", "y", "x"], [1.0, 1.0, 1.0])
>>> round(fit.theta["x"] - fit.theta["y"], 6)  # 2 wins to 1: ln 2
0.693147
"""

from rankagg.reference.bradley_terry import BTFit, bradley_terry
from rankagg.reference.elo import elo
from rankagg.reference.plackett_luce import fit as plackett_luce
from rankagg.reference.scores import average_win_rate, counting, eigenvector, pagerank, rank_centrality, win_rate
from rankagg.reference.trueskill import trueskill

__all__ = [
    "bradley_terry",
    "BTFit",
    "elo",
    "trueskill",
    "plackett_luce",
    "counting",
    "win_rate",
    "average_win_rate",
    "pagerank",
    "eigenvector",
    "rank_centrality",
]
