"""Coverage-guided fuzzing of the command line on arbitrary CSV files (atheris / libFuzzer).

    python fuzz/fuzz_cli_csv.py fuzz/corpus/cli_csv -max_total_time=60
    python fuzz/fuzz_cli_csv.py fuzz/corpus/cli_csv -runs=0                  # replay

Every input is a CSV file given to ``rankagg leaderboard`` (and ``lottery``): the command must
exit 0 or 2 (bad input, with a message) — never raise.
"""

import contextlib
import io
import os
import sys
import tempfile

import atheris
import numpy  # noqa: F401  third-party code is not instrumented (only rankagg's Python layer)
import polars  # noqa: F401

with atheris.instrument_imports(include=["rankagg"]):
    from rankagg.cli import main

DIR = tempfile.mkdtemp(prefix="fuzz-cli-")
PATH = os.path.join(DIR, "input.csv")


def one_input(data: bytes) -> None:
    with open(PATH, "wb") as f:
        f.write(data)
    for command in (["leaderboard", PATH, "--top", "3"], ["lottery", PATH, "--method", "first_order"]):
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            code = main(command)
        assert code in (0, 2), code


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
