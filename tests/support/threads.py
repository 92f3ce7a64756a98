"""Running the same work on several threads at once, for tests of what must hold under races."""

from __future__ import annotations

import threading
from collections.abc import Callable


def run_together(work: Callable[[], object], copies: int, *, timeout: float) -> list[BaseException]:
    """Run ``work`` on ``copies`` threads released together; what they raised (a thread still
    running after ``timeout`` seconds counts as a ``TimeoutError``)."""
    start = threading.Barrier(copies)
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait(timeout=10)
            work()
        except BaseException as exc:  # every failure is handed to the caller
            failures.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
        if thread.is_alive():
            failures.append(TimeoutError(f"a thread ran longer than {timeout} s"))
    return failures
