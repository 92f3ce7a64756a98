"""Pure date math of check-ins: local send times across zones and DST, working days, holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.domain.errors import InvalidInput
from bot.domain.plan import Plan
from bot.domain.schedule import (
    Kind,
    LocalCalendar,
    Slot,
    digest_slot,
    hire_calendar,
    live_slots,
    public_holidays,
    zone,
)
from bot.services.catalog import PlanCatalog
from tests.support.checkins import app_rules

PLAN_ID = "junior-llm-engineer"


@pytest.fixture(scope="module")
def plan(catalog: PlanCatalog) -> Plan:
    """The shipped plan."""
    return catalog.get(PLAN_ID).plan


def slots_of(plan: Plan, start: date, calendar: LocalCalendar) -> list[Slot]:
    """The shipped plan's check-in slots for a hire starting on ``start``, app.yaml cadence."""
    return hire_calendar(rules=app_rules(), phases=plan.phases, start=start, calendar=calendar)


def cal(tz: str, country: str | None = None, send: time = time(9, 30)) -> LocalCalendar:
    """A person's calendar."""
    return LocalCalendar(zone=zone(tz), send_time=send, holidays=public_holidays(country))


@pytest.mark.parametrize(
    ("tz", "day", "expected_utc"),
    [
        ("America/New_York", date(2026, 12, 2), datetime(2026, 12, 2, 14, 30, tzinfo=UTC)),
        ("America/New_York", date(2026, 7, 1), datetime(2026, 7, 1, 13, 30, tzinfo=UTC)),
        ("America/Los_Angeles", date(2026, 12, 2), datetime(2026, 12, 2, 17, 30, tzinfo=UTC)),
        ("Pacific/Honolulu", date(2026, 12, 2), datetime(2026, 12, 2, 19, 30, tzinfo=UTC)),
        ("Europe/Berlin", date(2026, 12, 2), datetime(2026, 12, 2, 8, 30, tzinfo=UTC)),
        ("Europe/Berlin", date(2026, 7, 1), datetime(2026, 7, 1, 7, 30, tzinfo=UTC)),
        ("Asia/Kolkata", date(2026, 12, 2), datetime(2026, 12, 2, 4, 0, tzinfo=UTC)),
        ("Asia/Tokyo", date(2026, 12, 2), datetime(2026, 12, 2, 0, 30, tzinfo=UTC)),
        # Auckland is UTC+13 in (southern) summer: 09:30 local is the previous UTC day.
        ("Pacific/Auckland", date(2026, 12, 2), datetime(2026, 12, 1, 20, 30, tzinfo=UTC)),
        ("UTC", date(2026, 12, 2), datetime(2026, 12, 2, 9, 30, tzinfo=UTC)),
    ],
)
def test_send_time_is_local_on_both_sides_of_utc(
    tz: str, day: date, expected_utc: datetime
) -> None:
    """09:30 local lands on the right UTC instant west and east of Greenwich, summer and winter."""
    assert cal(tz).send_at(day) == expected_utc


@pytest.mark.parametrize(
    ("tz", "before", "after", "before_utc_hour", "after_utc_hour"),
    [
        # US spring forward 2026-03-08, fall back 2026-11-01.
        ("America/New_York", date(2026, 3, 6), date(2026, 3, 9), 14, 13),
        ("America/New_York", date(2026, 10, 30), date(2026, 11, 2), 13, 14),
        # EU: 2026-03-29 and 2026-10-25.
        ("Europe/Berlin", date(2026, 3, 27), date(2026, 3, 30), 8, 7),
        ("Europe/Berlin", date(2026, 10, 23), date(2026, 10, 26), 7, 8),
        # Sydney falls back 2026-04-05 and springs forward 2026-10-04.
        ("Australia/Sydney", date(2026, 4, 3), date(2026, 4, 6), 22, 23),
    ],
)
def test_send_time_follows_dst_changes(
    tz: str, before: date, after: date, before_utc_hour: int, after_utc_hour: int
) -> None:
    """The local send time stays 09:30 across a DST change, so the UTC hour moves by one."""
    calendar = cal(tz)
    assert calendar.send_at(before).astimezone(zone(tz)).time() == time(9, 30)
    assert calendar.send_at(after).astimezone(zone(tz)).time() == time(9, 30)
    assert calendar.send_at(before).hour == before_utc_hour
    assert calendar.send_at(after).hour == after_utc_hour


