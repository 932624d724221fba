"""Ingest and reduce beside the integer-id numpy baseline (issue 20), in one process.

    python benches/ingest.py                       # 10M rows, n = 100, every dtype; sparse split
    python benches/ingest.py --rows 1000000 --repeat 3
    python benches/ingest.py --rate --repeat 9         # the dense reduce alone: rows/s per core

Dense part: per item dtype (Int8 … Int64, UInt8 … UInt64, String, Categorical, Enum; float
outcomes) and per outcome dtype (float, int, bool, string labels; Int64 items; and String items
with string labels, with LMArena's labels where every other tie is ``"tie (bothbad)"`` (13
bytes: read from the data buffer, not the view; each row its own copy, or "lmarena (shared)":
a label's rows pointing at one copy, as a Parquet read gives), the same with "Long String" items (names of
23 bytes, ``model-042-instruct-v0.1``, as real model names often are; each name's rows point
at one copy of its bytes, as after a gather or a Parquet read) and "Long String (own bytes)"
items (each row its own copy, as a CSV read or a column built from a list), "Mixed String"
items (names of 10 to 27 bytes, ``model-042-xxxxxx``, a sixth of them inline, as real model
names differ in length; a name's rows share its bytes) and "Mixed String (own bytes)" (the
same names, each row its own copy), Categorical items with bool
outcomes), one frame of
``--rows`` rows over ``--items`` items is built, then ``ra.bradley_terry(frame)`` and
``PairTable.from_comparisons(frame)`` are timed (median of ``--repeat`` calls) next to the
numpy baseline of the issue (ids already 0 … n−1: ``np.bincount`` of a·n + b with and without
the outcome as weights, then MM to 1e-10; ``numpy_baseline.bradley_terry_ids``), timed in the
same process before and after the cases, and the general path (factorize, then
``_core.reduce_pairs``: ``Comparisons.from_frame(frame).pair_table()``, what
``from_comparisons`` did before decision 34) beside them. Ratios are to the baseline's median. CPU seconds
(process time, all threads) are printed beside the wall times.

``--read-back`` times only the frames read back from Parquet and CSV (String, Long and Mixed
items with LMArena's labels; integer, Categorical and String items with float outcomes from
Parquet; String items from CSV beside outcomes built in memory) beside the baseline.

``--rate`` times only the dense reduce (``_core.reduce_ids`` on int64 ids with float outcomes,
``_core.reduce_names`` on 9-byte names), wall and CPU, as rows per second and rows per second
per core by CPU time, beside reading the same bytes with numpy (a sum over each column, on one
thread and split over two).

Sparse part (``--sparse-items``, default 10,000 items, same rows): the split of
``bradley_terry`` into ingest (factorize), reduce (``_core.reduce_pairs``) and fit (from the
table), against reading the columns once (a max over each) plus one sort-free reduce
(``np.bincount`` of a·n + b weighted by the outcome, over all n² cells). With ``--before
PATH`` (another build's ``rankagg/_core*.so``, e.g. main's), the fit from the table and the
whole call are timed again in the same process with that extension doing the fit (ingest and
reduce stay this build's), alternating with this build twice; and after the dense part, the
String and label cases' ``bradley_terry(frame)`` with that extension doing the ingest and the
reduce (the fit stays this build's), alternating with this build twice. After the dense
table: String items with LMArena's labels as built, and read back from Parquet and CSV
(columns in chunks).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import polars as pl

import rankagg as ra
from rankagg import _core
from rankagg import pairs as ra_pairs
from rankagg import rate as ra_rate
from rankagg._util import sorted_rank
from rankagg.intake import factorize
from rankagg.pairs import Comparisons

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import load_core, wall_and_cpu
from numpy_baseline import bradley_terry_ids


def timed(f: Callable[[], Any], repeat: int, label: str | None = None) -> tuple[float, float]:
    """(median wall seconds, median CPU seconds) of ``repeat`` calls after one warm-up (both
    recorded under ``label`` when given, see _common.record)."""
    return wall_and_cpu(f, repeat, warm_up=True, label=label)


def reduce_codes(n: int, ca: np.ndarray, cb: np.ndarray, o: np.ndarray, rank: np.ndarray) -> Any:
    """``_core.reduce_pairs`` in the call form of the build that runs (so that benches/all.py
    can run this script on a build before decision 38, whose rows were seven arguments)."""
    try:
        from rankagg.pairs import core_rows
    except ImportError:
        return _core.reduce_pairs(n, ca, cb, outcome=o, relabel=rank)  # type: ignore[call-arg]
    return _core.reduce_pairs(n, core_rows(ca, cb, outcome=o), relabel=rank)


def item_column(codes: np.ndarray, dtype: str, n: int) -> pl.Series:
    names = [f"model-{k:03d}" for k in range(n)]
    if dtype.startswith("Long String"):  # names of 23 bytes, as real model names often are: not inline
        names = [f"model-{k:03d}-instruct-v0.1" for k in range(n)]
    if dtype.startswith("Mixed String"):  # names of 10 to 27 bytes: some inline, most not
        names = [f"model-{k:03d}-{'x' * (k % 18)}" for k in range(n)]
    if dtype.endswith("(own bytes)"):  # each row its own copy of the bytes (a CSV read, a list)
        return pl.Series(np.array(names)[codes])
    if dtype in ("String", "Long String", "Mixed String", "Categorical", "Enum"):  # (a name's rows point at one copy)
        s = pl.Series(codes).replace_strict(list(range(n)), names, return_dtype=pl.String)
        if dtype == "Categorical":
            return s.cast(pl.Categorical)
        if dtype == "Enum":
            return s.cast(pl.Enum(names))
        return s
    return pl.Series(codes).cast(getattr(pl, dtype))


def outcome_column(o: np.ndarray, kind: str) -> pl.Series:
    if kind == "float":
        return pl.Series(o)
    decisive = (o >= 0.5).astype(np.int64)  # int and bool outcomes have no ties
    if kind == "int":
        return pl.Series(decisive)
    if kind == "bool":
        return pl.Series(decisive.astype(bool))
    labels = np.array(["model_b", "tie", "model_a"], dtype="<U13")[(2 * o).astype(np.int64)]
    if kind.startswith("lmarena"):  # every other tie LMArena's "tie (bothbad)": 13 bytes, not inline
        labels[(o == 0.5) & (np.arange(len(o)) % 2 == 0)] = "tie (bothbad)"
    if kind == "lmarena (shared)":  # a label's rows point at one copy of its bytes (a Parquet read)
        texts = ["model_b", "tie", "model_a", "tie (bothbad)"]
        codes = pl.Series(labels).replace_strict(texts, list(range(4)), return_dtype=pl.Int8)
        return codes.replace_strict(list(range(4)), texts, return_dtype=pl.String)
    return pl.Series(labels)


def reduce_rates(a: np.ndarray, b: np.ndarray, o: np.ndarray, n: int, repeat: int) -> None:
    """Prints the dense reduce alone (``reduce_ids`` on int64 ids, ``reduce_names`` on names of
    9 bytes; float outcomes): median wall and CPU ms of ``repeat`` calls, rows/s, and rows/s
    per core by CPU time."""
    m = len(a)
    if not hasattr(_core, "reduce_ids"):  # builds from before issue 20 (f9d0f7e) have none
        print("reduce_ids alone: not in this build")
        return
    red = timed(lambda: _core.reduce_ids(a, b, outcome=o), repeat, "reduce_ids alone")
    print(
        f"reduce_ids alone (int64 ids, float outcomes): {red[0] * 1e3:.1f} ms wall, {red[1] * 1e3:.1f} ms cpu: "
        f"{m / red[0] / 1e6:.0f}M rows/s, {m / red[1] / 1e6:.0f}M rows/s per core (cpu time)"
    )
    if hasattr(_core, "reduce_names"):  # since decision 39
        names = pl.DataFrame({"a": item_column(a, "String", n), "b": item_column(b, "String", n)})
        red = timed(lambda: _core.reduce_names(names["a"], names["b"], outcome=o), repeat, "reduce_names alone")
        print(
            f"reduce_names alone (names of 9 bytes, float outcomes): {red[0] * 1e3:.1f} ms wall, "
            f"{red[1] * 1e3:.1f} ms cpu: {m / red[0] / 1e6:.0f}M rows/s, {m / red[1] / 1e6:.0f}M rows/s per core (cpu time)"
        )


def read_rates(columns: list[np.ndarray], what: str, repeat: int) -> None:
    """Prints what reading ``columns`` (the bytes of a row's columns, ``what``) costs here:
    numpy sums of each on one thread, and split in two halves summed by two threads (numpy
    releases the GIL)."""
    m = len(columns[0])
    gb = sum(c.nbytes for c in columns) / 1e9
    one = timed(lambda: [c.sum() for c in columns], repeat)
    halves = [[c[s] for c in columns] for s in (slice(0, m // 2), slice(m // 2, m))]
    with ThreadPoolExecutor(2) as pool:
        two = timed(lambda: list(pool.map(lambda h: [c.sum() for c in h], halves)), repeat)
    for threads, (wall, cpu) in (("one thread", one), ("two threads", two)):
        print(
            f"numpy read of {gb * 1e3:.0f} MB ({what}; {threads}): {wall * 1e3:.1f} ms wall, {cpu * 1e3:.1f} ms cpu: "
            f"{gb / wall:.1f} GB/s, {m / wall / 1e6:.0f}M rows/s, {m / cpu / 1e6:.0f}M rows/s per core (cpu time)"
        )


def read_back(a: np.ndarray, b: np.ndarray, o: np.ndarray, n: int, rep: int) -> None:
    """``bradley_terry(frame)`` of String, Long String and Mixed String items with LMArena's
    labels as built (one chunk a column) and as read back from Parquet (a chunk per row group
    of 1M rows: a row group's dictionary decoded once, so a name's or a label's rows share its
    bytes) and from CSV (a chunk per batch of the reader, each row its own bytes): columns in
    chunks are read in place (decision 50), views that repeat through fronts of views
    (decisions 56, 57)."""
    for dtype in ("String", "Long String", "Mixed String"):
        frames = parquet_and_csv(
            pl.DataFrame(
                {"a": item_column(a, dtype, n), "b": item_column(b, dtype, n), "outcome": outcome_column(o, "lmarena")}
            )
        )
        one = None
        for name, f in frames.items():
            case = f"{dtype} items, lmarena outcome, {name}"
            wall, cpu = timed(lambda f=f: ra.bradley_terry(f), rep, f"{case}: bradley_terry")
            one = one or wall
            print(
                f"{case} ({f['a'].n_chunks()} chunks): bradley_terry(frame) {wall:.3f} s (cpu {cpu:.3f}), {wall / one:.2f}x one chunk"
            )
    # Columns in chunks reach the pass where they lie (decision 61): integer, Categorical and
    # String items with float outcomes read back from Parquet (10 row groups a column), and
    # String items read from CSV beside float outcomes built in memory (chunks not lined up).
    for dtype in ("Int64", "UInt32", "Categorical", "String"):
        frame = pl.DataFrame({"a": item_column(a, dtype, n), "b": item_column(b, dtype, n), "outcome": o})
        f = parquet_and_csv(frame)["Parquet"]
        wall, cpu = timed(lambda f=f: ra.bradley_terry(f), rep, f"{dtype} from Parquet: bradley_terry")
        print(
            f"{dtype} items, float outcome, from Parquet ({f['a'].n_chunks()} chunks): bradley_terry(frame) {wall:.4f} s (cpu {cpu:.3f})"
        )
    # Other outcomes beside ids from Parquet (decision 62: integer ids in row groups read in
    # one pass, boolean outcomes' chunks as bits where they lie).
    for dtype in ("Int64", "String"):
        for kind in ("bool", "int", "string"):
            frame = pl.DataFrame(
                {"a": item_column(a, dtype, n), "b": item_column(b, dtype, n), "outcome": outcome_column(o, kind)}
            )
            f = parquet_and_csv(frame)["Parquet"]
            wall, cpu = timed(
                lambda f=f: ra.bradley_terry(f), rep, f"{dtype}, {kind} outcome, from Parquet: bradley_terry"
            )
            print(
                f"{dtype} items, {kind} outcome, from Parquet ({f['a'].n_chunks()} chunks): bradley_terry(frame) {wall:.4f} s (cpu {cpu:.3f})"
            )
    csv = parquet_and_csv(pl.DataFrame({"a": item_column(a, "String", n), "b": item_column(b, "String", n)}))["CSV"]
    f = csv.with_columns(pl.Series("outcome", o))
    wall, cpu = timed(lambda: ra.bradley_terry(f), rep, "String from CSV, outcomes from memory: bradley_terry")
    print(
        f"String items from CSV ({f['a'].n_chunks()} chunks), float outcome built in memory (1): bradley_terry(frame) {wall:.4f} s (cpu {cpu:.3f})"
    )


def parquet_and_csv(frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """``frame`` as built, and read back from Parquet (row groups of 1M rows) and from CSV."""
    with tempfile.TemporaryDirectory() as tmp:
        frame.write_parquet(f"{tmp}/rows.parquet", row_group_size=1_000_000)
        frame.write_csv(f"{tmp}/rows.csv")
        return {
            "one chunk": frame,
            "Parquet": pl.read_parquet(f"{tmp}/rows.parquet"),
            "CSV": pl.read_csv(f"{tmp}/rows.csv"),
        }


def ab_dense(a: np.ndarray, b: np.ndarray, o: np.ndarray, n: int, rep: int, before: Any) -> None:
    """``bradley_terry(frame)`` of Int8 and Int64 items and the String and label cases with this build's ingest and
    reduce, then ``before``'s (``rankagg.pairs._core`` swapped; the fit stays this build's),
    alternating twice, in this process."""
    cases = [
        ("Int8", "float"),
        ("Int64", "float"),
        ("String", "float"),
        ("String", "string"),
        ("String", "lmarena"),
        ("String", "lmarena (shared)"),
        ("Long String", "lmarena"),
        ("Long String (own bytes)", "lmarena"),
        ("Mixed String", "lmarena"),
        ("Mixed String (own bytes)", "lmarena"),
        ("Int64", "string"),
    ]
    frames = {
        f"{dt} items, {kind} outcome": pl.DataFrame(
            {"a": item_column(a, dt, n), "b": item_column(b, dt, n), "outcome": outcome_column(o, kind)}
        )
        for dt, kind in cases
    }
    for dt in ("String", "Long String", "Mixed String"):  # (names and labels sharing their bytes per row group)
        frame = pl.DataFrame(
            {"a": item_column(a, dt, n), "b": item_column(b, dt, n), "outcome": outcome_column(o, "lmarena")}
        )
        read = parquet_and_csv(frame)
        frames[f"{dt} items, lmarena outcome, read from Parquet"] = read["Parquet"]
        if dt != "String":  # (each row its own bytes, in chunks: the real case of long names)
            frames[f"{dt} items, lmarena outcome, read from CSV"] = read["CSV"]
    builds = {"this build": _core, "before": before}
    for turn in (1, 2):
        for name, core in builds.items():
            ra_pairs._core = core
            try:
                for case, frame in frames.items():
                    wall, cpu = timed(lambda frame=frame: ra.bradley_terry(frame), rep)
                    print(f"{name} ({turn}), {case}: bradley_terry(frame) {wall:.4f} s (cpu {cpu:.4f})")
            finally:
                ra_pairs._core = _core


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--items", type=int, default=100)
    ap.add_argument("--sparse-items", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--skip-dense", action="store_true")
    ap.add_argument("--skip-sparse", action="store_true")
    ap.add_argument(
        "--before",
        help="another build's _core extension: the sparse fit and the dense Int8, Int64 and String cases timed with it too",
    )
    ap.add_argument("--rate", action="store_true", help="only the dense reduce's rows/s (and numpy's read)")
    ap.add_argument("--read-back", action="store_true", help="only the frames read back from Parquet and CSV")
    args = ap.parse_args()
    m, n, rep = args.rows, args.items, args.repeat
    rng = np.random.default_rng(0)
    a = rng.integers(0, n, m)
    b = (a + rng.integers(1, n, m)) % n
    o = rng.integers(0, 3, m) / 2.0
    print(f"rows {m:,}, items {n}, repeats {rep}, load average {os.getloadavg()[0]:.2f}, cores {os.cpu_count()}")
    if args.rate:
        # The bytes the reduce reads: 24 a row from int64 ids, 40 from two columns of
        # 16-byte string views (here stand-ins of the same size).
        views = [np.ones((m, 2), dtype=np.int64), np.ones((m, 2), dtype=np.int64), o]  # (not zeros: lazily mapped)
        read_rates([a, b, o], "int64 ids, float outcomes: 24 B a row", rep)
        read_rates(views, "two view columns, float outcomes: 40 B a row", rep)
        reduce_rates(a, b, o, n, rep)
        read_rates([a, b, o], "int64 ids, float outcomes: 24 B a row", rep)
        read_rates(views, "two view columns, float outcomes: 40 B a row", rep)
        print(f"load average {os.getloadavg()[0]:.2f}")
        return

    if args.read_back:
        base = timed(lambda: bradley_terry_ids(a, b, o, n), rep)
        print(f"numpy baseline: {base[0]:.4f} s")
        read_back(a, b, o, n, rep)
        after = timed(lambda: bradley_terry_ids(a, b, o, n), rep)
        print(f"numpy baseline again: {after[0]:.4f} s")
        return

    if not args.skip_dense:
        base = timed(lambda: bradley_terry_ids(a, b, o, n), rep)
        print(f"numpy baseline (ids 0..n-1, bincount + MM): {base[0]:.3f} s (cpu {base[1]:.3f} s)")
        fmt = "{:<48} {:>7} {:>6} {:>8} {:>8} {:>7} {:>9} {:>8}"
        print(fmt.format("case", "bt s", "bt/np", "bt cpu s", "table s", "tbl/np", "general s", "gen/np"))
        cases = [(dt, "float") for dt in ("Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64")]
        cases += [(dt, "float") for dt in ("String", "Categorical", "Enum")]
        cases += [("Int64", kind) for kind in ("int", "bool", "string")]
        cases += [
            ("String", "string"),
            ("String", "lmarena"),
            ("String", "lmarena (shared)"),
            ("Long String", "lmarena"),
        ]
        cases += [
            ("Long String (own bytes)", "lmarena"),
            ("Mixed String", "lmarena"),
            ("Mixed String (own bytes)", "lmarena"),
        ]
        cases += [("Categorical", "bool")]
        fastest = float("inf")
        walls = {}
        for dtype, kind in cases:
            frame = pl.DataFrame(
                {"a": item_column(a, dtype, n), "b": item_column(b, dtype, n), "outcome": outcome_column(o, kind)}
            )
            name = f"{dtype} items, {kind} outcome"
            bt = timed(lambda frame=frame: ra.bradley_terry(frame), rep, f"{name}: bradley_terry")
            table = timed(lambda frame=frame: ra.PairTable.from_comparisons(frame), rep, f"{name}: from_comparisons")
            general = timed(
                lambda frame=frame: Comparisons.from_frame(frame).pair_table(), rep, f"{name}: general path"
            )
            walls[name] = bt[0]
            fastest = min(fastest, bt[0])
            print(
                fmt.format(
                    name,
                    f"{bt[0]:.3f}",
                    f"{bt[0] / base[0]:.2f}",
                    f"{bt[1]:.3f}",
                    f"{table[0]:.3f}",
                    f"{table[0] / base[0]:.2f}",
                    f"{general[0]:.3f}",
                    f"{general[0] / base[0]:.2f}",
                )
            )
            del frame
            gc.collect()
        after = timed(lambda: bradley_terry_ids(a, b, o, n), rep)
        print(f"numpy baseline again: {after[0]:.3f} s; slowest case / fastest: {max(walls.values()) / fastest:.2f}")
        read_back(a, b, o, n, rep)
        reduce_rates(a, b, o, n, rep)
        if args.before:
            ab_dense(a, b, o, n, rep, load_core(args.before))
        ids = pl.DataFrame({"a": a, "b": b, "outcome": o})
        # Where the general path's time goes on int64 ids (the stages of what from_comparisons did).
        (ca, cb), labels = factorize([ids["a"], ids["b"]])
        rank = sorted_rank(labels)
        stages = {
            "factorize (range, first-seen and code passes)": lambda: factorize([ids["a"], ids["b"]]),
            "reduce_pairs (shape check, outcome pass, counting)": lambda: reduce_codes(n, ca, cb, o, rank),
        }
        for what, f in stages.items():
            wall, cpu = timed(f, rep, f"general path, {what.split()[0]}")
            print(f"general path, {what}: {wall * 1e3:.1f} ms wall, {cpu * 1e3:.1f} ms cpu")
        del ids

    if not args.skip_sparse:
        ns = args.sparse_items
        sa = rng.integers(0, ns, m)
        sb = (sa + rng.integers(1, ns, m)) % ns
        frame = pl.DataFrame({"a": sa, "b": sb, "outcome": o})
        print(f"\nsparse: rows {m:,}, items {ns:,}, load average {os.getloadavg()[0]:.2f}")
        read = timed(
            lambda: (frame["a"].to_numpy().max(), frame["b"].to_numpy().max(), frame["outcome"].to_numpy().max()), rep
        )
        bincount = timed(lambda: np.bincount(sa * ns + sb, weights=o, minlength=ns * ns), max(1, rep // 2))
        gc.collect()
        ingest = timed(lambda: factorize([frame["a"], frame["b"]]), rep, f"sparse {ns:,} items: factorize")
        (ca, cb), labels = factorize([frame["a"], frame["b"]])
        rank = sorted_rank(labels)
        reduce = timed(lambda: reduce_codes(len(labels), ca, cb, o, rank), rep, f"sparse {ns:,} items: reduce_pairs")
        table = ra.PairTable.from_comparisons(frame)
        fit = timed(lambda: ra.bradley_terry(table), rep, f"sparse {ns:,} items: fit from the table")
        total = timed(lambda: ra.bradley_terry(frame), rep, f"sparse {ns:,} items: bradley_terry(frame)")
        floor = read[0] + bincount[0]
        print(
            f"read the columns once (max of each): {read[0]:.3f} s (cpu {read[1]:.3f}); "
            f"sort-free reduce (bincount over n² cells): {bincount[0]:.3f} s (cpu {bincount[1]:.3f})"
        )
        print(
            f"rankagg: ingest {ingest[0]:.3f} s (cpu {ingest[1]:.3f}), reduce {reduce[0]:.3f} s (cpu {reduce[1]:.3f}), "
            f"fit {fit[0]:.3f} s (cpu {fit[1]:.3f}); bradley_terry(frame) {total[0]:.3f} s (cpu {total[1]:.3f})"
        )
        print(
            f"bradley_terry(frame) / (read + sort-free reduce) = {total[0] / floor:.2f}; load average {os.getloadavg()[0]:.2f}"
        )
        if args.before:
            builds = {"this build": _core, "before": load_core(args.before)}
            for turn in (1, 2):
                for name, core in builds.items():
                    ra_rate._core = core  # the fit's extension (ingest and reduce stay this build's)
                    try:
                        fit = timed(lambda: ra.bradley_terry(table), rep)
                        total = timed(lambda: ra.bradley_terry(frame), rep)
                    finally:
                        ra_rate._core = _core
                    print(
                        f"{name} ({turn}): fit {fit[0]:.3f} s (cpu {fit[1]:.3f}); bradley_terry(frame) {total[0]:.3f} s "
                        f"(cpu {total[1]:.3f}), / floor {total[0] / floor:.2f}; load average {os.getloadavg()[0]:.2f}"
                    )


if __name__ == "__main__":
    main()
