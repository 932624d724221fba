"""Voting rules defined on the majority graph and its margins, beyond those of :mod:`rankagg.vote`:
Split Cycle, Stable Voting, Beat Path, River, Slater, the top cycle, the uncovered set, and the
combined rules of Black and Daunou. Each is named as pref_voting names it, and its winner set
follows pref_voting's definition (checked against it in tests/test_vote_majority.py).

Margins ``m[i, j] = P[i, j] − P[j, i]`` come from :func:`rankagg.pairwise_preferences` (or a
:class:`Preferences` / :class:`PairTable`), with the same ``unranked=`` convention as
:func:`rankagg.schulze`. i is *majority preferred* to j when ``m[i, j] > 0``.

Every rule returns a :class:`Consensus` whose position-1 items are its winners. Below them,
each rule documents its full ranking; for the rules that give a relation ("defeat", covering,
…) rather than scores, positions are the layers obtained by repeatedly removing the items
nothing remaining defeats, and ``score`` is the number of items at worse positions.

>>> import rankagg as ra
>>> votes = ra.Rankings.from_lists([list("abc")] * 4 + [list("bca")] * 3 + [list("cab")] * 2)
>>> ra.split_cycle(votes).winners, ra.stable_voting(votes).winners, ra.river(votes).winners
(['a'], ['a'], ['a'])
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from rankagg.checks import one_of
from rankagg.consensus import (
    Consensus,
    Votes,
    competition_positions,
    exact_shares,
    level_table,
    majority_margins,
    make_consensus,
    rankings_only,
    smith_indices,
    widest_paths,
)
from rankagg.errors import RankaggError
from rankagg.preferences import Unranked
from rankagg.vote import Method, TieBreak, borda, linear_ordering, schulze

__all__ = [
    "beat_path",
    "black",
    "daunou",
    "river",
    "slater",
    "split_cycle",
    "stable_voting",
    "top_cycle",
    "uncovered_set",
]


def _ranked(
    holder: Any, key: Sequence[Any], rule: str, score: np.ndarray | None = None, /, **options: Any
) -> Consensus:
    """A result from exact per-item keys (higher is better): competition positions, and by default
    ``score`` = the number of items at strictly worse positions."""
    position = competition_positions(list(key))
    if score is None:
        ordered = np.sort(position)
        score = (len(position) - np.searchsorted(ordered, position, side="right")).astype(float)
    return make_consensus(holder, score, rule, position=position, **options)


def _layers(defeat: np.ndarray) -> list[int]:
    """Per item, its layer (0 = undefeated) when the items that nothing remaining defeats are
    removed again and again; items on a cycle of ``defeat`` (none for an acyclic relation) share
    the last layer."""
    n = len(defeat)
    layer = [0] * n
    alive = np.ones(n, dtype=bool)
    k = 0
    while alive.any():
        top = alive & ~(defeat & alive[:, None]).any(axis=0)
        if not top.any():
            top = alive.copy()
        for i in np.flatnonzero(top).tolist():
            layer[i] = k
        alive &= ~top
        k += 1
    return layer


def _split_cycle_defeat(m: np.ndarray) -> np.ndarray:
    """defeat[a, b]: a beats b by a margin larger than the strongest path (of positive margins,
    a path as strong as its weakest link) from b back to a — i.e. a → b is not the weakest edge
    of any majority cycle."""
    links = np.where(m > 0, m, 0.0)
    d = widest_paths(links)
    return (m > 0) & (m > d.T)


def split_cycle(rankings: Votes, *, unranked: Unranked = "below") -> Consensus:
    """Split Cycle (Holliday & Pacuit 2023, "Split Cycle: a new Condorcet-consistent voting
    method independent of clones and immune to spoilers", Public Choice 197): a defeats b when
    a's margin over b is positive and larger than the strength of every path from b back to a
    (the strength of a path is its smallest margin), i.e. a → b is not a weakest edge of a
    majority cycle. The winners are the undefeated items (pref_voting's ``split_cycle``).

    The defeat relation is acyclic; the table lists its layers (the undefeated, then the items
    undefeated once those are removed, …); ``score`` is the number of items the item defeats.
    O(n³) for the strongest paths (Rust, as :func:`rankagg.schulze`).

    >>> import rankagg as ra
    >>> votes = ra.Rankings.from_lists([list("abc"), list("bca"), list("cab")] + [list("abc")])
    >>> ra.split_cycle(votes).winners
    ['a']
    """
    holder, m = majority_margins(rankings, unranked, "split_cycle")
    defeat = _split_cycle_defeat(m)
    key = [-x for x in _layers(defeat)]
    return _ranked(holder, key, "split_cycle", defeat.sum(axis=1).astype(float), unranked=unranked)


def beat_path(rankings: Votes, *, unranked: Unranked = "below") -> Consensus:
    """Beat Path (Schulze 2011, "A new monotonic, clone-independent, reversal symmetric, and
    Condorcet-consistent single-winner election method", Social Choice and Welfare 36) with
    margins as link strengths, as pref_voting's ``beat_path``: :func:`rankagg.schulze` with
    ``strength="margin"`` (same table). O(n³).

    >>> import rankagg as ra
    >>> votes = ra.Rankings.from_lists([list("bca"), list("cab"), list("abc"), list("cab"), list("bca")])
    >>> ra.beat_path(votes).winners
    ['b', 'c']
    """
    return dataclasses.replace(schulze(rankings, unranked=unranked, strength="margin"), method="beat_path")


def top_cycle(rankings: Votes, *, unranked: Unranked = "below") -> Consensus:
    """Top Cycle, also called the Smith set or GETCHA (Smith 1973, "Aggregation of preferences
    with variable electorate", Econometrica 41): the smallest set of items each majority
    preferred to every item outside it (pref_voting's ``top_cycle``;
    :func:`rankagg.smith_set` as a rule). The table continues with the top cycle of the
    remaining items, and so on (the strongly connected components of the weak majority graph,
    in order). O(n³) in the worst case (n components).

    >>> import rankagg as ra
    >>> votes = ra.Rankings.from_lists([list("abcd"), list("bcad"), list("cabd")])
    >>> ra.top_cycle(votes).table["rank"].to_list()
    [1, 1, 1, 4]
    """
    holder, m = majority_margins(rankings, unranked, "top_cycle")
    n = len(m)
    key = [0] * n
    rest = np.arange(n)
    k = 0
    while len(rest):
        top = rest[smith_indices(m[np.ix_(rest, rest)])]
        for i in top.tolist():
            key[i] = -k
        rest = np.setdiff1d(rest, top)
        k += 1
    return _ranked(holder, key, "top_cycle", unranked=unranked)


def uncovered_set(rankings: Votes, *, unranked: Unranked = "below") -> Consensus:
    """The uncovered set under Gillies' covering relation (Gillies 1959, "Solutions to general
    non-zero-sum games"; pref_voting's ``uc_gill``, its "Uncovered Set"): a covers b when a is
    majority preferred to b and every item majority preferred to a is also majority preferred
    to b. The winners are the items nothing covers. Covering is transitive; the table lists
    its layers. O(n³) (one matrix product).

    >>> import rankagg as ra
    >>> votes = ra.Rankings.from_lists([list("abcd"), list("bcad"), list("cabd")])
    >>> ra.uncovered_set(votes).winners
    ['a', 'b', 'c']
    """
    holder, m = majority_margins(rankings, unranked, "uncovered_set")
    beats = (m > 0).astype(np.float64)
    # misses[a, b]: the number of items majority preferred to a but not to b.
    misses = beats.T @ (1.0 - beats)
    covers = (m > 0) & (misses == 0)
    key = [-x for x in _layers(covers)]
    return _ranked(holder, key, "uncovered_set", unranked=unranked)


def _condorcet_winner_index(m: np.ndarray) -> int | None:
    n = len(m)
    beats = (m > 0).sum(axis=1)
    found = np.flatnonzero(beats == n - 1)
    return int(found[0]) if len(found) else None


def black(rankings: Votes, *, unranked: Unranked = "below") -> Consensus:
    """Black's rule (Black 1958, "The Theory of Committees and Elections"): the Condorcet
    winner if there is one, else the Borda winners (pref_voting's ``blacks``; Borda as
    :func:`rankagg.borda`, so ties and truncated ballots count as there). The table is Borda's
    order with the Condorcet winner, if any, moved to the top; ``score`` is the Borda score.

    >>> import rankagg as ra
    >>> votes = ra.Rankings.from_lists([list("abc")] * 3 + [list("bca")] * 2)
    >>> ra.black(votes).winners, ra.borda(votes).winners
    (['a'], ['b'])
    """
    holder, m = majority_margins(rankings, unranked, "black")
    b = borda(rankings, unranked=unranked)
    cw = _condorcet_winner_index(m)
    if cw is None:
        return dataclasses.replace(b, method="black")
    index = {x: k for k, x in enumerate(holder.labels.to_list())}
    score = np.empty(len(m))
    score[[index[x] for x in b.table["item"].to_list()]] = b.table["score"].to_numpy()
    key = [(i == cw, s) for i, s in enumerate(score.tolist())]
    return _ranked(holder, key, "black", score, unranked=unranked)


def daunou(rankings: Votes) -> Consensus:
    """Daunou's rule (Daunou 1803; as in Holliday & Pacuit's pref_voting ``daunou``): the
    Condorcet winner if there is one; otherwise Condorcet losers are removed one at a time
    (each beaten by every item remaining) and the plurality winners among the items left win.
    Plurality counts each voter's top remaining items, k tied tops 1/k each, added exactly as
    :func:`rankagg.plurality` does; ballots listing none of them count for nobody.

    Items a voter did not rank are below the ranked ones (``unranked="below"``). Table: the
    winners, then the other surviving items by their plurality share among the survivors, then
    the removed Condorcet losers, the last removed first. O(n³ + n·voters).

    >>> import rankagg as ra
    >>> votes = ra.Rankings.from_lists([list("bdca"), list("acdb"), list("bdac"), list("dbac"), list("dabc")])
    >>> ra.daunou(votes).winners, ra.plurality(votes).winners
    (['d'], ['b', 'd'])
    """
    rankings = rankings_only(rankings, "daunou")
    holder, m = majority_margins(rankings, "below", "daunou")
    n = len(m)
    alive = np.ones(n, dtype=bool)
    key: list[Any] = [None] * n
    removed = 0
    while alive.sum() > 1:
        inside = np.flatnonzero(alive)
        sub = m[np.ix_(inside, inside)]
        # A Condorcet loser: every other remaining item is majority preferred to it.
        losers = [int(inside[j]) for j in np.flatnonzero((sub > 0).sum(axis=0) == len(inside) - 1)]
        if not losers:
            break
        alive[losers[0]] = False
        removed += 1
        key[losers[0]] = (0, removed)
    shares = _plurality_among(rankings, alive)
    cw = _condorcet_winner_index(m)
    best = max(shares[i] for i in np.flatnonzero(alive).tolist())
    for i in np.flatnonzero(alive).tolist():
        won = (i == cw) if cw is not None else shares[i] == best
        key[i] = (2, 0) if won else (1, shares[i])
    return _ranked(holder, key, "daunou")


def _plurality_among(rankings: Any, alive: np.ndarray) -> list[Any]:
    """Exact first-place shares among the ``alive`` items (a voter's top remaining items, k tied
    ones 1/k each; a ballot ranking none of them counts for nobody)."""
    lv = np.where(alive, level_table(rankings, "below"), np.inf)
    w = rankings.weights if rankings.weights is not None else np.ones(len(rankings))
    best = lv.min(axis=1, keepdims=True)
    top = (lv == best) & np.isfinite(best)
    voter, item = np.nonzero(top)
    shares, _ = exact_shares(item, top.sum(axis=1)[voter], w[voter], lv.shape[1])
    return shares


_SV_LIMIT = 20_000
"""Subsets of items (Stable Voting and Split Cycle winners together) Stable Voting may evaluate
before it gives up."""


def stable_voting(rankings: Votes, *, unranked: Unranked = "below") -> Consensus:
    """Stable Voting (Holliday & Pacuit 2023, "Stable Voting", Constitutional Political Economy
    34): with one item, it wins. Otherwise take the pairs (a, b) with a undefeated under
    :func:`split_cycle`, from the largest margin of a over b down (negative margins included);
    the winners are the a of the first pairs (all pairs of that margin) such that a wins Stable
    Voting on the items without b. As pref_voting's ``stable_voting`` (Condorcet winners and
    a unique Split Cycle winner are returned at once).

    Recursive over subsets of the items, each remembered once, with the paper's shortcuts
    (only subsets reached through pairs (a, b) with a undefeated, from the largest margin down,
    stopping at the first margin where some a wins; a must stay undefeated without b): still
    exponential in the worst case (each subset costs O(k³) for Split Cycle), and more than
    20,000 subsets (5–15 s) raise :class:`RankaggError` naming :func:`split_cycle`, whose
    winners contain Stable Voting's. What that allows, measured on impartial cultures of 10,000
    voters: every profile of 20 or 30 candidates (10 of 10 each, in at most ~6 s), but from 40
    candidates only those whose Split Cycle winner is unique or whose recursion closes early
    (40 candidates: 6 of 10, 60: 9 of 10, 100: 4 of 10); the others (no Condorcet winner, several Split Cycle
    winners, a top cycle of every item) branch at every level, because proving that a pair
    fails means finding another item that wins the smaller subset first. pref_voting's
    ``stable_voting`` does not finish them either (benches/RESULTS.md). Profiles with more
    structure (a Mallows profile of 100 candidates, real elections) take well under a second.
    The table: the winners, then the other items in the layers of Split Cycle's defeat relation
    among them (Stable Voting's winners are Split Cycle winners).

    >>> import rankagg as ra
    >>> votes = ra.Rankings.from_lists([list("abcd")] * 3 + [list("bcda")] * 2 + [list("cdab")] * 2 + [list("dabc")])
    >>> ra.stable_voting(votes).winners
    ['a']
    """
    holder, m = majority_margins(rankings, unranked, "stable_voting")
    n = len(m)
    won = set(_stable_winners(m, (1 << n) - 1, {})) if n else set()
    rest = [a for a in range(n) if a not in won]
    layer = _layers(_split_cycle_defeat(m)[np.ix_(rest, rest)])
    key = [0] * n
    for a, x in zip(rest, layer):
        key[a] = -1 - x
    return _ranked(holder, key, "stable_voting", unranked=unranked)


def _members(mask: int) -> list[int]:
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


def _stable_winners(m: np.ndarray, mask: int, memo: dict[int, list[int]]) -> list[int]:
    """Stable Voting's winners (indices, ascending) on the items of the bitset ``mask``. ``memo``
    holds each subset's winners, and (under the key ``~mask``) its Split Cycle winners."""
    if mask in memo:
        return memo[mask]
    if len(memo) >= _SV_LIMIT:
        raise RankaggError(
            f"stable_voting: more than {_SV_LIMIT:,} subsets of items to evaluate (the rule is recursive over "
            "subsets); use split_cycle, whose winners contain Stable Voting's"
        )
    items = _members(mask)
    undefeated = _undefeated(m, mask, memo)
    if len(undefeated) == 1:
        memo[mask] = undefeated
        return undefeated
    idx = np.array(items)
    a_idx = np.array(undefeated)
    # Pairs (a undefeated, b any other), largest margin first.
    a_all = np.repeat(a_idx, len(items))
    b_all = np.tile(idx, len(a_idx))
    keep = a_all != b_all
    a_all, b_all = a_all[keep], b_all[keep]
    margin = m[a_all, b_all]
    winners: set[int] = set()
    witness = -np.inf
    for t in np.argsort(-margin, kind="stable").tolist():
        s = float(margin[t])
        if s < witness:
            break
        a, b = int(a_all[t]), int(b_all[t])
        if a in winners:
            continue
        rest = mask & ~(1 << b)
        # Stable Voting's winners are Split Cycle winners: a defeated without b cannot win there.
        if a in _undefeated(m, rest, memo) and a in _stable_winners(m, rest, memo):
            winners.add(a)
            witness = s
    memo[mask] = sorted(winners)
    return memo[mask]


def _undefeated(m: np.ndarray, mask: int, memo: dict[int, list[int]]) -> list[int]:
    """Split Cycle's winners on the items of ``mask`` (memoised under ``~mask``)."""
    if ~mask in memo:
        return memo[~mask]
    items = _members(mask)
    if len(items) == 1:
        memo[~mask] = items
        return items
    idx = np.array(items)
    sub = m[np.ix_(idx, idx)]
    beaten = (sub > 0).sum(axis=1)
    cw = np.flatnonzero(beaten == len(items) - 1)  # a Condorcet winner alone is undefeated
    local = cw if len(cw) else np.flatnonzero(~_split_cycle_defeat(sub).any(axis=0))
    memo[~mask] = [items[int(i)] for i in local]
    return memo[~mask]


_RIVER_WORK_LIMIT = 100_000
"""States the all-orders River search may visit before it gives up."""


def river(rankings: Votes, *, unranked: Unranked = "below", tie_break: TieBreak = "all") -> Consensus:
    """River (Heitzig 2004, "River method", election-methods list; pref_voting's ``river``):
    take the majorities and majority ties of the weak margin graph from the largest margin
    down and keep each unless its target already has a kept edge into it or it would close a
    cycle; the kept edges form a tree, whose root wins. Like ranked pairs but each item is
    defeated once, which makes River independent of Pareto-dominated alternatives.

    ``tie_break="all"`` (default, as pref_voting's ``river``): the winners are the roots under
    every order of equal margins. Only the top cycle is searched (the root always lies in it,
    and edges outside it never decide one inside), by depth-first search over the orders of
    each group of equal margins, states seen once and groups whose live edges cannot conflict
    taken at once; a search beyond a few seconds raises :class:`RankaggError`, pointing to
    ``"label"``. ``tie_break="label"``: equal margins in label order of (source, target), as
    pref_voting's ``river_tb``: one winner.

    The table: the winners, then the other items by their depth in the label-order tree
    (items at equal depth share a position); ``score`` is the number of items at worse
    positions. One order costs O(n³) (each of the n² edges walks up the tree).

    >>> import rankagg as ra
    >>> votes = ra.Rankings.from_lists([list("bca"), list("abc")])
    >>> ra.river(votes).winners, ra.river(votes, tie_break="label").winners
    (['a', 'b'], ['a'])
    """
    if not one_of(tie_break, ("all", "label")):
        raise RankaggError(f"tie_break must be 'all' or 'label', not {tie_break!r}")
    holder, m = majority_margins(rankings, unranked, "river")
    n = len(m)
    i, j = np.nonzero((m >= 0) & ~np.eye(n, dtype=bool))  # row-major: (i, j) ascending
    by_margin = np.argsort(-m[i, j], kind="stable")
    pred = _river_lock([-1] * n, list(zip(i[by_margin].tolist(), j[by_margin].tolist())))
    depth = [0] * n
    for a in range(n):
        x = a
        while pred[x] >= 0:
            depth[a] += 1
            x = pred[x]
    if tie_break == "label":
        winners = [pred.index(-1)] if n else []
    else:
        winners = _river_winners(m)
    won = set(winners)
    key = [(1, 0) if a in won else (0, -depth[a]) for a in range(n)]
    return _ranked(holder, key, "river", unranked=unranked, tie_break=tie_break)


def _river_lock(pred: list[int], edges: Sequence[tuple[int, int]]) -> list[int]:
    """Keeps each edge i → j in order unless j already has a kept edge or j is an ancestor of i
    (a cycle); ``pred[j]`` is j's kept edge's source (−1: none)."""
    pred = list(pred)
    for i, j in edges:
        if pred[j] < 0 and not _is_ancestor(pred, j, i):
            pred[j] = i
    return pred


def _is_ancestor(pred: Sequence[int], a: int, b: int) -> bool:
    """Whether a is b or above b in the forest ``pred``."""
    while b >= 0:
        if b == a:
            return True
        b = pred[b]
    return False


def _river_winners(m: np.ndarray) -> list[int]:
    """The roots of River's tree under every order of equal margins (indices, ascending).

    Only the top cycle is searched. c can be the root only if every edge b → c (margin μ ≥ 0)
    is dead when its turn comes, i.e. c already reaches b through kept edges of margin ≥ μ: a
    path of such margins from c to b must exist (strongest paths rule most items out at once).
    For each other item, a depth-first search over the orders of each group of equal margins
    looks for one that never keeps an edge into c, stopping at the first."""
    smith = smith_indices(m)
    k = len(smith)
    if k == 1:
        return [int(smith[0])]
    sub = m[np.ix_(smith, smith)]
    edges = sorted((-float(sub[a, b]), a, b) for a in range(k) for b in range(k) if a != b and sub[a, b] >= 0)
    groups: list[tuple[tuple[int, int], ...]] = []
    last = None
    for key, a, b in edges:
        if groups and key == last:
            groups[-1] += ((a, b),)
        else:
            groups.append(((a, b),))
        last = key
    # Margins shifted by one so that ties (0) are links; rounding keeps the order, so the test
    # can only let through more items, never rule out a possible root.
    shifted = np.where(sub >= 0, sub + 1.0, 0.0)
    d = widest_paths(shifted)
    budget = [_RIVER_WORK_LIMIT]
    roots = []
    for c in range(k):
        into = (sub[:, c] >= 0) & (np.arange(k) != c)
        if np.any(into & (d[c, :] < shifted[:, c])):
            continue
        if _river_root_possible(c, groups, k, budget):
            roots.append(int(smith[c]))
    return sorted(roots)


def _river_root_possible(c: int, groups: list[tuple[tuple[int, int], ...]], k: int, budget: list[int]) -> bool:
    """Whether some order of the edges within each group of equal margins keeps no edge into c."""
    seen: set[tuple[int, tuple[int, ...], tuple[tuple[int, int], ...]]] = set()
    stack: list[tuple[int, tuple[int, ...], tuple[tuple[int, int], ...]]] = [(0, (-1,) * k, groups[0])]
    while stack:
        g, pred, rest = stack.pop()
        budget[0] -= 1
        if budget[0] < 0:
            raise RankaggError(
                "river: too many orders of equal margins to try; pass tie_break='label' for the fixed label-order "
                "tie-break"
            )
        live = tuple((a, b) for a, b in rest if pred[b] < 0 and not _is_ancestor(pred, b, a))
        if (g, pred, live) in seen:
            continue
        seen.add((g, pred, live))
        into_c = any(b == c for _, b in live)
        if not live or _commutes(pred, live):
            if into_c:
                continue  # every order keeps the edge into c
            if g + 1 == len(groups):
                return True
            stack.append((g + 1, tuple(_river_lock(list(pred), live)), groups[g + 1]))
            continue
        for a, b in live:
            if b != c:  # the next edge kept is never one into c
                nxt = list(pred)
                nxt[b] = a
                stack.append((g, tuple(nxt), tuple(e for e in live if e != (a, b))))
    return False


def _commutes(pred: tuple[int, ...], live: tuple[tuple[int, int], ...]) -> bool:
    """Whether every order of the live edges keeps them all: distinct targets, and keeping them
    one after another closes no cycle."""
    if len({b for _, b in live}) < len(live):
        return False
    p = list(pred)
    for a, b in live:
        if _is_ancestor(p, b, a):
            return False
        p[b] = a
    return True


def slater(
    rankings: Votes,
    *,
    unranked: Unranked = "below",
    method: Method = "auto",
    time_limit: float | None = None,
    seed: int = 0,
    exact_limit: int = 16,
) -> Consensus:
    """Slater's rule (Slater 1961, "Inconsistencies in a schedule of paired comparisons",
    Biometrika 48): the orders that reverse the fewest majority preferences (majority ties cost
    nothing either way); the winners are the items first in some such order (pref_voting's
    ``slater``). This is the linear ordering problem on the 0/1 majority matrix, solved with a
    proof by :func:`rankagg.linear_ordering` (NP-hard: exact search, branch and bound beyond
    ``exact_limit`` items per component; keywords as :func:`rankagg.kemeny`).

    Every Slater order puts the top cycle first, so the winners are the items c of the top
    cycle whose best order starting with c (c's wins in it, plus a linear ordering of the rest)
    reaches the optimum: one more search per item of the top cycle. ``cost`` is the number of
    majority preferences the table's order reverses, ``lower_bound`` the proven bound, and
    ``optimal`` is True only when both the order and every winner test are proven (a time limit
    can leave them unproven: the winners are then those found; ``time_limit`` bounds the whole
    call, the searches sharing it in turn). The table: the winners, then
    the other items in the Slater order found.

    >>> import rankagg as ra
    >>> votes = ra.Rankings.from_lists([list("abcd"), list("bcad"), list("cabd")])
    >>> s = ra.slater(votes)
    >>> s.winners, s.cost, s.optimal
    (['a', 'b', 'c'], 1.0, True)
    """
    holder, m = majority_margins(rankings, unranked, "slater")
    n = len(m)
    w = (m > 0).astype(np.float64)
    edges = float(w.sum())
    search: dict[str, Any] = {"method": method, "time_limit": time_limit, "seed": seed, "exact_limit": exact_limit}
    start = time.monotonic()
    whole = linear_ordering(w, **search)  # checks the keywords
    deadline = None if time_limit is None else start + float(time_limit)
    order = [int(x) for x in whole.order]
    top = [int(x) for x in smith_indices(m)]
    in_top = set(top)
    first = [x for x in order if x in in_top]
    proven = whole.optimal
    value = {first[0]: _order_value(w, first)} if n else {}
    for c in top:
        if c in value:
            continue
        others = [x for x in first if x != c]
        if deadline is not None:  # what is left of the whole call's time limit
            search["time_limit"] = max(0.0, deadline - time.monotonic())
        sub = linear_ordering(w[np.ix_(others, others)], **search)
        proven = proven and sub.optimal
        value[c] = float(w[c, others].sum()) + sub.value
    best = max(value.values(), default=0.0)
    winners = {c for c, v in value.items() if v == best}
    position = {x: p for p, x in enumerate(order)}
    key = [(1, 0) if a in winners else (0, -position[a]) for a in range(n)]
    names = holder.labels.to_list()
    result = _ranked(holder, key, "slater")
    return dataclasses.replace(
        result,
        options={**search, "time_limit": time_limit, "unranked": unranked},
        cost=edges - whole.value,
        optimal=proven,
        lower_bound=edges - whole.upper_bound,
        components=[[names[int(i)] for i in c] for c in whole.components],
        stats=whole.stats,
    )


def _order_value(w: np.ndarray, order: Sequence[int]) -> float:
    """Σ w[x, y] over x placed before y in ``order``."""
    idx = np.array(order, dtype=np.int64)
    return float(np.triu(w[np.ix_(idx, idx)], 1).sum()) if len(idx) else 0.0
