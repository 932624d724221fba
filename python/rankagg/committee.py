"""Committees: k items chosen from many rankings or approval ballots, optionally with group
bounds (at least / at most so many items of each group), as in Boehmer, Celis, Huang,
Mehrotra & Vishnoi, "Subset selection based on multiple rankings in the presence of bias"
(2023).

Rules (``rule=``), for voters v with weights w_v and a committee W of k items:

- ``"k_borda"`` (rankings): Σ_v w_v Σ_{c∈W} borda_v(c), borda_v(c) = the number of items v
  ranks below c (unranked items are below every ranked one and tied; ties give no points), the
  score of :func:`rankagg.borda`.
- ``"sntv"`` (rankings): Σ_{c∈W} of c's first places (a voter's k tied first places share
  the vote, as :func:`rankagg.plurality`).
- ``"bloc"``: each voter gives one point to each of her top k places (a tie group across the
  k-th place shares the places it covers; a truncated ranking gives only its listed places);
  on approval ballots, one point per approved item (approval voting, abcvoting's ``av``).
- ``"chamberlin_courant"``: Σ_v w_v max_{c∈W} u_v(c), u_v the Borda points above on rankings
  (Chamberlin & Courant 1983), approval (0/1) on approval ballots (abcvoting's ``cc``: the
  number of voters with an approved member).
- ``"pav"`` (approval ballots): Σ_v w_v (1 + 1/2 + … + 1/|W ∩ A_v|) (Thiele's proportional
  approval voting, abcvoting's ``pav``).
- ``"stv"`` (strict rankings): the single transferable vote with the Droop quota
  ⌊total weight / (k + 1)⌋ + 1 and weighted inclusive Gregory transfers: see :func:`committee`.

>>> import rankagg as ra
>>> ballots = ra.Approvals.from_lists([{"a", "b"}, {"a", "b"}, {"a", "c"}, {"c"}, {"d"}])
>>> result = ra.committee(ballots, 2, rule="pav")
>>> result.items, result.score, result.optimal
(['a', 'c'], 4.5, True)
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import polars as pl

from rankagg._util import MAX_SHOWN
from rankagg.budget import check_dense
from rankagg.checks import one_of
from rankagg.errors import GroupConstraintError, RankaggError
from rankagg.intake import Frame, check_no_nulls, select_columns
from rankagg.rankings import Rankings

__all__ = ["Approvals", "Committee", "committee"]

Rule = Literal["k_borda", "chamberlin_courant", "pav", "stv", "sntv", "bloc"]
Method = Literal["auto", "exact", "greedy"]
Bounds = int | Mapping[Any, int] | None

RULES = ("k_borda", "chamberlin_courant", "pav", "stv", "sntv", "bloc")
_SEPARABLE = ("k_borda", "sntv", "bloc")
_EXACT_MAX_K = 200
"""Beyond this committee size the search (one recursion level per member) is not tried."""
_WORK_LIMIT = 10**8
"""``node_limit=None``: nodes × (distinct ballots × items) read at most, and at most
``_NODE_CAP`` nodes (each node reads the ballots × items table about once)."""
_NODE_CAP = 100_000


@dataclass(frozen=True)
class Approvals:
    """Approval ballots: ballot ``k`` approves ``items[offsets[k]:offsets[k+1]]`` (codes into
    ``labels``, in label order), with ``weights`` per ballot (or None) and ``voters`` naming
    each ballot. Items nobody approves are not candidates.

    >>> import rankagg as ra
    >>> a = ra.Approvals.from_lists([["x", "y"], ["z"], []])
    >>> len(a), a.labels.to_list()
    (3, ['x', 'y', 'z'])
    """

    labels: pl.Series
    offsets: np.ndarray
    items: np.ndarray
    weights: np.ndarray | None
    voters: pl.Series

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @classmethod
    def _of(cls, r: Rankings) -> Approvals:
        return cls(r.labels, r.offsets, r.items, r.weights, r.voters)

    @classmethod
    def from_lists(cls, ballots: Iterable[Iterable[Any]], *, weights: Sequence[float] | None = None) -> Approvals:
        """One collection of approved items per voter (sets, lists, tuples); voters are
        numbered 0, 1, … An item listed twice in one ballot is an error.

        >>> import rankagg as ra
        >>> ra.Approvals.from_lists([{"a"}, ["a", "b"]], weights=[2, 1]).weights.tolist()
        [2.0, 1.0]
        """
        groups: list[list[Any]] = []
        for k, ballot in enumerate(ballots):
            if isinstance(ballot, (str, bytes)) or not isinstance(ballot, Iterable):
                raise RankaggError(f"ballot {k} is {type(ballot).__name__}, not a collection of approved items")
            items = list(ballot)
            groups.append([tuple(items)] if items else [])
        return cls._of(Rankings.from_lists(groups, weights=weights))

    @classmethod
    def from_frame(
        cls, data: Frame, *, voter: str = "voter", item: str = "item", weight: str | None = None
    ) -> Approvals:
        """Long format: one row per (voter, approved item); ``weight`` a per-voter weight
        (constant within a voter).

        >>> import rankagg as ra
        >>> ra.Approvals.from_frame({"voter": [1, 1, 2], "item": ["x", "y", "x"]}).items.tolist()
        [0, 1, 0]
        """
        cols = [("voter", voter), ("item", item)] + ([("weight", weight)] if weight is not None else [])
        frame = select_columns(data, cols)
        rank = "rank" if "rank" not in (voter, item, weight) else "_rank"
        frame = frame.with_columns(pl.lit(0, dtype=pl.UInt8).alias(rank))
        return cls._of(Rankings.from_frame(frame, voter=voter, item=item, rank=rank, weight=weight))


@dataclass(frozen=True, repr=False)
class Committee:
    """The result of :func:`committee`. ``items``: the committee, in ``.table`` order;
    ``score``: its value under the rule (None for STV, which optimises nothing);
    ``optimal``: True only when no committee meeting the bounds scores more (proved: every
    separable rule, and a completed search, which prunes within 1e-9 of total weight × largest
    utility, against rounding); ``upper_bound``: a proved bound on the best score
    (equal to ``score`` when optimal), ``gap`` = upper_bound − score; ``method``: ``"exact"``
    (a separable rule, or a completed search), ``"greedy"`` (greedy, improved by a search that
    stopped at its node limit) or ``"stv"``.

    ``table``: one row per member — item, position (1 … k), group (with ``groups=``) and
    ``score``: for the separable rules the item's own score, best first; for Chamberlin–Courant
    and PAV what the item adds to the members before it, in the order that adds most at each
    step; for STV ``votes``, the item's votes when elected, in order of election."""

    items: list[Any]
    score: float | None
    optimal: bool | None
    upper_bound: float | None
    method: str
    rule: str
    table: pl.DataFrame
    options: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    """Search effort: ``nodes`` visited, ``node_limit``, whether the search ``completed``."""

    @property
    def gap(self) -> float | None:
        """upper_bound − score (0 when optimal; None for STV)."""
        if self.score is None or self.upper_bound is None:
            return None
        return max(self.upper_bound - self.score, 0.0)

    def __repr__(self) -> str:
        head = f"Committee({self.rule}, k={len(self.items)}, {self.method}"
        if self.score is not None:
            head += f", score {self.score:g}, " + ("optimal" if self.optimal else f"upper bound {self.upper_bound:g}")
        with pl.Config(tbl_rows=12, tbl_hide_dataframe_shape=True):
            return f"{head})\n{self.table!r}"


