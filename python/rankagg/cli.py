"""The ``rankagg`` command.

``rankagg leaderboard`` with no file ranks the LLMs of the LLMFAO dataset shipped with the
package; with a CSV, Parquet or NDJSON file it ranks the items of that file.

Exit codes: 0 success, 2 bad usage or bad input (the message names the column, rows or labels).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from rankagg import datasets, rate
from rankagg.errors import RankaggError
from rankagg.intervals import Bootstrap, Sandwich

METHODS = ["bradley_terry", "elo", "win_rate", "average_win_rate", "counting", "pagerank", "eigenvector", "rank_centrality"]

EXAMPLES = """\
examples:
  rankagg leaderboard                        # LLMFAO, shipped with rankagg
  rankagg leaderboard battles.parquet --a model_a --b model_b --outcome winner
  rankagg leaderboard pairs.csv --winner chosen --loser rejected --output board.csv
  rankagg leaderboard --ci bootstrap --rounds 1000  # 95% intervals, interval-aware ranks
  rankagg leaderboard battles.csv --method elo --order-by tstamp
  rankagg consensus election.toi --method schulze
  rankagg bench                              # rankagg vs pure Python on this machine
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
    return pl.read_csv(p)


def _parse_outcomes(spec: str | None) -> dict[str, float] | None:
    """``left=1,right=0,tie=0.5`` → a mapping."""
    if spec is None:
        return None
    out: dict[str, float] = {}
    for part in spec.split(","):
        label, _, value = part.rpartition("=")
        if not label:
            raise RankaggError(f"--outcomes expects label=value pairs separated by commas, got {part!r}")
        out[label] = float(value)
    return out


def _markdown(frame: pl.DataFrame) -> str:
    with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_hide_dataframe_shape=True, fmt_str_lengths=200,
                   tbl_hide_column_data_types=True, tbl_formatting="ASCII_MARKDOWN"):
        return str(frame) + "\n"


def _write(frame: pl.DataFrame, output: str) -> None:
    suffix = Path(output).suffix.lower()
    if suffix == ".md":
        Path(output).write_text(_markdown(frame))
    elif suffix == ".parquet":
        frame.write_parquet(output)
    elif suffix == ".json":
        frame.write_json(output)
    elif suffix in (".jsonl", ".ndjson"):
        frame.write_ndjson(output)
    else:
        frame.write_csv(output)


def _leaderboard(args: argparse.Namespace) -> int:
    if args.file is None:
        data = datasets.llmfao()
        a, b, outcome = "left", "right", "winner"
        outcomes = datasets.LLMFAO_OUTCOMES
        source = "LLMFAO (8,931 crowd judgements of 59 LLMs, shipped with rankagg)"
    else:
        data = _read(args.file)
        a, b, outcome = args.a, args.b, args.outcome
        outcomes = _parse_outcomes(args.outcomes)
        source = args.file
    columns = dict(a=a, b=b, outcome=outcome, weight=args.weight, outcomes=outcomes, winner=args.winner, loser=args.loser)
    ci: Bootstrap | Sandwich | None = None
    if args.ci == "bootstrap":
        ci = Bootstrap(rounds=args.rounds, level=args.level, seed=args.seed, progress=sys.stderr.isatty())
    elif args.ci == "sandwich":
        ci = Sandwich(level=args.level)
    if args.method == "bradley_terry":
        ratings = rate.bradley_terry(
            data, **columns, ties=args.ties, scale=args.scale, regularization=args.regularization, ci=ci
        )
        detail = (f"ties={args.ties}, scale={args.scale}; {'converged' if ratings.converged else 'NOT converged'} "
                  f"in {ratings.iterations} iterations, log-likelihood {ratings.log_likelihood:.2f}")
    elif args.method == "elo":
        ratings = rate.elo(data, **columns, order_by=args.order_by, ci=ci)  # type: ignore[arg-type]
        detail = "online Elo (k=4, base 10, scale 400, initial 1000)" + (f", rows ordered by {args.order_by!r}" if args.order_by else ", rows in file order")
    else:
        ratings = getattr(rate, args.method)(data, **columns, ci=ci)
        detail = f"scores: {ratings.scale}"
    if ci is not None:
        detail += f"; {ci.level:.0%} intervals by " + (f"bootstrap ({args.rounds} rounds, seed {args.seed})" if args.ci == "bootstrap" else "sandwich covariance")
        detail += "; rank = 1 + number of items whose lower bound exceeds this item's upper bound"
    if args.output:
        _write(ratings.table, args.output)
        print(f"wrote {ratings.table.height} rows to {args.output}", file=sys.stderr)
        return 0
    print(f"{args.method.replace('_', ' ')} leaderboard of {source}")
    print(detail)
    digits = 1 if ratings.scale in ("elo", "count") else 4
    shown = ratings.table.with_columns(pl.col(c).round(digits) for c in ("score", "lower", "upper") if c in ratings.table.columns)
    with pl.Config(tbl_rows=args.top, tbl_cols=-1, tbl_hide_dataframe_shape=True, fmt_str_lengths=60,
                   tbl_hide_column_data_types=True, tbl_formatting="ASCII_MARKDOWN"):
        print(shown.head(args.top))
    return 0


