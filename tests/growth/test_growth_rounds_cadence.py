"""The growth check-in cadence: app.yaml defaults, a plan's overrides, and what is refused."""

from __future__ import annotations

from datetime import date, time

import pytest
from pydantic import ValidationError

from bot.config import CheckinSettings
from bot.domain.plan import Cadence
from bot.domain.schedule import Kind, LocalCalendar, Rules, growth_rounds, growth_slots
from bot.domain.schedule import zone as zone_of
from tests.support.checkins import app_rules


def rules(**changes: object) -> Rules:
    """app.yaml's check-in rules with its growth cadence (and ``changes``)."""
    growth = {"growth_rounds": ["90d", "6mo", "12mo"], "growth_every_after": "3mo"}
    return app_rules(**{**growth, **changes})


def test_rounds_after_the_listed_ones_come_every_three_months() -> None:
    """90d, 6mo, 12mo, then 15mo, 18mo … up to 24 months with the plan's calendar (later
    rounds come from the window after the plan, tests/checkins/test_after_month_12.py)."""
    assert [str(r) for r in growth_rounds(rules())] == [
        "90d",
        "6mo",
        "12mo",
        "15mo",
        "18mo",
        "21mo",
        "24mo",
    ]


def test_a_year_counts_as_twelve_months_and_days_do_not_mix_with_months() -> None:
    """``1y`` then ``3mo`` repeats in months; a ``13w`` repeat after months adds nothing."""
    assert [str(r) for r in growth_rounds(rules(growth_rounds=["1y"]))][:2] == ["1y", "15mo"]
    assert [str(r) for r in growth_rounds(rules(growth_every_after="13w"))] == [
        "90d",
        "6mo",
        "12mo",
    ]


def test_a_plan_overrides_the_cadence() -> None:
    """A plan's ``checkins:`` growth keys win over app.yaml's; the rest stays."""
    plan = Cadence.model_validate(
        {
            "growth_rounds": ["60d", "6mo"],
            "growth_round_closes_after_working_days": 5,
            "growth_mentor": True,
        }
    )
    merged = rules().with_cadence(plan)
    assert [str(r) for r in merged.growth_rounds] == ["60d", "6mo"]
    assert merged.growth_round_closes_after_working_days == 5
    assert merged.growth_reminder_after_working_days == 3
    assert merged.growth_mentor
    assert not rules().growth_mentor


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"growth_rounds": ["6mo", "90d"]}, "earliest first"),
        ({"growth_rounds": ["quarterly"]}, "not an offset"),
        ({"growth_round_closes_after_working_days": 1}, "greater than or equal to 2"),
    ],
)
def test_bad_cadence_is_refused_with_the_fix(values: dict[str, object], words: str) -> None:
    """Out-of-order or unreadable rounds are refused, in app.yaml and in a plan alike."""
    for model in (CheckinSettings, Cadence):
        with pytest.raises(ValidationError, match=words):
            model.model_validate(values)


def test_each_round_has_a_hire_and_a_manager_slot_open_ten_working_days() -> None:
    """Both slots share the round's ref and instant: due on the anniversary (Sunday 31 Jan)
    at 09:30, their day the next working day (the 90-day review's); they close ten working
    days on from that day."""
    calendar = LocalCalendar(zone=zone_of("America/Sao_Paulo"), send_time=time(9, 30))
    slots = growth_slots(rules=rules(), start=date(2026, 11, 2), calendar=calendar)
    first = [s for s in slots if s.ref == "90d"]
    assert [s.kind for s in first] == [Kind.GROWTH_SELF, Kind.GROWTH_MANAGER]
    assert {s.day for s in first} == {date(2027, 2, 1)}
    assert {s.due_at.isoformat() for s in first} == {"2027-01-31T12:30:00+00:00"}
    assert {s.stale_at.date() for s in first} == {date(2027, 2, 15)}