# --- utilities per voter ---------------------------------------------------------------------


def _entry_points(ballots: Rankings | Approvals, rule: str, k: int) -> np.ndarray:
    """Per entry of ``ballots.items`` (a ranked or approved item of a voter), the points the
    rule gives it: approvals 1; Borda the number of items the voter ranks strictly below it
    (unranked items are below every ranked one and get 0); top places (``sntv``: 1, ``bloc``:
    k) a group of tied items covering places [a, b) shares max(0, min(b, places) − a)."""
    if isinstance(ballots, Approvals):
        return np.ones(len(ballots.items))
    r, n = ballots, len(ballots.labels)
    lengths = np.diff(r.offsets).astype(np.int64)
    owner = np.repeat(np.arange(len(r)), lengths)
    mine = owner * (n + 1) + r.levels.astype(np.int64)
    if len(mine) and bool(np.all(mine[1:] >= mine[:-1])):  # levels ascend within each ranking
        run = np.concatenate([[0], np.flatnonzero(mine[1:] != mine[:-1]) + 1, [len(mine)]])
        per_run = np.diff(run)
        first, last = np.repeat(run[:-1], per_run), np.repeat(run[1:], per_run)
    else:
        key = np.sort(mine)
        first, last = np.searchsorted(key, mine, side="left"), np.searchsorted(key, mine, side="right")
    above = first - r.offsets[:-1].astype(np.int64)[owner]  # the voter's items strictly above
    size = last - first  # the entry's tie group
    if rule == "sntv" or rule == "bloc":
        places = 1 if rule == "sntv" else k
        return np.clip(np.minimum(above + size, places) - above, 0, None) / size
    return (n - above - size).astype(np.float64)


def _utilities(ballots: Rankings | Approvals, rule: str, k: int) -> np.ndarray:
    """Per entry of ``ballots.items``, its points under the rule (see the module docstring);
    raises for ballots the rule does not take."""
    if not isinstance(ballots, (Rankings, Approvals)):
        raise RankaggError(
            f"committee takes rankagg.Rankings or rankagg.Approvals, not {type(ballots).__name__}: "
            "read a long table with Rankings.from_frame(data, voter=, item=, rank=) or Approvals.from_frame(data, voter=, item=)"
        )
    if isinstance(ballots, Approvals) and rule not in ("pav", "chamberlin_courant", "bloc"):
        raise RankaggError(
            f"rule {rule!r} needs rankings (rankagg.Rankings), not approval ballots: on approvals use 'pav', "
            "'chamberlin_courant' or 'bloc' (approval voting)"
        )
    if isinstance(ballots, Rankings) and rule == "pav":
        raise RankaggError(
            "rule 'pav' needs approval ballots (rankagg.Approvals), not rankings: a ranking does not say which items "
            "the voter approves; use 'chamberlin_courant' or 'k_borda' on rankings"
        )
    return _entry_points(ballots, rule, k)


