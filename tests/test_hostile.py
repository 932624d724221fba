"""Hostile files, arguments and names (issue 18, parts 7 and 8): every subcommand answers a bad
file or argument with exit code 2 and one line (never a traceback, never an "internal error"),
and names are shown cut and with their control and bidirectional characters escaped, in the
reprs, the CLI's tables, the plots and the HTML report."""

from __future__ import annotations

import contextlib
import io
import time

import numpy as np
import polars as pl
import pytest

import rankagg as ra
from rankagg.cli import main
from rankagg.display import NAME_WIDTH, display_frame, display_name

SUBCOMMANDS = ["leaderboard", "consensus", "lottery", "defensive", "aggregate", "welfare", "consistency", "report"]
HEADER = "# NUMBER ALTERNATIVES: 2\n# ALTERNATIVE NAME 1: x\n# ALTERNATIVE NAME 2: y\n"
HOSTILE_FILES: dict[str, str | bytes] = {
    "empty.csv": "",
    "header_only.csv": "a,b,outcome\n",
    "binary.csv": bytes(range(256)) * 4,
    "ragged.csv": "a,b,outcome\nx,y\nx,y,1,2,3\n",
    "bad_outcome.csv": "a,b,outcome\nx,y,hello\ny,x,2\n",
    "latin1.csv": "a,b,outcome\n\xe9,y,1\ny,\xe9,0\n".encode("latin-1"),
    "nested.json": '{"a": [[1, 2]], "b": [{"x": 1}], "outcome": [1]}',
    "truncated.json": '{"a": ',
    "bad.parquet": b"PAR1garbage",
    "bad.ndjson": '{"a": 1}\n{oops\n',
    "non_ascii_digits.soc": "# NUMBER VOTERS: \u0663\n# ALTERNATIVE NAME \u0661: x\n# ALTERNATIVE NAME 2: y\n1: 1,2\n",
    "count_400_digits.soc": HEADER + "9" * 400 + ": 1,2\n",
    "count_5000_digits.soc": HEADER + "9" * 5000 + ": 1,2\n",
    "huge_id.soc": HEADER + "1: 1," + "9" * 5000 + "\n",
    "huge_declared_id.soc": "# ALTERNATIVE NAME " + "9" * 5000 + ": x\n1: 1\n",
    "truncated_line.soc": HEADER + "2: 1,\n",
    "unclosed_brace.toi": HEADER + "2: {1,2\n",
    "binary.soi": bytes(range(256)),
    "voters_overflow.soc": HEADER + "# NUMBER VOTERS: " + "9" * 30 + "\n1: 1,2\n",
}
SCORES = "item,over,value,system,task,score,group,observation\na,t,1,a,t,1,g,t\nb,t,2,b,t,2,g,t\na,u,3,a,u,3,h,u\nb,u,1,b,u,1,h,u\n"
COMPARISONS = "a,b,outcome,judge,prompt\nx,y,1,p,m\ny,z,1,q,m\nz,x,1,p,n\nx,z,0.5,q,n\n"
HOSTILE_ARGUMENTS = [
    ["leaderboard", "{c}", "--outcomes", "a=x"],
    ["leaderboard", "{c}", "--outcomes", "=1"],
    ["leaderboard", "{c}", "--ci", "bootstrap", "--rounds", "0"],
    ["leaderboard", "{c}", "--ci", "bootstrap", "--seed", "-1"],
    ["leaderboard", "{c}", "--ci", "bootstrap", "--seed", str(2**70)],
    ["leaderboard", "{c}", "--ci", "sandwich", "--level", "nan"],
    ["leaderboard", "{c}", "--regularization", "-1"],
    ["leaderboard", "{c}", "--by", "prompt", "--pooling", "nan"],
    ["leaderboard", "{c}", "--method", "mixture", "--judge", "nope"],
    ["leaderboard", "{c}", "--a", "a", "--b", "a"],
    ["leaderboard", "{c}", "--top", "1e3"],
    ["leaderboard", "{c}", "-o", "{d}/no/such/dir/x.csv"],
    ["lottery", "{c}", "--method", "first_order", "--tol", "-1"],
    ["consistency", "{c}", "--exact-limit", "-1"],
    ["consistency", "{c}", "--seed", str(2**70)],
    ["consistency", "{c}", "--samples", "0"],
    ["consistency", "{c}", "--k", "99"],
    ["consensus", "tests/data/00005-00000002.toi", "--time-limit", "-1"],
    ["defensive", "{s}", "--tail", "nan"],
    ["defensive", "{s}", "--prior", "-1"],
    ["welfare", "{s}", "--rule", "quantile", "--q", "2"],
    ["aggregate", "{s}", "--instance", "nope"],
    ["bench", "--repeat", "0"],
    ["bench", "--items", str(2**70)],
    ["bench", "--seed", "-1"],
    ["report", "{c}", "--ci", "none", "-o", "{d}"],
    ["report", "{c}", "--level", "5", "-o", "{d}/r.html"],
]