CONSENSUS_METHODS = ["kemeny", "schulze", "ranked_pairs", "copeland", "minimax", "borda", "plurality", "instant_runoff"]


def _consensus(args: argparse.Namespace) -> int:
    """Consensus of rankings from a PrefLib file or a long CSV/Parquet/NDJSON frame."""
    from rankagg import vote
    from rankagg.preflib import read_preflib
    from rankagg.rankings import Rankings

    suffix = Path(args.file).suffix.lower()
    if suffix in (".soc", ".soi", ".toc", ".toi"):
        votes = read_preflib(args.file)
    else:
        votes = Rankings.from_frame(_read(args.file), voter=args.voter, item=args.item, rank=args.rank, weight=args.weight)
    kwargs = {} if args.method in ("plurality", "instant_runoff") else {"unranked": args.unranked}
    result = getattr(vote, args.method)(votes, **kwargs)
    if args.output:
        _write(result.table, args.output)
        print(f"wrote {result.table.height} rows to {args.output}", file=sys.stderr)
        return 0
    voters = float(votes.weights.sum()) if votes.weights is not None else len(votes)
    print(f"{args.method.replace('_', ' ')} consensus of {args.file}: {len(votes)} distinct rankings, "
          f"{voters:g} voters, {len(votes.labels)} items")
    cw = vote.condorcet_winner(votes, unranked=args.unranked)
    print(f"winner(s): {', '.join(map(str, result.winners))}; Condorcet winner: {cw if cw is not None else 'none'}")
    if result.cost is not None:
        print(f"Kemeny cost {result.cost:g}, lower bound {result.lower_bound:g}, "
              f"{'proved optimal' if result.optimal else 'NOT proved optimal'}; {len(result.components or [])} component(s)")
    print(_markdown(result.table.head(args.top)), end="")
    return 0