def _table(ballots: Rankings | Approvals, points: np.ndarray) -> np.ndarray:
    """The dense voters × items utility table (0 for items a voter did not rank or approve)."""
    check_dense((len(ballots), len(ballots.labels)), "the voters × items utility table")
    out = np.zeros((len(ballots), len(ballots.labels)))
    out[np.repeat(np.arange(len(ballots)), np.diff(ballots.offsets).astype(np.int64)), ballots.items] = points
    return out


# --- group bounds ---------------------------------------------------------------------------


def _group_of_items(labels: pl.Series, groups: Frame | Mapping[Any, Any]) -> tuple[np.ndarray, list[Any]]:
    """Per item (label order) its group's index, and the group names (sorted)."""
    as_columns = (
        isinstance(groups, Mapping) and {"item", "group"} <= set(groups) and not isinstance(groups["item"], str)
    )
    if isinstance(groups, Mapping) and not as_columns:
        items, names = list(groups.keys()), list(groups.values())
        if any(g is None for g in names):
            raise GroupConstraintError(
                f"groups= maps items {[i for i, g in zip(items, names) if g is None][:MAX_SHOWN]} to None"
            )
    else:
        frame = select_columns(groups, [("item", "item"), ("group", "group")])
        check_no_nulls(frame, "item", "groups: item")
        check_no_nulls(frame, "group", "groups: group")
        items, names = frame["item"].to_list(), frame["group"].to_list()
    mapping: dict[Any, Any] = {}
    clash = []
    for item, g in zip(items, names):
        if item in mapping and mapping[item] != g:
            clash.append(item)
        mapping[item] = g
    if clash:
        raise GroupConstraintError(f"groups= puts items {clash[:MAX_SHOWN]} in two groups")
    label_list = labels.to_list()
    missing = [x for x in label_list if x not in mapping]
    if missing:
        raise GroupConstraintError(
            f"{len(missing)} item(s) have no group in groups=: {missing[:MAX_SHOWN]} (give every candidate a group)"
        )
    try:
        names_sorted = sorted({mapping[x] for x in label_list})
    except TypeError:
        raise GroupConstraintError("groups= names groups of different types that cannot be ordered") from None
    index = {g: i for i, g in enumerate(names_sorted)}
    return np.array([index[mapping[x]] for x in label_list], dtype=np.int64), names_sorted


def _bounds(value: Bounds, names: list[Any], default: int, keyword: str) -> np.ndarray:
    out = np.full(len(names), default, dtype=np.int64)
    if value is None:
        return out
    if isinstance(value, Mapping):
        unknown = [g for g in value if g not in set(names)]
        if unknown:
            raise GroupConstraintError(
                f"{keyword}= names groups that no candidate belongs to: {unknown[:MAX_SHOWN]} (groups are {names[:MAX_SHOWN]})"
            )
        pairs = list(value.items())
    else:
        pairs = [(g, value) for g in names]
    index = {g: i for i, g in enumerate(names)}
    for g, bound in pairs:
        if isinstance(bound, bool) or not isinstance(bound, (int, np.integer)) or bound < 0:
            raise GroupConstraintError(f"{keyword}= must be whole numbers >= 0; group {g!r} has {bound!r}")
        out[index[g]] = min(int(bound), 2**62)  # beyond any group's size: the same bound, and it fits int64
    return out


def _check_feasible(k: int, group: np.ndarray, names: list[Any], lo: np.ndarray, hi: np.ndarray) -> None:
    size = np.bincount(group, minlength=len(names))
    for g, name in enumerate(names):
        if lo[g] > size[g]:
            raise GroupConstraintError(f"group {name!r} has {size[g]} candidate(s), fewer than at_least={lo[g]}")
    for g, name in enumerate(names):
        if lo[g] > hi[g] and lo[g] <= k:
            raise GroupConstraintError(f"group {name!r}: at_least={lo[g]} is more than at_most={hi[g]}")
    if lo.sum() > k:
        raise GroupConstraintError(
            f"the at_least bounds add up to {int(lo.sum())}, more than the committee size k={k}: "
            + ", ".join(f"{names[g]!r}: {lo[g]}" for g in np.flatnonzero(lo)[:MAX_SHOWN])
        )
    room = np.minimum(hi, size)
    if room.sum() < k:
        raise GroupConstraintError(
            f"at most {int(room.sum())} items can be chosen under the at_most bounds and group sizes, fewer than k={k}: "
            + ", ".join(f"{names[g]!r}: {room[g]}" for g in range(len(names))[:MAX_SHOWN])
        )


