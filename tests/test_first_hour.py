"""What a new user trips on in the first hour (issue 17): evalica-style calls, results as
dicts and pandas, vectorized predictions, short reprs, known column layouts in the CLI, file
types by extension, percentages that do not round to the whole, method names in titles."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import polars as pl
import pytest

import rankagg as ra
from rankagg.cli import main
from rankagg.display import method_name, percent

ARENA = pd.DataFrame(
    {
        "model_a": ["x", "y", "x", "z", "y", "z", "x"],
        "model_b": ["y", "z", "z", "x", "x", "y", "y"],
        "winner": ["model_a", "model_b", "tie", "model_b", "model_a", "model_a", "model_b"],
    },
    index=[10, 11, 12, 13, 14, 15, 16],  # not 0..n-1: rows are matched by position, not index
)


@pytest.mark.parametrize(
    "method", [ra.bradley_terry, ra.elo, ra.counting, ra.win_rate, ra.average_win_rate, ra.pagerank]
)
def test_columns_given_positionally_equal_the_table(method):
    """evalica's habit, method(df.model_a, df.model_b, df.winner), gives what the table gives."""
    expected = method(ARENA, a="model_a", b="model_b", outcome="winner").table
    for cols in [
        (ARENA.model_a, ARENA.model_b, ARENA.winner),
        (pl.Series(ARENA.model_a.to_list()), ARENA.model_b.to_numpy(), ARENA.winner.to_list()),
    ]:
        assert method(*cols).table.equals(expected)


def test_winner_loser_and_weights_positionally():
    chosen, rejected = ["x", "x", "y", "z"], ["y", "z", "z", "x"]
    w = np.array([1.0, 2.0, 1.0, 0.5])
    got = ra.bradley_terry(chosen, rejected, weight=w).table
    frame = {"c": chosen, "r": rejected, "w": w}
    assert got.equals(ra.bradley_terry(frame, winner="c", loser="r", weight="w").table)


def test_positional_misuse_says_how_to_call():
    with pytest.raises(TypeError, match=r"bradley_terry\(df.model_a, df.model_b, df.winner\)"):
        ra.bradley_terry(ARENA.model_a)
    with pytest.raises(TypeError, match="drop the keyword"):
        ra.bradley_terry(ARENA.model_a, ARENA.model_b, ARENA.winner, a="model_a")
    with pytest.raises(ra.RankaggError, match="a has 7, b has 3"):
        ra.bradley_terry(ARENA.model_a, ARENA.model_b[:3], ARENA.winner)
    with pytest.raises(TypeError, match="weight= is a column"):
        ra.bradley_terry(ARENA.model_a, ARENA.model_b, ARENA.winner, weight="w")


def test_missing_default_columns_name_the_known_layout():
    with pytest.raises(ra.MissingColumnError, match="outcome='winner'"):
        ra.bradley_terry(ARENA)
    with pytest.raises(ra.MissingColumnError, match="winner='chosen', loser='rejected'"):
        ra.bradley_terry({"chosen": ["x"], "rejected": ["y"]})


def test_scores_to_pandas_and_vectorized_predict():
    r = ra.bradley_terry(ARENA, a="model_a", b="model_b", outcome="winner", scale="logit")
    assert list(r.scores) == r.table["item"].to_list() and r.scores["x"] == r["x"]
    frame = r.to_pandas()
    assert frame.loc["y", "score"] == r["y"] and list(frame.index) == r.table["item"].to_list()
    p = r.predict(ARENA.model_a, ARENA.model_b)
    assert isinstance(p, np.ndarray) and p.shape == (7,)
    for k, (a, b) in enumerate(zip(ARENA.model_a, ARENA.model_b, strict=True)):
        assert p[k] == pytest.approx(1 / (1 + math.exp(r[b] - r[a])), rel=1e-12)
        assert r.predict(a, b) == pytest.approx(p[k], rel=1e-12)
    with pytest.raises(ra.UnknownItemError, match="'nope'"):
        r.predict(["x", "nope"], ["y", "y"])
    with pytest.raises(ra.RankaggError, match="one b per a"):
        r.predict(["x", "y"], ["y"])


