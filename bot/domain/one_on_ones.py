"""A recurring 1:1: how it is typed (``weekly thu 15:00``) and when its meetings fall.

Pure date math in the manager's zone. ``weekly`` and ``biweekly`` count whole weeks from the
first meeting; ``monthly`` keeps the first meeting's week of the month (the 2nd Thursday stays
the 2nd Thursday; a 5th week reads as the 4th, so no month is skipped).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.errors import InvalidInput

USAGE = "weekly|biweekly|monthly DAY TIME (e.g. `weekly thu 15:00`, `biweekly monday 3pm`)"
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$")


class Every(StrEnum):
    """How often a 1:1 recurs."""

    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


@dataclass(frozen=True)
class Recurrence:
    """A 1:1 as typed: how often, which weekday (0 = Monday), what local time."""

    every: Every
    weekday: int
    at: time

    @property
    def at_text(self) -> str:
        """The time as stored (``HH:MM``)."""
        return f"{self.at:%H:%M}"


def parse_recurrence(words: list[str]) -> Recurrence:
    """``["weekly", "thu", "15:00"]`` → a :class:`Recurrence`; a usage error says what to type."""
    if len(words) != 3:
        raise InvalidInput(f"Say when: {USAGE}.")
    every_word, day_word, time_word = (w.strip().lower() for w in words)
    aliases = {"fortnightly": Every.BIWEEKLY, "bi-weekly": Every.BIWEEKLY}
    every = aliases.get(every_word) or next((e for e in Every if e.value == every_word), None)
    if every is None:
        raise InvalidInput(f"“{words[0][:20]}” isn't weekly, biweekly or monthly. {USAGE}.")
    return Recurrence(every=every, weekday=parse_weekday(day_word), at=parse_time(time_word))


def parse_weekday(word: str) -> int:
    """``thu``, ``Thurs`` or ``thursday`` → 3 (at least three letters of the day's name)."""
    clean = word.strip().lower().rstrip(".")
    if len(clean) >= 3:
        for index, name in enumerate(DAYS):
            if name.startswith(clean):
                return index
    raise InvalidInput(f"“{word[:20]}” isn't a day: use mon, tue, wed, thu, fri, sat or sun.")


def parse_time(word: str) -> time:
    """``15:00``, ``9:30``, ``3pm`` or ``3:30pm`` → a local time."""
    match = _TIME.match(word.strip().lower())
    if match:
        hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
        if half and 1 <= hour <= 12:
            hour = hour % 12 + (12 if half == "pm" else 0)
        elif half:
            hour = 99
        if hour < 24 and minute < 60 and (half or match.group(2) is not None):
            return time(hour, minute)
    raise InvalidInput(f"“{word[:20]}” isn't a time: use 24-hour 15:00, or 3pm.")


def first_meeting(rec: Recurrence, *, now: datetime, zone: ZoneInfo) -> date:
    """The first meeting's date: the next ``rec.weekday`` whose meeting is still ahead."""
    today = now.astimezone(zone).date()
    day = today + timedelta(days=(rec.weekday - today.weekday()) % 7)
    if meeting_at(day, rec.at, zone) <= now:
        day += timedelta(days=7)
    return day


def meeting_at(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a meeting at local ``at`` on ``day``."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def meetings(every: Every, starts_on: date, *, after: date) -> tuple[date | None, date]:
    """The meeting before ``after`` (``None`` before the first) and the first on or after it."""
    previous: date | None = None
    for day in _dates(every, starts_on):
        if day >= after:
            return previous, day
        previous = day
    raise AssertionError("unreachable: meetings never end")  # pragma: no cover


def _dates(every: Every, starts_on: date) -> Iterator[date]:
    """Every meeting's date from ``starts_on`` on (endless)."""
    if every is not Every.MONTHLY:
        step = timedelta(days=7 if every is Every.WEEKLY else 14)
        day = starts_on
        while True:
            yield day
            day += step
    yield starts_on
    week = min((starts_on.day - 1) // 7, 3)
    year, month = starts_on.year, starts_on.month
    while True:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        first = date(year, month, 1)
        yield first + timedelta(days=(starts_on.weekday() - first.weekday()) % 7 + 7 * week)
