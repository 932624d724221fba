"""combine_rewards (Wang et al. 2024's log-sigmoid transform and the comparison rules): the
formula against a direct NumPy computation (per-prompt quantiles by np.quantile), properties
(monotone in each reward, bounds between the rules), stability at |r| = 1e4, and errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rankagg as ra
from hypothesis_budget import examples


@st.composite
def samples(draw):
    n = draw(st.integers(1, 12))
    values = st.sampled_from([-3.0, -0.5, 0.0, 0.25, 1.0, 2.0, 40.0])
    return pl.DataFrame(
        {
            "prompt": [draw(st.sampled_from(["p", "q", "r"])) for _ in range(n)],
            "r1": [draw(values) for _ in range(n)],
            "r2": [draw(values) for _ in range(n)],
            "ref1": [draw(values) for _ in range(n)],
            "ref2": [draw(values) for _ in range(n)],
        }
    )


def centred(frame, reference, prompt="prompt"):
    r = frame.select("r1", "r2").to_numpy()
    if reference is None:
        return r
    if isinstance(reference, list):
        return r - frame.select(reference).to_numpy()
    keys = frame[prompt].to_list() if prompt else [0] * frame.height
    out = r.copy()
    for key in set(keys):
        rows = [i for i, k in enumerate(keys) if k == key]
        out[rows] -= np.quantile(r[rows], reference, axis=0)
    return out


def direct(d, method, temperature=1.0):
    if method == "log_sigmoid":
        return np.sum(np.log(1.0 / (1.0 + np.exp(-d))), axis=1)
    if method == "sum":
        return d.sum(axis=1)
    if method == "min":
        return d.min(axis=1)
    return -temperature * np.log(np.mean(np.exp(-d / temperature), axis=1))


@settings(max_examples=examples(100), deadline=None)
@given(
    samples(),
    st.sampled_from([0.5, 0.0, 0.85, 1.0, None, ["ref1", "ref2"]]),
    st.sampled_from(["log_sigmoid", "sum", "min", "softmin"]),
    st.sampled_from(["prompt", None]),
    st.sampled_from([0.1, 1.0, 7.0]),
)
def test_the_formula_against_numpy(frame, reference, method, prompt, temperature):
    before = frame.clone()
    out = ra.combine_rewards(
        frame, rewards=["r1", "r2"], reference=reference, method=method, prompt=prompt, temperature=temperature
    )
    assert frame.equals(before)
    assert out.drop("combined").equals(frame)
    expected = direct(centred(frame, reference, prompt), method, temperature)
    np.testing.assert_allclose(out["combined"].to_numpy(), expected, rtol=1e-10, atol=1e-12)


@settings(max_examples=examples(60), deadline=None)
@given(samples(), st.integers(0, 11), st.sampled_from(["r1", "r2"]), st.sampled_from([0.01, 1.0, 3.0]))
def test_bounds_and_monotone_in_each_reward(frame, row, column, bump):
    row = row % frame.height
    results = {}
    for method in ("log_sigmoid", "sum", "min", "softmin"):
        kwargs = dict(rewards=["r1", "r2"], reference=["ref1", "ref2"], method=method, temperature=0.5)
        low = ra.combine_rewards(frame, **kwargs)["combined"].to_numpy()
        raised = frame.with_columns(
            pl.when(pl.int_range(pl.len()) == row).then(pl.col(column) + bump).otherwise(pl.col(column)).alias(column)
        )
        high = ra.combine_rewards(raised, **kwargs)["combined"].to_numpy()
        assert high[row] >= low[row] and np.array_equal(np.delete(high, row), np.delete(low, row))
        if method == "sum":  # the others may saturate (log σ at 0, min and softmin when it is not the smallest)
            assert high[row] > low[row]
        results[method] = low
    d = frame.select(pl.col("r1") - pl.col("ref1"), pl.col("r2") - pl.col("ref2")).to_numpy()
    terms = np.log(1.0 / (1.0 + np.exp(-d)))
    assert np.all(results["log_sigmoid"] <= terms.min(axis=1) + 1e-12)  # each term is ≤ 0
    assert np.all(results["min"] <= results["softmin"] + 1e-12)
    assert np.all(results["softmin"] <= d.mean(axis=1) + 1e-12)
    assert np.all(results["softmin"] >= results["min"] - 1e-12)


def test_softmin_tends_to_min_and_mean():
    frame = {"a": [0.0, 5.0], "b": [3.0, -1.0], "c": [1.0, 1.0]}
    d = np.array([[0.0, 3.0, 1.0], [5.0, -1.0, 1.0]])
    cold = ra.combine_rewards(frame, rewards=["a", "b", "c"], reference=None, method="softmin", temperature=1e-3)
    hot = ra.combine_rewards(frame, rewards=["a", "b", "c"], reference=None, method="softmin", temperature=1e6)
    np.testing.assert_allclose(cold["combined"].to_numpy(), d.min(axis=1), atol=2e-3)
    np.testing.assert_allclose(hot["combined"].to_numpy(), d.mean(axis=1), rtol=1e-5)


def test_no_overflow_at_large_rewards():
    frame = pl.DataFrame({"r": [1e4, -1e4, 0.0, 750.0, -750.0], "ref": [0.0] * 5})
    out = ra.combine_rewards(frame, rewards=["r"], reference="ref")["combined"].to_numpy()
    np.testing.assert_allclose(out, [0.0, -1e4, -math.log(2), 0.0, -750.0], rtol=1e-15, atol=1e-300)
    assert np.all(np.isfinite(out))
    soft = ra.combine_rewards(frame, rewards=["r", "ref"], reference=None, method="softmin", temperature=1e-3)
    assert np.all(np.isfinite(soft["combined"].to_numpy()))


def test_the_median_reference_per_prompt():
    frame = {"prompt": ["p", "p", "p", "q"], "r": [1.0, 5.0, 2.0, 9.0]}
    out = ra.combine_rewards(frame, rewards=["r"], prompt="prompt", method="sum")
    assert out["combined"].to_list() == [-1.0, 3.0, 0.0, 0.0]


def test_pandas_input_is_not_modified():
    pdf = pd.DataFrame({"prompt": ["p", "p"], "r": [1.0, 2.0], "s": [0.5, -0.5]})
    before = pdf.copy()
    out = ra.combine_rewards(pdf, rewards=["r", "s"], prompt="prompt", name="u")
    assert pdf.equals(before) and out.columns == ["prompt", "r", "s", "u"]
    lazy = ra.combine_rewards(pl.from_pandas(pdf).lazy(), rewards=["r", "s"], prompt="prompt", name="u")
    assert lazy.equals(out)


def error_of(call):
    with pytest.raises(ra.RankaggError) as info:
        call()
    return info.value


def test_errors():
    data = {"prompt": ["p", "p"], "r": [1.0, 2.0], "s": [0.5, -0.5], "ref": [0.0, 0.0]}
    e = error_of(lambda: ra.combine_rewards(data, rewards=["r", "t"]))
    assert isinstance(e, ra.MissingColumnError) and "'t' (rewards=)" in str(e)
    e = error_of(lambda: ra.combine_rewards(data, rewards=["r"], prompt="task"))
    assert isinstance(e, ra.MissingColumnError) and "'task' (prompt=)" in str(e)
    e = error_of(lambda: ra.combine_rewards({"r": [1.0, math.nan]}, rewards=["r"]))
    assert isinstance(e, ra.NonFiniteValueError) and "'r' (rewards=)" in str(e) and "rows [1]" in str(e)
    e = error_of(lambda: ra.combine_rewards({"r": [1.0, None]}, rewards=["r"]))
    assert isinstance(e, ra.NullValueError) and "rows [1]" in str(e)
    e = error_of(lambda: ra.combine_rewards({"r": [1e308, -1e308], "x": [-1e308, 1e308]}, rewards=["r"], reference="x"))
    assert "overflow" in str(e) and "rows [0, 1]" in str(e)
    assert "method must be" in str(error_of(lambda: ra.combine_rewards(data, rewards=["r"], method="max")))
    assert "rewards must be" in str(error_of(lambda: ra.combine_rewards(data, rewards="r")))
    assert "rewards must be" in str(error_of(lambda: ra.combine_rewards(data, rewards=[])))
    assert "twice" in str(error_of(lambda: ra.combine_rewards(data, rewards=["r", "r"])))
    assert "in [0, 1]" in str(error_of(lambda: ra.combine_rewards(data, rewards=["r"], reference=1.5)))
    assert "one reference column per reward" in str(
        error_of(lambda: ra.combine_rewards(data, rewards=["r", "s"], reference="ref"))
    )
    assert "1 column(s) for 2" in str(error_of(lambda: ra.combine_rewards(data, rewards=["r", "s"], reference=["ref"])))
    assert "temperature" in str(
        error_of(lambda: ra.combine_rewards(data, rewards=["r"], method="softmin", temperature=0.0))
    )
    assert "already have a column 'r'" in str(error_of(lambda: ra.combine_rewards(data, rewards=["s"], name="r")))
    assert isinstance(error_of(lambda: ra.combine_rewards({"r": []}, rewards=["r"])), ra.EmptyDataError)
    assert "numeric" in str(error_of(lambda: ra.combine_rewards({"r": ["a"]}, rewards=["r"])))
