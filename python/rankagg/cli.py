"""The ``rankagg`` command.

``rankagg leaderboard`` with no file ranks the LLMs of the LLMFAO dataset shipped with the
package; with a CSV, Parquet or NDJSON file it ranks the items of that file.

Exit codes: 0 success, 2 bad usage or bad input (the message names the column, rows or labels).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal, NoReturn

import numpy as np
import polars as pl

from rankagg import crowd, datasets, rate
from rankagg._core import __version__
from rankagg.committee import RULES as COMMITTEE_RULES
from rankagg.display import display_frame, display_name, method_name, whole_counts
from rankagg.errors import RankaggError
from rankagg.intake import known_layout
from rankagg.intervals import Bootstrap, Sandwich
from rankagg.methods import names
from rankagg.pairs import PairTable
from rankagg.robust import WELFARE_RULES
from rankagg.scores import RULES as SCORE_RULES

METHODS = names("rating", command="leaderboard")
"""``leaderboard --method`` choices, from the registry (``methods.py``)."""
JUDGE_METHODS = names("rating", command="leaderboard", takes="judged comparisons")
"""The rating methods that need ``--judge`` (``mixture``, ``crowd_bt``)."""
ORDERED_METHODS = names("rating", command="leaderboard", takes="ordered comparisons")
"""The rating methods that read the rows in order (``--order-by``)."""

EXAMPLES = """\
examples:
  rankagg leaderboard                        # LLMFAO, shipped with rankagg
  rankagg leaderboard battles.parquet --a model_a --b model_b --outcome winner
  rankagg leaderboard pairs.csv --winner chosen --loser rejected --output board.csv
  rankagg leaderboard --ci bootstrap --rounds 1000  # 95% intervals, interval-aware ranks
  rankagg leaderboard battles.csv --method elo --order-by tstamp
  rankagg leaderboard prefs.csv --method mixture --judge annotator --groups auto
  rankagg leaderboard --by prompt --pooling 1   # one leaderboard per prompt, partially pooled
  rankagg consensus election.toi --method schulze
  rankagg committee approvals.csv --k 5 --rule pav --groups groups.csv --at-least 2
  rankagg lottery                            # maximal lottery (minimax winner) of LLMFAO
  rankagg defensive attn.parquet --item token --over query --value weight --group head
  rankagg consistency --group prompt          # 3-cycles and non-transitivity of LLMFAO's judges
  rankagg bench                              # rankagg vs pure Python on this machine
  rankagg report battles.csv --a model_a --b model_b --outcome winner -o report.html
