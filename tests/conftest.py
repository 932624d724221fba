from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def sigint_raises():
    """Ctrl-C tests need Python's default SIGINT handler: a runner started in the background by
    a non-interactive shell inherits SIGINT ignored, and then `_thread.interrupt_main()` does
    nothing (Python 3.10+). Installs the default handler for the test and restores the old one."""
    import signal

    old = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)