# --- the optimisation ------------------------------------------------------------------------


def _best_separable(
    value: np.ndarray, pool: np.ndarray, group: np.ndarray, lo: np.ndarray, hi: np.ndarray, r: int
) -> tuple[float, np.ndarray] | None:
    """The r items of ``pool`` (indices, any order) with the largest total ``value`` such that
    each group g gets between lo[g] and hi[g] of them; None when no choice meets the bounds.
    Ties go to the smaller index.

    Why this is optimal: some optimum takes, in each group, that group's c_g best items (swap a
    taken item for a better untaken one of the same group: the counts stay, the total does not
    drop). So the problem is to choose counts c_g with Σ c_g = r and lo ≤ c ≤ hi maximising
    Σ_g P_g(c_g), P_g the prefix sums of the group's values sorted in decreasing order, which are
    concave. Taking every group's lo[g] best items, then the r − Σ lo best of the items ranked
    lo[g] + 1 … hi[g] in their groups, is optimal for a sum of concave functions (each marginal
    value is at most the one before it in its group, so this is a greedy on decreasing
    marginals, the classical resource-allocation argument, Gross 1956), and it is a prefix of
    every group's list, as the counts argument needs."""
    if r < 0 or lo.sum() > r:
        return None
    order = pool[np.lexsort((pool, -value[pool], group[pool]))]  # by group, best first
    g = group[order]
    starts = np.searchsorted(g, np.arange(len(lo)))
    rank = np.arange(len(order)) - starts[g]
    if np.any(np.bincount(g, minlength=len(lo)) < lo):
        return None
    must = order[rank < lo[g]]
    optional = order[(rank >= lo[g]) & (rank < hi[g])]
    extra = r - len(must)
    if extra > len(optional):
        return None
    best = optional[np.lexsort((optional, -value[optional]))[:extra]]
    chosen = np.concatenate([must, best])
    return float(value[chosen].sum()), chosen


class _Objective:
    """Σ_v w_v f(u_v on W): ``kind`` "max" (Chamberlin–Courant) or "pav" (harmonic in the
    number of approved members). The state is per voter: the best utility so
    far ("max") or the number of approved members ("pav")."""

    def __init__(self, u: np.ndarray, w: np.ndarray, kind: str) -> None:
        self.u, self.w, self.kind = np.asfortranarray(u), w, kind
        # Products with the voters × items table go through einsum, not BLAS: on a loaded
        # machine OpenBLAS's threads made one 10^4 × 100 product take ~20 ms instead of ~1.5.
        self.binary = bool(np.all((u == 0) | (u == 1)))
        if self.binary:  # approvals: sums over the approvals only
            self.rows, self.cols = np.nonzero(u)
            # The score of a voter with c approved members: H(c) (PAV) or min(c, 1) (CC).
            counts = np.arange(u.shape[1] + 2, dtype=np.float64)
            with np.errstate(divide="ignore"):
                steps = np.where(counts > 0, 1.0 / counts, 0.0)
            self.per_count = np.cumsum(steps) if kind == "pav" else np.minimum(counts, 1.0)

    def start(self) -> np.ndarray:
        return np.zeros(len(self.w))

    def gains(self, state: np.ndarray) -> np.ndarray:
        """Per item, what adding it to the committee of ``state`` adds to the score."""
        n = self.u.shape[1]
        if self.binary:
            per_voter = self.w / (state + 1.0) if self.kind == "pav" else np.where(state < 1.0, self.w, 0.0)
            return np.bincount(self.cols, per_voter[self.rows], minlength=n)
        if self.kind == "max":
            return np.einsum("v,vi->i", self.w, np.maximum(self.u - state[:, None], 0.0))
        return np.einsum("v,vi->i", self.w / (state + 1.0), self.u)

    def gain_of_all(self, state: np.ndarray, pool: np.ndarray) -> float:
        """What adding every item of ``pool`` adds: a bound on adding any of them, since the
        score is monotone (tight for Chamberlin–Courant when voters' favourites are few)."""
        if not len(pool):
            return 0.0
        if self.kind == "max":
            return float(np.dot(self.w, np.maximum(self.u[:, pool].max(axis=1) - state, 0.0)))
        count = state.astype(np.int64)
        harmonic = np.concatenate([[0.0], np.cumsum(1.0 / np.arange(1, count.max(initial=0) + len(pool) + 1))])
        more = count + self.u[:, pool].sum(axis=1).astype(np.int64)
        return float(np.dot(self.w, harmonic[more] - harmonic[count]))

    def tangent_bound(
        self, state: np.ndarray, guess: np.ndarray, solve: Callable[[np.ndarray], tuple[float, np.ndarray] | None]
    ) -> tuple[float, np.ndarray | None]:
        """Approval ballots only: a bound on what any allowed set T of further members adds,
        and the set ``solve`` chose. A voter with c approved members gains g(t) = F(c + t) −
        F(c) from t more, concave in t, so the line through t* and t* + 1 (t* = how many of
        ``guess`` the voter approves) lies above g at every whole t: the gain of T is at most
        Σ_v w_v (α_v + β_v |T ∩ A_v|), a constant plus a sum over T's items, which ``solve``
        (the separable problem under the remaining bounds) maximises."""
        f = self.per_count
        c = state.astype(np.int64)
        t = c + self.u[:, guess].sum(axis=1).astype(np.int64)
        beta = f[t + 1] - f[t]
        alpha = f[t] - f[c] - (t - c) * beta
        pick = solve(np.bincount(self.cols, (self.w * beta)[self.rows], minlength=self.u.shape[1]))
        if pick is None:
            return math.inf, None
        return float(np.dot(self.w, alpha)) + pick[0], pick[1]

    def add(self, state: np.ndarray, i: int) -> np.ndarray:
        if self.kind == "max":
            return np.maximum(state, self.u[:, i])
        return state + self.u[:, i]

    def value(self, chosen: Sequence[int]) -> float:
        members = np.asarray(chosen, dtype=np.int64)
        if not len(members):
            return 0.0
        if self.kind == "max":
            return float(np.dot(self.w, self.u[:, members].max(axis=1)))
        harmonic = np.concatenate([[0.0], np.cumsum(1.0 / np.arange(1, len(members) + 1))])
        return float(np.dot(self.w, harmonic[self.u[:, members].sum(axis=1).astype(np.int64)]))


