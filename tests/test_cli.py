"""The `rankagg` command: exit codes and output."""

from __future__ import annotations

import polars as pl
import pytest

from rankagg.cli import main


def test_leaderboard_default_is_llmfao(capsys):
    assert main(["leaderboard", "--top", "5"]) == 0
    out = capsys.readouterr().out
    assert "LLMFAO" in out
    lines = [line for line in out.splitlines() if line.startswith("| ")]
    assert lines[1].split("|")[1].strip() == "GPT 4"
    assert len(lines) == 1 + 5


def test_leaderboard_on_a_file_with_output(tmp_path, capsys):
    src = tmp_path / "pairs.csv"
    pl.DataFrame({"chosen": ["x", "x", "y", "z"], "rejected": ["y", "z", "z", "x"]}).write_csv(src)
    dst = tmp_path / "board.parquet"
    assert main(["leaderboard", str(src), "--winner", "chosen", "--loser", "rejected", "-o", str(dst)]) == 0
    board = pl.read_parquet(dst)
    assert board["item"].to_list()[0] == "x"
    assert set(board.columns) >= {"item", "score", "rank", "wins", "losses", "ties", "n"}


def test_leaderboard_outcome_mapping(tmp_path, capsys):
    src = tmp_path / "b.ndjson"
    pl.DataFrame({"l": ["p", "q", "p"], "r": ["q", "p", "q"], "w": ["left", "left", "tie"]}).write_ndjson(src)
    assert (
        main(
            ["leaderboard", str(src), "--a", "l", "--b", "r", "--outcome", "w", "--outcomes", "left=1,right=0,tie=0.5"]
        )
        == 0
    )
    assert "| p" in capsys.readouterr().out


def test_bad_input_exits_2_with_message(tmp_path, capsys):
    src = tmp_path / "bad.csv"
    pl.DataFrame({"a": ["x"], "b": ["y"]}).write_csv(src)
    assert main(["leaderboard", str(src)]) == 2
    err = capsys.readouterr().err
    assert "column 'outcome' (outcome=) is not in the data" in err


