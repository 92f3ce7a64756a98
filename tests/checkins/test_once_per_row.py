"""Once per thing: one mentor nudge per check-in, one tick-report entry per outbox row."""

from __future__ import annotations

from datetime import date

from bot.sandbox import SlackSandbox
from bot.services.checkins import Checkins
from bot.services.clock import ManualClock
from bot.services.onboarding import Onboarding
from storage.engine import Database
from tests.checkins.conftest import HIRE, MENTOR, at, enroll, rows, run


def _pulse(checkins: Checkins, sandbox: SlackSandbox, clock: ManualClock) -> int:
    """Enroll a UTC hire on Fri 6 Nov and send the week-1 pulse; its outbox id."""
    enroll(checkins.onboarding, start=date(2026, 11, 6), tz="UTC", profile_in=sandbox)
    run(checkins, clock, "2026-11-13T09:31:00")
    [pulse] = sandbox.bot_messages(HIRE)
    return int(pulse.event_payload["outbox_id"])


def _nudges(sandbox: SlackSandbox) -> list:  # type: ignore[type-arg]
    return [
        m
        for m in sandbox.bot_messages(MENTOR)
        if m.event_payload.get("key", "").startswith("mentor_nudge")
    ]


def test_at_risk_then_blocked_on_one_pulse_nudges_the_mentor_once_with_the_latest_mood(
    checkins: Checkins, sandbox: SlackSandbox, clock: ManualClock
) -> None:
    """Two clicks on the same pulse, 0.3 s apart: one nudge, and it says blocked."""
    pulse = _pulse(checkins, sandbox, clock)
    checkins.answer_mood(user_id=HIRE, outbox_id=pulse, mood="at_risk")
    checkins.answer_mood(user_id=HIRE, outbox_id=pulse, mood="blocked")
    run(checkins, clock, "2026-11-13T09:32:00")
    [nudge] = _nudges(sandbox)
    assert "Blocked" in nudge.text
    checkins.answer_mood(user_id=HIRE, outbox_id=pulse, mood="at_risk")
    run(checkins, clock, "2026-11-13T09:40:00")
    assert len(_nudges(sandbox)) == 1


def test_a_pulse_changed_back_to_on_track_before_the_nudge_goes_out_sends_none(
    checkins: Checkins, sandbox: SlackSandbox, clock: ManualClock, db: Database
) -> None:
    """At risk, then on track before the next tick: the nudge is skipped, with the reason."""
    pulse = _pulse(checkins, sandbox, clock)
    checkins.answer_mood(user_id=HIRE, outbox_id=pulse, mood="at_risk")
    checkins.answer_mood(user_id=HIRE, outbox_id=pulse, mood="on_track")
    run(checkins, clock, "2026-11-13T09:32:00")
    assert _nudges(sandbox) == []
    [row] = rows(db, kinds=["mentor_nudge"])
    assert (row.state, row.reason) == ("skipped", "the hire has answered that pulse on track since")


def test_rows_refused_by_rate_limits_many_times_are_reported_once(
    checkins: Checkins,
    onboarding: Onboarding,
    sandbox: SlackSandbox,
    clock: ManualClock,
) -> None:
    """Five welcomes refused 20 times in one tick, then sent: the report lists five sent, none
    deferred, and counts the 20 refusals as retries."""
    for index in range(5):
        user = f"U0HIRE{index}"
        enroll(onboarding, hire=user, tz="UTC", mentors=(), profile_in=sandbox)
    sandbox.fail("chat.postMessage", 429, retry_after=1, times=20)
    clock.set(at("2026-11-02T09:31:00"))
    report = checkins.tick(clock.now())
    data = report.as_json()
    assert len(data["sent"]) == 5
    assert data["deferred"] == []
    assert data["retries"] == 20
    assert len(sandbox.bot_messages()) == 5


def test_a_row_still_waiting_at_the_end_of_the_tick_is_listed_once(
    checkins: Checkins, onboarding: Onboarding, sandbox: SlackSandbox, clock: ManualClock
) -> None:
    """A welcome refused again and again with a long Retry-After is one deferred row."""
    enroll(onboarding, tz="UTC", mentors=(), profile_in=sandbox)
    sandbox.fail("chat.postMessage", 429, retry_after=5, times=None)
    clock.set(at("2026-11-02T09:31:00"))
    report = checkins.tick(clock.now())
    assert [p.key for p in report.deferred] == ["welcome:1:start"]
    assert report.sent == []
