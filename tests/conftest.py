from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


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
