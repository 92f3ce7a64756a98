"""Day 1 and due dates: one rule, shared by the tick's calendar and every progress view."""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path

import pytest

from bot.config import CheckinSettings
from bot.domain.offsets import Offset
from bot.domain.progress import day_label, summarize
from bot.domain.schedule import Kind, LocalCalendar, Rules, hire_calendar, public_holidays, zone
from bot.domain.workdays import effective_due, is_working_day, plan_day_one
from bot.services.catalog import load_plan_file

PLANS = Path(__file__).parents[2] / "plans"
PLAN_IDS = sorted(p.name for p in PLANS.iterdir() if (p / "plan.yaml").exists())
COUNTRIES = [None, "US", "GB", "DE-BY", "IN", "JP", "BR", "AU-NSW"]
#: The app.yaml defaults (three working days of heads-up, weekly pulses for 90 days …).
RULES = Rules.of(**CheckinSettings().model_dump(exclude={"holiday_country"}))


def test_a_start_on_a_weekend_or_holiday_begins_on_the_next_working_day() -> None:
    """Saturday 5 Dec starts Monday 7 Dec; Christmas (US) the Monday after; Epiphany (DE-BY)
    the day after; a working day is its own day 1."""
    assert plan_day_one(date(2026, 12, 5)) == date(2026, 12, 7)
    assert plan_day_one(date(2026, 12, 25), public_holidays("US")) == date(2026, 12, 28)
    assert plan_day_one(date(2027, 1, 6), public_holidays("DE-BY")) == date(2027, 1, 7)
    assert plan_day_one(date(2027, 1, 6), public_holidays("US")) == date(2027, 1, 6)


def test_a_review_due_on_new_years_day_is_due_the_next_working_day() -> None:
    """Started Wed 2 Dec with US holidays, the day-30 phase is due Mon 4 Jan, not Fri 1 Jan."""
    due = effective_due(Offset.parse("30d"), date(2026, 12, 2), public_holidays("US"))
    assert due == date(2027, 1, 4)


@pytest.mark.parametrize("country", COUNTRIES)
@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_progress_shows_the_days_the_tick_uses(plan_id: str, country: str | None) -> None:
    """For every start day over three weeks: the summary's day 1 is the welcome's day, each
    phase's due date is its review's day, and every one of them is a working day."""
    plan = load_plan_file(PLANS / plan_id / "plan.yaml").plan
    holidays = public_holidays(country)
    calendar = LocalCalendar(
        zone=zone("America/Los_Angeles"), send_time=time(9, 30), holidays=holidays
    )
    for offset in range(21):
        start = date(2026, 11, 23) + timedelta(days=offset)
        slots = hire_calendar(rules=RULES, phases=plan.phases, start=start, calendar=calendar)
        summary = summarize(plan=plan, start=start, today=start, states={}, holidays=holidays)
        welcome = next(s for s in slots if s.kind is Kind.WELCOME)
        reviews = {s.phase_id: s.day for s in slots if s.kind is Kind.REVIEW}
        assert summary.day_one == welcome.day, start
        assert {p.id: p.due for p in summary.phases} == reviews, start
        assert all(is_working_day(p.due, holidays) for p in summary.phases), start
        assert is_working_day(summary.day_one, holidays)


def test_before_day_one_a_plan_says_when_it_starts() -> None:
    """Before day 1 a plan "starts Mon 7 Dec" (never "day 0" or "day -29"); then "day N"."""
    monday = date(2026, 12, 7)
    assert day_label(0, monday) == "starts Mon 7 Dec"
    assert day_label(-29, monday) == "starts Mon 7 Dec"
    assert day_label(1, monday) == "day 1"
    summary = summarize(
        plan=load_plan_file(PLANS / PLAN_IDS[0] / "plan.yaml").plan,
        start=date(2026, 12, 5),
        today=date(2026, 12, 6),
        states={},
    )
    assert (summary.started, summary.day_label) == (False, "starts Mon 7 Dec")
    assert summary.day_one_note is not None
    assert summary.day_one_note.startswith("Sat 5 Dec is a Saturday, so day 1 is Mon 7 Dec")
    later = summarize(
        plan=load_plan_file(PLANS / PLAN_IDS[0] / "plan.yaml").plan,
        start=date(2026, 12, 5),
        today=date(2026, 12, 9),
        states={},
    )
    assert later.day_label == "day 3"
