"""The sparse regime of issue 20 (decision 40): simple rows (unit weights, outcomes 0, ½, 1)
over a few thousand items and more pairs than rows are counted per lower item without a sort,
and the Bradley–Terry fit runs on single-precision edges when the counts allow. The table must
be the one an independent NumPy count gives, whatever the row order and the item names, and
the fit the one of full-precision counts."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rankagg as ra
from hypothesis_budget import examples
from rankagg import _core
from rankagg.pairs import core_rows


def numpy_table(a: np.ndarray, b: np.ndarray, o: np.ndarray, n: int) -> tuple[np.ndarray, ...]:
    """Reference: (i, j, wins of i, wins of j, ties) per pair i < j met, by np.unique on pair keys."""
    lo, hi = np.minimum(a, b).astype(np.int64), np.maximum(a, b).astype(np.int64)
    keys, inverse = np.unique(lo * n + hi, return_inverse=True)
    lower_won = np.where(o == 0.5, 0.0, ((o == 1.0) == (a == lo)).astype(float))
    higher_won = np.where(o == 0.5, 0.0, 1.0 - lower_won)
    count = lambda w: np.bincount(inverse, weights=w, minlength=len(keys))  # noqa: E731
    return keys // n, keys % n, count(lower_won), count(higher_won), count((o == 0.5).astype(float))


def rows(n: int, m: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, n, m)
    b = (a + rng.integers(1, n, m)) % n
    return a, b, rng.integers(0, 3, m) / 2.0


@pytest.mark.parametrize(("n", "m"), [(3000, 200_000), (700, 30_000), (65, 2_000)])
def test_the_per_item_count_equals_a_numpy_count(n, m):
    # n² ≤ 64 m and more pairs than rows: the per-item count (reduce_pairs' sparse branch).
    a, b, o = rows(n, m, n)
    got = _core.reduce_pairs(n, core_rows(a.astype(np.uint32), b.astype(np.uint32), outcome=o))
    for x, y in zip(got, numpy_table(a, b, o, n), strict=True):
        np.testing.assert_array_equal(x, y)
    # The same rows as label outcomes (coded), and as a frame with integer ids spread out.
    labels = np.array(["model_b", "tie", "model_a"])[(2 * o).astype(np.int64)]
    frame = pl.DataFrame({"a": 5 * a - 7, "b": 5 * b - 7, "winner": labels})
    t = ra.PairTable.from_comparisons(frame, outcome="winner")
    assert t.labels.to_list() == sorted(set((5 * a - 7).tolist()) | set((5 * b - 7).tolist()))
    for x, y in zip((t.i, t.j, t.wins_i, t.wins_j, t.ties), got, strict=True):
        np.testing.assert_array_equal(x, y)


@settings(max_examples=examples(10), deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(70, 400))
def test_row_order_and_item_names_do_not_change_the_table(seed, n):
    m = n * n // 40  # n² ≤ 64 m, and more pairs than rows
    a, b, o = rows(n, m, seed)
    rng = np.random.default_rng(seed + 1)
    want = ra.PairTable.from_comparisons(pl.DataFrame({"a": a, "b": b, "outcome": o}))
    # Rows shuffled, each with a and b swapped and the outcome flipped, items renamed by a
    # permutation of their names (so their codes change): the same table, renamed.
    order = rng.permutation(m)
    names = rng.permutation(n)
    frame = pl.DataFrame({"a": names[b[order]], "b": names[a[order]], "outcome": 1.0 - o[order]})
    got = ra.PairTable.from_comparisons(frame)
    as_dict = lambda t, rename: {  # noqa: E731
        tuple(sorted((rename[x], rename[y]))): ((w, v) if rename[x] < rename[y] else (v, w), s)
        for x, y, w, v, s in zip(
            t.labels.to_numpy()[t.i], t.labels.to_numpy()[t.j], t.wins_i, t.wins_j, t.ties, strict=True
        )
    }
    assert as_dict(got, np.arange(n)) == as_dict(want, names)


def test_the_fit_on_compact_counts_is_the_fit_on_full_precision_counts():
    # Integer counts fit on single-precision edges; the same table with every count times
    # 1 + 2⁻⁴⁰ (not exact in f32) on full-precision ones. Scaling all counts leaves the
    # maximum-likelihood strengths unchanged, so the two fits agree to the solver's tolerance.
    a, b, o = rows(2000, 100_000, 5)
    t = ra.PairTable.from_comparisons(pl.DataFrame({"a": a, "b": b, "outcome": o}))
    scaled = ra.PairTable(
        t.labels, t.i, t.j, t.wins_i * (1 + 2**-40), t.wins_j * (1 + 2**-40), t.ties * (1 + 2**-40), t.rows
    )
    for ties in ("half", "drop"):
        x = ra.bradley_terry(t, ties=ties, scale="logit", tol=1e-12)
        y = ra.bradley_terry(scaled, ties=ties, scale="logit", tol=1e-12)
        assert x.converged and y.converged
        score = lambda r: r.table.sort("item")["score"].to_numpy()  # noqa: E731
        np.testing.assert_allclose(score(x), score(y), atol=1e-9)


def test_a_bad_row_on_the_per_item_path_is_named():
    # The per-item count checks its rows in its first pass; the error still names the row.
    a, b, o = rows(3000, 200_000, 1)
    b[123_456] = a[123_456]
    with pytest.raises(ra.SelfComparisonError, match=r"rows \[123456\]"):
        ra.bradley_terry(pl.DataFrame({"a": a, "b": b, "outcome": o}))
