"""Working days: weekends and (optionally) public holidays are skipped."""

from __future__ import annotations

from collections.abc import Container
from datetime import date, timedelta

_NO_HOLIDAYS: frozenset[date] = frozenset()


def is_working_day(day: date, holidays: Container[date] = _NO_HOLIDAYS) -> bool:
    """Monday to Friday and not a public holiday."""
    return day.weekday() < 5 and day not in holidays


def next_working_day(day: date, holidays: Container[date] = _NO_HOLIDAYS) -> date:
    """The first working day strictly after ``day``."""
    candidate = day + timedelta(days=1)
    while not is_working_day(candidate, holidays):
        candidate += timedelta(days=1)
    return candidate


def on_or_after(day: date, holidays: Container[date] = _NO_HOLIDAYS) -> date:
    """``day`` itself when it is a working day, else the next working day."""
    return day if is_working_day(day, holidays) else next_working_day(day, holidays)


def add_working_days(day: date, count: int, holidays: Container[date] = _NO_HOLIDAYS) -> date:
    """The date ``count`` working days after ``day`` (``count`` ≥ 0)."""
    current = day
    for _ in range(count):
        current = next_working_day(current, holidays)
    return current