def _room(counts: np.ndarray, lo: np.ndarray, hi: np.ndarray, group: np.ndarray, r: int) -> np.ndarray:
    """Per item: whether adding it keeps the bounds satisfiable with r − 1 more picks."""
    need = np.maximum(lo - counts, 0)
    after = need.sum() - (need[group] > 0)
    return (counts[group] < hi[group]) & (after <= r - 1)


def _greedy(obj: _Objective, group: np.ndarray, lo: np.ndarray, hi: np.ndarray, k: int) -> list[int]:
    """Adds, k times, the item with the largest gain among those that keep the bounds
    satisfiable (ties: label order)."""
    n = len(group)
    chosen: list[int] = []
    state, counts, free = obj.start(), np.zeros(len(lo), dtype=np.int64), np.ones(n, dtype=bool)
    for step in range(k):
        ok = free & _room(counts, lo, hi, group, k - step)
        gains = np.where(ok, obj.gains(state), -np.inf)
        i = int(np.argmax(gains))
        chosen.append(i)
        free[i] = False
        counts[group[i]] += 1
        state = obj.add(state, i)
    return chosen


class _Stop(Exception):
    pass


def _branch_and_bound(
    obj: _Objective,
    group: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    k: int,
    start: list[int],
    node_limit: int | None,
) -> tuple[list[int], float, float, int, bool]:
    """Depth-first search over committees (items in the order of their gain alone), from the
    incumbent ``start``. A node (members S, candidates the items after the last member) is
    pruned when f(S) + the best choice of the remaining members' gains given S, under the
    remaining group bounds (:func:`_best_separable`), is no better than the incumbent: by
    submodularity f(S ∪ T) ≤ f(S) + Σ_{t∈T} gain(t | S), so this bounds every completion; so
    does f(S ∪ all candidates), by monotonicity, and the smaller of the two is used. That
    choice is also evaluated as a completion (a cheap incumbent). Returns (best, value, upper
    bound, nodes, completed)."""
    n = len(group)
    root_gain = obj.gains(obj.start())
    order = np.lexsort((np.arange(n), -root_gain))
    best = list(start)
    best_value = obj.value(best)
    scale = max(float(np.abs(obj.w).sum()) * float(np.abs(obj.u).max(initial=0.0)), 1.0)
    eps = 1e-9 * scale
    open_bounds: list[float] = []
    nodes = 0

    def search(state: np.ndarray, chosen: list[int], counts: np.ndarray, at: int, value: float) -> None:
        nonlocal best, best_value, nodes
        r = k - len(chosen)
        if r == 0:
            if value > best_value + eps:
                best, best_value = list(chosen), value
            return
        nodes += 1
        if node_limit is not None and nodes > node_limit:
            raise _Stop
        gains = obj.gains(state)
        pool = order[at:]
        pick = _best_separable(gains, pool, group, np.maximum(lo - counts, 0), hi - counts, r)
        if pick is None:
            return
        rest = min(pick[0], obj.gain_of_all(state, pool))
        if obj.binary:  # two tangent bounds: at the linear bound's choice, then at its own
            solve = functools.partial(
                _best_separable, pool=pool, group=group, lo=np.maximum(lo - counts, 0), hi=hi - counts, r=r
            )
            guess: np.ndarray | None = pick[1]
            for _ in range(2):
                if guess is None:
                    break
                tangent, guess = obj.tangent_bound(state, guess, solve)
                rest = min(rest, tangent)
        bound = value + rest
        if bound <= best_value + eps:
            return
        completion = chosen + pick[1].tolist()
        trial = obj.value(completion)
        if trial > best_value + eps:
            best, best_value = completion, trial
            if bound <= best_value + eps:
                return
        open_bounds.append(bound)
        for j in range(at, n - r + 1):
            i = int(order[j])
            if counts[group[i]] >= hi[group[i]]:
                continue
            counts[group[i]] += 1
            search(obj.add(state, i), [*chosen, i], counts, j + 1, value + float(gains[i]))
            counts[group[i]] -= 1
            if open_bounds[-1] <= best_value + eps:
                break
        open_bounds.pop()

    try:
        search(obj.start(), [], np.zeros(len(lo), dtype=np.int64), 0, 0.0)
    except _Stop:
        # The node being entered is covered by its parent's bound; at the root, by nothing.
        return best, best_value, max([best_value, *open_bounds]) if open_bounds else math.inf, nodes - 1, False
    return best, best_value, best_value, nodes, True


