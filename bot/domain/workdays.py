"""Working days: weekends and (optionally) public holidays are skipped.

Also the two dates every surface and the check-in tick must agree on: a plan's day 1
(:func:`plan_day_one`) and the day something due N days/weeks/months into it falls on
(:func:`effective_due`). Nothing else computes either.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import date, timedelta

from bot.domain.offsets import Offset

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


def plan_day_one(start: date, holidays: Container[date] = _NO_HOLIDAYS) -> date:
    """Day 1 of a plan whose start date is ``start``: that day when it is a working day, else
    the next working day (a Saturday start begins on Monday; a start on a public holiday of
    the hire's, the day after it).

    The welcome goes out on this day and every offset of the plan counts from it, so the
    plan behaves exactly as if it had been started on its first working day.
    """
    return on_or_after(start, holidays)


def effective_due(offset: Offset, start: date, holidays: Container[date] = _NO_HOLIDAYS) -> date:
    """The day a phase (its milestones and its review) due ``offset`` into the plan is due.

    ``offset`` counts from :func:`plan_day_one`; a date on a weekend or one of the hire's public
    holidays moves to the next working day. The tick sends the review on this day and every
    surface shows it.
    """
    return on_or_after(offset.after(plan_day_one(start, holidays)), holidays)
