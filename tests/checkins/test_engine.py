"""The tick: due work derived once, sent once, at the right local time, through Slack."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.progress import Lifecycle
from bot.services.checkins import MAX_ATTEMPTS, Mood
from bot.services.onboarding import Actor
from storage import outbox as repo
from storage import repositories
from tests.support.checkins import Rig, at
from tests.support.enroll import enroll_hires
from tests.support.people import HIRE, MANAGER, MENTOR
from tests.support.threads import run_together


def test_must_show_day_30_review_at_local_send_time_and_only_once(rig: Rig) -> None:
    """NY hire from 2026-11-02: no review at 07:00 local, the review at 11:00, then nothing new."""
    rig.enroll()  # from the CLI: the zone is unknown until the tick asks Slack
    rig.run("2026-12-02T12:00:00")
    early = rig.keys(HIRE)
    assert "review:1:day-30" not in early
    assert len(early) <= 1  # at most the latest pulse, sent late once: no flood
    with rig.db.read() as session:
        person = repositories.get_person(session=session, user_id=HIRE)
        assert person is not None
        assert person.tz == "America/New_York"

    rig.run("2026-12-02T16:00:00")
    messages = rig.sent(HIRE)
    review = [m for m in messages if m.event_payload.get("key") == "review:1:day-30"]
    assert len(review) == 1
    day_30 = rig.onboarding.catalog.get("junior-llm-engineer").plan.phases[0]
    text = str(review[0].blocks)
    for milestone in day_30.milestones:
        assert milestone.title.replace("&", "&amp;") in text

    rig.run("2026-12-02T16:01:00")
    assert len(rig.sent(HIRE)) == len(messages)


def test_marking_blocked_nudges_the_mentor_on_the_next_tick(rig: Rig) -> None:
    """A milestone marked blocked (CLI) makes the next tick DM the mentor, once."""
    rig.enroll()
    rig.run("2026-12-02T16:00:00")
    rig.onboarding.mark(
        actor=Actor.cli(),
        hire=HIRE,
        milestone_id="d30-dev-environment",
        status="blocked",
        note="VPN",
    )
    rig.run("2026-12-02T16:05:00")
    sent = rig.sent(MENTOR, "mentor_nudge")
    assert len(sent) == 1
    assert "blocked" in sent[0].text
    assert "Set up the dev environment" in sent[0].text
    rig.run("2026-12-02T16:10:00")
    assert len(rig.sent(MENTOR, "mentor_nudge")) == 1
    assert rig.sent(MANAGER, "escalation") == []


def test_first_tick_a_month_late_skips_stale_items_with_reasons(rig: Rig) -> None:
    """Enrolled a month back: the welcome is recorded skipped with why; no old pulses go out."""
    rig.enroll(tz="America/New_York")
    rig.run("2026-12-02T12:00:00")
    welcome = rig.rows(kinds=["welcome"])
    assert [(w.state, (w.reason or "")[:5]) for w in welcome] == [("skipped", "stale")]
    pulses = rig.rows(kinds=["pulse"])
    assert [p.key for p in pulses] == ["pulse:1:w4"]


def test_welcome_goes_out_on_the_start_day_at_send_time(rig: Rig) -> None:
    """A hire starting today gets the welcome at 09:30 their time, not before."""
    rig.enroll(start=date(2026, 11, 2), tz="Europe/Berlin")
    rig.run("2026-11-02T08:29:00")  # 09:29 in Berlin
    assert rig.sent(HIRE) == []
    rig.run("2026-11-02T08:31:00")
    assert rig.keys(HIRE) == ["welcome:1:start"]


def test_paused_enrollments_get_nothing_and_pending_rows_are_skipped(rig: Rig) -> None:
    """A row owed before a pause is skipped with the reason; nothing new is derived while paused."""
    rig.enroll(tz="UTC")
    rig.enqueue("2026-12-02T10:00:00")
    rig.onboarding.change(actor=Actor.cli(), hire=HIRE, action=Lifecycle.PAUSE)
    rig.run("2026-12-02T10:01:00")
    assert rig.sent(HIRE) == []
    skipped = rig.rows(states=["skipped"], kinds=["review"])
    assert skipped
    assert "paused" in (skipped[0].reason or "")
    rig.run("2026-12-09T10:00:00")
    assert rig.sent(HIRE) == []


@pytest.mark.parametrize("action", [Lifecycle.COMPLETE, Lifecycle.WITHDRAW])
def test_ended_enrollments_get_nothing(rig: Rig, action: Lifecycle) -> None:
    """Completed and withdrawn plans receive no check-ins."""
    rig.enroll(tz="UTC")
    rig.onboarding.change(actor=Actor.cli(), hire=HIRE, action=action)
    rig.run("2026-12-02T10:00:00")
    assert rig.sent() == []


def test_restart_after_downtime_sends_only_the_latest_pulse(rig: Rig) -> None:
    """Down for three weeks: the next tick sends one pulse, not three; the older row is skipped."""
    rig.enroll(start=date(2026, 11, 2), tz="UTC", profile_in=rig.sandbox)
    rig.run("2026-11-09T09:31:00")  # week-1 pulse goes out
    # A pulse owed but never sent (the process died before sending it) …
    rig.enqueue("2026-11-16T09:31:00")
    # … and the process comes back on 2026-12-01.
    rig.run("2026-12-01T09:31:00")
    assert rig.keys(HIRE) == ["pulse:1:w1", "pulse:1:w4"]
    superseded = rig.rows(kinds=["pulse"], states=["skipped"])
    assert [r.key for r in superseded] == ["pulse:1:w2"]
    assert "superseded" in (superseded[0].reason or "")


def test_unanswered_pulse_gets_one_reminder_after_two_working_days(rig: Rig) -> None:
    """Friday's pulse unanswered: the reminder comes Tuesday 09:30 (weekend skipped), once."""
    rig.enroll(start=date(2026, 11, 6), tz="UTC", profile_in=rig.sandbox)  # Fridays: pulses
    rig.run("2026-11-13T09:31:00")
    assert rig.keys(HIRE) == ["pulse:1:w1"]
    rig.run("2026-11-16T09:31:00")  # Monday: 1 working day
    assert len(rig.sent(HIRE)) == 1
    rig.run("2026-11-17T09:31:00")  # Tuesday: 2 working days
    assert rig.keys(HIRE) == ["pulse:1:w1", "reminder:pulse:1:w1"]
    rig.run("2026-11-18T09:31:00")
    assert len(rig.sent(HIRE)) == 2