def _in_gain_order(obj: _Objective, chosen: Sequence[int]) -> tuple[list[int], list[float]]:
    """The members ordered by the greedy on themselves (each adds most given those before),
    with what each adds; ties in label order."""
    rest, state, out, gain = sorted(int(i) for i in chosen), obj.start(), [], []
    while rest:
        g = obj.gains(state)[rest]
        j = int(np.argmax(g))
        out.append(rest.pop(j))
        gain.append(float(g[j]))
        state = obj.add(state, out[-1])
    return out, gain


# --- STV -------------------------------------------------------------------------------------

_STV_EPS = 1e-12


def _stv(r: Rankings, k: int) -> tuple[list[int], list[float]]:
    """Single transferable vote on strict rankings: Droop quota, weighted inclusive Gregory."""
    tied = r.tied_rankings()
    if tied:
        raise RankaggError(
            f"rule 'stv' needs strict rankings (a ballot's next preference must be one item; STV has no "
            f"agreed rule for tied preferences and none is assumed): rankings {tied[:MAX_SHOWN]} have ties; "
            "break the ties, or use rule='chamberlin_courant', which takes tied rankings"
        )
    n, m = len(r.labels), len(r)
    lengths = np.diff(r.offsets).astype(np.int64)
    check_dense((m, int(lengths.max(initial=0)) + 1), "the ballots × places table")
    ballot = np.full((m, int(lengths.max(initial=0)) + 1), -1, dtype=np.int64)
    owner = np.repeat(np.arange(m), lengths)
    ballot[owner, np.arange(len(r.items)) - np.repeat(r.offsets[:-1].astype(np.int64), lengths)] = r.items
    value = r.weights.astype(float).copy() if r.weights is not None else np.ones(m)
    quota = math.floor(float(value.sum()) / (k + 1)) + 1
    place = np.zeros(m, dtype=np.int64)
    continuing = np.ones(n, dtype=bool)
    rows = np.arange(m)

    def current() -> np.ndarray:
        return ballot[rows, place]

    def advance(which: np.ndarray) -> None:
        """Moves the ballots ``which`` to their next continuing preference (or exhausts them)."""
        place[which] += 1
        while True:
            item = ballot[which, place[which]]
            stuck = (item >= 0) & ~continuing[np.maximum(item, 0)]
            if not stuck.any():
                return
            place[which[stuck]] += 1

    advance(rows[~continuing[np.maximum(current(), 0)] & (current() >= 0)])
    winners: list[int] = []
    votes: list[float] = []

    def tallies() -> np.ndarray:
        cur = current()
        live = cur >= 0
        return np.bincount(cur[live], value[live], minlength=n)

    while len(winners) < k:
        tally = tallies()
        seats = k - len(winners)
        reached = np.flatnonzero(continuing & (tally >= quota - _STV_EPS))
        if len(reached):
            elected = reached[np.lexsort((reached, -tally[reached]))][:seats]
            continuing[elected] = False
            winners.extend(int(c) for c in elected)
            votes.extend(float(tally[c]) for c in elected)
            if len(winners) == k:
                break
            for c in elected:  # each surplus moves onward (only to continuing items: order-free)
                surplus = tally[c] - quota
                at_c = np.flatnonzero(current() == c)
                if surplus > _STV_EPS and len(at_c):
                    value[at_c] *= surplus / tally[c]
                    advance(at_c)
                else:
                    place[at_c] = ballot.shape[1] - 1  # parked at c: nothing left to transfer
        elif continuing.sum() > seats:
            alive = np.flatnonzero(continuing)
            low = alive[tally[alive] <= tally[alive].min() + _STV_EPS]
            out = int(low.max())  # ties: the last label is eliminated
            continuing[out] = False
            advance(np.flatnonzero(current() == out))
            continue
        if continuing.sum() <= k - len(winners):
            rest = np.flatnonzero(continuing)
            tally = tallies()
            winners.extend(int(c) for c in rest)
            votes.extend(float(tally[c]) for c in rest)
            break
    return winners, votes