def run(argv: list[str]) -> tuple[int, str]:
    """``main(argv)``'s exit code (argparse's exits included) and standard error."""
    err = io.StringIO()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            code = main(argv)
    except SystemExit as e:
        code = int(e.code or 0)
    return code, err.getvalue()


def assert_one_line_error(code: int, err: str) -> None:
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("rankagg"), err
    assert "Traceback" not in err and "internal error" not in err, err


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile")
    for name, content in HOSTILE_FILES.items():
        (d / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    (d / "directory.csv").mkdir()
    (d / "scores.csv").write_text(SCORES)
    (d / "c.csv").write_text(COMPARISONS)
    return d


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_answers_hostile_files_with_one_line_and_exit_code_2(folder, command):
    names = [*HOSTILE_FILES, "directory.csv", "missing.csv", "missing.soc"]
    for name in names:
        extra = ["--ci", "none", "-o", str(folder / "r.html")] if command == "report" else []
        assert_one_line_error(*run([command, str(folder / name), *extra]))


@pytest.mark.parametrize("argv", HOSTILE_ARGUMENTS, ids=lambda a: " ".join(a[:1] + a[2:])[:40])
def test_hostile_arguments_give_one_line_and_exit_code_2(folder, argv):
    paths = dict(c=str(folder / "c.csv"), s=str(folder / "scores.csv"), d=str(folder))
    assert_one_line_error(*run([a.format(**paths) for a in argv]))


def test_an_unexpected_exception_is_one_line_too(monkeypatch, folder):
    def boom(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(ra.rate, "bradley_terry", boom)
    code, err = run(["leaderboard", str(folder / "c.csv")])
    assert code == 2 and err.count("\n") == 1 and "internal error: ZeroDivisionError: a bug" in err
    monkeypatch.setenv("RANKAGG_TRACEBACK", "1")
    with pytest.raises(ZeroDivisionError):
        main(["leaderboard", str(folder / "c.csv")])


# ---------------------------------------------------------------------------------------------
# displayed names

BIDI = "\u202e"  # RIGHT-TO-LEFT OVERRIDE
HIDDEN = ["\x00", "\x07", "\n", "\r", "\x1b", "\x7f", "\x85", "\u061c", "\u200e", "\u2028", BIDI, "\u2066", "\u2069"]


@pytest.mark.parametrize("ch", HIDDEN)
def test_hidden_characters_are_shown_escaped(ch):
    shown = display_name(f"gpt{ch}4")
    assert ch not in shown and shown == "gpt" + ascii(ch)[1:-1] + "4"
    assert display_name(f"gpt{ch}4", None) == shown


@pytest.mark.parametrize("length", [0, 1, 39, 40, 41, 1000, 100_000])
@pytest.mark.parametrize("width", [2, 10, 40, None])
def test_names_are_cut_to_the_width_keeping_both_ends(length, width):
    name = "".join(chr(97 + i % 26) for i in range(length))
    shown = display_name(name, width)
    if width is None or length <= width:
        assert shown == name
    else:
        assert len(shown) == width and "…" in shown
        head, _, tail = shown.partition("…")
        assert name.startswith(head) and name.endswith(tail) and len(tail) >= len(head)


def test_escapes_never_push_a_name_past_the_width():
    for name in [BIDI * 100, "a" * 39 + BIDI, BIDI + "b" * 200]:
        shown = display_name(name)
        assert len(shown) <= NAME_WIDTH and BIDI not in shown


def hostile_comparisons() -> pl.DataFrame:
    long = "L" * 100_000
    names = [long, f"evil{BIDI}lave", "bell\x07", "line\nbreak", "plain"]
    a = [names[i % 5] for i in range(20)]
    b = [names[(i + 1 + i // 5) % 5] for i in range(20)]
    return pl.DataFrame({"a": a, "b": b, "outcome": [1.0, 0.0, 0.5, 1.0] * 5})


def test_reprs_show_names_cut_and_escaped():
    data = hostile_comparisons()
    before = data.clone()
    texts = [
        repr(ra.bradley_terry(data)),
        repr(ra.PairTable.from_comparisons(data)),
        repr(ra.Rankings.from_lists([list(data["a"].unique(maintain_order=True))])),
        repr(ra.maximal_lottery(data)),
        repr(ra.borda(ra.Rankings.from_lists([list(data["a"].unique(maintain_order=True))]))),
    ]
    for text in texts:
        assert BIDI not in text and "\x07" not in text and "L" * (NAME_WIDTH + 1) not in text, text
        assert "evil\\u202elave" in text
    assert data.equals(before)  # the data keep the names as they were


def test_display_frame_only_changes_what_needs_it():
    frame = pl.DataFrame({"item": ["ok", f"a{BIDI}b", "x" * 50, None], "n": [1, 2, 3, 4]})
    shown = display_frame(frame)
    assert shown["item"].to_list() == ["ok", "a\\u202eb", display_name("x" * 50), None]
    assert shown["n"].to_list() == [1, 2, 3, 4] and display_frame(frame, None)["item"][2] == "x" * 50


def test_cli_tables_escape_names_and_files_keep_them_whole(tmp_path, capsys):
    src = tmp_path / "c.csv"
    hostile_comparisons().write_csv(src)
    assert main(["leaderboard", str(src), "--method", "win_rate"]) == 0
    out = capsys.readouterr().out
    assert BIDI not in out and "\x07" not in out and "evil\\u202elave" in out
    assert display_name("L" * 100_000, 10_000) in out  # piped: names whole up to 10,000 characters
    assert len([line for line in out.splitlines() if line.startswith("| ")]) == 6  # header + 5 items


def test_a_100_kb_name_does_not_slow_the_report(tmp_path):
    pytest.importorskip("matplotlib")
    from rankagg.report import report

    start = time.perf_counter()
    page = report(hostile_comparisons(), None, ci="none")
    assert time.perf_counter() - start < 20  # was 45 s: matplotlib measured the whole name
    assert isinstance(page, str) and BIDI not in page and "\x07" not in page
    shown = display_name("L" * 100_000)
    assert f'title="{"L" * 100_000}">{shown}<' in page  # the full name in the tooltip
    assert 'title="evil\\u202elave">evil\\u202elave<' in page


# Malformed Arrow arrays: pyarrow's `Array.from_buffers` does not validate, and Polars takes
# such an array as it is. A string view past its data buffers must be refused, never read.
def view_array(names: list[str], corrupt: dict[int, tuple[int, int, int]] | None = None):
    """A string-view array of `names`, each long name its own bytes in one data buffer; rows
    in `corrupt` get (length, buffer index, offset) instead of theirs."""
    import struct

    import pyarrow as pa

    data, views = b"", []
    for row, name in enumerate(names):
        raw = name.encode()
        if len(raw) <= 12:
            views.append(struct.pack("<i12s", len(raw), raw))
            continue
        length, buf, offset = (corrupt or {}).get(row, (len(raw), 0, len(data)))
        views.append(struct.pack("<i4sii", length, raw[:4], buf, offset))
        data += raw
    return pa.Array.from_buffers(
        pa.string_view(), len(names), [None, pa.py_buffer(b"".join(views)), pa.py_buffer(data)]
    )


ARENA = ["claude-3-5-sonnet-20240620", "gpt-4o-2024-05-13", "gemini-1.5-pro-001", "llama-3-70b"]


@pytest.mark.parametrize(
    "corrupt", [(26, 7, 0), (26, 0, 1 << 30), (4000, 0, 0), (-1, 0, 0)], ids=["buffer", "offset", "length", "negative"]
)
@pytest.mark.parametrize("as_polars", [False, True])
def test_a_string_view_past_its_buffers_is_refused_naming_its_row(corrupt, as_polars):
    import pyarrow as pa

    rng = np.random.default_rng(3)
    a = [ARENA[i] for i in rng.integers(0, 4, 40)]
    b = [ARENA[(ARENA.index(x) + 1 + k) % 4] for x, k in zip(a, rng.integers(0, 3, 40))]
    outcome = pa.array(rng.integers(0, 2, 40).astype(float))
    row = next(r for r in range(5, 40) if len(b[r]) > 12)
    good = pa.table({"a": view_array(a), "b": view_array(b), "outcome": outcome})
    good.validate(full=True)
    expected = ra.bradley_terry(pl.DataFrame({"a": a, "b": b, "outcome": outcome.to_numpy()}))
    bad = pa.table({"a": view_array(a), "b": view_array(b, {row: corrupt}), "outcome": outcome})
    with pytest.raises(pa.ArrowInvalid):
        bad.validate(full=True)
    data = pl.from_arrow(bad) if as_polars else bad
    with pytest.raises(ra.RankaggError, match=rf"column 1: row {row}: .*malformed"):
        ra.bradley_terry(data)
    # The same rows, well formed, read as from a list.
    got = ra.bradley_terry(pl.from_arrow(good) if as_polars else good)
    assert got.scores == pytest.approx(expected.scores)


class HandBuiltStream:
    """An object whose ``__arrow_c_stream__`` hands one array built by hand, as no producer
    that checks its arrays would (pyarrow's ``from_buffers`` refuses a missing values buffer):
    Arrow format ``fmt``, ``length``, ``offset`` and ``buffers`` (addresses, 0 for none). A
    stream is read once."""

    def __init__(self, fmt: bytes, length: int, offset: int, buffers: list[int], keep: object = None) -> None:
        import ctypes as c

        class Schema(c.Structure):
            pass

        class Array(c.Structure):
            pass

        class Stream(c.Structure):
            pass

        schema_release, array_release = c.CFUNCTYPE(None, c.POINTER(Schema)), c.CFUNCTYPE(None, c.POINTER(Array))
        texts = [("format", c.c_char_p), ("name", c.c_char_p), ("metadata", c.c_char_p)]
        Schema._fields_ = (
            texts
            + [("flags", c.c_int64), ("n_children", c.c_int64), ("children", c.c_void_p)]
            + [
                ("dictionary", c.c_void_p),
                ("release", schema_release),
                ("private_data", c.c_void_p),
            ]
        )
        counts = [(f, c.c_int64) for f in ("length", "null_count", "offset", "n_buffers", "n_children")]
        Array._fields_ = (
            counts
            + [("buffers", c.POINTER(c.c_void_p)), ("children", c.c_void_p)]
            + [
                ("dictionary", c.c_void_p),
                ("release", array_release),
                ("private_data", c.c_void_p),
            ]
        )
        get_schema = c.CFUNCTYPE(c.c_int, c.POINTER(Stream), c.POINTER(Schema))
        get_next = c.CFUNCTYPE(c.c_int, c.POINTER(Stream), c.POINTER(Array))
        last_error = c.CFUNCTYPE(c.c_char_p, c.POINTER(Stream))
        calls = [("get_schema", get_schema), ("get_next", get_next), ("get_last_error", last_error)]
        Stream._fields_ = calls + [("release", c.CFUNCTYPE(None, c.POINTER(Stream))), ("private_data", c.c_void_p)]
        self.sent = False
        self.fmt, self.keep = fmt, keep
        self.buffers = (c.c_void_p * len(buffers))(*[x or None for x in buffers])

        def schema(_stream, out):
            out.contents.format, out.contents.release = self.fmt, self.release_schema
            return 0

        def array(_stream, out):
            if self.sent:
                out.contents.release = array_release()  # (no release: the end of the stream)
                return 0
            self.sent = True
            for field, value in [("length", length), ("offset", offset), ("n_buffers", len(buffers))]:
                setattr(out.contents, field, value)
            out.contents.buffers = c.cast(self.buffers, c.POINTER(c.c_void_p))
            out.contents.release = self.release_array
            return 0

        def released(p):
            p.contents.release = type(p.contents.release)()

        self.release_schema, self.release_array = schema_release(released), array_release(released)
        self.callbacks = [get_schema(schema), get_next(array), last_error(lambda _s: None)]
        self.stream = Stream(*self.callbacks, c.CFUNCTYPE(None, c.POINTER(Stream))(released))
        # (a prototype of its own: the process-wide `pythonapi.PyCapsule_New` keeps its types)
        new_capsule = c.PYFUNCTYPE(c.py_object, c.c_void_p, c.c_char_p, c.c_void_p)(("PyCapsule_New", c.pythonapi))
        self.capsule = new_capsule(c.addressof(self.stream), STREAM_CAPSULE, None)

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        return self.capsule


STREAM_CAPSULE = b"arrow_array_stream"


def test_arrow_arrays_of_a_malformed_shape_are_refused_naming_their_column():
    from rankagg import _core

    a, b = np.array([0, 1, 2, 0, 1, 2, 0, 1]), np.array([1, 2, 0, 2, 0, 1, 1, 2])
    wins = np.array([1, 0, 1, 1, 0, 0, 1, 1], dtype=bool)
    bits = np.packbits(wins, bitorder="little")
    # The hand-built stream is read: well formed, its bits give the numpy column's table.
    good = HandBuiltStream(b"b", 8, 0, [0, bits.ctypes.data], keep=bits)
    got, want = _core.reduce_ids(a, b, outcome=good), _core.reduce_ids(a, b, outcome=wins)
    assert got is not None and all(np.array_equal(x, y) for x, y in zip(got, want))
    # A boolean array without its values, of a negative length or offset; a string-view array
    # without its views.
    for stream, shape in [
        (HandBuiltStream(b"b", 8, 0, [0, 0]), "2 buffers, length 8, offset 0"),
        (HandBuiltStream(b"b", -3, 0, [0, bits.ctypes.data], keep=bits), "length -3"),
        (HandBuiltStream(b"b", 8, -1, [0, bits.ctypes.data], keep=bits), "offset -1"),
    ]:
        with pytest.raises(ra.RankaggError, match=rf"column 2: chunk 0: an array of .*{shape}.* \(malformed\)"):
            _core.reduce_ids(a, b, outcome=stream)
    names = pl.Series(["x", "y", "z"] * 3)
    views = HandBuiltStream(b"vu", 9, 0, [0, 0, 0])
    with pytest.raises(ra.RankaggError, match=r"column 0: chunk 0: an array of 3 buffers, length 9.* \(malformed\)"):
        _core.reduce_names(views, names)


@pytest.mark.parametrize("offsets", [[0, 3, 2, 9], [0, 3, 6, 1]], ids=["backwards", "last"])
def test_string_offsets_out_of_order_are_refused_naming_their_row(offsets):
    import pyarrow as pa

    from rankagg import _core

    data = pa.py_buffer(b"abcdefghijklmnopqrstuvwxyz")
    for kind, dtype in [("i4", pa.string()), ("i8", pa.large_string())]:
        bad = pa.Array.from_buffers(dtype, 3, [None, pa.py_buffer(np.array(offsets, kind).tobytes()), data])
        good = pa.Array.from_buffers(dtype, 3, [None, pa.py_buffer(np.array([0, 3, 6, 9], kind).tobytes()), data])
        # (a row's bytes must lie between its offsets, in order, and within the last offset)
        row = next(r for r in range(3) if offsets[r + 1] < offsets[r] or offsets[r + 1] > offsets[-1])
        with pytest.raises(ra.RankaggError, match=rf"column 1: row {row}: .*malformed"):
            _core.factorize_strings([pa.chunked_array([good]), pa.chunked_array([bad])])
        codes, names = _core.factorize_strings([pa.chunked_array([good]), pa.chunked_array([good.take([2, 0, 1])])])
        assert names == ["abc", "def", "ghi"] and codes[1].tolist() == [2, 0, 1]
