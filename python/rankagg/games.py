"""The maximal lottery: the equilibrium of the symmetric zero-sum game that preferences define.

Preferences give a skew-symmetric payoff ``M[i, j] = P(i ≻ j) − P(j ≻ i)``. A lottery (a
probability distribution ``p`` over items) is *maximal* when no item beats it in expectation:
``(Mᵀp)_j ≥ 0`` for every item j. Such a lottery always exists, even when preferences cycle
and every ranking fails (von Neumann's minimax theorem); it is the maximal lottery of social
choice (Kreweras 1965; Fishburn 1984), the von Neumann winner of dueling bandits, and the
Minimax Winner that SPO trains towards (Swamy et al. 2024, "A Minimaximalist Approach to
Reinforcement Learning from Human Feedback").

>>> import polars as pl, rankagg as ra
>>> rps = {"a": ["rock", "paper", "scissors"], "b": ["scissors", "rock", "paper"], "outcome": [1, 1, 1]}
>>> lot = ra.maximal_lottery(rps)
>>> lot.table.select("item", "probability").with_columns(pl.col("probability").round(6)).rows()
[('paper', 0.333333), ('rock', 0.333333), ('scissors', 0.333333)]
>>> lot.exploitability <= 1e-12
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import polars as pl

from rankagg import _core
from rankagg.budget import check_dense, dense_peak
from rankagg.checks import floats, number, one_of, shown
from rankagg.display import display_frame, display_name
from rankagg.errors import ConvergenceWarning, RankaggError, warn
from rankagg.intake import Frame, index_labels_in_errors
from rankagg.pairs import PairTable
from rankagg.preferences import Preferences, Unranked, preference_matrix
from rankagg.rankings import Rankings

__all__ = ["Lottery", "maximal_lottery"]

Payoff = Literal["probability", "margin", "sign"]
Method = Literal["exact", "first_order"]


@dataclass(frozen=True, repr=False)
class Lottery:
    """A maximal lottery and its certificate.

    ``table``: one row per item — ``item``, ``probability`` and ``payoff`` = ``(Mᵀp)_j``, the
    lottery's expected margin against item j (≥ 0 for every item at an equilibrium: no item
    beats the lottery; 0 on its support) — sorted by probability, then payoff, then label.
    ``exploitability`` = ``max_j −(Mᵀp)_j`` ≥ 0: what the best item gains against the lottery
    (0 at an exact equilibrium; ≤ 1e-12 from ``method="exact"`` on payoffs of order 1).
    ``value`` = ``min_j (Mᵀp)_j`` = −exploitability: the lottery's guaranteed payoff (the game's
    value is 0). ``unique`` is True when the solution is certified to be the only maximal
    lottery (strict complementarity and a nonsingular support system); False means "not
    certified". ``uniqueness`` says it in words: ``"certified unique"``; ``"not unique: one of
    several maximal lotteries (…)"`` when a second one was found (``method="exact"``), with
    why: the draws — pairs that never met, which count as draws, and exact ties — among the
    items with payoff 0 against the lottery, where every maximal lottery lives (with payoffs in
    general position there is only one); or ``"not certified unique"`` (``first_order``, or no
    second lottery found).

    >>> import rankagg as ra
    >>> games = {"a": ["x", "y"], "b": ["z", "z"], "outcome": [1, 1]}  # x and y never met
    >>> lot = ra.maximal_lottery(games)
    >>> lot.support, lot.unique
    (['x'], False)
    >>> print(lot.uniqueness)
    not unique: one of several maximal lotteries (another puts 0.5 on y); among the 2 items with payoff 0 against it, 1 of the 1 pairs never met (they count as draws)
    """

    table: pl.DataFrame
    exploitability: float
    method: str
    iterations: int
    converged: bool
    unique: bool
    options: dict[str, Any] = field(default_factory=dict)
    uniqueness: str = ""

    @property
    def value(self) -> float:
        return -self.exploitability

    @property
    def support(self) -> list[Any]:
        """The items with positive probability, most probable first."""
        return self.table.filter(pl.col("probability") > 0)["item"].to_list()

    def plot(self, ax: Any = None) -> Any:
        """A bar chart of the support's probabilities, most probable at the top; returns the
        matplotlib ``Axes`` (a new figure when ``ax`` is None). Needs matplotlib
        (``pip install "rankagg[plot]"``); see :func:`rankagg.plot.lottery`."""
        from rankagg.plot import lottery

        return lottery(self, ax)

    def __repr__(self) -> str:
        head = (
            f"Lottery({self.method}, {self.table.height} items, support {len(self.support)}, "
            f"exploitability {self.exploitability:.3g}{', unique' if self.unique else ''})"
        )
        with pl.Config(tbl_rows=12, tbl_hide_dataframe_shape=True):
            return f"{head}\n{display_frame(self.table)!r}"

    @classmethod
    def from_matrix(
        cls,
        margins: Any,
        labels: Sequence[Any] | pl.Series | None = None,
        *,
        method: Method = "exact",
        tol: float = 1e-9,
        max_iter: int = 100_000,
    ) -> Lottery:
        """The maximal lottery of a skew-symmetric payoff matrix given directly
        (``margins[i, j] = −margins[j, i]``; labels default to 0..n−1).

        >>> import numpy as np, rankagg as ra
        >>> m = np.array([[0, 1, -1], [-1, 0, 3], [1, -3, 0]])
        >>> ra.Lottery.from_matrix(m, ["x", "y", "z"]).table["probability"].round(6).to_list()
        [0.6, 0.2, 0.2]
        """
        _check_method(method)
        m = floats("margins", margins)
        if m.ndim != 2 or m.shape[0] != m.shape[1]:
            raise RankaggError(f"a payoff matrix must be square, got shape {m.shape}")
        n = m.shape[0]
        if labels is not None and not isinstance(labels, Iterable):
            raise RankaggError(f"labels must be a sequence of {n} item names, not {shown(labels)}")
        lab = pl.Series("item", list(range(n)) if labels is None else list(labels))
        if len(lab) != n:
            raise RankaggError(f"{len(lab)} labels for a {n}×{n} payoff matrix")
        if not np.isfinite(m).all():
            r, c = np.argwhere(~np.isfinite(m))[0]
            raise RankaggError(f"payoff matrix entries must be finite; [{lab[int(r)]!r}, {lab[int(c)]!r}] is {m[r, c]}")
        scale = float(np.abs(m).max()) if n else 0.0
        bad = np.abs(m + m.T) > 1e-9 * max(scale, np.finfo(float).tiny)
        if bad.any():
            r, c = np.argwhere(bad)[0]
            raise RankaggError(
                f"a payoff matrix must be skew-symmetric (M[i, j] = −M[j, i]); "
                f"[{lab[int(r)]!r}, {lab[int(c)]!r}] = {m[r, c]} but [{lab[int(c)]!r}, {lab[int(r)]!r}] = {m[c, r]}"
            )
        m = (m - m.T) / 2  # exactly skew-symmetric
        return _solve(lab, m, None, method, tol, max_iter, {})


@index_labels_in_errors
@dense_peak(6.5, "maximal_lottery")
def maximal_lottery(
    data: Frame | PairTable | Rankings | Preferences,
    *,
    a: str = "a",
    b: str = "b",
    outcome: str = "outcome",
    weight: str | None = None,
    outcomes: Mapping[Any, float] | None = None,
    winner: str | None = None,
    loser: str | None = None,
    unranked: Unranked = "below",
    payoff: Payoff = "probability",
    method: Method = "exact",
    tol: float = 1e-9,
    max_iter: int = 100_000,
) -> Lottery:
    """The maximal lottery (minimax winner, von Neumann winner) of pairwise preferences.

    Args:
        data: comparisons (a frame or :class:`PairTable`; keywords ``a`` … ``loser`` as in
            :func:`rankagg.bradley_terry`, a tie is half a win each way), :class:`Rankings`
            (``unranked`` as in :func:`rankagg.pairwise_preferences`) or :class:`Preferences`.
            A skew-symmetric payoff matrix goes to :meth:`Lottery.from_matrix`.
        payoff: ``"probability"`` (default): ``M[i, j] = P(i ≻ j) − P(j ≻ i)`` with
            ``P(i ≻ j) = W[i, j] / (W[i, j] + W[j, i])`` (pairs that never met: 0) — SPO's game;
            ``"margin"``: ``W − Wᵀ`` (Fishburn's majority margins; the same lottery as
            ``"probability"`` when every voter ranks every pair); ``"sign"``: the majority
            tournament ``sign(W − Wᵀ)`` (its maximal lottery is the tournament game's
            equilibrium, supported on the bipartisan set).
        method: ``"exact"``: the simplex method on the dense game (steepest-edge pricing),
            then the support system solved by LU with iterative refinement; the exploitability
            is recomputed from ``M`` (≤ 1e-12 on payoffs of order 1). O(n²) memory, a few
            thousand items. ``"first_order"``: predictive regret matching⁺ in self-play on the
            sparse payoff (only pairs that met), run until the exploitability is ≤ ``tol`` or
            ``max_iter`` iterations; for very large n.

    When several lotteries are maximal (possible only with exact ties among margins), the exact
    method returns the vertex of the optimal set that the simplex reaches with items in label
    order and ties in pricing broken by the lowest index: deterministic, and invariant to row
    order and relabelling that keeps the label order; ``unique`` tells whether it was certified
    unique.

    >>> import rankagg as ra
    >>> votes = ra.Rankings.from_lists([["a", "b", "c"]] * 5 + [["b", "c", "a"]] * 2 + [["c", "a", "b"]] * 2)
    >>> lot = ra.maximal_lottery(votes)  # a is the Condorcet winner
    >>> lot.support, lot.unique
    (['a'], True)
    """
    if not one_of(payoff, ("probability", "margin", "sign")):
        raise RankaggError(f"payoff must be 'probability', 'margin' or 'sign', not {payoff!r}")
    _check_method(method)
    options: dict[str, Any] = {"payoff": payoff}
    if method == "first_order" and not isinstance(data, (Rankings, Preferences)):
        # Sparse all the way: the pair table's pairs, never an n × n matrix.
        table = (
            data
            if isinstance(data, PairTable)
            else PairTable.from_comparisons(
                data, a=a, b=b, outcome=outcome, weight=weight, outcomes=outcomes, winner=winner, loser=loser
            )
        )
        half = 0.5 * table.ties
        v = _payoff(table.wins_i + half, table.wins_j + half, payoff)
        return _solve(table.labels, None, (table.i, table.j, v), method, tol, max_iter, options)
    prefs = preference_matrix(
        data, a=a, b=b, outcome=outcome, weight=weight, outcomes=outcomes, winner=winner, loser=loser, unranked=unranked
    )
    w = prefs.matrix
    m = _payoff(w, w.T, payoff)
    return _solve(prefs.labels, m, None, method, tol, max_iter, options, met=(w + w.T) > 0)


def _payoff(w_ij: np.ndarray, w_ji: np.ndarray, payoff: str) -> np.ndarray:
    diff = w_ij - w_ji
    if payoff == "margin":
        return diff
    if payoff == "sign":
        return np.sign(diff)
    total = w_ij + w_ji
    return np.divide(diff, total, out=np.zeros_like(diff), where=total > 0)


def _check_method(method: Any) -> None:
    if not one_of(method, ("exact", "first_order")):
        raise RankaggError(f"method must be 'exact' or 'first_order', not {method!r}")


def _solve(
    labels: pl.Series,
    dense: np.ndarray | None,
    pairs: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
    method: str,
    tol: float,
    max_iter: int,
    options: dict[str, Any],
    met: np.ndarray | None = None,
) -> Lottery:
    n = len(labels)
    if n == 0:
        raise RankaggError("no items: a lottery needs at least one item")
    if method == "exact":
        check_dense(
            (n + 2, n + 2),
            "the exact maximal lottery's simplex tableau",
            copies=2,
            hint='method="first_order" works on the pairs that met',
        )
        if dense is None:  # pragma: no cover - maximal_lottery builds dense for exact
            raise RankaggError("the exact method needs a dense payoff")
        out = _core.maximal_lottery(np.ascontiguousarray(dense, dtype=np.float64).ravel(), n)
    else:
        number("tol", tol, lambda t: t > 0, "a finite number > 0")
        if not (isinstance(max_iter, (int, np.integer)) and 1 <= max_iter < 2**63):
            raise RankaggError(f"first_order needs tol > 0 and max_iter ≥ 1, got tol={tol}, max_iter={max_iter}")
        if pairs is None:
            if dense is None:  # pragma: no cover - maximal_lottery gives one or the other
                raise RankaggError("the first-order method needs a payoff")
            i, j = np.nonzero(np.triu(dense, 1))
            pairs = (i, j, dense[i, j])
        pi, pj, pv = pairs
        offsets, cols, vals = _csr(pi, pj, pv, n)
        out = _core.maximal_lottery_sparse(offsets, cols, vals, float(tol), int(max_iter))
        options = {**options, "tol": tol, "max_iter": max_iter}
    p = np.asarray(out["p"])
    if not out["converged"]:
        warn(
            f"maximal_lottery (first_order) stopped at max_iter={max_iter} with exploitability "
            f"{float(out['exploitability']):.3g} > tol={tol}; raise max_iter, or use method='exact'",
            ConvergenceWarning,
        )
    pay = _column_payoffs(dense, pairs, p, n)
    table = (
        pl.DataFrame({"item": labels, "probability": p, "payoff": pay})
        .with_row_index("_code")
        .sort(["probability", "payoff", "_code"], descending=[True, True, False])
        .drop("_code")
    )
    unique = bool(out["unique"])
    if unique:
        uniqueness = "certified unique"
    elif dense is not None and method == "exact":
        uniqueness = _uniqueness(dense, p, pay, float(out["exploitability"]), labels, met)
    else:
        uniqueness = "not certified unique"
    return Lottery(
        table=table,
        exploitability=float(out["exploitability"]),
        method=method,
        iterations=int(out["iterations"]),
        converged=bool(out["converged"]),
        unique=unique,
        options=options,
        uniqueness=uniqueness,
    )


def _uniqueness(
    m: np.ndarray, p: np.ndarray, pay: np.ndarray, exploitability: float, labels: pl.Series, met: np.ndarray | None
) -> str:
    """Looks for a second maximal lottery next to ``p`` (payoffs ``pay`` = Mᵀp) and says what
    it found. Every maximal lottery lives on the items whose payoff against ``p`` is 0 (T), so
    the game restricted to T is solved again with the items in reverse order (the simplex then
    reaches another vertex of the optimal set, if there is one), and a null vector of the
    support system is tried; a candidate counts only once checked against the whole game."""
    n = len(p)
    scale = float(np.abs(m).max()) if n else 0.0
    eps = 1e-9 * max(scale, 1e-300)
    tight = np.flatnonzero(pay <= eps)
    accept = max(10.0 * exploitability, eps)

    def check(q: np.ndarray) -> np.ndarray | None:
        q = np.clip(q, 0.0, None)
        if q.sum() <= 0:
            return None
        q = q / q.sum()
        if float(np.abs(q - p).sum()) < 1e-6 or float(-(m.T @ q).min()) > accept:
            return None
        return q

    other: np.ndarray | None = None
    if 1 < len(tight) <= 2000:
        # Orders to try: reversed, each tight item outside the support first (a few), shuffled.
        outside = [j for j in tight[::-1] if p[j] <= 0][:8]
        orders = [tight[::-1]] + [np.concatenate([[j], tight[tight != j]]) for j in outside]
        shuffle = np.random.default_rng(0)
        orders += [shuffle.permutation(tight) for _ in range(8 if len(tight) <= 200 else 0)]
        for order in orders:
            sub = np.ascontiguousarray(m[np.ix_(order, order)], dtype=np.float64)
            q = np.zeros(n)
            q[order] = np.asarray(_core.maximal_lottery(sub.ravel(), len(order))["p"])
            # q is maximal on T; near p every item outside T stays beaten, so mix towards q.
            d = q - p
            gain, slope = m.T @ p, m.T @ d
            down = slope < 0
            step = float(np.min(np.where(down, gain / np.where(down, -slope, 1.0), 1.0), initial=1.0))
            other = check(p + min(step, 1.0) * d)
            if other is not None:
                break
        if other is None and len(tight) <= 500:
            a = np.vstack([m[np.ix_(tight, tight)].T, np.ones(len(tight))])
            _, sing, vt = np.linalg.svd(a)
            if len(sing) < len(tight) or sing[-1] <= 1e-10 * max(scale, 1.0):
                d = np.zeros(n)
                d[tight] = vt[-1]
                for sign in (1.0, -1.0):
                    dd = sign * d
                    neg = dd < 0
                    t = 0.5 * float(np.min(np.where(neg, p / np.where(neg, -dd, 1.0), np.inf), initial=np.inf))
                    if np.isfinite(t) and t > 0:
                        other = check(p + t * dd)
                        if other is not None:
                            break
    if other is None:
        return "not certified unique (no second maximal lottery found)"
    moved = int(np.argmax(other - p))
    where = np.union1d(tight, np.flatnonzero((other > 0) | (p > 0)))
    iu, ju = np.triu_indices(len(where), 1)
    pi, pj = where[iu], where[ju]
    pairs = len(pi)
    draws = m[pi, pj] == 0
    among = f"among the {len(where)} items with payoff 0 against it, "
    if met is not None:
        never = int((~met[pi, pj]).sum())
        tied = int((draws & met[pi, pj]).sum())
        parts = [f"{never} of the {pairs} pairs never met (they count as draws)"] if never else []
        parts += [f"{tied} {'' if never else f'of the {pairs} pairs '}tied exactly"] if tied else []
        reason = among + " and ".join(parts) if parts else "payoffs not in general position"
    else:
        reason = among + f"{int(draws.sum())} of the {pairs} pairs have payoff 0 (draws)"
    return f"not unique: one of several maximal lotteries (another puts {other[moved]:.3g} on {display_name(labels[moved])}); {reason}"


def _csr(i: np.ndarray, j: np.ndarray, v: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Both orientations of each pair (v at (i, j), −v at (j, i)) in CSR form."""
    keep = v != 0
    rows = np.concatenate([i[keep], j[keep]]).astype(np.int64)
    cols = np.concatenate([j[keep], i[keep]]).astype(np.uint32)
    vals = np.concatenate([v[keep], -v[keep]]).astype(np.float64)
    order = np.argsort(rows, kind="stable")
    offsets = np.zeros(n + 1, dtype=np.uint64)
    np.cumsum(np.bincount(rows, minlength=n), out=offsets[1:])
    return offsets, np.ascontiguousarray(cols[order]), np.ascontiguousarray(vals[order])


def _column_payoffs(
    dense: np.ndarray | None, pairs: tuple[np.ndarray, np.ndarray, np.ndarray] | None, p: np.ndarray, n: int
) -> np.ndarray:
    """``(Mᵀp)_j`` for every item."""
    if dense is not None:
        return dense.T @ p
    if pairs is None:  # pragma: no cover - _solve has one or the other
        raise RankaggError("a payoff is needed")
    i, j, v = pairs
    out = np.zeros(n)
    np.add.at(out, j, v * p[i])  # M[i, j] = v
    np.add.at(out, i, -v * p[j])  # M[j, i] = −v
    return out