@pytest.mark.parametrize("ties", ["davidson", "rao_kupper"])
def test_vectorized_predict_with_tie_models_equals_one_at_a_time(ties):
    r = ra.bradley_terry(ARENA, a="model_a", b="model_b", outcome="winner", ties=ties, regularization=1.0)
    pairs = [("x", "y"), ("y", "z"), ("z", "x")]
    vec = r.predict([a for a, _ in pairs], [b for _, b in pairs])
    theta = {k: math.log(10) / 400 * (v - 1000) for k, v in r.scores.items()}  # elo scale → logit
    nu = r.tie_parameter
    for (a, b), got in zip(pairs, vec, strict=True):
        pa, pb = math.exp(theta[a]), math.exp(theta[b])
        want = pa / (pa + pb + nu * math.sqrt(pa * pb)) if ties == "davidson" else pa / (pa + nu * pb)
        assert got == pytest.approx(want, rel=1e-9)


def test_reprs_are_short_and_show_the_rank():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 30, 3000)
    b = (a + rng.integers(1, 30, 3000)) % 30
    data = {"a": [f"org/model-{x}-" + "x" * 40 for x in a], "b": [f"org/model-{x}-" + "x" * 40 for x in b]}
    data["outcome"] = (rng.random(3000) < 0.5).astype(float).tolist()
    r = ra.bradley_terry(data, ci=ra.Bootstrap(rounds=20))
    text = repr(r)
    header = text.splitlines()[2]
    assert "rank" in header and "lower" in header and "upper" in header and "…" not in header
    assert len(text.splitlines()) < 25
    table = ra.PairTable.from_comparisons(data)
    assert len(repr(table)) < 300 and "30 items" in repr(table) and "3,000 comparisons" in repr(table)
    votes = ra.Rankings.from_lists([["a", "b"], ["b", ("a", "c")]] * 500)
    lines = repr(votes).splitlines()
    assert lines[0] == "Rankings(1,000 rankings of 3 items, 2–3 items each, with ties)"
    assert lines[2] == "  1: 'b' > 'a' = 'c'" and len(lines) == 5


def test_report_with_a_path_returns_the_path(tmp_path):
    path = tmp_path / "r.html"
    out = ra.report(ARENA, path, a="model_a", b="model_b", outcome="winner", ci="none", regularization=1.0)
    assert out == path and path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    page = ra.report(ARENA, a="model_a", b="model_b", outcome="winner", ci="none", regularization=1.0)
    assert isinstance(page, str) and "Bradley–Terry" in page


def test_percent_never_rounds_to_the_whole():
    assert percent(779, 780) == "99.9 %" and percent(780, 780) == "100 %" and percent(0, 5) == "0 %"
    assert percent(99_999, 100_000) == ">99.9 %" and percent(1, 100_000) == "<0.1 %" and percent(1, 3) == "33.3 %"
    assert method_name("bradley_terry") == "Bradley–Terry" and method_name("win_rate") == "win rate"


@pytest.mark.parametrize(
    ("frame", "said"),
    [
        (ARENA.reset_index(drop=True), "--a model_a --b model_b --outcome winner"),
        (pd.DataFrame({"chosen": ["x", "x", "y", "z"], "rejected": ["y", "z", "z", "x"]}), "--winner chosen"),
    ],
)
@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".parquet"])
def test_cli_detects_known_layouts_and_file_types(tmp_path, capsys, frame, said, suffix):
    src = tmp_path / f"data{suffix}"
    pl_frame = pl.from_pandas(frame)
    if suffix == ".parquet":
        pl_frame.write_parquet(src)
    else:
        pl_frame.write_csv(src, separator="\t" if suffix == ".tsv" else ",")
    assert main(["leaderboard", str(src), "--regularization", "1"]) == 0
    out, err = capsys.readouterr()
    assert said in err and out.startswith("Bradley–Terry leaderboard")
    assert "| x " in out and "| y " in out and "| z " in out


