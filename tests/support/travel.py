"""Moving the whole test session in time: ``ONRAMP_TEST_TRAVEL=<ISO-8601 instant>``.

``.ci/run`` runs the suite once on today's date and again on dates chosen to break date logic (a
US DST change, New Year's Eve, a leap day, two years ahead). Under travel:

- this process starts at the instant and ticks on from there (``time_machine.travel(tick=True)``),
  so ``datetime.now()``, ``date.today()`` and ``time.time()`` in tests and product agree;
- every ``onramp`` subprocess started through ``tests.support.processes`` starts at the instant
  its parent was at when it spawned it (:func:`child_command` wraps the console script in
  ``python -m tests.support.travel``), so a CLI or a server run by a test shares the test's day.

Without the variable nothing changes: the session runs on the real clock.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime

import time_machine

ENV = "ONRAMP_TEST_TRAVEL"
#: What a travelled parent hands a child: the instant to start at (ISO-8601, UTC).
CHILD_ENV = "ONRAMP_TEST_TRAVEL_CHILD"

_session: time_machine.travel | None = None


def destination() -> datetime | None:
    """The instant ``ONRAMP_TEST_TRAVEL`` names (UTC when it names no offset), or None."""
    raw = os.environ.get(ENV, "").strip()
    if not raw:
        return None
    try:
        when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise SystemExit(
            f"{ENV}={raw!r} is not an ISO-8601 instant; write e.g. {ENV}=2027-03-14T06:59:00Z"
        ) from exc
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def start_session_travel() -> None:
    """Start ticking from ``ONRAMP_TEST_TRAVEL`` (once per session; no-op when it is unset)."""
    global _session  # noqa: PLW0603 - one traveller for the whole session, stopped at its end
    when = destination()
    if when is None or _session is not None:
        return
    _session = time_machine.travel(when, tick=True)
    _session.start()


def stop_session_travel() -> None:
    """Stop the session's travel, if one was started."""
    global _session  # noqa: PLW0603 - see start_session_travel
    if _session is not None:
        _session.stop()
        _session = None


def header() -> str:
    """The line pytest prints in its header."""
    when = destination()
    if when is None:
        return f"clock: real ({ENV} unset)"
    return f"clock: travelled to {when.isoformat().replace('+00:00', 'Z')} ({ENV})"


def travelling() -> bool:
    """Whether this session runs on a travelled clock."""
    return _session is not None


def child_command(command: list[str], env: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """``command`` (a console script and its arguments) as a travelled child would run it.

    Off travel, unchanged. On travel, ``python -m tests.support.travel SCRIPT ARGS`` with the
    parent's current instant in the environment, so the child starts where its parent is now.
    """
    if not travelling():
        return command, env
    now = datetime.now(UTC).isoformat()
    return [sys.executable, "-m", "tests.support.travel", *command], {**env, CHILD_ENV: now}


def _run_child() -> None:
    """Entry point of a travelled child: travel to ``CHILD_ENV``, then run the console script."""
    import runpy

    when = datetime.fromisoformat(os.environ[CHILD_ENV])
    script, *args = sys.argv[1:]
    time_machine.travel(when, tick=True).start()
    sys.argv = [script, *args]
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    _run_child()
