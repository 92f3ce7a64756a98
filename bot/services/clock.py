"""The clock port: the one place the product asks what time it is.

Everything that decides by the date or time — the tick, check-in texts, progress, App Home,
answers with personal context, exports, the demo — asks the :class:`Clock` it was built with
(``bot.app.build(clock=…)``); the real one is :class:`SystemClock`. Nothing else in ``bot`` or
``storage`` reads the wall clock for business logic: ruff's banned-api rule (TID251, in
``pyproject.toml``) refuses ``datetime.now()``, ``date.today()`` and ``time.time()`` elsewhere,
and the few lines that must read the wall clock (Slack's own timestamps, APScheduler's firing
time, /healthz) say why in their ``noqa`` comment. See docs/contributing.md, "Time".
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current time as a timezone-aware UTC datetime."""

    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        """The current instant in UTC."""
        return datetime.now(UTC)


@dataclass
class ManualClock:
    """A clock that only moves when told to (tests, ``onramp demo``, ``onramp tick --now``)."""

    current: datetime = field(default_factory=lambda: datetime(2026, 1, 1, tzinfo=UTC))

    def now(self) -> datetime:
        """The instant the clock was last set to."""
        return self.current

    def set(self, when: datetime) -> None:
        """Jump to ``when`` (must be timezone-aware)."""
        if when.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware datetime")
        self.current = when

    def advance(self, delta: timedelta) -> None:
        """Move forward by ``delta``."""
        self.current += delta


@dataclass
class ShiftedClock:
    """A clock that starts at ``start`` and then runs at wall-clock speed (``tick --now``)."""

    start: datetime
    _origin: float = field(default_factory=time.monotonic)

    def now(self) -> datetime:
        """``start`` plus the time elapsed since the clock was made."""
        return self.start + timedelta(seconds=time.monotonic() - self._origin)