"""


def _read(path: str) -> pl.DataFrame:
    if path == "-":
        return pl.read_csv(sys.stdin.buffer)
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".parquet":
        return pl.read_parquet(p)
    if suffix in (".jsonl", ".ndjson"):
        return pl.read_ndjson(p)
    if suffix == ".json":
        return pl.read_json(p)
    return pl.read_csv(p, separator=_separator(suffix))


def _separator(suffix: str) -> str:
    """Tab for .tsv/.tab files, else a comma."""
    return "\t" if suffix in (".tsv", ".tab") else ","


def _scan(path: str) -> pl.LazyFrame:
    """The file as a LazyFrame (read in streaming batches by the pair-table methods); stdin is
    read at once."""
    if path == "-":
        return _read(path).lazy()
    p = Path(path)
    suffix = p.suffix.lower()
    if not p.exists():
        raise FileNotFoundError(f"no such file: {path!r}")
    if suffix == ".parquet":
        return pl.scan_parquet(p)
    if suffix in (".jsonl", ".ndjson"):
        return pl.scan_ndjson(p)
    if suffix == ".json":
        return pl.read_json(p).lazy()
    return pl.scan_csv(p, separator=_separator(suffix))


def _whole_number(text: str, low: int, high: int) -> int:
    """An argparse type: a whole number in [low, high] (argparse prints the message and exits with 2)."""
    what = f"a whole number >= {low}" + (f" and < 2**{high.bit_length()}" if high < 2**64 else "")
    value = int(text) if re.fullmatch(r"\s*[+-]?[0-9]{1,40}\s*", text) else None
    if value is None or not low <= value <= high:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text[:40]!r}")
    return value


def _positive_int(text: str) -> int:
    """An argparse type: a whole number ≥ 1 (below 2**63)."""
    return _whole_number(text, 1, 2**63 - 1)


def _nonnegative_int(text: str) -> int:
    """An argparse type: a whole number ≥ 0 (below 2**63)."""
    return _whole_number(text, 0, 2**63 - 1)


def _seed(text: str) -> int:
    """An argparse type: a seed, a whole number in [0, 2**64)."""
    return _whole_number(text, 0, 2**64 - 1)


def _parse_outcomes(spec: str | None) -> dict[str, float] | None:
    """``left=1,right=0,tie=0.5`` → a mapping."""
    if spec is None:
        return None
    out: dict[str, float] = {}
    for part in spec.split(","):
        label, _, value = part.rpartition("=")
        if not label:
            raise RankaggError(f"--outcomes expects label=value pairs separated by commas, got {part!r}")
        try:
            out[label] = float(value)
        except ValueError:
            raise RankaggError(
                f"--outcomes: the value of {label!r} must be a number (1 = a won, 0 = b won, 0.5 = a tie), not {value!r}"
            ) from None
    return out


def _terminal_width() -> int:
    """The terminal's width: ``COLUMNS`` when set, else the terminal's own, 80 when it reports 0."""
    width = shutil.get_terminal_size().columns
    return width if width > 0 else 80


_FILE_NAME_WIDTH = 10_000
"""Names longer than this are cut even in Markdown written to a file or a pipe."""


def _markdown(frame: pl.DataFrame, *, wrap: bool | None = None) -> str:
    """``frame`` as a Markdown table, every row shown. ``wrap`` (default: when standard output
    is a terminal): fit the terminal's width (long names wrap onto extra lines and are cut at 60
    characters); otherwise one line per row with every name in full (up to 10,000 characters:
    beyond, Polars wraps the cell), for files and pipes (``| grep`` finds the row). Control and bidirectional characters in names are shown escaped
    (:func:`~rankagg.display.display_name`), so a name cannot break a row or reorder the table."""
    if wrap is None:
        wrap = sys.stdout.isatty()
    frame = display_frame(whole_counts(frame), 60 if wrap else _FILE_NAME_WIDTH)
    longest = max(
        [int(frame[c].cast(pl.String).str.len_chars().max() or 0) for c in frame.columns if frame[c].dtype == pl.String]
        + [0]
    )
    with pl.Config(
        tbl_rows=-1,
        tbl_cols=-1,
        tbl_hide_dataframe_shape=True,
        fmt_str_lengths=60 if wrap else max(60, longest),
        tbl_width_chars=_terminal_width() if wrap else -1,
        tbl_hide_column_data_types=True,
        tbl_formatting="ASCII_MARKDOWN",
    ):
        return str(frame) + "\n"


def _write(frame: pl.DataFrame, output: str, top: int | None = None) -> None:
    """Writes ``frame`` (its first ``top`` rows when given) to ``output``, by its extension."""
    if top is not None:
        frame = frame.head(top)
    suffix = Path(output).suffix.lower()
    if suffix == ".md":
        Path(output).write_text(_markdown(frame, wrap=False))
    elif suffix == ".parquet":
        frame.write_parquet(output)
    elif suffix == ".json":
        frame.write_json(output)
    elif suffix in (".jsonl", ".ndjson"):
        frame.write_ndjson(output)
    else:
        frame.write_csv(output, separator=_separator(suffix))


def _save(frame: pl.DataFrame, args: argparse.Namespace, per: str | None = None) -> int:
    """``--output``: writes the table (the first ``--top`` rows, of each ``per`` group when
    given, when ``--top`` was given; else all), says so on standard error and returns the exit
    code 0."""
    shown = frame
    if getattr(args, "top_given", False):
        shown = frame.head(args.top) if per is None else frame.filter(pl.int_range(pl.len()).over(per) < args.top)
    _write(shown, args.output)
    print(f"wrote {shown.height} rows to {args.output}", file=sys.stderr)
    return 0


def _print_top(frame: pl.DataFrame, args: argparse.Namespace) -> int:
    """Prints the first ``--top`` rows of ``frame`` as a table and returns the exit code 0."""
    print(_markdown(frame.head(args.top)), end="")
    return 0


def _comparisons(
    args: argparse.Namespace, lazy: bool = False
) -> tuple[pl.DataFrame | pl.LazyFrame, dict[str, Any], str]:
    """The comparisons named on the command line (LLMFAO without a file), their column keywords
    and a description of the source. ``lazy``: a file is scanned, not read (the pair-table
    methods then reduce it in streaming batches)."""
    if args.file is None:
        columns: dict[str, Any] = dict(a="left", b="right", outcome="winner", outcomes=datasets.LLMFAO_OUTCOMES)
        data: pl.DataFrame | pl.LazyFrame = datasets.llmfao()
        source = "LLMFAO (8,931 crowd judgements of 59 LLMs, shipped with rankagg)"
    else:
        columns = dict(a=args.a, b=args.b, outcome=args.outcome, outcomes=_parse_outcomes(args.outcomes))
        data, source = (_scan(args.file) if lazy else _read(args.file)), args.file
    columns.update(weight=args.weight, winner=args.winner, loser=args.loser)
    if args.file is not None:
        _detect_columns(data, columns)
    return data, columns, source


def _detect_columns(data: pl.DataFrame | pl.LazyFrame, columns: dict[str, Any]) -> None:
    """When every column flag is at its default and the file lacks the default columns
    (a, b, outcome), uses a known layout the file has (``data.KNOWN_LAYOUTS``), saying so on
    standard error. ``columns`` is updated in place."""
    defaults = columns["a"] == "a" and columns["b"] == "b" and columns["outcome"] == "outcome"
    if not defaults or columns["winner"] is not None or columns["loser"] is not None:
        return
    names = set(data.collect_schema().names() if isinstance(data, pl.LazyFrame) else data.columns)
    if {"a", "b", "outcome"} <= names:
        return
    found = known_layout(list(names))
    if found is not None:
        what, layout = found
        columns.update(layout)
        flags = " ".join(f"--{k} {v}" for k, v in layout.items())
        print(f"rankagg: no columns a, b, outcome; reading it as {what}: {flags}", file=sys.stderr)


def _pair_table(args: argparse.Namespace) -> tuple[PairTable, str]:
    """The comparisons reduced to a pair table: a file is streamed in batches, with the rows
    read so far on standard error when it is a terminal."""
    data, columns, source = _comparisons(args, lazy=True)
    return PairTable.from_comparisons(data, **columns, progress=sys.stderr.isatty()), source


def _add_comparison_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", nargs="?", help="CSV, Parquet or NDJSON file ('-' reads CSV from stdin)")
    p.add_argument("--a", default="a", help="column of the first item (default: a)")
    p.add_argument("--b", default="b", help="column of the second item (default: b)")
    p.add_argument("--outcome", default="outcome", help="column of outcomes (default: outcome)")
    p.add_argument("--outcomes", help="label mapping, e.g. 'left=1,right=0,tie=0.5'")
    p.add_argument("--weight", help="column of row weights")
    p.add_argument("--winner", help="column of winners (with --loser, instead of --a/--b/--outcome)")
    p.add_argument("--loser", help="column of losers")


def _add_ranking_arguments(p: argparse.ArgumentParser) -> None:
    """The columns of a long table of rankings: --voter, --item, --rank, --weight."""
    p.add_argument("--voter", default="voter", help="column of voters (default: voter)")
    p.add_argument("--item", default="item", help="column of items (default: item)")
    p.add_argument("--rank", default="rank", help="column of ranks, smaller is better (default: rank)")
    p.add_argument("--weight", help="column of per-voter weights")


class _Top(argparse.Action):
    """``--top N``, remembering that it was given (then it also limits the ``--output`` file)."""

    def __call__(self, parser: Any, namespace: argparse.Namespace, values: Any, option_string: Any = None) -> None:
        namespace.top = values
        namespace.top_given = True


def _add_output_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--top",
        type=_positive_int,
        default=100,
        action=_Top,
        help="rows to print (default: 100); with --output, rows to write (default: all)",
    )
    p.set_defaults(top_given=False)
    p.add_argument(
        "--output", "-o", help="write the table to CSV, Parquet, JSON, NDJSON or Markdown (.md) instead of printing"
    )


def _groups(text: str) -> int | Literal["auto"]:
    """``--groups``: a positive integer or ``auto``."""
    return "auto" if text == "auto" else _positive_int(text)


def _print_table(frame: pl.DataFrame, top: int, scale: str) -> None:
    digits = 1 if scale in ("elo", "count") else 4
    shown = frame.with_columns(
        *(pl.col(c).round(digits) for c in ("score", "lower", "upper", "mu", "sigma") if c in frame.columns),
        *(pl.col(c).round(3) for c in ("reliability", "share", "probability") if c in frame.columns),
    )
    print(_markdown(shown.head(top)), end="")


def _judge_models(args: argparse.Namespace) -> int:
    """``--method mixture`` and ``--method crowd_bt``: models with a judge column."""
    if args.judge is None:
        raise RankaggError(f"--method {args.method} needs --judge COLUMN (who made each comparison)")
    if args.ci is not None:
        raise RankaggError(f"--ci is not available with --method {args.method}")
    data, columns, source = _comparisons(args)
    if args.method == "crowd_bt":
        ratings = crowd.crowd_bradley_terry(
            data, **columns, judge=args.judge, scale=args.scale, regularization=args.regularization
        )
        if args.output:
            return _save(ratings.table, args)
        judges = ratings.judges if ratings.judges is not None else pl.DataFrame()
        print(f"Crowd-BT leaderboard of {source}")
        print(
            f"{judges.height} judges (column {args.judge!r}); {int((judges['reliability'] < 0.5).sum())} with "
            f"reliability < 0.5 (they report the reverse more often than not); "
            f"{'converged' if ratings.converged else 'NOT converged'} in {ratings.iterations} EM iterations"
        )
        _print_table(ratings.table, args.top, ratings.scale)
        print("\nleast reliable judges")
        _print_table(judges, min(args.top, 10), ratings.scale)
        return 0
    regularization = args.regularization if args.regularization > 0 else 1.0
    m = crowd.bradley_terry_mixture(
        data,
        **columns,
        judge=args.judge,
        groups=args.groups,
        seed=args.seed,
        scale=args.scale,
        regularization=regularization,
    )
    if args.output:
        return _save(m.table, args, per="group")
    print(f"mixture of Bradley–Terry models of {source}")
    chosen = " (chosen by BIC among 1–8)" if args.groups == "auto" else ""
    print(
        f"{m.groups} latent groups of judges{chosen}, column {args.judge!r}, {m.judges.height} judges; "
        f"log-likelihood {m.log_likelihood:.2f}, BIC {m.bic:.2f}; "
        f"{'converged' if m.converged else 'NOT converged'} in {m.iterations} EM iterations"
    )
    _print_table(m.shares, m.groups, m.scale)
    for g in range(1, m.groups + 1):
        print(f"\ngroup {g}")
        _print_table(m.group(g), args.top, m.scale)
    return 0


def _leaderboard(args: argparse.Namespace) -> int:
    if args.method in JUDGE_METHODS:
        return _judge_models(args)
    data: pl.DataFrame | pl.LazyFrame | PairTable
    if args.pooling is not None and args.by is None:
        raise RankaggError("--pooling needs --by COLUMN (per-task leaderboards)")
    if args.by is not None and args.method != "bradley_terry":
        raise RankaggError(f"--by (per-task leaderboards) needs --method bradley_terry, not {args.method}")
    if args.method in ORDERED_METHODS or args.by is not None:  # rows in order / the task column
        data, columns, source = _comparisons(args)
    else:
        data, source = _pair_table(args)
        columns = {}
    ci: Bootstrap | Sandwich | None = None
    if args.ci == "bootstrap":
        ci = Bootstrap(rounds=args.rounds, level=args.level, seed=args.seed, progress=sys.stderr.isatty())
    elif args.ci == "sandwich":
        ci = Sandwich(level=args.level)
    if args.method == "bradley_terry":
        per_task: dict[str, Any] = {}
        if args.by is not None:
            per_task = dict(by=args.by, pooling=1.0 if args.pooling is None else args.pooling)
        ratings = rate.bradley_terry(
            data, **columns, ties=args.ties, scale=args.scale, regularization=args.regularization, ci=ci, **per_task
        )
        detail = (
            f"ties={args.ties}, scale={args.scale}; {'converged' if ratings.converged else 'NOT converged'} "
            f"in {ratings.iterations} iterations, log-likelihood {ratings.log_likelihood:.2f}"
        )
        if per_task:
            detail = (
                f"one leaderboard per {args.by!r}, partial pooling {per_task['pooling']:g} "
                f"(0: independent fits; large: one leaderboard); " + detail
            )
    elif args.method == "elo":
        if isinstance(ci, Sandwich):
            raise RankaggError("Sandwich intervals (--ci sandwich) are for bradley_terry; use --ci bootstrap with elo")
        ratings = rate.elo(data, **columns, order_by=args.order_by, ci=ci)
        detail = "online Elo (k=4, base 10, scale 400, initial 1000)" + (
            f", rows ordered by {args.order_by!r}" if args.order_by else ", rows in file order"
        )
    elif args.method == "trueskill":
        if isinstance(ci, Sandwich):
            raise RankaggError("Sandwich intervals (--ci sandwich) are for bradley_terry; use --ci bootstrap")
        ratings = rate.trueskill(data, **columns, order_by=args.order_by, ci=ci)
        detail = (
            "two-player TrueSkill (mu 25, sigma 25/3, beta 25/6, tau 25/300, draw probability 0.1); score = mu - 3 sigma"
            + (f", rows ordered by {args.order_by!r}" if args.order_by else ", rows in file order")
        )
    else:
        ratings = getattr(rate, args.method)(data, **columns, ci=ci)
        detail = f"scores: {ratings.scale}"
    if ci is not None:
        detail += f"; {ci.level:.0%} intervals by " + (
            f"bootstrap ({args.rounds} rounds, seed {args.seed})" if args.ci == "bootstrap" else "sandwich covariance"
        )
        detail += "; rank = 1 + number of items whose lower bound exceeds this item's upper bound"
    if args.output:
        return _save(ratings.table, args)
    print(f"{method_name(args.method)} leaderboard of {source}")
    print(detail)
    _print_table(ratings.table, args.top, ratings.scale)
    return 0


def _lottery(args: argparse.Namespace) -> int:
    """The maximal lottery of comparisons (LLMFAO without a file) or of a PrefLib file."""
    from rankagg.games import maximal_lottery
    from rankagg.preflib import read_preflib

    if args.file is not None and Path(args.file).suffix.lower() in (".soc", ".soi", ".toc", ".toi"):
        data: Any = read_preflib(args.file)
        columns: dict[str, Any] = {}
        source = args.file
    else:
        data, source = _pair_table(args)
        columns = {}
    lot = maximal_lottery(data, **columns, payoff=args.payoff, method=args.method, tol=args.tol)
    table = lot.table if args.all else lot.table.filter(pl.col("probability") > 0)
    if args.output:
        return _save(table, args)
    print(f"maximal lottery of {source} (payoff: {args.payoff}, method: {args.method})")
    print(
        f"support: {len(lot.support)} of {lot.table.height} items; exploitability {lot.exploitability:.2g}; "
        "payoff = the lottery's expected margin against the item (≥ 0 at equilibrium)"
    )
    print(lot.uniqueness)
    print(_markdown(table.head(args.top).with_columns(pl.col("probability", "payoff").round(6) + 0.0)), end="")
    return 0


def _defensive(args: argparse.Namespace) -> int:
    """Defensive aggregation of a long item × observation score table."""
    from rankagg.robust import defensive

    result = defensive(
        _read(args.file),
        item=args.item,
        over=args.over,
        value=args.value,
        group=args.group,
        tail=args.tail,
        prior=args.prior,
        higher_is=args.higher_is,
    )
    if args.output:
        return _save(result.table, args)
    risk = "normalised regret per observation" if args.higher_is == "better" else f"{args.value!r}"
    step1 = "max" if args.tail == 0 else ("mean" if args.tail == 1 else f"mean of the top {args.tail:g}")
    floor = (
        f"max(worst, {args.prior:g} × {'group' if args.group else 'overall'} mean of worst)"
        if args.prior > 0
        else "no floor"
    )
    print(
        f"defensive aggregation of {args.file}: {result.table.height} items; risk = {risk}; "
        f"worst = {step1} over {args.over!r}; score = {floor}"
    )
    print(
        "rank 1 = "
        + (
            "smallest defended regret (most robust)"
            if args.higher_is == "better"
            else "largest defended risk (most important to keep)"
        )
    )
    return _print_top(result.table, args)


def _aggregate(args: argparse.Namespace) -> int:
    """Benchmark aggregation: per-task scores of systems → one ranking."""
    from rankagg.scores import aggregate_scores

    result = aggregate_scores(
        _read(args.file),
        item=args.item,
        over=args.over,
        value=args.value,
        method=args.method,
        instance=args.instance,
        higher_is=args.higher_is,
        unranked=args.unranked,
    )
    if args.output:
        return _save(result.table, args)
    tasks = len(result.votes) if result.votes is not None else 0
    how = "mean score" if args.method == "mean" else f"{method_name(args.method)} consensus of the per-task rankings"
    print(
        f"{how} of {args.file}: {result.table.height} systems ({args.item!r}) over {tasks} "
        f"{'instances and ' if args.instance else ''}tasks ({args.over!r}); {args.value!r}: "
        f"{'higher' if args.higher_is == 'better' else 'lower'} is better"
    )
    if result.optimal is not None:
        print("proved optimal" if result.optimal else f"not proved optimal (lower bound {result.lower_bound:g})")
    return _print_top(result.table, args)


def _welfare(args: argparse.Namespace) -> int:
    """Items ranked by a social welfare function of their utilities across groups."""
    from rankagg.robust import welfare

    result = welfare(_read(args.file), item=args.item, over=args.over, value=args.value, rule=args.rule, q=args.q)
    if args.output:
        return _save(result.table, args)
    rule = f"{args.rule} (q = {args.q:g})" if args.q is not None else args.rule
    print(
        f"{rule} welfare of {args.file}: {result.table.height} items ({args.item!r}), utilities {args.value!r} "
        f"over {args.over!r}; rank 1 = largest welfare"
    )
    return _print_top(result.table, args)


def _add_long_table_arguments(p: argparse.ArgumentParser, item: str, over: str, over_help: str, value: str) -> None:
    """The file and the columns of a long item × ``over`` table of values: one vocabulary for
    aggregate, defensive and welfare."""
    p.add_argument("file", help="CSV/TSV, Parquet or NDJSON file, one row per (item, over) ('-' reads CSV from stdin)")
    p.add_argument("--item", default=item, help=f"column of items (default: {item})")
    p.add_argument("--over", default=over, help=f"column of {over_help} (default: {over})")
    p.add_argument("--value", default=value, help=f"column of values (default: {value})")


CONSENSUS_METHODS = names("consensus", command="consensus")
"""``consensus --method`` choices, from the registry (``methods.py``)."""
RANKINGS_ONLY_METHODS = tuple(names("consensus", command="consensus", takes="rankings"))
"""The ranking rules without an ``unranked`` keyword (they read each voter's ranking itself)."""
SCORE_METHODS = tuple(names("consensus", command="consensus", takes="score ballots"))
"""The rules on score ballots: a long voter/item/score table (``--score``)."""


def _ranks_from(frame: pl.DataFrame, column: str, higher_is: str | None) -> tuple[pl.DataFrame, str]:
    """``consensus --rank COLUMN [--higher-is better|worse]``: the column as ranks (smaller is
    better), and how it was read. Without ``--higher-is`` the column must look like ranks (whole
    or half numbers): a score such as an accuracy would otherwise rank the worst system first."""
    if column not in frame.columns or not frame.schema[column].is_numeric():
        return frame, ""  # Rankings.from_frame names the problem
    if higher_is == "better":
        values = pl.col(column).cast(pl.Float64 if frame.schema[column].is_float() else pl.Int64)
        return frame.with_columns(-values), f"; column {column!r} read as scores, higher is better"
    if higher_is == "worse":
        return frame, f"; column {column!r} read as scores, lower is better"
    values = frame[column].cast(pl.Float64).drop_nulls().to_numpy()
    odd = values[np.isfinite(values) & (2 * values != np.round(2 * values))]
    if len(odd):
        raise RankaggError(
            f"column {column!r} (--rank) holds values such as {odd[0]:g} that are not ranks (1 = best): if it is a "
            "score, say --higher-is better (e.g. accuracy) or --higher-is worse (e.g. error rate, latency)"
        )
    return frame, f"; column {column!r} read as ranks, 1 = best"


def _voter_count(ballots: Any) -> float:
    """Voters behind rankings or approval ballots: their weights' sum, else their number."""
    return float(ballots.weights.sum()) if ballots.weights is not None else float(len(ballots))


def _consensus(args: argparse.Namespace) -> int:
    """Consensus of rankings from a PrefLib file or a long CSV/Parquet/NDJSON frame."""
    import rankagg
    from rankagg import vote
    from rankagg.preflib import read_preflib
    from rankagg.rankings import Rankings

    suffix = Path(args.file).suffix.lower()
    if args.alpha is not None and args.method != "copeland":
        raise RankaggError(f"--alpha is the points for a majority tie of --method copeland, not of {args.method}")
    if args.method in SCORE_METHODS:
        return _consensus_of_scores(args, suffix)
    reading = ""
    if suffix in (".soc", ".soi", ".toc", ".toi"):
        if args.higher_is is not None:
            raise RankaggError("--higher-is is for a score column of a long table; a PrefLib file holds rankings")
        votes = read_preflib(args.file)
    else:
        frame, reading = _ranks_from(_read(args.file), args.rank, args.higher_is)
        votes = Rankings.from_frame(frame, voter=args.voter, item=args.item, rank=args.rank, weight=args.weight)
    kwargs: dict[str, Any] = {} if args.method in RANKINGS_ONLY_METHODS else {"unranked": args.unranked}
    if args.alpha is not None:
        kwargs.update(alpha=args.alpha)
    if args.method == "kemeny":
        kwargs.update(time_limit=args.time_limit, progress=sys.stderr.isatty())
    elif args.method == "slater":
        kwargs.update(time_limit=args.time_limit)
    result = getattr(rankagg, args.method)(votes, **kwargs)
    if args.output:
        return _save(result.table, args)
    voters = _voter_count(votes)
    print(
        f"{method_name(args.method)} consensus of {args.file}: {len(votes)} distinct rankings, "
        f"{voters:g} voters, {len(votes.labels)} items{reading}"
    )
    cw = vote.condorcet_winner(votes, unranked=args.unranked)
    print(f"winner(s): {', '.join(map(str, result.winners))}; Condorcet winner: {cw if cw is not None else 'none'}")
    if result.cost is not None:
        print(
            f"{args.method.capitalize()} cost {result.cost:g}, lower bound {result.lower_bound:g}, "
            f"{'proved optimal' if result.optimal else 'NOT proved optimal'}; {len(result.components or [])} component(s)"
        )
    return _print_top(result.table, args)


def _bounds_arg(spec: str | None, keyword: str) -> int | dict[str, int] | None:
    """``--at-least 2`` (every group) or ``--at-least "women=2,men=1"``."""
    if spec is None:
        return None
    try:
        if "=" not in spec:
            return int(spec)
        out: dict[str, int] = {}
        for part in spec.split(","):
            name, _, value = part.rpartition("=")
            out[name.strip()] = int(value)
        return out
    except ValueError:
        raise RankaggError(
            f"{keyword} expects a whole number (every group) or group=number pairs separated by commas, not {spec!r}"
        ) from None


def _committee(args: argparse.Namespace) -> int:
    """A committee of --k items from a PrefLib file, a long table of ranks, or approval ballots
    (a long table without the --rank column)."""
    from rankagg.committee import Approvals, committee
    from rankagg.preflib import read_preflib
    from rankagg.rankings import Rankings

    suffix = Path(args.file).suffix.lower()
    ballots: Rankings | Approvals
    if suffix in (".soc", ".soi", ".toc", ".toi"):
        ballots, kind = read_preflib(args.file), "rankings"
    else:
        frame = _read(args.file)
        if args.rank in frame.columns:
            ballots, kind = (
                Rankings.from_frame(frame, voter=args.voter, item=args.item, rank=args.rank, weight=args.weight),
                "rankings",
            )
        else:
            ballots, kind = (
                Approvals.from_frame(frame, voter=args.voter, item=args.item, weight=args.weight),
                "approval ballots",
            )
    groups: dict[Any, Any] | None = None
    at_least, at_most = _bounds_arg(args.at_least, "--at-least"), _bounds_arg(args.at_most, "--at-most")
    if args.groups is not None:
        table = _read(args.groups)
        for column in ("item", "group"):
            if column not in table.columns:
                raise RankaggError(f"--groups {args.groups}: no column {column!r} (it needs columns item and group)")
        # Matched as text, so the file's dtypes need not be those of the ballots.
        by_text = dict(zip(table["item"].cast(pl.String).to_list(), table["group"].cast(pl.String).to_list()))
        groups = {x: by_text[str(x)] for x in ballots.labels.to_list() if str(x) in by_text}
        missing = [x for x in ballots.labels.to_list() if str(x) not in by_text]
        if missing:
            from rankagg.errors import GroupConstraintError

            raise GroupConstraintError(
                f"--groups {args.groups} has no group for {len(missing)} item(s): {missing[:10]}"
            )
    result = committee(
        ballots,
        args.k,
        rule=args.rule,
        groups=groups,
        at_least=at_least,
        at_most=at_most,
        method=args.method,
        node_limit=args.node_limit,
    )
    if args.output:
        return _save(result.table, args)
    voters = _voter_count(ballots)
    print(
        f"{args.rule.replace('_', ' ')} committee of {args.k} from {args.file}: {len(ballots)} {kind}, "
        f"{voters:g} voters, {len(ballots.labels)} candidates"
    )
    if result.score is not None:
        proof = (
            "proved optimal"
            if result.optimal
            else f"NOT proved optimal (upper bound {result.upper_bound:g}, gap {result.gap:g})"
        )
        print(f"score {result.score:g}, {proof}; method {result.method}")
    return _print_top(result.table, args)


def _consensus_of_scores(args: argparse.Namespace, suffix: str) -> int:
    """``consensus --method approval|star``: score ballots from a long voter/item/score table."""
    import rankagg
    from rankagg.ballots import ScoreBallots

    if suffix in (".soc", ".soi", ".toc", ".toi"):
        raise RankaggError(
            f"--method {args.method} reads score ballots (a long table with --voter, --item and --score columns), "
            "not the rankings of a PrefLib file"
        )
    if args.higher_is is not None:
        raise RankaggError(
            f"--higher-is is for a --rank column; --method {args.method} reads --score (higher is better)"
        )
    ballots = ScoreBallots.from_frame(
        _read(args.file), voter=args.voter, item=args.item, score=args.score, weight=args.weight
    )
    result = getattr(rankagg, args.method)(ballots)
    if args.output:
        return _save(result.table, args)
    voters = float(ballots.weights.sum()) if ballots.weights is not None else len(ballots)
    print(
        f"{args.method} of {args.file}: {voters:g} voters, {len(ballots.labels)} items; column {args.score!r} as scores"
    )
    print(f"winner(s): {', '.join(map(str, result.winners))}")
    return _print_top(result.table, args)


def _consistency(args: argparse.Namespace) -> int:
    """Transitivity of pairwise verdicts (comparisons, LLMFAO without a file, or a PrefLib file)."""
    from rankagg.consistency import consistency
    from rankagg.preflib import read_preflib

    if args.file is not None and Path(args.file).suffix.lower() in (".soc", ".soi", ".toc", ".toi"):
        if args.group:
            raise RankaggError("--group needs comparison rows, not a PrefLib file")
        data: Any = read_preflib(args.file)
        columns: dict[str, Any] = {}
        source = args.file
    else:
        data, columns, source = _comparisons(args)
    try:
        ks = tuple(int(k) for k in args.k.split(","))
    except ValueError:
        raise RankaggError(f"--k expects subset sizes separated by commas, e.g. 3,4,5; got {args.k!r}") from None
    c = consistency(
        data,
        **columns,
        group=args.group,
        k=ks,
        exact_limit=args.exact_limit,
        samples=args.samples,
        seed=args.seed,
        flow=args.flow,
    )
    table = c.table if not (args.per_group and c.groups is not None) else c.groups
    if args.output:
        return _save(table, args)
    print(f"consistency of {source}" + (f", items compared within each {args.group!r}" if args.group else ""))
    print(repr(c))
    return _print_top(table, args)


def _ratio(r: float) -> float:
    """A speed-up for a table: one decimal from 1 up, two significant digits below (a slower
    call shows 0.031, never 0.0).

    >>> _ratio(123.45), _ratio(0.0314)
    (123.5, 0.031)
    """
    return round(r, 1) if r >= 1 else float(f"{r:.2g}")


def _bench(args: argparse.Namespace) -> int:
    """Times rankagg against its pure-Python references on generated arena data."""
    import time

    import numpy as np

    from rankagg import reference
    from rankagg.rankings import Rankings

    rng = np.random.default_rng(args.seed)
    n, m = args.items, args.rows
    if n < 2:
        raise RankaggError(f"--items must be at least 2 (a comparison needs two items), not {n}")
    strength = rng.normal(0, 1, n)
    a = rng.integers(0, n, m)
    b = (a + rng.integers(1, n, m)) % n
    p = 1 / (1 + np.exp(strength[b] - strength[a]))
    outcome = np.where(rng.random(m) < 0.2, 0.5, (rng.random(m) < p).astype(float))
    names = np.array([f"model-{k:04d}" for k in range(n)])
    frame = pl.DataFrame({"a": names[a], "b": names[b], "outcome": outcome})
    la, lb, lo = frame["a"].to_list(), frame["b"].to_list(), outcome.tolist()
    subsets = np.argsort(rng.random((m // 10, n)), axis=1)[:, : min(10, n)]
    noisy = strength[subsets] + rng.gumbel(size=subsets.shape)
    races = np.take_along_axis(subsets, np.argsort(-noisy, axis=1), axis=1).tolist()

    def best(fn, repeat):
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return sorted(times)[len(times) // 2]

    cases = [
        ("Bradley–Terry", lambda: rate.bradley_terry(frame), lambda: reference.bradley_terry(la, lb, lo, tol=1e-9)),
        ("Elo", lambda: rate.elo(frame), lambda: reference.elo(la, lb, lo)),
        (
            "Plackett–Luce",
            lambda: rate.plackett_luce(Rankings.from_lists(races), unranked="ignore"),
            lambda: reference.plackett_luce(races, n, tol=1e-9),
        ),
    ]
    rows = []
    for name, ours, theirs in cases:
        t_ours = best(ours, args.repeat)
        t_ref = best(theirs, 1)
        rows.append(
            {
                "method": name,
                "rankagg s": round(t_ours, 4),
                "pure-Python s": round(t_ref, 4),
                "speed-up": _ratio(t_ref / t_ours),
            }
        )
        print(f"{name}: rankagg {t_ours:.4f} s, pure Python {t_ref:.4f} s ({t_ref / t_ours:.1f}x)", file=sys.stderr)
    print(
        f"rankagg bench: {n} items, {m:,} comparisons, {len(races):,} rankings; medians of {args.repeat} runs for rankagg"
    )
    print(_markdown(pl.DataFrame(rows)), end="")
    return 0


def _report(args: argparse.Namespace) -> int:
    """A self-contained HTML report of comparisons (LLMFAO without a file)."""
    from rankagg.report import report

    data, columns, source = _comparisons(args)
    try:
        report(
            data,
            args.output,
            **columns,
            timestamp=args.timestamp,
            method=args.method,
            ci=args.ci,
            rounds=args.rounds,
            level=args.level,
            seed=args.seed,
            regularization=args.regularization,
            top=args.top,
            title=args.title,
            source=source,
            judge=args.judge,
            groups=args.groups,
        )
    except ImportError as e:  # matplotlib is an optional extra
        print(f"rankagg: error: {e}", file=sys.stderr)
        return 2
    print(f"wrote the report of {source} to {args.output}", file=sys.stderr)
    return 0


def _command(
    sub: Any, name: str, run: Callable[[argparse.Namespace], int], *, help: str, epilog: str
) -> argparse.ArgumentParser:
    """A subcommand: its one-line ``help``, its ``epilog`` (examples) shown as written, and
    ``run``, the handler ``main`` calls with the parsed arguments."""
    p: argparse.ArgumentParser = sub.add_parser(
        name, help=help, epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.set_defaults(run=run)
    return p


def _add_bootstrap_arguments(p: argparse.ArgumentParser, rounds: int) -> None:
    """--rounds, --level, --seed of the bootstrap intervals (leaderboard, report)."""
    p.add_argument("--rounds", type=_positive_int, default=rounds, help=f"bootstrap rounds (default: {rounds})")
    p.add_argument("--level", type=float, default=0.95, help="interval coverage (default: 0.95)")
    p.add_argument("--seed", type=_seed, default=0, help="bootstrap seed (default: 0)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="rankagg",
        description="Ranking aggregation from pairwise comparisons.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"rankagg {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    lb = _command(
        sub,
        "leaderboard",
        _leaderboard,
        help="leaderboard of a comparisons file (LLMFAO when no file is given)",
        epilog=EXAMPLES,
    )
    _add_comparison_arguments(lb)
    lb.add_argument("--method", default="bradley_terry", choices=METHODS, help="rating method (default: bradley_terry)")
    lb.add_argument(
        "--ci", choices=["bootstrap", "sandwich"], help="add confidence intervals (sandwich: bradley_terry only)"
    )
    _add_bootstrap_arguments(lb, rounds=1000)
    lb.add_argument("--order-by", help="elo, trueskill: column to order the rows by (default: file order)")
    lb.add_argument(
        "--ties", default="half", choices=["half", "davidson", "rao_kupper", "drop"], help="bradley_terry tie model"
    )
    lb.add_argument("--scale", default="elo", choices=["elo", "logit"], help="bradley_terry score scale")
    lb.add_argument(
        "--regularization",
        type=float,
        default=0.0,
        help="bradley_terry/crowd_bt prior pseudo-counts (mixture: default 1)",
    )
    lb.add_argument("--judge", help="mixture, crowd_bt: column of who made each comparison")
    lb.add_argument(
        "--groups", type=_groups, default=2, help="mixture: number of judge groups, or 'auto' (BIC) (default: 2)"
    )
    lb.add_argument("--by", help="bradley_terry: column of tasks, one leaderboard per task with partial pooling")
    lb.add_argument(
        "--pooling", type=float, help="with --by: prior precision of the task effects (default 1; 0 = independent)"
    )
    _add_output_arguments(lb)
    cons = _command(
        sub,
        "consensus",
        _consensus,
        help="consensus of rankings (PrefLib .soc/.soi/.toc/.toi, or a long voter/item/rank table) or of score "
        "ballots (approval, star: a long voter/item/score table)",
        epilog="examples:\n  rankagg consensus election.toi --method schulze\n  rankagg consensus ranks.csv --voter judge --item system --rank place\n"
        "  rankagg consensus scores.csv --voter task --item model --rank accuracy --higher-is better\n"
        "  rankagg consensus ballots.csv --method star --score stars\n"
        "  rankagg consensus election.soc --method copeland --alpha 1",
    )
    cons.add_argument("file", help="PrefLib file, or CSV/Parquet/NDJSON with one row per (voter, item)")
    cons.add_argument("--method", default="kemeny", choices=CONSENSUS_METHODS, help="default: kemeny")
    _add_ranking_arguments(cons)
    cons.add_argument(
        "--higher-is",
        choices=["better", "worse"],
        help="the --rank column is a score: 'better' when higher is better (accuracy), 'worse' when lower is "
        "(error rate); default: ranks, 1 = best",
    )
    cons.add_argument(
        "--score", default="score", help="approval, star: column of each voter's score for the item (default: score)"
    )
    cons.add_argument("--unranked", default="below", choices=["below", "ignore"], help="items a voter did not rank")
    cons.add_argument(
        "--alpha",
        type=float,
        help="copeland: points for a majority tie, in [0, 1] (Copeland^alpha; default 0.5, 1 = Llull, 0 = wins only)",
    )
    cons.add_argument(
        "--time-limit",
        type=float,
        help="kemeny, slater: seconds (slater: per search) before returning the best order found with its bound",
    )
    _add_output_arguments(cons)
    com = _command(
        sub,
        "committee",
        _committee,
        help="a committee of k items from rankings (PrefLib, long table) or approval ballots, with group bounds",
        epilog="examples:\n  rankagg committee election.soc --k 3 --rule chamberlin_courant\n"
        "  rankagg committee approvals.csv --k 5 --rule pav --groups groups.csv --at-least 2\n"
        "  rankagg committee ranks.csv --k 4 --groups groups.csv --at-least women=2 --at-most men=2",
    )
    com.add_argument(
        "file",
        help="PrefLib file, or CSV/Parquet/NDJSON with one row per (voter, item): with the --rank column, "
        "rankings; without it, approval ballots (one row per approved item)",
    )
    com.add_argument("--k", type=_positive_int, required=True, help="committee size")
    com.add_argument("--rule", default="k_borda", choices=list(COMMITTEE_RULES), help="default: k_borda")
    _add_ranking_arguments(com)
    com.add_argument("--groups", help="CSV/Parquet/NDJSON file with columns item and group")
    com.add_argument("--at-least", help="minimum members per group: N for every group, or 'g1=N,g2=M'")
    com.add_argument("--at-most", help="maximum members per group: N for every group, or 'g1=N,g2=M'")
    com.add_argument("--method", default="auto", choices=["auto", "exact", "greedy"], help="default: auto")
    com.add_argument("--node-limit", type=int, help="auto: search nodes before returning the best found with its bound")
    _add_output_arguments(com)
    lot = _command(
        sub,
        "lottery",
        _lottery,
        help="maximal lottery (minimax winner) of comparisons or a PrefLib file",
        epilog="examples:\n  rankagg lottery                     # LLMFAO\n  rankagg lottery battles.csv --a model_a --b model_b --outcome winner\n"
        "  rankagg lottery election.soc --payoff margin",
    )
    _add_comparison_arguments(lot)
    lot.add_argument(
        "--payoff", default="probability", choices=["probability", "margin", "sign"], help="default: probability"
    )
    lot.add_argument("--method", default="exact", choices=["exact", "first_order"], help="default: exact")
    lot.add_argument("--tol", type=float, default=1e-9, help="first_order: target exploitability (default: 1e-9)")
    lot.add_argument("--all", action="store_true", help="list every item, not just the support")
    _add_output_arguments(lot)
    dfn = _command(
        sub,
        "defensive",
        _defensive,
        help="defensive aggregation (worst case + group floor) of a long item × observation score table",
        epilog="examples:\n  rankagg defensive attn.parquet --item token --over query --value weight --group head\n"
        "  rankagg defensive scores.csv --item model --over task --value accuracy --higher-is better --prior 0",
    )
    _add_long_table_arguments(dfn, "item", "observation", "observations: queries, tasks, judges", "value")
    dfn.add_argument("--group", help="column of each item's group (the floor is the group's mean worst case)")
    dfn.add_argument(
        "--tail", type=float, default=0.0, help="fraction of the largest risks averaged: 0 = max, 1 = mean (default: 0)"
    )
    dfn.add_argument("--prior", type=float, default=1.0, help="weight of the group-mean floor, 0 = none (default: 1)")
    dfn.add_argument(
        "--higher-is",
        default="risk",
        choices=["risk", "better"],
        help="values are risks/importances, or scores where higher is better (default: risk)",
    )
    _add_output_arguments(dfn)
    agg = _command(
        sub,
        "aggregate",
        _aggregate,
        help="benchmark aggregation: one ranking of systems from their scores on several tasks",
        epilog="examples:\n  rankagg aggregate scores.csv --item model --over task --value accuracy\n"
        "  rankagg aggregate errors.parquet --item system --over dataset --value wer --higher-is worse --method kemeny",
    )
    _add_long_table_arguments(agg, "system", "task", "tasks", "score")
    agg.add_argument(
        "--method",
        default="borda",
        choices=["mean", *SCORE_RULES],
        help="combine the per-task rankings with a rule, or average the scores (default: borda)",
    )
    agg.add_argument(
        "--higher-is",
        default="better",
        choices=["better", "worse"],
        help="better: accuracies, BLEU; worse: errors, losses, latency (default: better)",
    )
    agg.add_argument("--instance", help="column of instances within a task (two-level aggregation)")
    agg.add_argument(
        "--unranked",
        default="ignore",
        choices=["ignore", "below"],
        help="systems missing from a task: left out of it, or tied below its systems (default: ignore)",
    )
    _add_output_arguments(agg)
    wel = _command(
        sub,
        "welfare",
        _welfare,
        help="rank items by a social welfare function of their utilities across groups (mean, worst group, ...)",
        epilog="examples:\n  rankagg welfare rewards.csv --item model --over user_group --value reward --rule worst_group\n"
        "  rankagg welfare rewards.csv --item model --over user_group --value reward --rule quantile --q 0.1",
    )
    _add_long_table_arguments(wel, "item", "group", "groups", "value")
    wel.add_argument("--rule", default="utilitarian", choices=list(WELFARE_RULES), help="(default: utilitarian)")
    wel.add_argument("--q", type=float, help="the quantile for --rule quantile, in [0, 1]")
    _add_output_arguments(wel)
    cst = _command(
        sub,
        "consistency",
        _consistency,
        help="transitivity of pairwise verdicts: 3-cycles, non-transitive k-subsets, Hodge intransitive share",
        epilog="examples:\n  rankagg consistency --group prompt          # LLMFAO, items compared within each prompt\n"
        "  rankagg consistency judgements.csv --a model_a --b model_b --outcome winner --k 3,4\n"
        "  rankagg consistency election.soi",
    )
    _add_comparison_arguments(cst)
    cst.add_argument("--group", help="column: compare items within each group only (e.g. the prompt)")
    cst.add_argument("--k", default="3,4,5", help="subset sizes for non-transitivity, 3 to 6 (default: 3,4,5)")
    cst.add_argument(
        "--exact-limit",
        type=_nonnegative_int,
        default=100,
        help="count k ≥ 4 subsets exactly up to this many items per group (default: 100)",
    )
    cst.add_argument(
        "--samples",
        type=_positive_int,
        default=100_000,
        help="random subsets drawn beyond --exact-limit (default: 100000)",
    )
    cst.add_argument("--seed", type=_seed, default=0, help="seed of the random subsets (default: 0)")
    cst.add_argument("--flow", default="margin", choices=["margin", "probability"], help="Hodge flow (default: margin)")
    cst.add_argument("--per-group", action="store_true", help="print/write the per-group table (with --group)")
    _add_output_arguments(cst)
    rep = _command(
        sub,
        "report",
        _report,
        help="a self-contained HTML report: data summary, leaderboard with intervals, plots, maximal lottery",
        epilog="examples:\n  rankagg report -o llmfao.html              # LLMFAO\n"
        "  rankagg report battles.csv --a model_a --b model_b --outcome winner --timestamp tstamp -o report.html\n"
        "  rankagg report pairs.csv --winner chosen --loser rejected --ci sandwich --top 30",
    )
    _add_comparison_arguments(rep)
    rep.add_argument("--timestamp", help="column of dates or times (the summary shows their range)")
    rep.add_argument(
        "--method",
        default="bradley_terry",
        choices=names("rating", command="leaderboard", report=True),
        help="rating method (default: bradley_terry)",
    )
    rep.add_argument("--judge", help="column of who made each comparison: adds the latent groups of judges")
    rep.add_argument(
        "--groups", type=_groups, default="auto", help="with --judge: number of groups, or 'auto' (default: auto)"
    )
    rep.add_argument(
        "--ci",
        default="bootstrap",
        choices=["bootstrap", "sandwich", "none"],
        help="intervals (default: bootstrap; sandwich: bradley_terry only)",
    )
    _add_bootstrap_arguments(rep, rounds=200)
    rep.add_argument("--regularization", type=float, default=0.0, help="bradley_terry prior pseudo-counts")
    rep.add_argument(
        "--top",
        type=_positive_int,
        help="items in the leaderboard and the interval plot (default: all; the heatmap shows at most 20)",
    )
    rep.add_argument("--title", help="title of the page")
    rep.add_argument("--output", "-o", default="report.html", help="the HTML file to write (default: report.html)")
    bench = _command(
        sub,
        "bench",
        _bench,
        help="time rankagg against its pure-Python references on this machine",
        epilog="example:\n  rankagg bench --items 100 --rows 200000",
    )
    bench.add_argument("--items", type=_positive_int, default=100, help="items (default: 100)")
    bench.add_argument("--rows", type=_positive_int, default=100_000, help="comparisons (default: 100000)")
    bench.add_argument("--repeat", type=_positive_int, default=5, help="runs of rankagg per method (default: 5)")
    bench.add_argument("--seed", type=_seed, default=0)
    return parser


_INPUT_ERRORS = (RankaggError, OSError, UnicodeError, MemoryError, pl.exceptions.PolarsError)
"""Errors that mean bad input (a file, an argument, the memory): one line, exit code 2."""


def _one_line(message: str, limit: int = 500) -> str:
    """``message`` on one line (its lines joined by "; ", hidden characters escaped), cut at
    ``limit`` characters: a name of 100 kB or a Polars hint over several lines stays one line."""
    return display_name("; ".join(line.strip() for line in str(message).splitlines() if line.strip()), limit)


class _Parser(argparse.ArgumentParser):
    """argparse with its usage errors on one line (and exit code 2, as argparse's own)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {_one_line(message)} (see {self.prog} --help)\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command; every failure is one line on standard error: exit code 2 for bad input
    or arguments (documented rankagg errors, unreadable files, Polars read errors, memory), 130
    for Ctrl-C, and 2 with "internal error" for anything else (a bug: ``RANKAGG_TRACEBACK=1``
    shows its traceback)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("rankagg: interrupted", file=sys.stderr)
        return 130
    except _INPUT_ERRORS as e:
        print(f"rankagg: error: {_one_line(str(e))}", file=sys.stderr)
        return 2
    except Exception as e:
        if os.environ.get("RANKAGG_TRACEBACK"):
            raise
        print(
            f"rankagg: internal error: {_one_line(f'{type(e).__name__}: {e}')} (a bug in rankagg: please report it; "
            "RANKAGG_TRACEBACK=1 shows the traceback)",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
