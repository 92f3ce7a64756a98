"""Waiting for something another thread does, by polling on an Event's timeout (never a sleep)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


def eventually(condition: Callable[[], bool], timeout: float = 5.0, every: float = 0.01) -> bool:
    """Whether ``condition`` came to hold within ``timeout`` seconds, asked every ``every``."""
    gate = threading.Event()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        gate.wait(every)
    return False
