"""From raw LLM-judge outputs to ratings, verdicts and rewards.

- :func:`expected_rating`: a judge's probabilities over discrete scores (the probabilities of
  the score tokens "1" … "5") → one continuous rating: the expectation, or TrustJudge's
  sharpened expectation (*distribution-sensitive scoring*: Wang et al., "TrustJudge:
  Inconsistencies of LLM-as-a-Judge and How to Alleviate Them", 2025).
- :func:`merge_bidirectional`: a pair judged in both orders (x first, then y first) → one
  verdict from the summed probabilities of "first wins", "second wins" and "tie", with a tie
  tolerance (TrustJudge's *likelihood-aware aggregation*), which removes position bias.
- :func:`self_play_rewards`: judgments among the samples drawn for one prompt → each sample's
  share of wins against the others, the reward of Self-Play Preference Optimization (Swamy et
  al., "A Minimaximalist Approach to Reinforcement Learning from Human Feedback", ICML 2024).

:func:`rankagg.consistency` measures how consistent the verdicts (and ratings) are.

>>> import rankagg as ra
>>> probs = {"item": ["x", "x", "y", "y"], "score": [4, 5, 4, 5], "probability": [0.5, 0.5, 0.9, 0.1]}
>>> ra.expected_rating(probs).rows()
[('x', 4.5, 4), ('y', 4.1, 4)]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import polars as pl

from rankagg._util import MAX_SHOWN, numeric_column, sorted_rank
from rankagg.checks import column_name, number, one_of
from rankagg.errors import NonFiniteValueError, RankaggError, SelfComparisonError
from rankagg.intake import Frame, check_no_nulls, checked_frame, factorize, select_columns
from rankagg.pairs import Comparisons

__all__ = ["expected_rating", "merge_bidirectional", "self_play_rewards"]

RatingMethod = Literal["expectation", "sharpened"]


def _check_probabilities(p: np.ndarray, what: str) -> None:
    """NaN/infinite → NonFiniteValueError, negative → RankaggError, rows named."""
    bad = np.flatnonzero(~np.isfinite(p))
    if len(bad):
        raise NonFiniteValueError(f"{what} has {len(bad)} NaN or infinite value(s): rows {bad[:MAX_SHOWN].tolist()}")
    bad = np.flatnonzero(p < 0)
    if len(bad):
        raise RankaggError(f"{what} has {len(bad)} negative value(s): rows {bad[:MAX_SHOWN].tolist()}")


def _sharpened_weights(p: np.ndarray, temperature: float, rows: np.ndarray, n_rows: int) -> np.ndarray:
    """Weights ∝ exp(logit(p) / T) within each row group (``rows[i]`` = group of entry i)."""
    with np.errstate(divide="ignore"):
        q = np.clip(p, 0.0, 1.0)
        z = (np.log(q) - np.log1p(-q)) / temperature  # log-odds: −inf at 0, +inf at 1
    zmax = np.full(n_rows, -np.inf)
    np.maximum.at(zmax, rows, z)
    top = zmax[rows]
    with np.errstate(invalid="ignore"):
        w = np.where(np.isposinf(top), (z == np.inf).astype(float), np.exp(z - top))
    return w


def expected_rating(
    probabilities: Frame | np.ndarray,
    *,
    item: str | Sequence[str] = "item",
    score: str = "score",
    probability: str = "probability",
    method: RatingMethod = "expectation",
    temperature: float = 0.2,
    scores: Sequence[float] | None = None,
) -> pl.DataFrame | np.ndarray:
    """A continuous rating from a judge's probabilities over discrete scores.

    ``probabilities`` is either

    - a long frame, one row per (judged item, score value): the ``item`` column (or several
      key columns, e.g. ``item=["prompt", "sample", "judge"]``), the ``score`` value and its
      ``probability``. Returns a frame with the key columns (one row per key, in order of first
      appearance), ``rating`` and ``mode`` (the most probable score; the smallest on ties);
    - a NumPy matrix, one row per judged item and one column per score value, with the score
      values in ``scores``. Returns a NumPy vector of ratings.

    Each distribution is first normalised to sum to 1 (so the probabilities of the score
    tokens, which leave out the rest of the vocabulary, and unnormalised counts are accepted).
    Probabilities that are NaN, infinite or negative raise an error naming the rows, as does a
    distribution that sums to 0.

    ``method="expectation"``: ``Σ_s s · p_s`` — TrustJudge's distribution-sensitive scoring
    (the G-Eval score). ``method="sharpened"``: the expectation under ``w_s ∝ exp(logit(p_s) /
    T)``, the softmax of the log-odds ``log(p_s / (1 − p_s))`` at temperature ``T =
    temperature`` (default 0.2, as in TrustJudge's code). As ``T → 0`` it tends to the most
    probable score (the mean of the most probable scores on ties); at ``T = 1`` it weights
    ``p_s / (1 − p_s)``. A score of probability 0 gets weight 0, one of probability 1 all of it.
    TrustJudge's reference code takes the log-odds of the raw token probabilities (and adds
    1e-8 to both terms); here they are taken after normalising.

    >>> import numpy as np, rankagg as ra
    >>> p = np.array([[0.1, 0.2, 0.7], [0.5, 0.0, 0.5]])
    >>> ra.expected_rating(p, scores=[1, 2, 3]).round(6).tolist()
    [2.6, 2.0]
    >>> ra.expected_rating(p, scores=[1, 2, 3], method="sharpened", temperature=0.01).round(6).tolist()
    [3.0, 2.0]
    >>> long = {"judge": ["j1", "j1", "j2", "j2"], "item": ["x", "x", "x", "x"],
    ...         "score": [1, 2, 1, 2], "probability": [0.3, 0.3, 0.2, 0.6]}
    >>> ra.expected_rating(long, item=["judge", "item"]).rows()
    [('j1', 'x', 1.5, 1), ('j2', 'x', 1.75, 2)]
    """
    if not one_of(method, ("expectation", "sharpened")):
        raise RankaggError(f"method must be 'expectation' or 'sharpened', not {method!r}")
    if method == "sharpened" and not (
        isinstance(temperature, (int, float)) and np.isfinite(temperature) and temperature > 0
    ):
        raise RankaggError(f"temperature must be a finite number > 0, not {temperature!r}")
    if isinstance(probabilities, np.ndarray):
        return _rating_matrix(probabilities, scores, method, float(temperature))
    if scores is not None:
        raise RankaggError("scores= is for a NumPy matrix; a frame holds the score values in its score= column")
    keys = [item] if isinstance(item, str) else list(item) if isinstance(item, Sequence) else [item]
    for key in keys:
        column_name("item", key)
    if not keys:
        raise RankaggError("item= names at least one key column")
    cols = [("item", k) for k in keys] + [("score", score), ("probability", probability)]
    frame = checked_frame(probabilities, cols)
    s = numeric_column(frame, score, "score")
    bad = np.flatnonzero(~np.isfinite(s))
    if len(bad):
        raise NonFiniteValueError(
            f"column {score!r} (score=) has {len(bad)} NaN or infinite value(s): rows {bad[:MAX_SHOWN].tolist()}"
        )
    p = numeric_column(frame, probability, "probability")
    _check_probabilities(p, f"column {probability!r} (probability=)")
    dup = frame.select(pl.struct([*keys, score]).is_duplicated()).to_series()
    if dup.any():
        raise RankaggError(
            f"{int(dup.sum())} row(s) repeat a ({', '.join(keys)}, {score}) combination: rows {dup.arg_true().head(MAX_SHOWN).to_list()}"
        )
    # Dense number per key, in order of first appearance.
    keyed = frame.select(keys).with_row_index("_row").group_by(keys, maintain_order=True).agg(pl.col("_row"))
    exploded = keyed.select(pl.col("_row")).with_row_index("_g").explode("_row")
    g = np.empty(frame.height, dtype=np.int64)
    g[exploded.get_column("_row").to_numpy()] = exploded.get_column("_g").to_numpy()
    m = keyed.height
    total = np.bincount(g, p, m)
    zero = np.flatnonzero(total == 0)
    if len(zero):
        shown = keyed.select(keys)[zero[:MAX_SHOWN].tolist()].rows()
        raise RankaggError(f"{len(zero)} distribution(s) have probabilities summing to 0: {shown}")
    q = p / total[g]
    w = q if method == "expectation" else _sharpened_weights(q, float(temperature), g, m)
    rating = np.bincount(g, w * s, m) / np.bincount(g, w, m)
    # mode: the most probable score, the smallest among equals.
    order = np.lexsort((s, -q, g))
    first = order[np.r_[True, g[order][1:] != g[order][:-1]]]
    mode = frame.get_column(score)[first.tolist()]
    return keyed.select(keys).with_columns(pl.Series("rating", rating), mode.alias("mode"))


def _rating_matrix(p: np.ndarray, scores: Sequence[float] | None, method: str, temperature: float) -> np.ndarray:
    if scores is None:
        raise RankaggError("a NumPy matrix needs scores=[...], the score value of each column")
    p = np.asarray(p, dtype=np.float64)
    s = np.asarray(scores, dtype=np.float64)
    if p.ndim != 2 or s.ndim != 1 or p.shape[1] != len(s):
        raise RankaggError(
            f"probabilities must be a matrix with one column per score value: shape {p.shape}, {len(s)} scores"
        )
    if not np.isfinite(s).all():
        raise NonFiniteValueError("scores must be finite")
    bad = ~np.isfinite(p).all(axis=1)
    if bad.any():
        raise NonFiniteValueError(
            f"{int(bad.sum())} row(s) of probabilities have NaN or infinite values: rows {np.flatnonzero(bad)[:MAX_SHOWN].tolist()}"
        )
    bad = (p < 0).any(axis=1)
    if bad.any():
        raise RankaggError(
            f"{int(bad.sum())} row(s) of probabilities have negative values: rows {np.flatnonzero(bad)[:MAX_SHOWN].tolist()}"
        )
    total = p.sum(axis=1)
    if (total == 0).any():
        raise RankaggError(
            f"row(s) of probabilities summing to 0: rows {np.flatnonzero(total == 0)[:MAX_SHOWN].tolist()}"
        )
    q = p / total[:, None]
    if method == "expectation":
        return q @ s
    rows = np.repeat(np.arange(len(q)), q.shape[1])
    w = _sharpened_weights(q.ravel(), temperature, rows, len(q)).reshape(q.shape)
    return (w @ s) / w.sum(axis=1)


def merge_bidirectional(
    judgments: Frame,
    *,
    a: str = "a",
    b: str = "b",
    p_a: str = "p_a",
    p_b: str = "p_b",
    p_tie: str | None = "p_tie",
    group: str | None = None,
    tolerance: float = 0.0,
    single: Literal["keep", "drop"] = "keep",
) -> pl.DataFrame:
    """One verdict per pair judged in both orders (TrustJudge's likelihood-aware aggregation).

    Each row is one judgment of the pair (``a`` shown first, ``b`` second) with the judge's
    probabilities that the first wins (``p_a``), that the second wins (``p_b``) and of a tie
    (``p_tie``; ``None`` when the judge is not offered a tie). The rows (x, y) and (y, x) of the
    same pair (within the same ``group``, e.g. a prompt) are matched; the reversed order's
    ``p_a`` and ``p_b`` are swapped and the two orders' probabilities averaged (the sum halved,
    which has the same most likely verdict). The verdict is the most likely of "a wins",
    "b wins", "tie", except that ``|p_a − p_b| ≤ tolerance`` is a tie; equal largest
    probabilities also make a tie. Probabilities are used as given (token probabilities need
    not sum to 1); NaN, infinite and negative values raise an error naming the rows.
    TrustJudge's code applies the tolerance to the gap between the two most likely verdicts
    instead of ``|p_a − p_b|``.

    Pairs judged in one order only are kept (``orders`` = 1, their probabilities as judged)
    or dropped with ``single="drop"``. Judging the same ordered pair twice in a group, or an
    item against itself, is an error (rows named).

    Returns one row per pair, in order of first appearance, oriented as its first row: the
    group column (if any), ``a``, ``b``, the merged ``p_a``, ``p_b``, ``p_tie``, ``outcome``
    (1 = a wins, 0 = b wins, 0.5 = tie: input for :func:`rankagg.bradley_terry` or
    :func:`rankagg.consistency`) and ``orders``.

    >>> import rankagg as ra
    >>> j = {"a": ["x", "y", "x"], "b": ["y", "x", "z"],
    ...      "p_a": [0.6, 0.5, 0.2], "p_b": [0.3, 0.4, 0.7], "p_tie": [0.1, 0.1, 0.1]}
    >>> ra.merge_bidirectional(j).rows()
    [('x', 'y', 0.5, 0.4, 0.1, 1.0, 2), ('x', 'z', 0.2, 0.7, 0.1, 0.0, 1)]
    >>> ra.merge_bidirectional(j, tolerance=0.1, single="drop").rows()
    [('x', 'y', 0.5, 0.4, 0.1, 0.5, 2)]
    """
    if not one_of(single, ("keep", "drop")):
        raise RankaggError(f"single must be 'keep' or 'drop', not {single!r}")
    number("tolerance", tolerance, lambda t: t >= 0, "a finite number ≥ 0")
    cols = [("a", a), ("b", b), ("p_a", p_a), ("p_b", p_b)]
    if p_tie is not None:
        cols.append(("p_tie", p_tie))
    if group is not None:
        cols.append(("group", group))
    frame = checked_frame(judgments, cols)
    probs = []
    for keyword, name in cols[2 : 5 if p_tie is not None else 4]:
        v = numeric_column(frame, name, keyword)
        _check_probabilities(v, f"column {name!r} ({keyword}=)")
        probs.append(v)
    if p_tie is None:
        probs.append(np.zeros(frame.height))
    pa, pb, pt = probs
    (ca, cb), labels = factorize([frame.get_column(a), frame.get_column(b)])
    same = np.flatnonzero(ca == cb)
    if len(same):
        raise SelfComparisonError(
            f"{len(same)} row(s) compare an item with itself (columns {a!r} and {b!r} are equal): rows {same[:MAX_SHOWN].tolist()}"
        )
    if group is not None:
        (cg,), group_labels = factorize([frame.get_column(group)])
    else:
        cg, group_labels = np.zeros(frame.height, dtype=np.uint32), None
    lo, hi = np.minimum(ca, cb), np.maximum(ca, cb)
    forward = ca == lo
    codes = pl.DataFrame({"g": cg, "lo": lo, "hi": hi, "fwd": forward})
    dup = codes.select(pl.struct("g", "lo", "hi", "fwd").is_duplicated()).to_series()
    if dup.any():
        raise RankaggError(
            f"{int(dup.sum())} row(s) judge the same pair in the same order twice"
            f"{' in a group' if group is not None else ''} (columns {a!r}, {b!r}): rows {dup.arg_true().head(MAX_SHOWN).to_list()}"
        )
    merged = (
        codes.with_columns(
            p_lo=pl.Series(np.where(forward, pa, pb)),
            p_hi=pl.Series(np.where(forward, pb, pa)),
            p_t=pl.Series(pt),
        )
        .group_by("g", "lo", "hi", maintain_order=True)
        .agg(
            pl.col("p_lo").mean(),
            pl.col("p_hi").mean(),
            pl.col("p_t").mean(),
            pl.col("fwd").first(),
            pl.len().alias("orders"),
        )
    )
    if single == "drop":
        merged = merged.filter(pl.col("orders") == 2)
    fwd = merged.get_column("fwd").to_numpy()
    lo_m, hi_m = merged.get_column("lo").to_numpy(), merged.get_column("hi").to_numpy()
    p_lo, p_hi = merged.get_column("p_lo").to_numpy(), merged.get_column("p_hi").to_numpy()
    first, second = np.where(fwd, lo_m, hi_m), np.where(fwd, hi_m, lo_m)
    m_a, m_b = np.where(fwd, p_lo, p_hi), np.where(fwd, p_hi, p_lo)
    m_t = merged.get_column("p_t").to_numpy()
    outcome = np.where(m_a > np.maximum(m_b, m_t), 1.0, np.where(m_b > np.maximum(m_a, m_t), 0.0, 0.5))
    outcome = np.where(np.abs(m_a - m_b) <= tolerance, 0.5, outcome)
    out: dict[str, Any] = {}
    if group is not None and group_labels is not None:
        out[group] = group_labels.gather(pl.Series(merged.get_column("g").to_numpy(), dtype=pl.UInt32))
    out["a"] = labels.gather(pl.Series(first, dtype=pl.UInt32))
    out["b"] = labels.gather(pl.Series(second, dtype=pl.UInt32))
    out["p_a"], out["p_b"], out["p_tie"] = m_a, m_b, m_t
    out["outcome"] = outcome
    out["orders"] = merged.get_column("orders").cast(pl.Int64)
    return pl.DataFrame(out)


def self_play_rewards(
    judgments: Frame,
    *,
    group: str | None = "group",
    a: str = "a",
    b: str = "b",
    outcome: str = "outcome",
    weight: str | None = None,
    outcomes: Mapping[Any, float] | None = None,
    winner: str | None = None,
    loser: str | None = None,
    sample: str = "sample",
) -> pl.DataFrame:
    """Self-Play Preference Optimization rewards: each sample's share of wins against the
    other samples of its group (Swamy et al., "A Minimaximalist Approach to Reinforcement
    Learning from Human Feedback", ICML 2024).

    ``judgments``: one row per judgment of two samples ``a`` and ``b`` drawn for the same
    prompt (the ``group`` column; ``group=None`` when all rows belong to one group), with the
    same outcome conventions as :func:`rankagg.bradley_terry`: ``outcome`` in [0, 1] (1 = a
    wins; a soft judgment is a probability; 0.5 = tie, half a win each), or labels mapped by
    ``outcomes``, or ``winner``/``loser`` columns; an optional ``weight`` per row. Samples are
    told apart within a group only, so sample ids may repeat across prompts.

    Returns one row per (group, sample), sorted by group then sample: the group column (if
    any), ``sample`` (the name is the ``sample=`` keyword), ``wins`` (weighted wins, ties
    half), ``n`` (weighted judgments involving the sample) and ``reward`` = wins / n (null when
    n = 0). When every pair of a group's samples is judged once, the reward is SPO's average
    win probability against the group's other samples.

    >>> import rankagg as ra
    >>> j = {"prompt": ["p1", "p1", "p1", "p2"], "a": [0, 0, 1, 0], "b": [1, 2, 2, 1], "outcome": [1, 0.5, 0, 0.75]}
    >>> ra.self_play_rewards(j, group="prompt").rows()
    [('p1', 0, 0.75, 1.5, 2.0), ('p1', 1, 0.0, 0.0, 2.0), ('p1', 2, 0.75, 1.5, 2.0), ('p2', 0, 0.75, 0.75, 1.0), ('p2', 1, 0.25, 0.25, 1.0)]
    """
    comps = Comparisons.from_frame(
        judgments, a=a, b=b, outcome=outcome, weight=weight, outcomes=outcomes, winner=winner, loser=loser
    )
    comps.pair_table()  # validates the rows (self-comparisons, outcomes, weights) with row numbers
    m = len(comps.a)
    o, w = comps.row_values()
    n_items = len(comps.labels)
    ra_, rb_ = comps.rank[comps.a].astype(np.int64), comps.rank[comps.b].astype(np.int64)
    column_name("sample", sample)
    if group is not None:
        if column_name("group", group) == sample:
            raise RankaggError(f"the group column and the output column sample= are both named {group!r}")
        gframe = select_columns(judgments, [("group", group)])
        check_no_nulls(gframe, group, "group")
        (cg,), group_labels = factorize([gframe.get_column(group)])
        grank = sorted_rank(group_labels).astype(np.int64)[cg]
        group_sorted = group_labels.sort()
    else:
        grank = np.zeros(m, dtype=np.int64)
        group_sorted = None
    keys = np.concatenate([grank * n_items + ra_, grank * n_items + rb_])
    unique, where = np.unique(keys, return_inverse=True)
    wins = np.bincount(where, np.concatenate([o * w, (1.0 - o) * w]), len(unique))
    n = np.bincount(where, np.concatenate([w, w]), len(unique))
    with np.errstate(invalid="ignore", divide="ignore"):
        reward = np.where(n > 0, wins / np.where(n > 0, n, 1.0), np.nan)
    out: dict[str, Any] = {}
    if group is not None and group_sorted is not None:
        out[group] = group_sorted.gather(pl.Series(unique // n_items, dtype=pl.UInt32))
    out[sample] = comps.labels.gather(pl.Series(unique % n_items, dtype=pl.UInt32))
    out["reward"] = reward
    out["wins"] = wins
    out["n"] = n
    return pl.DataFrame(out).with_columns(pl.col("reward").fill_nan(None))