def _bench(args: argparse.Namespace) -> int:
    """Times rankagg against its pure-Python references on generated arena data."""
    import time

    import numpy as np

    from rankagg import reference
    from rankagg.rankings import Rankings

    rng = np.random.default_rng(args.seed)
    n, m = args.items, args.rows
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
        ("Plackett–Luce", lambda: rate.plackett_luce(Rankings.from_lists(races)), lambda: reference.plackett_luce(races, n, tol=1e-9)),
    ]
    rows = []
    for name, ours, theirs in cases:
        t_ours = best(ours, args.repeat)
        t_ref = best(theirs, 1)
        rows.append({"method": name, "rankagg s": round(t_ours, 4), "pure-Python s": round(t_ref, 4), "speed-up": round(t_ref / t_ours, 1)})
        print(f"{name}: rankagg {t_ours:.4f} s, pure Python {t_ref:.4f} s ({t_ref / t_ours:.1f}x)", file=sys.stderr)
    print(f"rankagg bench: {n} items, {m:,} comparisons, {len(races):,} rankings; medians of {args.repeat} runs for rankagg")
    print(_markdown(pl.DataFrame(rows)), end="")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rankagg",
        description="Ranking aggregation from pairwise comparisons.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    lb = sub.add_parser(
        "leaderboard",
        help="leaderboard of a comparisons file (LLMFAO when no file is given)",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    lb.add_argument("file", nargs="?", help="CSV, Parquet or NDJSON file ('-' reads CSV from stdin)")
    lb.add_argument("--a", default="a", help="column of the first item (default: a)")
    lb.add_argument("--b", default="b", help="column of the second item (default: b)")
    lb.add_argument("--outcome", default="outcome", help="column of outcomes (default: outcome)")
    lb.add_argument("--outcomes", help="label mapping, e.g. 'left=1,right=0,tie=0.5'")
    lb.add_argument("--weight", help="column of row weights")
    lb.add_argument("--winner", help="column of winners (with --loser, instead of --a/--b/--outcome)")
    lb.add_argument("--loser", help="column of losers")
    lb.add_argument("--method", default="bradley_terry", choices=METHODS, help="rating method (default: bradley_terry)")
    lb.add_argument("--ci", choices=["bootstrap", "sandwich"], help="add confidence intervals (sandwich: bradley_terry only)")
    lb.add_argument("--rounds", type=int, default=1000, help="bootstrap rounds (default: 1000)")
    lb.add_argument("--level", type=float, default=0.95, help="interval coverage (default: 0.95)")
    lb.add_argument("--seed", type=int, default=0, help="bootstrap seed (default: 0)")
    lb.add_argument("--order-by", help="elo: column to order the rows by (default: file order)")
    lb.add_argument("--ties", default="half", choices=["half", "davidson", "rao_kupper", "drop"], help="bradley_terry tie model")
    lb.add_argument("--scale", default="elo", choices=["elo", "logit"], help="bradley_terry score scale")
    lb.add_argument("--regularization", type=float, default=0.0, help="bradley_terry prior pseudo-counts")
    lb.add_argument("--top", type=int, default=100, help="rows to print (default: 100)")
    lb.add_argument("--output", "-o", help="write the table to CSV, Parquet, JSON, NDJSON or Markdown (.md) instead of printing")
    lb.set_defaults(run=_leaderboard)
    cons = sub.add_parser(
        "consensus",
        help="consensus of rankings (PrefLib .soc/.soi/.toc/.toi, or a long voter/item/rank table)",
        epilog="examples:\n  rankagg consensus election.toi --method schulze\n  rankagg consensus ranks.csv --voter judge --item system --rank place",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cons.add_argument("file", help="PrefLib file, or CSV/Parquet/NDJSON with one row per (voter, item)")
    cons.add_argument("--method", default="kemeny", choices=CONSENSUS_METHODS, help="default: kemeny")
    cons.add_argument("--voter", default="voter", help="column of voters (default: voter)")
    cons.add_argument("--item", default="item", help="column of items (default: item)")
    cons.add_argument("--rank", default="rank", help="column of ranks, smaller is better (default: rank)")
    cons.add_argument("--weight", help="column of per-voter weights")
    cons.add_argument("--unranked", default="below", choices=["below", "ignore"], help="items a voter did not rank")
    cons.add_argument("--top", type=int, default=100, help="rows to print (default: 100)")
    cons.add_argument("--output", "-o", help="write the table to CSV, Parquet, JSON, NDJSON or Markdown (.md)")
    cons.set_defaults(run=_consensus)
    bench = sub.add_parser(
        "bench",
        help="time rankagg against its pure-Python references on this machine",
        epilog="example:\n  rankagg bench --items 100 --rows 200000",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    bench.add_argument("--items", type=int, default=100, help="items (default: 100)")
    bench.add_argument("--rows", type=int, default=100_000, help="comparisons (default: 100000)")
    bench.add_argument("--repeat", type=int, default=5, help="runs of rankagg per method (default: 5)")
    bench.add_argument("--seed", type=int, default=0)
    bench.set_defaults(run=_bench)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except (RankaggError, OSError, pl.exceptions.PolarsError) as e:
        print(f"rankagg: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