def test_cli_says_nothing_when_the_default_columns_exist(tmp_path, capsys):
    src = tmp_path / "d.csv"
    pl.DataFrame({"a": ["x", "y", "x"], "b": ["y", "x", "y"], "outcome": [1, 1, 0], "model_a": [1, 2, 3]}).write_csv(
        src
    )
    assert main(["leaderboard", str(src)]) == 0
    assert "reading it as" not in capsys.readouterr().err


def test_cli_aggregate_and_welfare_equal_the_python_calls(tmp_path, capsys):
    scores = pl.DataFrame(
        {
            "model": ["x", "y", "z"] * 3,
            "task": ["qa"] * 3 + ["mt"] * 3 + ["sum"] * 3,
            "err": [0.3, 0.4, 0.35, 0.1, 0.05, 0.2, 0.5, 0.45, 0.4],
        }
    )
    src = tmp_path / "scores.csv"
    scores.write_csv(src)
    for method in ("borda", "kemeny", "mean"):
        dst = tmp_path / f"agg-{method}.csv"
        argv = ["aggregate", str(src), "--item", "model", "--value", "err", "--higher-is", "worse", "--method", method]
        assert main([*argv, "-o", str(dst)]) == 0
        want = ra.aggregate_scores(scores, item="model", value="err", higher_is="worse", method=method).table
        assert pl.read_csv(dst)["item"].to_list() == want["item"].to_list()
        assert main(argv) == 0
        assert "lower is better" in capsys.readouterr().out
    util = tmp_path / "util.csv"
    scores.rename({"task": "group", "err": "reward"}).write_csv(util)
    assert main(["welfare", str(util), "--item", "model", "--value", "reward", "--rule", "worst_group"]) == 0
    out = capsys.readouterr().out
    want = ra.welfare(scores, item="model", over="task", value="err", rule="worst_group").table
    rows = [line.split("|")[1].strip() for line in out.splitlines() if line.startswith("| ") and "item" not in line]
    assert rows == want["item"].to_list()
    assert main(["welfare", str(util), "--item", "model", "--value", "reward", "--rule", "quantile"]) == 2
    assert "q=" in capsys.readouterr().err


def test_progress_default_follows_the_terminal_and_the_environment(monkeypatch):
    from rankagg import display

    monkeypatch.delenv("RANKAGG_PROGRESS", raising=False)
    monkeypatch.setattr(display.sys.stderr, "isatty", lambda: False, raising=False)
    assert display.progress_delay(None) is None  # a pipe, a file, CI: nothing
    monkeypatch.setattr(display.sys.stderr, "isatty", lambda: True, raising=False)
    assert display.progress_delay(None) == display.PROGRESS_AFTER_SECONDS
    monkeypatch.setenv("RANKAGG_PROGRESS", "0")
    assert display.progress_delay(None) is None and display.progress_delay(True) == 0.0
    monkeypatch.setattr(display.sys.stderr, "isatty", lambda: False, raising=False)
    monkeypatch.setenv("RANKAGG_PROGRESS", "1")
    assert display.progress_delay(None) == display.PROGRESS_AFTER_SECONDS and display.progress_delay(False) is None


def test_bootstrap_progress_shows_only_after_the_delay(monkeypatch, capsys):
    from rankagg import display

    data = ARENA.reset_index(drop=True)
    kw = dict(a="model_a", b="model_b", outcome="winner", regularization=1.0)
    monkeypatch.setenv("RANKAGG_PROGRESS", "1")
    quiet = ra.bradley_terry(data, ci=ra.Bootstrap(rounds=50), **kw)
    assert capsys.readouterr().err == ""  # well under 2 s
    monkeypatch.setattr(display, "PROGRESS_AFTER_SECONDS", 0.0)
    shown = ra.bradley_terry(data, ci=ra.Bootstrap(rounds=50), **kw)
    assert "50/50 rounds" in capsys.readouterr().err
    assert shown.table.equals(quiet.table)  # the bar changes nothing
    monkeypatch.setenv("RANKAGG_PROGRESS", "0")
    ra.bradley_terry(data, ci=ra.Bootstrap(rounds=50), **kw)
    assert capsys.readouterr().err == ""