def test_send_time_in_the_skipped_hour_moves_later() -> None:
    """A send time that does not exist on the spring-forward day goes out after the gap."""
    calendar = cal("America/New_York", send=time(2, 30))
    sent = calendar.send_at(date(2026, 3, 8))
    local = sent.astimezone(zone("America/New_York"))
    assert local.date() == date(2026, 3, 8)
    assert local.time() == time(3, 30)


def test_repeated_hour_uses_the_first_occurrence() -> None:
    """On the fall-back day a send time of 01:30 means the first 01:30 (still daylight time)."""
    calendar = cal("America/New_York", send=time(1, 30))
    assert calendar.send_at(date(2026, 11, 1)) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_weekend_due_dates_move_to_monday(plan: Plan) -> None:
    """A review whose offset lands on a Saturday is sent the following Monday."""
    # Start on Thursday 2026-01-01: 30 days later is Saturday 2026-01-31.
    slots = slots_of(plan, date(2026, 1, 1), cal("UTC"))
    review = next(s for s in slots if s.kind is Kind.REVIEW and s.ref == "day-30")
    assert date(2026, 1, 31).weekday() == 5
    assert review.day == date(2026, 2, 2)
    assert all(s.day.weekday() < 5 for s in slots)


def test_public_holidays_are_skipped_where_a_country_is_set(plan: Plan) -> None:
    """With US holidays, a pulse due on Thanksgiving goes out on Friday; without, on Thursday."""
    start = date(2026, 11, 19)  # a Thursday: week 1 is Thanksgiving, 2026-11-26
    us = slots_of(plan, start, cal("America/New_York", "US"))
    plain = slots_of(plan, start, cal("America/New_York"))
    first_us = next(s for s in us if s.kind is Kind.PULSE)
    first_plain = next(s for s in plain if s.kind is Kind.PULSE)
    assert first_plain.day == date(2026, 11, 26)
    assert first_us.day == date(2026, 11, 27)


def test_holiday_subdivisions_and_unknown_countries() -> None:
    """DE-BY knows Epiphany while DE-BE does not; an unknown country is refused with the fix."""
    assert date(2026, 1, 6) in public_holidays("DE-BY")
    assert date(2026, 1, 6) not in public_holidays("DE-BE")
    with pytest.raises(InvalidInput, match="ISO 3166"):
        public_holidays("XX")


def test_heads_up_counts_working_days_back_from_the_review(plan: Plan) -> None:
    """The heads-up goes out 3 working days before the review, skipping the weekend."""
    slots = slots_of(plan, date(2026, 11, 2), cal("UTC"))
    review = next(s for s in slots if s.kind is Kind.REVIEW and s.ref == "day-30")
    heads_up = next(s for s in slots if s.kind is Kind.HEADS_UP and s.ref == "day-30")
    assert review.day == date(2026, 12, 2)  # Wednesday
    assert heads_up.day == date(2026, 11, 27)  # the Friday before: Mon, Tue, Wed
    assert heads_up.stale_at <= review.due_at


def test_pulses_weekly_until_90_days_then_every_other_week_until_12_months(plan: Plan) -> None:
    """Pulse weeks go 1…12 weekly, then 14, 16 …, and none after month 12."""
    start = date(2026, 1, 5)
    slots = slots_of(plan, start, cal("UTC"))
    weeks = [s.number for s in slots if s.kind is Kind.PULSE]
    review_days = {s.day for s in slots if s.kind is Kind.REVIEW}
    expected = [
        w
        for w in [*range(1, 13), *range(14, 53, 2)]
        if start + timedelta(weeks=w) <= date(2027, 1, 5)
    ]
    dropped = [w for w in expected if start + timedelta(weeks=w) in review_days]
    assert weeks == [w for w in expected if w not in dropped]
    assert max(s.day for s in slots if s.kind is Kind.PULSE) <= date(2027, 1, 5)


