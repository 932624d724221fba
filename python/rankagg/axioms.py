"""Checks of a voting rule's axioms on one profile: the Condorcet winner and loser criteria,
Pareto efficiency and monotonicity (by a search over single-ballot changes).

>>> import rankagg as ra
>>> votes = ra.Rankings.from_lists([list("abc")] * 3 + [list("bca")] * 2)
>>> ra.axioms(ra.borda, votes).holds["condorcet_winner"]
False
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import polars as pl

from rankagg.checks import one_of
from rankagg.consensus import Consensus, level_table
from rankagg.errors import RankaggError
from rankagg.preferences import Unranked, pairwise_preferences
from rankagg.rankings import Rankings

__all__ = ["Axioms", "Violation", "axioms"]

Axiom = Literal["condorcet_winner", "condorcet_loser", "pareto", "monotonicity"]
AXIOMS: tuple[Axiom, ...] = ("condorcet_winner", "condorcet_loser", "pareto", "monotonicity")


@dataclass(frozen=True)
class Violation:
    """A counterexample. ``detail`` says what fails. For monotonicity, ranking ``voter`` of the
    profile changes from ``before`` to ``after`` (one row of the rankings, with its weight),
    ``votes`` is the changed profile and ``winners_after`` the rule's winners on it; for the
    other axioms ``votes`` is the profile checked."""

    axiom: Axiom
    detail: str
    votes: Rankings = field(repr=False)
    winners: list[Any]
    voter: int | None = None
    before: list[Any] | None = None
    after: list[Any] | None = None
    winners_after: list[Any] | None = None


@dataclass(frozen=True, repr=False)
class Axioms:
    """The result of :func:`axioms`. ``holds[axiom]``: True, False, or None when the axiom says
    nothing about this profile (no Condorcet winner, or no Condorcet loser); ``violations``:
    one counterexample per failed axiom; ``changes``: the ballot changes monotonicity tried, and
    ``exhaustive`` whether those were all single-ballot changes (else ``max_changes`` stopped
    the search, and True means "none found"). ``table``: axiom, holds, detail."""

    rule: str
    winners: list[Any]
    holds: dict[str, bool | None]
    violations: dict[str, Violation]
    changes: int
    exhaustive: bool

    @property
    def table(self) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "axiom": list(self.holds),
                "holds": pl.Series([self.holds[a] for a in self.holds], dtype=pl.Boolean),
                "detail": pl.Series(
                    [self.violations[a].detail if a in self.violations else None for a in self.holds], dtype=pl.String
                ),
            }
        )

    def __repr__(self) -> str:
        with pl.Config(tbl_hide_dataframe_shape=True, fmt_str_lengths=100):
            return f"Axioms({self.rule}, winners {self.winners!r})\n{self.table!r}"


def axioms(
    rule: Callable[[Rankings], Consensus],
    rankings: Rankings,
    *,
    unranked: Unranked = "below",
    max_changes: int = 2000,
) -> Axioms:
    """Checks a voting rule on one profile for four axioms (Zwicker 2016, "Introduction to the
    theory of voting", Handbook of Computational Social Choice, ch. 2):

    - ``condorcet_winner``: the item majority preferred to every other, if any, is the only
      winner;
    - ``condorcet_loser``: the item every other is majority preferred to, if any, is not a
      winner;
    - ``pareto``: no winner is Pareto dominated (another item that every voter of positive
      weight strictly prefers to it);
    - ``monotonicity``: raising a winner in one ballot keeps it a winner, and lowering a
      non-winner keeps it a non-winner. Searched over every single-ballot change: each ranking
      of ``rankings`` (one row, with its weight: all the voters it stands for), each item, each
      place the item can be moved to as its own tie group (a raise improves its relation to
      some items and worsens none; a lowering the reverse), at most ``max_changes`` of them
      (each a run of the rule), rankings in order.

    Majority and preference follow ``unranked`` (as the rules' keyword: unranked items below
    the ranked ones, or the pair ignored); pass a rule that uses the same convention.

    Args:
        rule: any rule taking :class:`Rankings` and returning :class:`Consensus`
            (``ra.borda``, ``ra.instant_runoff``, ``ra.split_cycle``, … or a ``lambda`` or
            ``functools.partial`` with keywords).

    >>> import rankagg as ra
    >>> votes = ra.Rankings.from_lists([list("abc"), list("bac"), list("bca"), list("cab")], weights=[6, 2, 4, 5])
    >>> check = ra.axioms(ra.instant_runoff, votes)
    >>> check.holds["monotonicity"], check.violations["monotonicity"].after
    (False, ['a', 'b', 'c'])
    """
    if not isinstance(rankings, Rankings):
        raise RankaggError(f"axioms: rankings must be rankagg.Rankings, not {type(rankings).__name__}")
    if not one_of(unranked, ("below", "ignore")):
        raise RankaggError(f"unranked must be 'below' or 'ignore', not {unranked!r}")
    if isinstance(max_changes, bool) or not isinstance(max_changes, int) or max_changes < 0:
        raise RankaggError(f"axioms: max_changes must be an integer >= 0, not {max_changes!r}")
    if not callable(rule):
        raise RankaggError(f"axioms: rule must be a function taking Rankings, not {type(rule).__name__}")
    result = _run(rule, rankings)
    winners = list(result.winners)
    labels = rankings.labels.to_list()
    p = pairwise_preferences(rankings, unranked=unranked)
    m = p - p.T
    n = len(labels)
    off = ~np.eye(n, dtype=bool)
    holds: dict[str, bool | None] = {}
    violations: dict[str, Violation] = {}

    def fail(axiom: Axiom, detail: str, **extra: Any) -> None:
        holds[axiom] = False
        violations[axiom] = Violation(axiom, detail, extra.pop("votes", rankings), winners, **extra)

    cw = np.flatnonzero(((m > 0) | ~off).all(axis=1))
    holds["condorcet_winner"] = None if not len(cw) else True
    if len(cw) and winners != [labels[int(cw[0])]]:
        fail(
            "condorcet_winner", f"{labels[int(cw[0])]!r} is majority preferred to every other item; winners {winners!r}"
        )
    cl = np.flatnonzero(((m < 0) | ~off).all(axis=1)) if n > 1 else np.array([], dtype=np.int64)
    holds["condorcet_loser"] = None if not len(cl) else True
    if len(cl) and labels[int(cl[0])] in winners:
        fail("condorcet_loser", f"every other item is majority preferred to {labels[int(cl[0])]!r}, a winner")
    holds["pareto"] = True
    dominated = _pareto_dominated(rankings, unranked)
    for x in winners:
        better = dominated[labels.index(x)]
        if better is not None:
            fail("pareto", f"every voter prefers {labels[better]!r} to the winner {x!r}")
            break
    holds["monotonicity"] = True
    changes, exhaustive = 0, True
    ballots = rankings.to_lists()
    weights = rankings.weights
    for k, ballot in enumerate(ballots):
        if weights is not None and weights[k] == 0:
            continue
        for x in labels:
            won = x in winners
            for after in _moves(ballot, x, raise_=won, below=unranked == "below"):
                if changes >= max_changes:
                    exhaustive = False
                    break
                changes += 1
                changed = ballots[:k] + [after] + ballots[k + 1 :]
                votes = Rankings.from_lists(changed, weights=None if weights is None else weights.tolist())
                now = list(_run(rule, votes).winners)
                if (x in now) != won:
                    what = "raised, stops winning" if won else "lowered, becomes a winner"
                    fail(
                        "monotonicity",
                        f"{x!r} {what} when ranking {k} changes from {ballot!r} to {after!r}",
                        votes=votes,
                        voter=k,
                        before=ballot,
                        after=after,
                        winners_after=now,
                    )
                    break
            if holds["monotonicity"] is False or not exhaustive:
                break
        if holds["monotonicity"] is False or not exhaustive:
            break
    name = getattr(result, "method", getattr(rule, "__name__", "rule"))
    return Axioms(str(name), winners, holds, violations, changes, exhaustive)


def _run(rule: Callable[[Rankings], Consensus], votes: Rankings) -> Consensus:
    out = rule(votes)
    if not isinstance(out, Consensus):
        raise RankaggError(f"axioms: the rule must return rankagg.Consensus, not {type(out).__name__}")
    return out


def _pareto_dominated(r: Rankings, unranked: Unranked) -> list[int | None]:
    """Per item, an item every voter of positive weight strictly prefers to it (or None)."""
    lv = level_table(r, unranked)
    w = r.weights if r.weights is not None else np.ones(len(r))
    lv = lv[w > 0]
    n = lv.shape[1]
    out: list[int | None] = [None] * n
    if not len(lv):
        return out
    for a in range(n):
        better = (lv[:, a : a + 1] < lv).all(axis=0)  # NaN (pair ignored) compares False
        for b in np.flatnonzero(better).tolist():
            if b != a and out[b] is None:
                out[b] = a
    return out


def _moves(ballot: list[Any], x: Any, *, raise_: bool, below: bool) -> list[list[Any]]:
    """The ballots with ``x`` moved to another place as its own tie group that only raise it
    (``raise_``) or only lower it relative to the other items."""
    groups = [list(g) if isinstance(g, tuple) else [g] for g in ballot]
    where = next((i for i, g in enumerate(groups) if x in g), None)
    if where is None and not below:
        return []  # x is unranked and its pairs ignored: moving it would add comparisons
    others = [[y for y in g if y != x] for g in groups]
    others = [g for g in others if g]
    if where is None and not raise_:
        return []  # already below every ranked item
    before = _relation(groups, x)
    out = []
    for s in range(len(others) + 1):
        new = [*others[:s], [x], *others[s:]]
        rel = _relation(new, x)
        diff = [rel[y] - before[y] for y in before]
        up = raise_ and all(d >= 0 for d in diff) and any(d > 0 for d in diff)
        down = not raise_ and all(d <= 0 for d in diff) and any(d < 0 for d in diff)
        if up or down:
            out.append([g[0] if len(g) == 1 else tuple(g) for g in new])
    return out


def _relation(groups: list[list[Any]], x: Any) -> dict[Any, int]:
    """+1 / 0 / −1 per other ranked item: x above it, tied, below it (unranked x: below all)."""
    level = {y: i for i, g in enumerate(groups) for y in g}
    lx = level.get(x, len(groups))
    return {y: (ly > lx) - (ly < lx) for y, ly in level.items() if y != x}
