"""The pure parts of 1:1 prep: how a 1:1 is typed, when its meetings fall, and which KPI
targets state a bound a reading can be held to."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot.domain.errors import InvalidInput
from bot.domain.kpi_targets import Bound, parse_target
from bot.domain.one_on_ones import Every, meetings, parse_time, parse_weekday

NOV_12 = date(2026, 11, 12)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("15:00", time(15)),
        ("9:30", time(9, 30)),
        ("3pm", time(15)),
        ("12am", time(0)),
        ("3:30PM", time(15, 30)),
        ("12pm", time(12)),
    ],
)
def test_times_are_read_in_24_hour_or_am_pm(typed: str, expected: time) -> None:
    """15:00, 9:30, 3pm and 3:30PM are times; 12am is midnight and 12pm noon."""
    assert parse_time(typed) == expected


@pytest.mark.parametrize("typed", ["25:00", "15", "13pm", "noon", "9:75"])
def test_anything_else_is_not_a_time(typed: str) -> None:
    """A bare hour, an impossible hour or minute, and words are refused."""
    with pytest.raises(InvalidInput, match="isn't a time"):
        parse_time(typed)


@pytest.mark.parametrize(("typed", "day"), [("mon", 0), ("Thurs", 3), ("sunday", 6), ("WED", 2)])
def test_days_are_three_letters_or_more_of_their_name(typed: str, day: int) -> None:
    """Abbreviations and full names, any case, name the weekday (0 = Monday)."""
    assert parse_weekday(typed) == day


@pytest.mark.parametrize(
    ("every", "after", "expected", "first"),
    [
        (Every.WEEKLY, date(2026, 11, 20), (date(2026, 11, 19), date(2026, 11, 26)), NOV_12),
        (Every.BIWEEKLY, date(2026, 11, 20), (date(2026, 11, 12), date(2026, 11, 26)), NOV_12),
        # The 2nd Thursday of each month: 12 Nov, 10 Dec.
        (Every.MONTHLY, date(2026, 11, 13), (date(2026, 11, 12), date(2026, 12, 10)), NOV_12),
        (Every.WEEKLY, date(2026, 11, 1), (None, date(2026, 11, 12)), NOV_12),
        # A first meeting in a month's 5th week (Thu 26 Nov is the 4th; 29 Oct the 5th) is
        # kept, then the 4th Thursday follows: 26 Nov.
        (Every.MONTHLY, date(2026, 10, 29), (None, date(2026, 10, 29)), date(2026, 10, 29)),
        (
            Every.MONTHLY,
            date(2026, 10, 30),
            (date(2026, 10, 29), date(2026, 11, 26)),
            date(2026, 10, 29),
        ),
    ],
    ids=["weekly", "biweekly", "monthly", "before-first", "fifth-week", "then-fourth"],
)
def test_meetings_follow_the_first(
    every: Every, after: date, expected: tuple[date | None, date], first: date
) -> None:
    """From a first meeting (Thu 12 Nov unless said): the last meeting before a day and the
    next one."""
    assert meetings(every, first, after=after) == expected


@pytest.mark.parametrize(
    ("target", "bound"),
    [
        ("60–80% of top intents in 6 months (team-level)", Bound(60, 80)),
        ("<2%", Bound(high=2)),
        ("Median 3–7 business days for small tickets", Bound(3, 7)),
        ("4–10 meaningful PRs/month depending on scope", Bound(4, 10)),
        (">98–99% for stable tools", Bound(low=98)),
        ("<0.5–1% depending on SLA", Bound(high=1)),
        ("≥4/5 average", Bound(low=4)),
        ("Increasing trend; avoid harming correctness", None),
        ("p95 within product SLA (e.g., <5–8s)", None),
        ("+2–5 points QoQ on targeted flows", None),
        ("Reduce 10–20% via prompt optimization", None),
    ],
)
def test_a_target_is_a_bound_only_when_a_number_bounds_the_reading(
    target: str, bound: Bound | None
) -> None:
    """Ranges and limits are read; trends, examples and changes are not bounds."""
    assert parse_target(target) == bound