def test_plan_cadence_overrides_the_defaults(plan: Plan) -> None:
    """A plan's checkins section wins over app.yaml; unset fields keep the defaults."""
    defaults = app_rules(pulse_every_weeks_after=4, review_heads_up_working_days=1)
    merged = defaults.with_cadence(plan.checkins)
    assert merged.pulse_every_weeks_after == plan.checkins.pulse_every_weeks_after
    assert merged.send_time == time(9, 30)


def test_at_most_one_live_slot_per_series(plan: Plan) -> None:
    """Whatever the moment, the live slots hold at most one pulse, one review and one heads-up."""
    slots = slots_of(plan, date(2026, 11, 2), cal("America/New_York"))
    moment = datetime(2026, 11, 2, tzinfo=UTC)
    while moment < datetime(2027, 12, 1, tzinfo=UTC):
        kinds = [s.kind for s in live_slots(slots, moment)]
        assert len(kinds) == len(set(kinds)), moment
        moment += timedelta(hours=13)


def test_the_must_show_hire_in_new_york(plan: Plan) -> None:
    """Started 2026-11-02 in New York: at 12:00Z on day 30 no review; at 16:00Z the review."""
    slots = slots_of(plan, date(2026, 11, 2), cal("America/New_York"))
    early = {(s.kind, s.ref) for s in live_slots(slots, datetime(2026, 12, 2, 12, tzinfo=UTC))}
    later = {(s.kind, s.ref) for s in live_slots(slots, datetime(2026, 12, 2, 16, tzinfo=UTC))}
    assert (Kind.REVIEW, "day-30") not in early
    assert (Kind.REVIEW, "day-30") in later
    assert all(kind is not Kind.WELCOME for kind, _ in early | later)
    assert all(kind is not Kind.HEADS_UP for kind, _ in early | later)


def test_welcome_is_on_the_start_day_and_stale_by_the_first_pulse(plan: Plan) -> None:
    """The welcome is due at 09:30 local on the start date and superseded by the first pulse."""
    slots = slots_of(plan, date(2026, 11, 2), cal("Asia/Tokyo"))
    welcome = slots[0]
    first_pulse = next(s for s in slots if s.kind is Kind.PULSE)
    assert welcome.kind is Kind.WELCOME
    assert welcome.due_at == datetime(2026, 11, 2, 0, 30, tzinfo=UTC)
    assert welcome.stale_at == first_pulse.due_at


def test_digest_is_due_on_the_first_working_day_and_skipped_after_a_day() -> None:
    """Digests go out Monday 09:30 local; on Tuesday after 09:30 this week's is stale."""
    calendar = cal("Europe/Berlin")
    monday = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)
    assert digest_slot(calendar=calendar, now=monday - timedelta(minutes=1)) is None
    slot = digest_slot(calendar=calendar, now=monday)
    assert slot is not None
    assert slot.ref == "2026-W49"
    assert digest_slot(calendar=calendar, now=monday + timedelta(days=1)) is None


def test_digest_moves_past_a_monday_holiday() -> None:
    """With German holidays, Easter Monday's digest goes out on Tuesday."""
    calendar = cal("Europe/Berlin", "DE")
    slot = digest_slot(calendar=calendar, now=datetime(2026, 4, 7, 12, tzinfo=UTC))
    assert slot is not None
    assert slot.day == date(2026, 4, 7)


def test_unknown_zone_falls_back_to_the_default() -> None:
    """A zone name this machine lacks reads as the workspace default, not an error."""
    assert zone("Mars/Olympus_Mons", "Europe/Berlin").key == "Europe/Berlin"
    assert zone(None, "Asia/Tokyo").key == "Asia/Tokyo"
