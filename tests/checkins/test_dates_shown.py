"""What check-ins say about days and dates is what the tick does: day 1, due dates, day labels."""

from __future__ import annotations

from datetime import date

from bot.sandbox import SlackSandbox
from bot.services.checkins import Checkins
from bot.services.clock import ManualClock
from bot.services.onboarding import Actor, Onboarding
from tests.checkins.conftest import HIRE, MENTOR, enroll, run

LA_HIRE = "U0LAHIRE"


def _text(message: object) -> str:
    return f"{message.text} {message.blocks}"  # type: ignore[attr-defined]


def _sent(sandbox: SlackSandbox, user: str, kind: str) -> list:  # type: ignore[type-arg]
    return [
        m for m in sandbox.bot_messages(user) if m.event_payload.get("key", "").startswith(kind)
    ]


def test_heads_up_names_the_day_the_review_really_goes_out(
    checkins: Checkins, onboarding: Onboarding, sandbox: SlackSandbox, clock: ManualClock
) -> None:
    """LA hire with US holidays from Wed 2 Dec: the heads-up three working days ahead names
    Monday 04 January (not New Year's Day) and 3 working days; the review goes out that Monday,
    and progress shows the same due date."""
    enroll(
        onboarding,
        hire=LA_HIRE,
        start=date(2026, 12, 2),
        tz="America/Los_Angeles",
        profile_in=sandbox,
    )
    onboarding.set_holiday_country(actor=Actor.cli(), person=LA_HIRE, country="US")
    run(checkins, clock, "2026-12-29T17:31:00")  # Tue 29 Dec 09:31 in Los Angeles
    [heads_up] = _sent(sandbox, LA_HIRE, "heads_up")
    assert "review is on *Monday 04 January*, in 3 working days" in _text(heads_up)
    run(checkins, clock, "2027-01-01T17:31:00")
    assert _sent(sandbox, LA_HIRE, "review") == []
    run(checkins, clock, "2027-01-04T17:31:00")
    assert len(_sent(sandbox, LA_HIRE, "review")) == 1
    report = onboarding.progress(actor=Actor.cli(), hire=LA_HIRE)
    assert report.summary.phases[0].due == date(2027, 1, 4)


def test_a_saturday_start_is_day_one_on_monday_in_the_welcome_and_the_digest(
    checkins: Checkins, onboarding: Onboarding, sandbox: SlackSandbox, clock: ManualClock
) -> None:
    """Enrolled for Sat 7 Nov, the hire is welcomed Monday 9 Nov as day 1 and the mentor's
    Monday digest says day 1 too; a mentee starting Wednesday reads "starts Wed 11 Nov"."""
    enroll(onboarding, start=date(2026, 11, 7), tz="UTC", profile_in=sandbox)
    enroll(onboarding, hire="U0LATER", start=date(2026, 11, 11), tz="UTC", profile_in=sandbox)
    run(checkins, clock, "2026-11-09T09:31:00")
    [welcome] = _sent(sandbox, HIRE, "welcome")
    assert "Today is day 1 of your" in _text(welcome)
    [digest] = _sent(sandbox, MENTOR, "mentor_digest")
    assert f"<@{HIRE}> · day 1 ·" in _text(digest)
    assert "<@U0LATER> · starts Wed 11 Nov" in _text(digest)
    assert "day -" not in _text(digest)
    assert "day 0" not in _text(digest)
