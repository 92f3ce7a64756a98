"""Once per thing: one mentor nudge per check-in, one tick-report entry per outbox row."""

from __future__ import annotations

from datetime import date

from tests.support.checkins import Rig
from tests.support.enroll import enroll_hires
from tests.support.people import HIRE, MENTOR


def _answer_the_pulse(rig: Rig, *moods: str) -> int:
    """Enroll a UTC hire on Fri 6 Nov, send the week-1 pulse, answer it with each of ``moods``
    in turn and tick a minute later; the pulse's outbox id."""
    rig.enroll(start=date(2026, 11, 6), tz="UTC", profile_in=rig.sandbox)
    rig.run("2026-11-13T09:31:00")
    [pulse] = rig.sent(HIRE)
    outbox_id = int(pulse.event_payload["outbox_id"])
    for mood in moods:
        rig.checkins.answer_mood(user_id=HIRE, outbox_id=outbox_id, mood=mood)
    rig.run("2026-11-13T09:32:00")
    return outbox_id


def test_at_risk_then_blocked_on_one_pulse_nudges_the_mentor_once_with_the_latest_mood(
    rig: Rig,
) -> None:
    """Two clicks on the same pulse, 0.3 s apart: one nudge, and it says blocked."""
    pulse = _answer_the_pulse(rig, "at_risk", "blocked")
    [nudge] = rig.sent(MENTOR, "mentor_nudge")
    assert "Blocked" in nudge.text
    rig.checkins.answer_mood(user_id=HIRE, outbox_id=pulse, mood="at_risk")
    rig.run("2026-11-13T09:40:00")
    assert len(rig.sent(MENTOR, "mentor_nudge")) == 1


def test_a_pulse_changed_back_to_on_track_before_the_nudge_goes_out_sends_none(
    rig: Rig,
) -> None:
    """At risk, then on track before the next tick: the nudge is skipped, with the reason."""
    _answer_the_pulse(rig, "at_risk", "on_track")
    assert rig.sent(MENTOR, "mentor_nudge") == []
    [row] = rig.rows(kinds=["mentor_nudge"])
    assert (row.state, row.reason) == ("skipped", "the hire has answered that pulse on track since")


def test_rows_refused_by_rate_limits_many_times_are_reported_once(rig: Rig) -> None:
    """Five welcomes refused 20 times in one tick, then sent: the report lists five sent, none
    deferred, and counts the 20 refusals as retries."""
    enroll_hires(rig.onboarding, range(5), profile_in=rig.sandbox)
    rig.sandbox.fail("chat.postMessage", 429, retry_after=1, times=20)
    data = rig.run("2026-11-02T09:31:00").as_json()
    assert len(data["sent"]) == 5
    assert data["deferred"] == []
    assert data["retries"] == 20
    assert len(rig.sent()) == 5


def test_a_row_still_waiting_at_the_end_of_the_tick_is_listed_once(rig: Rig) -> None:
    """A welcome refused again and again with a long Retry-After is one deferred row."""
    rig.enroll(tz="UTC", mentors=(), profile_in=rig.sandbox)
    rig.sandbox.fail("chat.postMessage", 429, retry_after=5, times=None)
    report = rig.run("2026-11-02T09:31:00")
    assert [p.key for p in report.deferred] == ["welcome:1:start"]
    assert report.sent == []