def test_answered_pulse_gets_no_reminder_and_at_risk_nudges_the_mentor(rig: Rig) -> None:
    """Answering 'at risk' records the mood, nudges the mentor now, and stops the reminder."""
    rig.enroll(start=date(2026, 11, 6), tz="UTC", profile_in=rig.sandbox)
    rig.run("2026-11-13T09:31:00")
    pulse = rig.sent(HIRE)[0]
    result = rig.checkins.answer_mood(
        user_id=HIRE, outbox_id=pulse.event_payload["outbox_id"], mood="at_risk"
    )
    assert result.message.answer is not None
    assert result.message.answer.mood is Mood.AT_RISK
    rig.run("2026-11-13T09:32:00")
    assert "at risk" in rig.sent(MENTOR, "mentor_nudge")[0].text.lower()
    rig.run("2026-11-17T09:31:00")
    assert rig.keys(HIRE) == ["pulse:1:w1"]
    report = rig.onboarding.progress(actor=Actor.cli(), hire=HIRE)
    assert report.last_mood == "at_risk"


def test_silence_nudges_the_mentor_then_escalates_to_the_manager(rig: Rig) -> None:
    """No answers for 5 working days → mentor nudge; 7 → manager escalation; each once."""
    rig.enroll(start=date(2026, 11, 2), tz="UTC")
    rig.run("2026-11-02T09:31:00")  # welcome (not a question)
    rig.run("2026-11-09T09:31:00")  # week-1 pulse, never answered
    rig.run("2026-11-13T12:00:00")  # 4 working days
    assert rig.sent(MENTOR, "mentor_nudge") == []
    rig.run("2026-11-16T12:00:00")  # 5 working days
    assert len(rig.sent(MENTOR, "mentor_nudge")) == 1
    assert "hasn't answered" in rig.sent(MENTOR, "mentor_nudge")[0].text
    rig.run("2026-11-18T12:00:00")  # 7 working days, but 04:00 for the manager
    assert rig.sent(MANAGER, having="escalation") == []
    rig.run("2026-11-18T17:31:00")  # 09:31 in Los Angeles
    assert len(rig.sent(MANAGER, having="escalation")) == 1
    rig.run("2026-11-18T17:35:00")
    assert len(rig.sent(MENTOR, "mentor_nudge")) == 1


def test_a_blocker_not_cleared_escalates_to_the_manager(rig: Rig) -> None:
    """Blocked and still blocked 7 working days after the mentor heard: the manager hears."""
    rig.enroll(start=date(2026, 11, 2), tz="UTC")
    rig.set_clock("2026-11-03T10:00:00")
    rig.onboarding.mark(
        actor=Actor.slack(HIRE), milestone_id="d30-dev-environment", status="blocked"
    )
    rig.run("2026-11-03T10:01:00")
    assert len(rig.sent(MENTOR, "mentor_nudge")) == 1
    rig.run("2026-11-11T10:00:00")  # 6 working days
    assert not rig.sent(MANAGER, "escalation")
    rig.run("2026-11-12T17:31:00")  # 7 working days, 09:30 in Los Angeles
    escalations = rig.sent(MANAGER, having="escalation")
    assert len(escalations) == 1
    assert "hasn't cleared" in escalations[0].text


def test_weekly_digests_for_mentor_and_manager(rig: Rig) -> None:
    """On Monday each gets one digest at 09:30 their own time listing the hire."""
    rig.enroll(start=date(2026, 11, 2), tz="UTC")
    rig.run("2026-11-30T08:31:00")  # 09:31 in Berlin, 00:31 in Los Angeles
    mentor = rig.sent(MENTOR, having="digest")
    assert len(mentor) == 1
    assert f"<@{HIRE}>" in str(mentor[0].blocks)
    assert not rig.sent(MANAGER, having="digest")
    rig.run("2026-11-30T17:31:00")
    assert len(rig.sent(MANAGER, having="digest")) == 1