def test_kemeny_search_progress_after_the_delay(monkeypatch, capsys):
    rng = np.random.default_rng(3)
    w = rng.integers(0, 10, (12, 12)).astype(float)
    loud = ra.linear_ordering(w, exact_limit=0, progress=True)
    assert "bound" in capsys.readouterr().err
    monkeypatch.setenv("RANKAGG_PROGRESS", "1")
    quiet = ra.linear_ordering(w, exact_limit=0)  # auto: only after 2 s
    assert capsys.readouterr().err == "" and quiet.order == loud.order and quiet.optimal


def test_errors_name_pandas_index_labels_as_well_as_positions():
    bad = pd.DataFrame(
        {"a": ["x", "y", "z", "x"], "b": ["y", "y", "x", "z"], "outcome": [1.0, 0.0, 2.0, 1.0]},
        index=["r0", "r1", "r2", "r3"],
    )
    with pytest.raises(ra.SelfComparisonError, match=r"rows \[1\] \(index labels \['r1'\]\)"):
        ra.bradley_terry(bad)
    with pytest.raises(ra.OutcomeRangeError, match=r"rows \[1\] \(index labels \['r2'\]\)$"):
        ra.win_rate(bad.drop(index="r1"))  # position 1 is the row labelled r2
    with pytest.raises(ra.NullValueError, match=r"rows \[0\] \(index labels \[100\]\)"):
        ra.Rankings.from_frame(pd.DataFrame({"voter": [None, 1.0], "item": ["x", "y"], "rank": [1, 2]}, index=[100, 7]))
    scores = pd.DataFrame({"task": ["t", "t"], "system": ["x", "y"], "score": [1.0, np.nan]}, index=[5, 9])
    with pytest.raises(ra.NullValueError, match=r"rows \[1\] \(index labels \[9\]\)"):  # NaN is null in pandas
        ra.aggregate_scores(scores)
    with pytest.raises(ra.SelfComparisonError) as plain:  # the default index: positions are the labels
        ra.bradley_terry(bad.reset_index(drop=True))
    assert "index label" not in str(plain.value)
    assert list(bad.index) == ["r0", "r1", "r2", "r3"]  # the input is unchanged


def test_warnings_point_at_the_callers_line():
    """However many of rankagg's frames (decorators, helpers) lie between, a warning names the
    user's own file and line."""
    bench = {"model": ["a", "a", "b", "b", "c", "c"], "task": ["t1", "t2"] * 3, "acc": [0.9, 0.8, 0.85, 0.9, 0.1, 0.2]}
    with pytest.warns(ra.FloorWarning) as floor:
        ra.defensive(bench, item="model", over="task", value="acc", higher_is="better")
    with pytest.warns(DeprecationWarning) as renamed:
        ra.aggregate_scores(bench, system="model", over="task", value="acc")
    llmfao = ra.datasets.llmfao()
    with pytest.warns(ra.ConvergenceWarning) as slow:
        ra.bradley_terry(
            llmfao, a="left", b="right", outcome="winner", outcomes=ra.datasets.LLMFAO_OUTCOMES, max_iter=2
        )
    for record in (floor, renamed, slow):
        assert record[0].filename == __file__


def test_the_plot_lists_the_items_in_the_tables_order():
    """With intervals the rank column is the interval-aware rank, but rows stay best first by
    score, and the interval plot draws them in that same order (top to bottom)."""
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    data = ARENA.reset_index(drop=True)
    r = ra.bradley_terry(data, a="model_a", b="model_b", outcome="winner", regularization=1.0, ci=ra.Bootstrap(20))
    ax = r.plot()
    shown = [t.get_text() for t in ax.get_yticklabels()]
    assert shown == r.table["item"].to_list() and r.table["score"].is_sorted(descending=True)
