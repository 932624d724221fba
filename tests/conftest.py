from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

DATA = Path(__file__).parent / "data"

# Hypothesis profiles, chosen by RANKAGG_HYPOTHESIS_PROFILE: "ci" (the default; tests/run.sh),
# "dev" (a tenth of the examples, for quick local runs) or "thorough" (ten times as many). A
# test's own budget is examples(n) from hypothesis_budget.py: n under ci, scaled by the others.
# Deadlines are off: the first call of a fit can take longer than Hypothesis' 200 ms default.
# "ci" is derandomized: every run draws the same examples (a seed per test), so a CI run is the
# run a developer gets locally (the test extra pins Hypothesis: its version decides the draws)
# and a failure reproduces; "dev" and "thorough" draw fresh examples each run, to explore.
settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
    derandomize=True,
)
settings.register_profile("dev", settings.get_profile("ci"), max_examples=10, derandomize=False)
settings.register_profile("thorough", settings.get_profile("ci"), max_examples=1000, derandomize=False)
settings.load_profile(os.environ.get("RANKAGG_HYPOTHESIS_PROFILE", "ci"))
sys.path.insert(0, str(Path(__file__).parent))  # so that test modules can import hypothesis_budget


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def ctrl_c():
    """``ctrl_c(call, after)``: runs ``call()``, presses Ctrl-C ``after`` seconds into it
    (``_thread.interrupt_main`` from a timer), checks that it raised ``KeyboardInterrupt`` and
    returns how long it took to stop after the press.

    Installs Python's default SIGINT handler for the test (a runner started in the background
    by a non-interactive shell inherits SIGINT ignored, and then ``interrupt_main()`` does
    nothing on Python 3.10+) and restores the old one."""
    import _thread
    import signal
    import threading
    import time

    def press(call, after: float) -> float:
        timer = threading.Timer(after, _thread.interrupt_main)
        started = time.perf_counter()
        timer.start()
        try:
            with pytest.raises(KeyboardInterrupt):
                call()
        finally:
            timer.cancel()
        return time.perf_counter() - started - after

    old = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield press
    finally:
        signal.signal(signal.SIGINT, old)
