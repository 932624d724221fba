"""Runs a snippet of Python in fresh interpreters with 1 and with 2 rayon threads, for the
tests that results do not depend on the thread count (bit for bit)."""

from __future__ import annotations

import os
import subprocess
import sys


def stdout_per_thread_count(code: str, counts: tuple[str, ...] = ("1", "2")) -> list[str]:
    """The standard output of ``python -c code`` under each ``RAYON_NUM_THREADS`` in ``counts``."""
    return [
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "RAYON_NUM_THREADS": threads},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for threads in counts
    ]
