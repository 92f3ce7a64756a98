"""Which dates Onramp accepts: a start date near today, and instants within the years it handles.

One rule for every surface (CLI, Slack, the tick): a date outside these windows is almost always
a typo (``2062`` for ``2026``) or a probe (``9999-12-31``), and the schedule math around it would
overflow or produce a plan nobody meant.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.domain.errors import InvalidInput

#: The years Onramp schedules in; an instant outside them is refused, never overflowed.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2199, 12, 31)
#: In Slack a start date must be within a year of today (either way).
START_WINDOW_DAYS = 366
#: An operator may backfill a plan that began up to five years ago (``onramp enroll``).
BACKFILL_DAYS = 5 * 366


def check_start(start: date, *, today: date, backfill: bool = False) -> None:
    """Refuse a start date too far from ``today`` (``backfill``: the operator's wider past).

    The message says the window and how to write the date.
    """
    past = BACKFILL_DAYS if backfill else START_WINDOW_DAYS
    offset = (start - today).days
    if offset > START_WINDOW_DAYS:
        raise InvalidInput(
            f"The start date {start:%Y-%m-%d} is more than a year from today "
            f"({today:%Y-%m-%d}); check the year, and write it as YYYY-MM-DD."
        )
    if -offset > past:
        span = "five years" if backfill else "a year"
        raise InvalidInput(
            f"The start date {start:%Y-%m-%d} is more than {span} before today "
            f"({today:%Y-%m-%d}); check the year, and write it as YYYY-MM-DD."
        )


def check_instant(when: datetime, *, name: str = "the time") -> None:
    """Refuse an instant outside :data:`FIRST_DAY` … :data:`LAST_DAY` (UTC)."""
    day = when.astimezone(UTC).date() if when.tzinfo else when.date()
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidInput(
            f"{name} {when.isoformat()} is outside the years Onramp schedules in "
            f"({FIRST_DAY.year}–{LAST_DAY.year}); check the date."
        )