def test_leaderboard_methods_and_intervals(tmp_path, capsys):
    import rankagg as ra

    kw = {"a": "left", "b": "right", "outcome": "winner", "outcomes": ra.datasets.LLMFAO_OUTCOMES}
    for method in ("elo", "win_rate", "pagerank"):
        dst = tmp_path / f"{method}.csv"
        assert main(["leaderboard", "--method", method, "-o", str(dst)]) == 0
        want = getattr(ra, method)(ra.datasets.llmfao(), **kw).table
        assert pl.read_csv(dst)["item"].to_list() == want["item"].to_list()
    dst = tmp_path / "ci.csv"
    assert main(["leaderboard", "--ci", "bootstrap", "--rounds", "50", "--seed", "3", "-o", str(dst)]) == 0
    got = pl.read_csv(dst)
    want = ra.bradley_terry(ra.datasets.llmfao(), **kw, ci=ra.Bootstrap(rounds=50, seed=3)).table
    assert got["lower"].to_list() == want["lower"].to_list()
    assert main(["leaderboard", "--ci", "sandwich", "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert "sandwich covariance" in out and "lower" in out and "upper" in out
    assert main(["leaderboard", "--method", "elo", "--ci", "sandwich"]) == 2
    assert "Sandwich" in capsys.readouterr().err


def test_bench_prints_ratios(capsys):
    assert main(["bench", "--items", "8", "--rows", "2000", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| ") and "method" not in line]
    assert [r.split("|")[1].strip() for r in rows] == ["Bradley–Terry", "Elo", "Plackett–Luce"]
    # A ratio below 1 keeps two significant digits (a loaded machine once printed a rounded 0.0).
    assert all(float(r.split("|")[4]) > 0 for r in rows)


def test_markdown_output(tmp_path):
    dst = tmp_path / "board.md"
    assert main(["leaderboard", "--top", "3", "-o", str(dst)]) == 0
    text = dst.read_text()
    assert text.startswith("| item") and "GPT 4" in text


def test_consensus_preflib_and_long_table(tmp_path, capsys):
    from pathlib import Path

    data = Path(__file__).parent / "data" / "00005-00000002.toi"
    assert main(["consensus", str(data)]) == 0
    out = capsys.readouterr().out
    assert "8980 voters" in out and "proved optimal" in out and "Condorcet winner: Andy Montroll" in out
    assert main(["consensus", str(data), "--method", "instant_runoff"]) == 0
    assert "winner(s): Bob Kiss" in capsys.readouterr().out
    long = tmp_path / "ranks.csv"
    pl.DataFrame({"judge": [1, 1, 1, 2, 2, 2], "system": ["x", "y", "z"] * 2, "place": [1, 2, 3, 2, 1, 3]}).write_csv(
        long
    )
    dst = tmp_path / "out.csv"
    assert (
        main(
            [
                "consensus",
                str(long),
                "--voter",
                "judge",
                "--item",
                "system",
                "--rank",
                "place",
                "--method",
                "borda",
                "-o",
                str(dst),
            ]
        )
        == 0
    )
    assert pl.read_csv(dst)["item"].to_list()[-1] == "z"
    assert main(["consensus", str(long), "--voter", "nope"]) == 2


def test_lottery_of_comparisons_and_of_a_preflib_file(tmp_path, capsys):
    src = tmp_path / "rps.csv"
    pl.DataFrame(
        {"a": ["rock", "paper", "scissors"], "b": ["scissors", "rock", "paper"], "outcome": [1, 1, 1]}
    ).write_csv(src)
    assert main(["lottery", str(src)]) == 0
    out = capsys.readouterr().out
    rows = [line.split("|") for line in out.splitlines() if line.startswith("| ") and "item" not in line]
    assert sorted(r[1].strip() for r in rows) == ["paper", "rock", "scissors"]
    assert all(r[2].strip() == "0.333333" for r in rows)
    assert "support: 3 of 3 items" in out and "unique" in out
    dst = tmp_path / "lottery.csv"
    assert main(["lottery", "tests/data/00005-00000002.toi", "--payoff", "margin", "--all", "-o", str(dst)]) == 0
    table = pl.read_csv(dst)
    assert table.height == 6 and table["probability"][0] == 1.0  # Burlington 2009 had a Condorcet winner
    assert table["item"][0] == "Andy Montroll"


def test_consistency_of_llmfao_by_prompt_and_of_a_preflib_file(tmp_path, capsys):
    import rankagg as ra

    assert main(["consistency", "--group", "prompt", "--k", "3,4"]) == 0
    out = capsys.readouterr().out
    want = ra.consistency(
        ra.datasets.llmfao(),
        a="left",
        b="right",
        outcome="winner",
        outcomes=ra.datasets.LLMFAO_OUTCOMES,
        group="prompt",
        k=(3, 4),
    )
    assert f"{want.cycles} 3-cycles" in out and "items compared within each 'prompt'" in out
    rows = [line.split("|") for line in out.splitlines() if line.startswith("| ") and "subsets" not in line]
    assert [int(r[3]) for r in rows] == want.table["inconsistent"].to_list()
    dst = tmp_path / "groups.csv"
    assert main(["consistency", "--group", "prompt", "--per-group", "-o", str(dst)]) == 0
    assert pl.read_csv(dst).height == want.groups.height  # type: ignore[union-attr]
    # A Condorcet-consistent election: the ballots' majority relation of Burlington 2009.
    assert main(["consistency", "tests/data/00005-00000002.toi", "--k", "3"]) == 0
    assert "6 items" in capsys.readouterr().out
    assert main(["consistency", "--k", "three"]) == 2
    assert "--k expects subset sizes" in capsys.readouterr().err
    assert main(["consistency", "tests/data/00005-00000002.toi", "--group", "g"]) == 2


def test_files_are_streamed_with_a_progress_line_on_a_terminal(tmp_path, capsys, monkeypatch):
    import sys

    import numpy as np

    import rankagg as ra
    import rankagg.pairs

    monkeypatch.setattr(rankagg.pairs, "STREAM_BATCH_ROWS", 1000)
    rng = np.random.default_rng(1)
    a = rng.integers(0, 20, 5000)
    frame = pl.DataFrame({"a": a, "b": (a + rng.integers(1, 20, 5000)) % 20, "outcome": rng.random(5000).round(1)})
    src = tmp_path / "battles.parquet"
    frame.write_parquet(src)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    dst = tmp_path / "board.csv"
    assert main(["leaderboard", str(src), "-o", str(dst)]) == 0
    assert "reading comparisons: 5,000 rows" in capsys.readouterr().err
    # Fractional outcomes summed batch by batch: equal up to rounding.
    assert np.allclose(
        pl.read_csv(dst)["score"].to_numpy(), ra.bradley_terry(frame).table["score"].to_numpy(), rtol=1e-12
    )
    # An error in a later batch names the row in the whole file.
    bad = frame.with_columns(
        pl.when(pl.int_range(5000) == 3456).then(2.0).otherwise(pl.col("outcome")).alias("outcome")
    )
    bad.write_csv(tmp_path / "bad.csv")
    assert main(["leaderboard", str(tmp_path / "bad.csv")]) == 2
    assert "rows [3456]" in capsys.readouterr().err
    assert main(["leaderboard", str(tmp_path / "missing.csv")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_consensus_kemeny_time_limit(capsys):
    assert main(["consensus", "tests/data/00005-00000002.toi", "--time-limit", "5"]) == 0
    assert "proved optimal" in capsys.readouterr().out


def test_stdin_and_exit_codes_in_a_real_process(tmp_path):
    import subprocess
    import sys

    csv = "a,b,outcome\nx,y,1\ny,z,1\nz,x,1\nx,z,1\n"
    run = lambda *args, stdin=None: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "rankagg", *args], input=stdin, capture_output=True, text=True
    )
    ok = run("leaderboard", "-", "--top", "2", stdin=csv)
    assert ok.returncode == 0 and "| x" in ok.stdout and ok.stderr == ""
    bad = run("leaderboard", "-", stdin="a,b\nx,y\n")
    assert bad.returncode == 2 and bad.stderr.startswith("rankagg: error: column 'outcome'")
    usage = run("leaderboard", "--method", "nope")
    assert usage.returncode == 2 and "invalid choice" in usage.stderr
    help_text = run("consistency", "--help")
    assert help_text.returncode == 0 and "examples:" in help_text.stdout


@pytest.mark.parametrize(
    "argv, message",
    [
        (["leaderboard", "{csv}", "--outcomes", "a=x"], "--outcomes: the value of 'a' must be a number"),
        (["bench", "--items", "1"], "--items must be at least 2"),
        (["consensus", "{big}"], "count of 400 digits is above 2**53"),
    ],
)
def test_bad_arguments_and_files_exit_2_with_one_line(tmp_path, capsys, argv, message):
    csv = tmp_path / "c.csv"
    csv.write_text("a,b,outcome\nx,y,1\ny,x,1\n")
    big = tmp_path / "big.soc"
    big.write_text(
        "# NUMBER ALTERNATIVES: 2\n# ALTERNATIVE NAME 1: x\n# ALTERNATIVE NAME 2: y\n" + "9" * 400 + ": 1,2\n"
    )
    assert main([a.format(csv=csv, big=big) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rankagg: error: ") and message in err and err.count("\n") == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["bench", "--repeat", "0"],
        ["bench", "--items", "0"],
        ["leaderboard", "--top", "-1"],
        ["consistency", "--exact-limit", "-3"],
    ],
)
def test_counts_below_one_are_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and "expected a whole number >= " in err and err.count("\n") == 1


def test_leaderboard_by_task_with_pooling(tmp_path, capsys):
    src = tmp_path / "tasks.csv"
    pl.DataFrame(
        {
            "task": ["m", "m", "m", "m", "c", "c", "c"],
            "a": ["x", "y", "z", "x", "x", "y", "z"],
            "b": ["y", "z", "x", "z", "y", "z", "x"],
            "outcome": [1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0],
        }
    ).write_csv(src)
    out = tmp_path / "board.csv"
    assert main(["leaderboard", str(src), "--by", "task", "--pooling", "2", "-o", str(out)]) == 0
    board = pl.read_csv(out)
    assert board.columns[:2] == ["task", "item"] and "pooled_only" in board.columns
    assert board["task"].to_list() == ["c"] * 3 + ["m"] * 3
    assert main(["leaderboard", str(src), "--by", "task", "--pooling", "-1"]) == 2
    assert "pooling must be a finite number >= 0" in capsys.readouterr().err
    assert main(["leaderboard", str(src), "--pooling", "1"]) == 2
    assert "--pooling needs --by" in capsys.readouterr().err
    assert main(["leaderboard", str(src), "--by", "task", "--method", "elo"]) == 2


# -- text tables: long names never wrap in files and pipes (issue 17, item 2) --------------------

LONG_NAMES = [f"meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo-v{i:02d}" for i in range(30)]


@pytest.fixture
def long_names_csv(tmp_path):
    import numpy as np

    rng = np.random.default_rng(0)
    a = rng.integers(0, 30, 3000)
    b = (a + rng.integers(1, 30, 3000)) % 30
    src = tmp_path / "long.csv"
    pl.DataFrame(
        {"a": [LONG_NAMES[i] for i in a], "b": [LONG_NAMES[i] for i in b], "outcome": rng.choice([0.0, 0.5, 1.0], 3000)}
    ).write_csv(src)
    return src


def test_markdown_file_has_one_line_per_item_with_full_names(long_names_csv, tmp_path):
    dst = tmp_path / "board.md"
    assert main(["leaderboard", str(long_names_csv), "-o", str(dst)]) == 0
    lines = dst.read_text().splitlines()
    assert len(lines) == 2 + 30  # header, separator, one line per item: no wrapped fake rows
    assert sorted(line.split("|")[1].strip() for line in lines[2:]) == sorted(LONG_NAMES)
    assert lines[2].split("|")[4].strip().isdigit()  # integral counts print as integers, not "95.0"


def test_piped_output_has_one_line_per_item(long_names_csv, capsys):
    assert main(["leaderboard", str(long_names_csv)]) == 0  # capsys' stdout is not a terminal
    out = capsys.readouterr().out
    for name in LONG_NAMES:  # `| grep name` finds exactly its row
        (row,) = [line for line in out.splitlines() if name in line]
        assert row.split("|")[1].strip() == name
        wins, losses, ties, n = (int(cell) for cell in row.split("|")[4:8])  # whole numbers print as such
        assert wins + losses + ties == n
    assert main(["lottery", str(long_names_csv)]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| meta-llama/")]
    assert rows and all(row.split("|")[1].strip() in LONG_NAMES for row in rows)


def test_top_limits_output_files(long_names_csv, tmp_path, capsys):
    dst = tmp_path / "x.csv"
    assert main(["leaderboard", str(long_names_csv), "--top", "5", "-o", str(dst)]) == 0
    top5 = pl.read_csv(dst)
    assert top5.height == 5 and "wrote 5 rows" in capsys.readouterr().err
    assert main(["leaderboard", str(long_names_csv), "-o", str(dst)]) == 0  # no --top: every row
    full = pl.read_csv(dst)
    assert full.height == 30 and full.head(5)["item"].to_list() == top5["item"].to_list()


def test_terminal_width_from_columns_and_a_zero_sized_terminal(long_names_csv, capsys, monkeypatch):
    import os
    import sys

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("COLUMNS", "70")
    assert main(["leaderboard", str(long_names_csv), "--top", "3"]) == 0
    table = [line for line in capsys.readouterr().out.splitlines() if line.startswith("|")]
    assert max(len(line) for line in table) <= 70 and len(table) > 2 + 3  # wrapped to fit the terminal
    monkeypatch.delenv("COLUMNS")
    monkeypatch.setattr(os, "get_terminal_size", lambda *_: os.terminal_size((0, 0)))
    assert main(["leaderboard", str(long_names_csv), "--top", "3"]) == 0
    table = [line for line in capsys.readouterr().out.splitlines() if line.startswith("|")]
    assert 60 < max(len(line) for line in table) <= 80  # 80 columns, not a 3-character-wide table


def test_lottery_says_whether_it_is_unique(tmp_path, capsys):
    assert main(["lottery", "tests/data/00005-00000002.toi"]) == 0  # a Condorcet winner
    lines = capsys.readouterr().out.splitlines()
    assert "certified unique" in lines
    src = tmp_path / "never_met.csv"  # x and y both beat z and never met each other
    pl.DataFrame({"a": ["x", "y"], "b": ["z", "z"], "outcome": [1, 1]}).write_csv(src)
    assert main(["lottery", str(src)]) == 0
    out = capsys.readouterr().out
    assert "not unique: one of several maximal lotteries (another puts 0.5 on y)" in out
    assert "1 of the 1 pairs never met (they count as draws)" in out and "certified unique" not in out
    assert main(["lottery"]) == 0  # LLMFAO: most pairs of models never met
    out = capsys.readouterr().out
    assert "not unique: one of several maximal lotteries" in out and "never met" in out


def test_consensus_of_a_score_column_needs_to_know_which_way_is_better(tmp_path, capsys):
    src = tmp_path / "scores.csv"
    pl.DataFrame(
        {
            "task": ["t1"] * 3 + ["t2"] * 3 + ["t3"] * 3,
            "model": ["good", "mid", "bad"] * 3,
            "accuracy": [0.91, 0.72, 0.33, 0.88, 0.81, 0.2, 0.95, 0.6, 0.41],
        }
    ).write_csv(src)
    args = ["consensus", str(src), "--voter", "task", "--item", "model", "--rank", "accuracy", "--method", "borda"]
    assert main(args) == 2  # as ranks, the worst model would win: the command asks instead
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("rankagg: error: column 'accuracy' (--rank) holds values such as 0.91")
    assert "--higher-is better" in line
    assert main([*args, "--higher-is", "better"]) == 0
    out = capsys.readouterr().out
    assert "winner(s): good;" in out and "read as scores, higher is better" in out
    assert main([*args, "--higher-is", "worse"]) == 0
    assert "winner(s): bad;" in capsys.readouterr().out
    assert main(["consensus", "tests/data/00005-00000002.toi", "--higher-is", "better"]) == 2
    assert "PrefLib" in capsys.readouterr().err


def test_committee_of_approvals_with_group_bounds(tmp_path, capsys):
    ballots = tmp_path / "approvals.csv"
    rows = [(1, "a"), (1, "b"), (2, "a"), (2, "b"), (3, "a"), (3, "c"), (4, "c"), (5, "d")]
    pl.DataFrame({"voter": [v for v, _ in rows], "item": [i for _, i in rows]}).write_csv(ballots)
    groups = tmp_path / "groups.csv"
    pl.DataFrame({"item": ["a", "b", "c", "d"], "group": ["x", "x", "y", "z"]}).write_csv(groups)
    assert main(["committee", str(ballots), "--k", "2", "--rule", "pav"]) == 0
    out = capsys.readouterr().out
    # PAV: {a, c} scores 3 + 1 (voter 3: 1 + 1/2) + 1 = 4.5, more than {a, b}'s 4.
    assert "5 approval ballots" in out and "score 4.5, proved optimal" in out
    assert [line.split("|")[1].strip() for line in out.splitlines() if line.startswith("| ")][1:] == ["a", "c"]
    args = ["committee", str(ballots), "--k", "2", "--rule", "pav", "--groups", str(groups), "--at-least", "z=1"]
    dst = tmp_path / "out.csv"
    assert main([*args, "-o", str(dst)]) == 0
    assert pl.read_csv(dst)["item"].to_list() == ["a", "d"]
    assert main([*args[:-1], "x=3"]) == 2
    assert "group 'x' has 2 candidate(s), fewer than at_least=3" in capsys.readouterr().err
    assert main([*args[:-1], "x=two"]) == 2
    assert "--at-least expects a whole number" in capsys.readouterr().err


def test_committee_of_a_preflib_file_by_stv(capsys):
    assert main(["committee", "tests/data/00028-00000001.soi", "--k", "2", "--rule", "stv"]) == 0
    out = capsys.readouterr().out
    assert "stv committee of 2" in out and out.splitlines()[1].split("|")[3].strip() == "votes"
    assert main(["committee", "tests/data/00028-00000001.soi", "--k", "2", "--rule", "pav"]) == 2
    assert "needs approval ballots" in capsys.readouterr().err


def test_consensus_elimination_rules_and_score_ballots(tmp_path, capsys):
    """The rules of issue 15 through the CLI: each ranking rule on a PrefLib file gives the
    library's winners; approval and STAR read a long voter/item/score table."""
    from pathlib import Path

    import rankagg as ra

    data = Path(__file__).parent / "data" / "preflib_ties" / "00004-00000163.soc"
    votes = ra.read_preflib(data)
    for method in ("nanson", "baldwin", "coombs", "bucklin", "weighted_bucklin", "anti_plurality"):
        assert main(["consensus", str(data), "--method", method]) == 0
        expected = getattr(ra, method)(votes).winners
        assert f"winner(s): {', '.join(map(str, expected))};" in capsys.readouterr().out
    src = tmp_path / "ballots.csv"
    pl.DataFrame(
        {
            "who": [1, 1, 2, 2, 3, 3, 4],
            "film": ["x", "y", "x", "z", "y", "z", "z"],
            "stars": [5, 4, 1, 5, 5, 0, 2],
        }
    ).write_csv(src)
    # Totals x 6, y 9, z 7: y meets z and is scored higher by voters 1 and 3 (blank = 0), z by 2 and 4: a tie.
    assert (
        main(["consensus", str(src), "--method", "star", "--voter", "who", "--item", "film", "--score", "stars"]) == 0
    )
    out = capsys.readouterr().out
    assert "winner(s): y, z" in out and "4 voters, 3 items" in out
    approvals = tmp_path / "approvals.csv"
    pl.DataFrame({"voter": [1, 1, 2, 3], "item": ["x", "y", "y", "z"], "score": [1, 1, 1, 0]}).write_csv(approvals)
    dst = tmp_path / "approval.csv"
    assert main(["consensus", str(approvals), "--method", "approval", "-o", str(dst)]) == 0
    assert pl.read_csv(dst).rows() == [("y", 1, 2.0), ("x", 2, 1.0), ("z", 3, 0.0)]
    assert (
        main(["consensus", str(src), "--method", "approval", "--voter", "who", "--item", "film", "--score", "stars"])
        == 2
    )
    assert "approvals (scores 0 or 1)" in capsys.readouterr().err
    assert main(["consensus", str(data), "--method", "star"]) == 2
    assert "not the rankings of a PrefLib file" in capsys.readouterr().err


def test_consensus_majority_rules(capsys):
    """Every rule of rankagg.majority from the command line: Burlington 2009 has the Condorcet
    winner Andy Montroll, whom every Condorcet-consistent rule elects."""
    for method in (
        "split_cycle",
        "stable_voting",
        "beat_path",
        "river",
        "slater",
        "top_cycle",
        "uncovered_set",
        "black",
        "daunou",
    ):
        assert main(["consensus", "tests/data/00005-00000002.toi", "--method", method]) == 0, method
        out = capsys.readouterr().out
        assert "winner(s): Andy Montroll;" in out, method
    assert main(["consensus", "tests/data/00005-00000002.toi", "--method", "slater"]) == 0
    assert "Slater cost" in capsys.readouterr().out


def consensus_rules() -> list[str]:
    """Every consensus rule rankagg exports: its public functions that return a ``Consensus``,
    but ``aggregate_scores`` (it combines those rules over score tables: ``rankagg aggregate``)."""
    import inspect

    import rankagg as ra

    return [
        name
        for name in ra.__all__
        if inspect.isfunction(getattr(ra, name))
        and "Consensus" in str(inspect.signature(getattr(ra, name)).return_annotation)
        and name != "aggregate_scores"
    ]


@pytest.mark.parametrize("method", consensus_rules())
def test_consensus_runs_every_rule_as_the_api_does(method, tmp_path):
    """``rankagg consensus --method M`` for every exported rule gives the table of ``ra.M`` with
    its defaults: complete rankings from a PrefLib file (Coombs needs them; 6 candidates),
    score ballots (approval, star) from a long table."""
    import rankagg as ra
    from rankagg.ballots import ScoreBallots

    dst = tmp_path / "out.csv"
    if method in ("approval", "star"):
        src = tmp_path / "ballots.csv"
        scores = [1, 0, 1, 1, 1, 0, 0, 1, 1] if method == "approval" else [5, 0, 3, 2, 4, 1, 0, 2, 5]
        frame = pl.DataFrame({"voter": [1, 1, 1, 2, 2, 2, 3, 3, 3], "item": list("abc") * 3, "score": scores})
        frame.write_csv(src)
        expected = getattr(ra, method)(ScoreBallots.from_frame(frame, voter="voter", item="item", score="score"))
    else:
        src = "tests/data/preflib_elimination/00052-00000001.soc"
        expected = getattr(ra, method)(ra.read_preflib(src))
    assert main(["consensus", str(src), "--method", method, "-o", str(dst)]) == 0
    got = pl.read_csv(dst)
    assert got.columns == expected.table.columns
    assert got.rows() == expected.table.rows()


def test_consensus_copeland_alpha(tmp_path, capsys):
    """--alpha: Copeland^alpha from the command line, as ``ra.copeland(votes, alpha=...)``; on
    another rule it is an error naming the rule."""
    import rankagg as ra

    src = tmp_path / "ranks.csv"
    lists = [list("acdb"), list("cdba"), list("abcd"), list("dbca")]  # a majority tie between a and c
    pl.DataFrame(
        {
            "voter": [v for v in range(4) for _ in range(4)],
            "item": [x for order in lists for x in order],
            "rank": [1, 2, 3, 4] * 4,
        }
    ).write_csv(src)
    votes = ra.Rankings.from_lists(lists)
    for alpha, winners in ((0.0, "c, d"), (0.5, "c"), (1.0, "a, c")):
        assert ra.copeland(votes, alpha=alpha).winners == winners.split(", ")
        assert main(["consensus", str(src), "--method", "copeland", "--alpha", str(alpha)]) == 0
        assert f"winner(s): {winners};" in capsys.readouterr().out
    assert main(["consensus", str(src), "--method", "borda", "--alpha", "1"]) == 2
    assert "--alpha is the points for a majority tie of --method copeland, not of borda" in capsys.readouterr().err
    assert main(["consensus", str(src), "--method", "copeland", "--alpha", "2"]) == 2
    assert "alpha" in capsys.readouterr().err