# --- entry point -----------------------------------------------------------------------------


def committee(
    ballots: Rankings | Approvals,
    k: int,
    *,
    rule: Rule = "k_borda",
    groups: Frame | Mapping[Any, Any] | None = None,
    at_least: Bounds = None,
    at_most: Bounds = None,
    method: Method = "auto",
    node_limit: int | None = None,
) -> Committee:
    """Selects a committee of ``k`` items from rankings (:class:`rankagg.Rankings`) or approval
    ballots (:class:`Approvals`) under a multiwinner ``rule`` (see the module docstring for the
    rules and which ballots each takes), optionally under group bounds: ``groups`` maps every
    item to its group (a mapping item → group, or a frame with columns ``item`` and ``group``,
    such as a dict of those two columns),
    and ``at_least`` / ``at_most`` give per-group bounds on the number of members (a mapping
    group → whole number, or one number for every group).

    **Separable rules** (``k_borda``, ``sntv``, ``bloc``: a committee's score is the sum of its
    items' scores) are solved exactly with any bounds, in O(n log n): some optimum takes each
    group's best items, and the counts per group are found by a greedy on decreasing marginal
    values, which is optimal because prefix sums of sorted values are concave (see
    ``_best_separable``'s docstring for the proof). Equal scores go to label order.

    **Chamberlin–Courant and PAV** are NP-hard (Procaccia, Rosenschein & Zohar 2008; Aziz et
    al. 2015). Their objectives are monotone submodular, so every committee extending S scores
    at most f(S) plus the best choice of the remaining members' gains given S under the
    remaining bounds (and at most f(S ∪ every candidate left), as f is monotone; on approval
    ballots, at most a bound from lines above each voter's concave gain, see
    ``_Objective.tangent_bound``): a branch and
    bound on that bound, started from the greedy committee, proves optimality
    (``method="auto"``, the default, or ``"exact"``) unless it visits more than ``node_limit``
    nodes (default: 10⁸ / (distinct ballots × items), between 100 and 100,000, a few seconds;
    ``"exact"``: no limit; committees of more than 200 are never searched). Equal ballots are
    merged first. Otherwise the best committee found is returned with ``optimal=False``,
    ``method="greedy"`` and ``upper_bound`` the best of: the open nodes' bounds, the greedy
    value / (1 − 1/e) without groups (greedy's guarantee for monotone submodular functions
    under a cardinality constraint: Nemhauser, Wolsey & Fisher 1978), and twice the greedy
    value with group bounds (the sets extendable to a committee meeting the bounds are the
    independent sets of a matroid — El Halabi et al. 2020 — and the greedy that keeps the
    bounds satisfiable is the matroid greedy, within 1/2: Fisher, Nemhauser & Wolsey 1978).
    ``method="greedy"`` skips the search.

    **STV**: the Droop quota q = ⌊W / (k + 1)⌋ + 1 (W the total weight); each ballot counts for
    its highest continuing item. Every item reaching q is elected (most votes first, at most
    the seats left); each one's surplus (votes − q) moves on with every ballot it holds, at the
    fraction surplus / votes of its current value (weighted inclusive Gregory; a ballot with
    no further continuing preference is exhausted). When nobody reaches q, the item with the
    fewest votes is eliminated (equal: the last in label order) and its ballots move on at
    full value; once the continuing items are no more than the seats left, all are elected.
    This is pref_voting's ``stv_wig`` with ``quota_rule="droop"``. STV needs strict rankings
    (tied ballots raise :class:`RankaggError` naming them: the count moves a ballot to its next
    preference, one item, and the variants that split a ballot over tied preferences are not
    pref_voting's nor one agreed rule) and takes no group bounds (it optimises no score to
    constrain: :class:`GroupConstraintError`). ``score`` is None.

    >>> import rankagg as ra
    >>> votes = ra.Rankings.from_lists([list("abcd")] * 4 + [list("cdab")] * 3)
    >>> ra.committee(votes, 2).items
    ['a', 'c']
    >>> groups = {"a": "x", "b": "x", "c": "y", "d": "y"}
    >>> ra.committee(votes, 2, rule="chamberlin_courant", groups=groups, at_least=1).items
    ['a', 'c']
    >>> ra.committee(votes, 2, groups=groups, at_most={"x": 2, "y": 0}).items
    ['a', 'b']
    """
    if not one_of(rule, RULES):
        raise RankaggError(f"rule must be one of {', '.join(map(repr, RULES))}, not {rule!r}")
    if not one_of(method, ("auto", "exact", "greedy")):
        raise RankaggError(f"method must be 'auto', 'exact' or 'greedy', not {method!r}")
    if node_limit is not None and (
        isinstance(node_limit, bool) or not isinstance(node_limit, (int, np.integer)) or node_limit < 0
    ):
        raise RankaggError(f"node_limit must be a whole number >= 0, not {node_limit!r}")
    if not isinstance(ballots, (Rankings, Approvals)):
        _utilities(ballots, rule, 1)  # raises, naming the type
    n = len(ballots.labels)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise RankaggError(f"k must be a whole number, not {k!r}")
    k = int(k)
    if not 1 <= k <= n:
        raise RankaggError(f"k must be between 1 and the number of candidates ({n}), not {k}")
    if groups is None:
        if at_least is not None or at_most is not None:
            raise GroupConstraintError("at_least= and at_most= need groups= (which group each item belongs to)")
        group, names = np.zeros(n, dtype=np.int64), [None]
    else:
        if rule == "stv":
            raise GroupConstraintError(
                "rule 'stv' takes no group bounds: it is a counting procedure, not a score to maximise under "
                "constraints; use 'chamberlin_courant' (the proportional rule on rankings) with groups="
            )
        group, names = _group_of_items(ballots.labels, groups)
    lo = _bounds(at_least, names, 0, "at_least")
    hi = _bounds(at_most, names, k, "at_most")
    _check_feasible(k, group, names, lo, hi)
    options: dict[str, Any] = {"k": k}
    if groups is not None:
        options.update(at_least=dict(zip(names, lo.tolist())), at_most=dict(zip(names, hi.tolist())))
    labels = ballots.labels

    def table(chosen: Sequence[int], score: Sequence[float], name: str = "score") -> pl.DataFrame:
        idx = pl.Series(np.asarray(chosen, dtype=np.int64))
        columns: dict[str, Any] = {
            "item": labels.gather(idx),
            "position": np.arange(1, len(chosen) + 1, dtype=np.uint32),
        }
        if groups is not None:
            columns["group"] = pl.Series("group", [names[g] for g in group[np.asarray(chosen, dtype=np.int64)]])
        columns[name] = np.asarray(score, dtype=float)
        return pl.DataFrame(columns)

    if rule == "stv":
        if not isinstance(ballots, Rankings):
            _utilities(ballots, rule, k)  # raises: STV needs rankings
            raise AssertionError
        winners, votes = _stv(ballots, k)
        t = table(winners, votes, "votes")
        return Committee(t["item"].to_list(), None, None, None, "stv", rule, t, options)
    stats: dict[str, Any] = {"nodes": 0, "node_limit": None, "completed": True}
    points = _utilities(ballots, rule, k)
    w = ballots.weights if ballots.weights is not None else np.ones(len(ballots))
    if rule in _SEPARABLE:  # per-item sums over the entries: no dense table
        lengths = np.diff(ballots.offsets).astype(np.int64)
        scores = np.bincount(ballots.items, points * np.repeat(w, lengths), minlength=n)
        pick = _best_separable(scores, np.arange(n), group, lo, hi, k)
        assert pick is not None  # _check_feasible
        chosen = pick[1][np.lexsort((pick[1], -scores[pick[1]]))].tolist()
        score = float(scores[chosen].sum())
        t = table(chosen, scores[chosen])
        return Committee(t["item"].to_list(), score, True, score, "exact", rule, t, options, stats)
    u = _table(ballots, points)
    keep = w > 0
    u, w = u[keep], w[keep]
    if len(u):  # equal ballots collapse to one weighted row
        u, inverse = np.unique(u, axis=0, return_inverse=True)
        w = np.bincount(inverse.reshape(-1), w, minlength=len(u))
    obj = _Objective(u, w, "pav" if rule == "pav" else "max")
    greedy = _greedy(obj, group, lo, hi, k)
    greedy_value = obj.value(greedy)
    guarantee = greedy_value / (1 - 1 / math.e) if groups is None else 2 * greedy_value
    root = _best_separable(obj.gains(obj.start()), np.arange(n), group, lo, hi, k)
    assert root is not None
    upper = min(guarantee, root[0], obj.gain_of_all(obj.start(), np.arange(n)))
    if obj.binary:
        solve = functools.partial(_best_separable, pool=np.arange(n), group=group, lo=lo, hi=hi, r=k)
        upper = min(upper, obj.tangent_bound(obj.start(), np.asarray(greedy), solve)[0])
    chosen, value, completed = greedy, greedy_value, False
    if method != "greedy" and k <= _EXACT_MAX_K:
        if method == "exact":
            limit = None
        elif node_limit is None:  # about 10^8 table entries read: seconds
            limit = int(min(_NODE_CAP, max(100, _WORK_LIMIT // max(u.size, 1))))
        else:
            limit = int(node_limit)
        chosen, value, bound, nodes, completed = _branch_and_bound(obj, group, lo, hi, k, greedy, limit)
        upper = value if completed else max(min(upper, bound), value)
        stats = {"nodes": nodes, "node_limit": limit, "completed": completed}
    else:
        stats = {"nodes": 0, "node_limit": None, "completed": False}
    ordered, gains = _in_gain_order(obj, chosen)
    t = table(ordered, gains)
    return Committee(
        t["item"].to_list(),
        value,
        bool(completed),
        upper,
        "exact" if completed else "greedy",
        rule,
        t,
        options,
        stats,
    )
