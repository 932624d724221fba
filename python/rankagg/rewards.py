"""Several reward models' scores → one reward per sample.

:func:`combine_rewards` implements the transform of Wang et al., "Transforming and Combining
Rewards for Aligning Large Language Models" (ICML 2024): each reward r is centred on a
reference reward r_ref of its prompt and passed through log σ, so u = log σ(r − r_ref) is
close to 0 once a sample is clearly better than the reference and very negative while it is
worse; summing the transformed rewards is a soft "logical AND" (the sum is high only when
every reward is). The plain sum, the minimum and a soft minimum are there for comparison.

>>> import rankagg as ra
>>> samples = {"prompt": ["p", "p", "p"], "helpful": [1.0, 3.0, 2.0], "harmless": [2.0, -1.0, 1.0]}
>>> out = ra.combine_rewards(samples, rewards=["helpful", "harmless"], prompt="prompt")
>>> out["combined"].round(3).to_list()
[-1.627, -2.44, -1.386]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import polars as pl

from rankagg._util import MAX_SHOWN
from rankagg.checks import column_name, one_of
from rankagg.errors import RankaggError
from rankagg.intake import Frame, checked_frame, select_columns
from rankagg.metrics import finite_column, grouped_order, query_codes

__all__ = ["combine_rewards"]

Combination = Literal["log_sigmoid", "sum", "min", "softmin"]


def log_sigmoid(x: np.ndarray) -> np.ndarray:
    """log σ(x) = −log(1 + e^(−x)), without overflow for any finite x (−1e4 → −1e4, 1e4 → 0)."""
    return 0.0 - np.logaddexp(0.0, -x)


def group_quantile(values: np.ndarray, group: np.ndarray, q: float, n_groups: int) -> np.ndarray:
    """Per row, the ``q``-quantile of the values of its group, interpolated linearly between
    the order statistics at position q·(n − 1) (NumPy's default ``method="linear"``)."""
    order = grouped_order(group, values, n_groups)
    size = np.bincount(group, minlength=n_groups)
    start = np.cumsum(size) - size
    h = q * (size - 1)
    lo = np.floor(h).astype(np.int64)
    hi = np.minimum(lo + 1, np.maximum(size - 1, 0))
    ordered = values[order]
    present = size > 0
    v_lo = np.where(present, ordered[np.minimum(start + lo, len(values) - 1)], np.nan)
    v_hi = np.where(present, ordered[np.minimum(start + hi, len(values) - 1)], np.nan)
    return (v_lo + (h - lo) * (v_hi - v_lo))[group]


def _whole_frame(data: Frame) -> pl.DataFrame:
    """All of the caller's columns as a new Polars frame (the caller's object untouched)."""
    if isinstance(data, pl.LazyFrame):
        names = data.collect_schema().names()
    elif isinstance(data, (pl.DataFrame, Mapping)):
        names = list(data.columns if isinstance(data, pl.DataFrame) else data.keys())
    elif hasattr(data, "column_names"):  # pyarrow
        names = list(data.column_names)
    elif hasattr(data, "columns"):  # pandas
        names = list(data.columns)
    else:
        names = []
    return select_columns(data, [("data", c) for c in names])


def combine_rewards(
    data: Frame,
    *,
    rewards: Sequence[str],
    reference: float | str | Sequence[str] | None = 0.5,
    method: Combination = "log_sigmoid",
    prompt: str | None = None,
    temperature: float = 1.0,
    name: str = "combined",
) -> pl.DataFrame:
    """One combined reward per row from several reward columns (Wang et al., ICML 2024).

    ``data``: one row per sample, with the reward columns named in ``rewards`` and, when given,
    the ``prompt`` column. Each reward r_j is first centred: d_j = r_j − ref_j, where the
    reference ``ref_j`` is

    - a number q in [0, 1]: the q-quantile of reward j over the samples of the same prompt
      (over all rows without ``prompt=``), interpolated linearly between the order
      statistics at position q·(n − 1) as ``numpy.quantile`` does by default. The default 0.5
      is the per-prompt median; the paper's reference is the reward of a reference model's
      sample, e.g. a quantile of the SFT model's samples — pass it as a column then;
    - a column name (one reward), or one column per reward (a list aligned with ``rewards``):
      the reference rewards, row by row;
    - ``None``: no centring (d_j = r_j).

    ``method``: ``"log_sigmoid"`` (the paper's transform): Σ_j log σ(d_j), each term ≤ 0 and
    computed without overflow (log σ(−1e4) = −1e4); ``"sum"``: Σ_j d_j; ``"min"``: min_j d_j;
    ``"softmin"``: −T · log((1/m) Σ_j exp(−d_j / T)) with T = ``temperature``, a smooth minimum
    of the m centred rewards between the minimum (T → 0) and the mean (T → ∞), increasing in
    every reward.

    Returns the data as a Polars frame (all columns, row order kept) with the combined reward
    in a new column ``name``; the input is not modified. Nulls, NaN or infinite rewards are
    errors naming the column and rows.

    >>> import rankagg as ra
    >>> samples = {"helpful": [1.0, 3.0], "harmless": [2.0, -1.0], "ref_a": [2.0, 2.0], "ref_b": [0.0, 0.0]}
    >>> ra.combine_rewards(samples, rewards=["helpful", "harmless"], reference=["ref_a", "ref_b"],
    ...                    method="min")["combined"].to_list()
    [-1.0, -1.0]
    >>> ra.combine_rewards(samples, rewards=["helpful"], reference=None, method="sum")["combined"].to_list()
    [1.0, 3.0]
    """
    if not one_of(method, ("log_sigmoid", "sum", "min", "softmin")):
        raise RankaggError(f"method must be 'log_sigmoid', 'sum', 'min' or 'softmin', not {method!r}")
    column_name("name", name)
    if isinstance(rewards, str) or not isinstance(rewards, Sequence) or not rewards:
        raise RankaggError(f"rewards must be a non-empty list of column names, not {rewards!r}")
    if len(set(rewards)) != len(rewards):
        raise RankaggError(f"rewards names a column twice: {list(rewards)!r}")
    if method == "softmin" and not (
        isinstance(temperature, (int, float)) and not isinstance(temperature, bool) and 0 < temperature < np.inf
    ):
        raise RankaggError(f"temperature must be a finite number > 0, not {temperature!r}")
    quantile: float | None = None
    ref_columns: list[str] = []
    if reference is None:
        pass
    elif isinstance(reference, str):
        if len(rewards) != 1:
            raise RankaggError(
                f"reference={reference!r} is one column for {len(rewards)} rewards: give one reference column per reward"
            )
        ref_columns = [reference]
    elif isinstance(reference, (int, float)) and not isinstance(reference, bool):
        if not 0.0 <= float(reference) <= 1.0:
            raise RankaggError(f"a quantile reference must be in [0, 1], not {reference!r}")
        quantile = float(reference)
    elif isinstance(reference, Sequence) and all(isinstance(c, str) for c in reference):
        ref_columns = list(reference)
        if len(ref_columns) != len(rewards):
            raise RankaggError(f"reference names {len(ref_columns)} column(s) for {len(rewards)} reward(s)")
    else:
        raise RankaggError(
            f"reference must be a quantile in [0, 1], a column name, a list of them or None, not {reference!r}"
        )
    frame = _whole_frame(data)
    if name in frame.columns:
        raise RankaggError(f"the data already have a column {name!r}: choose another name=")
    cols = [("rewards", r) for r in rewards] + [("reference", c) for c in ref_columns]
    if prompt is not None:
        cols.append(("prompt", prompt))
    checked = checked_frame(frame, cols)
    r = np.column_stack([finite_column(checked, c, "rewards") for c in rewards])
    if ref_columns:
        r = r - np.column_stack([finite_column(checked, c, "reference") for c in ref_columns])
    elif quantile is not None:
        g, labels = query_codes(checked, prompt)
        m = 1 if labels is None else len(labels)
        r = r - np.column_stack([group_quantile(r[:, j], g, quantile, m) for j in range(r.shape[1])])
    bad = np.flatnonzero(~np.isfinite(r).all(axis=1))
    if len(bad):
        raise RankaggError(
            f"rewards minus their reference overflow double precision in rows {bad[:MAX_SHOWN].tolist()}: rescale them"
        )
    combined: Any
    if method == "log_sigmoid":
        combined = log_sigmoid(r).sum(axis=1)
    elif method == "sum":
        combined = r.sum(axis=1)
    elif method == "min":
        combined = r.min(axis=1)
    else:
        low = r.min(axis=1)
        t = float(temperature)
        combined = low - t * np.log(np.exp(-(r - low[:, None]) / t).mean(axis=1))
        combined = np.clip(combined, low, r.mean(axis=1))  # rounding only: the bounds hold exactly
    return frame.with_columns(pl.Series(name, combined, dtype=pl.Float64))
