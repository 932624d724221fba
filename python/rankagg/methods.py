"""The one registry of rankagg's methods: per method its name, family, function, the input it
takes, and where the command line and the HTML report offer it. The CLI's method lists, the
report's, and the API reference's sections are derived from it, and ``tests/test_methods.py``
checks that the package's exports, the CLI's choices, the API reference and the guides agree
with it. Adding a method means adding its entry here (ARCHITECTURE.md, "How to add a method").

>>> from rankagg.methods import METHODS, names
>>> METHODS["pagerank"].family, METHODS["pagerank"].takes
('rating', 'comparisons')
>>> names("rating", command="leaderboard")[:3]
['bradley_terry', 'elo', 'trueskill']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from rankagg import ballots, crowd, elimination, games, majority, positional, rate, robust, scores, vote
from rankagg.committee import committee

__all__ = ["Family", "Input", "Command", "Method", "METHODS", "names", "by_cli_name"]

Family = Literal["rating", "consensus", "committee", "game", "score table"]
"""What a method computes: ``rating`` (a score per item with a model behind it, `Ratings`),
``consensus`` (a voting rule or consensus order, `Consensus`, or its winners), ``committee``
(k winners, `Committee`), ``game`` (a lottery over the items, `Lottery`), ``score table``
(items ranked from a long table of scores, `Aggregate` or `Consensus`)."""

Input = Literal[
    "comparisons",
    "ordered comparisons",
    "judged comparisons",
    "rankings",
    "votes",
    "score ballots",
    "committee ballots",
    "score table",
]
"""What a method reads: ``comparisons`` (comparison rows or a `PairTable`; the rows' order does
not matter), ``ordered comparisons`` (rows in order: the online methods), ``judged
comparisons`` (rows with a ``judge=`` column), ``rankings`` (`Rankings` only: each voter's
ranking), ``votes`` (`Rankings`, `Preferences` or a `PairTable`: the rules on the majority
matrix, which take ``unranked=``), ``score ballots`` (`ScoreBallots`), ``committee ballots``
(`Rankings` or `Approvals`), ``score table`` (a long item × observation table of scores)."""

Command = Literal["leaderboard", "consensus", "committee", "lottery", "defensive", "welfare", "aggregate"]
"""The ``rankagg`` subcommand that offers a method (``leaderboard`` and ``consensus`` by
``--method NAME``)."""


@dataclass(frozen=True)
class Method:
    """One registered method: ``rankagg.<name>`` is ``function``; ``command`` is the ``rankagg``
    subcommand offering it (None: Python only), under ``cli_name`` (default ``name``) where the
    subcommand has a ``--method`` choice; ``report`` whether ``rankagg.report(method=...)``
    offers it; ``guide`` the docs page whose tables describe it."""

    name: str
    family: Family
    function: Callable[..., Any]
    takes: Input
    guide: str
    command: Command | None = None
    cli_name: str | None = None
    report: bool = False

    @property
    def on_cli(self) -> str | None:
        """The name the command line knows it by (None: not on the command line)."""
        return None if self.command is None else (self.cli_name or self.name)


def _rating(fn: Callable[..., Any], takes: Input, **where: Any) -> Method:
    return Method(fn.__name__, "rating", fn, takes, "ratings.md", **where)


def _rule(fn: Callable[..., Any], takes: Input, *, cli: bool = True) -> Method:
    return Method(fn.__name__, "consensus", fn, takes, "consensus.md", "consensus" if cli else None)


_ENTRIES: tuple[Method, ...] = (
    # ratings: `rankagg leaderboard --method NAME`, the report's leaderboard
    _rating(rate.bradley_terry, "comparisons", command="leaderboard", report=True),
    _rating(rate.elo, "ordered comparisons", command="leaderboard", report=True),
    _rating(rate.trueskill, "ordered comparisons", command="leaderboard", report=True),
    _rating(rate.win_rate, "comparisons", command="leaderboard", report=True),
    _rating(rate.average_win_rate, "comparisons", command="leaderboard", report=True),
    _rating(rate.counting, "comparisons", command="leaderboard", report=True),
    _rating(rate.pagerank, "comparisons", command="leaderboard", report=True),
    _rating(rate.eigenvector, "comparisons", command="leaderboard", report=True),
    _rating(rate.rank_centrality, "comparisons", command="leaderboard", report=True),
    _rating(crowd.bradley_terry_mixture, "judged comparisons", command="leaderboard", cli_name="mixture"),
    _rating(crowd.crowd_bradley_terry, "judged comparisons", command="leaderboard", cli_name="crowd_bt"),
    _rating(rate.plackett_luce, "rankings"),
    # consensus: `rankagg consensus --method NAME`, in the order its help lists them
    _rule(vote.kemeny, "votes"),
    _rule(vote.schulze, "votes"),
    _rule(vote.ranked_pairs, "votes"),
    _rule(vote.copeland, "votes"),
    _rule(vote.minimax, "votes"),
    _rule(vote.borda, "votes"),
    _rule(vote.plurality, "rankings"),
    _rule(vote.instant_runoff, "rankings"),
    _rule(majority.split_cycle, "votes"),
    _rule(majority.stable_voting, "votes"),
    _rule(majority.beat_path, "votes"),
    _rule(majority.river, "votes"),
    _rule(majority.slater, "votes"),
    _rule(majority.top_cycle, "votes"),
    _rule(majority.uncovered_set, "votes"),
    _rule(majority.black, "votes"),
    _rule(majority.daunou, "rankings"),
    _rule(elimination.nanson, "votes"),
    _rule(elimination.baldwin, "votes"),
    _rule(elimination.coombs, "rankings"),
    _rule(positional.bucklin, "rankings"),
    _rule(positional.weighted_bucklin, "rankings"),
    _rule(positional.anti_plurality, "rankings"),
    _rule(ballots.approval, "score ballots"),
    _rule(ballots.star, "score ballots"),
    _rule(vote.condorcet_winner, "votes", cli=False),
    _rule(vote.smith_set, "votes", cli=False),
    # the others: one subcommand each
    Method("committee", "committee", committee, "committee ballots", "committees.md", "committee"),
    Method("maximal_lottery", "game", games.maximal_lottery, "votes", "games.md", "lottery"),
    Method("defensive", "score table", robust.defensive, "score table", "robust.md", "defensive"),
    Method("welfare", "score table", robust.welfare, "score table", "robust.md", "welfare"),
    Method("aggregate_scores", "score table", scores.aggregate_scores, "score table", "consensus.md", "aggregate"),
)

METHODS: dict[str, Method] = {m.name: m for m in _ENTRIES}
"""Every method by its function's name (``rankagg.<name>``), in the order the CLI and the API
reference list them."""


def names(
    family: Family | None = None,
    *,
    command: Command | None = None,
    takes: Input | tuple[Input, ...] | None = None,
    report: bool | None = None,
) -> list[str]:
    """The registered methods that match every given filter, in registry order; with
    ``command``, the names the command line knows them by (``--method`` choices).

    >>> names("consensus", takes="score ballots")
    ['approval', 'star']
    """
    kinds = (takes,) if isinstance(takes, str) else takes
    return [
        (m.on_cli or m.name) if command is not None else m.name
        for m in _ENTRIES
        if (family is None or m.family == family)
        and (command is None or m.command == command)
        and (kinds is None or m.takes in kinds)
        and (report is None or m.report == report)
    ]


def by_cli_name(command: Command, cli_name: str) -> Method:
    """The method that ``rankagg COMMAND --method CLI_NAME`` runs.

    >>> by_cli_name("leaderboard", "crowd_bt").name
    'crowd_bradley_terry'
    """
    for m in _ENTRIES:
        if m.command == command and m.on_cli == cli_name:
            return m
    raise KeyError(f"{command} --method {cli_name}")
