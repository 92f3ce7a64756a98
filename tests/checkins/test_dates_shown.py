"""What check-ins say about days and dates is what the tick does: day 1, due dates, day labels."""

from __future__ import annotations

from datetime import date

from bot.sandbox import Message
from bot.services.onboarding import Actor
from tests.support.checkins import Rig
from tests.support.people import HIRE, MENTOR

LA_HIRE = "U0LAHIRE"


def _text(message: Message) -> str:
    return f"{message.text} {message.blocks}"


def test_heads_up_names_the_day_the_review_really_goes_out(rig: Rig) -> None:
    """LA hire with US holidays from Wed 2 Dec: the heads-up three working days ahead names
    Monday 04 January (not New Year's Day) and 3 working days; the review goes out that Monday,
    and progress shows the same due date."""
    rig.enroll(
        hire=LA_HIRE, start=date(2026, 12, 2), tz="America/Los_Angeles", profile_in=rig.sandbox
    )
    rig.onboarding.set_holiday_country(actor=Actor.cli(), person=LA_HIRE, country="US")
    rig.run("2026-12-29T17:31:00")  # Tue 29 Dec 09:31 in Los Angeles
    [heads_up] = rig.sent(LA_HIRE, "heads_up")
    assert "review is on *Monday 04 January*, in 3 working days" in _text(heads_up)
    rig.run("2027-01-01T17:31:00")
    assert rig.sent(LA_HIRE, "review") == []
    rig.run("2027-01-04T17:31:00")
    assert len(rig.sent(LA_HIRE, "review")) == 1
    report = rig.onboarding.progress(actor=Actor.cli(), hire=LA_HIRE)
    assert report.summary.phases[0].due == date(2027, 1, 4)


def test_a_saturday_start_is_day_one_on_monday_in_the_welcome_and_the_digest(rig: Rig) -> None:
    """Enrolled for Sat 7 Nov, the hire is welcomed Monday 9 Nov as day 1 and the mentor's
    Monday digest says day 1 too; a mentee starting Wednesday reads "starts Wed 11 Nov"."""
    rig.enroll(start=date(2026, 11, 7), tz="UTC", profile_in=rig.sandbox)
    rig.enroll(hire="U0LATER", start=date(2026, 11, 11), tz="UTC", profile_in=rig.sandbox)
    rig.run("2026-11-09T09:31:00")
    [welcome] = rig.sent(HIRE, "welcome")
    assert "Today is day 1 of your" in _text(welcome)
    [digest] = rig.sent(MENTOR, "mentor_digest")
    assert f"<@{HIRE}> · day 1 ·" in _text(digest)
    assert "<@U0LATER> · starts Wed 11 Nov" in _text(digest)
    assert "day -" not in _text(digest)
    assert "day 0" not in _text(digest)