def test_two_ticks_at_once_send_each_message_once(rig: Rig) -> None:
    """Four threads ticking together (SQLite and PostgreSQL) post every message exactly once."""
    enroll_hires(rig.onboarding, range(6), profile_in=rig.sandbox)
    rig.set_clock("2026-11-02T09:31:00")
    failures = run_together(lambda: rig.checkins.tick(at("2026-11-02T09:31:00")), 4, timeout=60)
    assert failures == []
    posted = rig.keys()
    assert sorted(posted) == sorted(set(posted))
    assert len([k for k in posted if k.startswith("welcome:")]) == 6
    assert {r.state for r in rig.rows(kinds=["welcome"])} == {"sent"}


def test_429_burst_defers_only_what_was_refused_and_loses_nothing(rig: Rig) -> None:
    """Three 429s with Retry-After: those rows wait, then go out; no duplicates, none lost."""
    enroll_hires(rig.onboarding, range(5), profile_in=rig.sandbox)
    rig.sandbox.fail("chat.postMessage", 429, retry_after=2, times=3)
    rig.run("2026-11-02T09:31:00")
    posted = rig.keys()
    assert sorted(posted) == sorted(set(posted))
    assert len(posted) == 5
    assert {r.state for r in rig.rows(kinds=["welcome"])} == {"sent"}
    refused = [c for c in rig.sandbox.calls("chat.postMessage") if not c.ok]
    assert len(refused) == 3


def test_a_row_refused_by_rate_limits_more_often_than_max_attempts_is_still_sent(
    rig: Rig,
) -> None:
    """429s never fail a row: refused more than MAX_ATTEMPTS times, it still goes out once."""
    rig.enroll(tz="UTC", mentors=())
    rig.sandbox.fail("chat.postMessage", 429, retry_after=1, times=MAX_ATTEMPTS + 2)
    rig.run("2026-11-02T09:31:00")
    [welcome] = rig.rows(kinds=["welcome"])
    assert welcome.state == "sent"
    assert welcome.attempts == MAX_ATTEMPTS + 3
    assert len(rig.sent(HIRE)) == 1


def test_server_errors_are_retried_later_and_permanent_errors_fail_with_a_reason(
    rig: Rig,
) -> None:
    """A 503 leaves the row pending for a retry; a deleted user's row fails saying why."""
    rig.enroll(tz="UTC", mentors=())
    rig.sandbox.fail("chat.postMessage", 503, times=1)
    rig.run("2026-11-02T09:31:00")
    [welcome] = rig.rows(kinds=["welcome"])
    assert welcome.state == "pending"
    assert welcome.not_before is not None
    rig.run("2026-11-02T09:40:00")
    [welcome] = rig.rows(kinds=["welcome"])
    assert welcome.state == "sent"
    assert len(rig.sent(HIRE)) == 1

    rig.sandbox.fail("chat.postMessage", 200, error="account_inactive", times=None)
    rig.run("2026-11-09T09:31:00")
    [pulse] = rig.rows(kinds=["pulse"])
    assert pulse.state == "failed"
    assert "deactivated" in (pulse.reason or "")


def _store_due_rows(rig: Rig) -> None:
    """Enroll a UTC hire without mentors, move the clock to 09:31 on day 1, store what is due."""
    rig.enroll(tz="UTC", mentors=())
    rig.enqueue("2026-11-02T09:31:00")


def test_row_left_sending_is_reconciled_from_the_dm_history(rig: Rig) -> None:
    """A row stuck in 'sending' whose message Slack has is marked sent, not posted again."""
    _store_due_rows(rig)
    with rig.db.transaction() as session:
        [row] = repo.claim(
            session=session, now=rig.clock.now(), token="dead", limit=10, kinds=["welcome"]
        )
    messenger = rig.checkins.messenger
    assert messenger is not None
    channel = messenger.open_dm(user_id=HIRE)
    messenger.post(channel=channel, message=rig.checkins.compose(row))  # then "crash"
    rig.run("2026-11-02T09:40:00")
    assert len(rig.sent(HIRE)) == 1
    [welcome] = rig.rows(kinds=["welcome"])
    assert welcome.state == "sent"
    assert welcome.ts == rig.sent(HIRE)[0].ts


def test_row_left_sending_without_a_message_is_sent_again(rig: Rig) -> None:
    """A row stuck in 'sending' that never reached Slack is sent once after the lease expires."""
    _store_due_rows(rig)
    with rig.db.transaction() as session:
        repo.claim(session=session, now=rig.clock.now(), token="dead", limit=10)
    rig.run("2026-11-02T09:32:00")  # within the lease: leave it alone
    assert rig.sent(HIRE) == []
    rig.run("2026-11-02T09:40:00")
    assert rig.keys(HIRE) == ["welcome:1:start"]
