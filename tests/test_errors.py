"""Each bad input raises its documented exception with a message naming what is at fault."""

from __future__ import annotations

import math

import polars as pl
import pytest

import rankagg as ra
from rankagg import _core


def frame(**cols):
    base = {"a": ["x", "y", "z", "x"], "b": ["y", "z", "x", "z"], "outcome": [1.0, 1.0, 0.5, 0.0]}
    base.update(cols)
    return pl.DataFrame(base)


def test_all_errors_are_value_errors():
    for cls in [
        ra.MissingColumnError,
        ra.NullValueError,
        ra.UnknownOutcomeError,
        ra.OutcomeRangeError,
        ra.InvalidWeightError,
        ra.SelfComparisonError,
        ra.EmptyDataError,
        ra.NotIdentifiableError,
        ra.UnknownItemError,
        ra.InternalError,
    ]:
        assert issubclass(cls, ra.RankaggError) and issubclass(cls, ValueError)


def test_missing_column_names_keyword_and_columns():
    with pytest.raises(
        ra.MissingColumnError,
        match=r"column 'winner' \(outcome=\) is not in the data; columns are: 'a', 'b', 'outcome'",
    ):
        ra.bradley_terry(frame(), outcome="winner")


def test_nulls_name_column_and_rows():
    f = frame(b=["y", None, "x", None])
    with pytest.raises(ra.NullValueError, match=r"column 'b' \(b=\) has 2 null\(s\): rows \[1, 3\]"):
        ra.bradley_terry(f)


def test_unknown_labels_are_listed():
    f = frame(outcome=["model_a", "model_b", "draw", "draw"])
    with pytest.raises(ra.UnknownOutcomeError, match=r"labels not in outcomes: \['draw'\], e.g. rows \[2, 3\]"):
        ra.bradley_terry(f)


def test_outcome_out_of_range_rows():
    f = frame(outcome=[1.0, 1.5, math.nan, 0.0])
    with pytest.raises(
        ra.OutcomeRangeError,
        match=r"column 'outcome' \(outcome=\) has 2 value\(s\) outside \[0, 1\] or NaN: rows \[1, 2\]",
    ):
        ra.bradley_terry(f)


def test_bad_mapping_value():
    with pytest.raises(ra.OutcomeRangeError, match=r"outcomes\['win'\] = 2"):
        ra.bradley_terry(frame(outcome=["win"] * 4), outcomes={"win": 2})


@pytest.mark.parametrize("bad", [math.nan, math.inf, -1.0])
def test_bad_weights(bad):
    f = frame(w=[1.0, bad, 1.0, 1.0])
    with pytest.raises(
        ra.InvalidWeightError, match=r"column 'w' \(weight=\) has 1 NaN, infinite or negative value\(s\): rows \[1\]"
    ):
        ra.bradley_terry(f, weight="w")


def test_self_comparison_rows():
    f = frame(b=["y", "y", "x", "x"])
    with pytest.raises(ra.SelfComparisonError, match=r"2 row\(s\) compare an item with itself .*rows \[1, 3\]"):
        ra.bradley_terry(f)


def test_empty_frame_and_zero_weights():
    with pytest.raises(ra.EmptyDataError, match="no rows"):
        ra.bradley_terry(frame().head(0))
    with pytest.raises(ra.EmptyDataError, match="zero weight"):
        ra.bradley_terry(frame(w=[0.0] * 4), weight="w")


def test_never_losing_item_is_named_and_regularization_helps():
    f = pl.DataFrame({"a": ["champ", "champ", "x", "y"], "b": ["x", "y", "y", "x"], "outcome": [1.0, 1.0, 1.0, 1.0]})
    with pytest.raises(ra.NotIdentifiableError, match=r"never lose: 'champ'.*regularization") as info:
        ra.bradley_terry(f)
    assert info.value.never_lose == ["champ"]
    r = ra.bradley_terry(f, regularization=0.5)
    assert r.table["item"][0] == "champ" and r.table["score"].is_finite().all()


def test_disconnected_groups_are_reported():
    f = pl.DataFrame({"a": ["a", "b", "c", "d"], "b": ["b", "a", "d", "c"], "outcome": [1.0, 1.0, 1.0, 1.0]})
    with pytest.raises(ra.NotIdentifiableError, match="2 strongly connected components"):
        ra.bradley_terry(f)


def test_unknown_anchor_and_predict_items():
    with pytest.raises(ra.UnknownItemError, match="'nobody'"):
        ra.bradley_terry(frame(), anchor=("nobody", 0.0))
    r = ra.bradley_terry(frame())
    with pytest.raises(ra.UnknownItemError, match="'nobody'"):
        r.predict("x", "nobody")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"ties": "both"}, "ties must be"),
        ({"scale": "glicko"}, "scale must be"),
        ({"solver": "lbfgs"}, "solver must be"),
        ({"regularization": -1.0}, "regularization must be"),
        ({"tol": 0}, "tol must be"),
        ({"max_iter": -1}, "max_iter must be"),
    ],
)
def test_bad_options(kwargs, message):
    with pytest.raises(ra.RankaggError, match=message):
        ra.bradley_terry(frame(), **kwargs)


def test_mixed_item_dtypes():
    # (text dtypes mix: String, Categorical and Enum columns are compared as text)
    with pytest.raises(ra.RankaggError, match=r"same dtype.*'a': Int64, 'b': String"):
        ra.bradley_terry(pl.DataFrame({"a": [1, 2], "b": ["x", "y"], "outcome": [1.0, 0.0]}))


def test_winner_without_loser():
    with pytest.raises(ra.RankaggError, match="both winner= and loser="):
        ra.bradley_terry(frame(), winner="a")


def test_not_a_frame():
    with pytest.raises(TypeError, match="data must be"):
        ra.bradley_terry([("x", "y", 1.0)])


def test_non_convergence_warns_and_says_so():
    f = frame(a=["x", "y", "z", "x"], b=["y", "z", "x", "y"], outcome=[1.0, 1.0, 1.0, 1.0])
    with pytest.warns(ra.ConvergenceWarning, match="did not converge in 1 iterations"):
        r = ra.bradley_terry(f, solver="mm", max_iter=1, tol=1e-15)
    assert r.converged is False
    assert "NOT converged" in repr(r)


def test_panics_become_internal_error():
    with pytest.raises(ra.InternalError, match=r"internal error in rankagg's core.*debug hook"):
        _core._debug_panic()


def test_input_frame_is_not_modified():
    f = frame()
    before = f.clone()
    ra.bradley_terry(f, regularization=1.0)
    assert f.equals(before)


def test_hostile_keyword_values_get_documented_errors():
    """Keywords of the wrong type are named in a RankaggError, not a bare TypeError/ValueError
    from deep inside (issue 18 part 6)."""
    import math

    d = {"a": ["x", "y", "z"], "b": ["y", "z", "x"], "outcome": [1, 1, 1]}
    for bad in (3, "ab", ["model_a"]):
        with pytest.raises(ra.RankaggError, match="outcomes= maps outcome labels"):
            ra.bradley_terry(d, outcomes=bad)
        with pytest.raises(ra.RankaggError, match="outcomes= maps outcome labels"):
            ra.consistency(d, outcomes=bad)
    for bad in (math.nan, "x", None, [3, True], 3.0):
        with pytest.raises(ra.RankaggError, match="k must be"):
            ra.consistency(d, k=bad)
    huge = ra.consistency(d, scores={"x": 1, "y": 2, "z": 3}, score_tolerance=2**70)  # every rating tied
    assert huge.table.height > 0
