"""The tick: due work derived once, sent once, at the right local time, through Slack."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from bot.domain.progress import Lifecycle
from bot.sandbox import SlackSandbox
from bot.services.checkins import MAX_ATTEMPTS, Checkins, Mood
from bot.services.clock import ManualClock
from bot.services.onboarding import Actor, Onboarding
from storage import outbox as repo
from storage.engine import Database
from tests.checkins.conftest import HIRE, MANAGER, MENTOR, at, enroll, rows, run


def keys(messages: list) -> list[str]:  # type: ignore[type-arg]
    """The outbox keys named in the metadata of posted messages."""
    return [m.event_payload.get("key") for m in messages]


def nudges(sandbox: SlackSandbox, user: str, kind: str = "mentor_nudge") -> list:  # type: ignore[type-arg]
    """Messages of one kind the bot posted to ``user``."""
    return [
        m for m in sandbox.bot_messages(user) if m.event_payload.get("key", "").startswith(kind)
    ]


def store_due_rows(
    checkins: Checkins, onboarding: Onboarding, clock: ManualClock, db: Database, when: str
) -> None:
    """Enroll a UTC hire without mentors, move the clock to ``when`` and store what is due."""
    enroll(onboarding, tz="UTC", mentors=())
    clock.set(at(when))
    checkins.enqueue(now=clock.now())


def enroll_utc_hires(sandbox: SlackSandbox, onboarding: Onboarding, count: int) -> None:
    """Add ``count`` UTC hires (U0HIRE0, U0HIRE1, ...) to Slack and enroll them without mentors."""
    for index in range(count):
        user = f"U0HIRE{index}"
        sandbox.add_user(user, f"hire{index}", tz="UTC")
        enroll(onboarding, hire=user, start=date(2026, 11, 2), tz="UTC", mentors=())


def test_must_show_day_30_review_at_local_send_time_and_only_once(
    checkins: Checkins, onboarding: Onboarding, sandbox: SlackSandbox, clock: ManualClock
) -> None:
    """NY hire from 2026-11-02: no review at 07:00 local, the review at 11:00, then nothing new."""
    enroll(onboarding)  # from the CLI: the zone is unknown until the tick asks Slack
    run(checkins, clock, "2026-12-02T12:00:00")
    early = keys(sandbox.bot_messages(HIRE))
    assert "review:1:day-30" not in early
    assert len(early) <= 1  # at most the latest pulse, sent late once: no flood
    with onboarding.db.read() as session:
        from storage import repositories

        person = repositories.get_person(session=session, user_id=HIRE)
        assert person is not None
        assert person.tz == "America/New_York"

    run(checkins, clock, "2026-12-02T16:00:00")
    messages = sandbox.bot_messages(HIRE)
    review = [m for m in messages if m.event_payload.get("key") == "review:1:day-30"]
    assert len(review) == 1
    day_30 = onboarding.catalog.get("junior-llm-engineer").plan.phases[0]
    text = str(review[0].blocks)
    for milestone in day_30.milestones:
        assert milestone.title.replace("&", "&amp;") in text

    run(checkins, clock, "2026-12-02T16:01:00")
    assert len(sandbox.bot_messages(HIRE)) == len(messages)


def test_marking_blocked_nudges_the_mentor_on_the_next_tick(
    checkins: Checkins, onboarding: Onboarding, sandbox: SlackSandbox, clock: ManualClock
) -> None:
    """A milestone marked blocked (CLI) makes the next tick DM the mentor, once."""
    enroll(onboarding)
    run(checkins, clock, "2026-12-02T16:00:00")
    onboarding.mark(
        actor=Actor.cli(),
        hire=HIRE,
        milestone_id="d30-dev-environment",
        status="blocked",
        note="VPN",
    )
    run(checkins, clock, "2026-12-02T16:05:00")
    sent = nudges(sandbox, MENTOR)
    assert len(sent) == 1
    assert "blocked" in sent[0].text
    assert "Set up the dev environment" in sent[0].text
    run(checkins, clock, "2026-12-02T16:10:00")
    assert len(nudges(sandbox, MENTOR)) == 1
    assert nudges(sandbox, MANAGER, "escalation") == []


def test_first_tick_a_month_late_skips_stale_items_with_reasons(
    checkins: Checkins, onboarding: Onboarding, db: Database, clock: ManualClock
) -> None:
    """Enrolled a month back: the welcome is recorded skipped with why; no old pulses go out."""
    enroll(onboarding, tz="America/New_York")
    run(checkins, clock, "2026-12-02T12:00:00")
    welcome = rows(db, kinds=["welcome"])
    assert [(w.state, (w.reason or "")[:5]) for w in welcome] == [("skipped", "stale")]
    pulses = rows(db, kinds=["pulse"])
    assert [p.key for p in pulses] == ["pulse:1:w4"]


def test_welcome_goes_out_on_the_start_day_at_send_time(
    checkins: Checkins, onboarding: Onboarding, sandbox: SlackSandbox, clock: ManualClock
) -> None:
    """A hire starting today gets the welcome at 09:30 their time, not before."""
    enroll(onboarding, start=date(2026, 11, 2), tz="Europe/Berlin")
    run(checkins, clock, "2026-11-02T08:29:00")  # 09:29 in Berlin
    assert sandbox.bot_messages(HIRE) == []
    run(checkins, clock, "2026-11-02T08:31:00")
    assert keys(sandbox.bot_messages(HIRE)) == ["welcome:1:start"]


def test_paused_enrollments_get_nothing_and_pending_rows_are_skipped(
    checkins: Checkins,
    onboarding: Onboarding,
    sandbox: SlackSandbox,
    db: Database,
    clock: ManualClock,
) -> None:
    """A row owed before a pause is skipped with the reason; nothing new is derived while paused."""
    enroll(onboarding, tz="UTC")
    clock.set(at("2026-12-02T10:00:00"))
    checkins.enqueue(now=clock.now())
    onboarding.change(actor=Actor.cli(), hire=HIRE, action=Lifecycle.PAUSE)
    run(checkins, clock, "2026-12-02T10:01:00")
    assert sandbox.bot_messages(HIRE) == []
    skipped = rows(db, states=["skipped"], kinds=["review"])
    assert skipped
    assert "paused" in (skipped[0].reason or "")
    run(checkins, clock, "2026-12-09T10:00:00")
    assert sandbox.bot_messages(HIRE) == []


@pytest.mark.parametrize("action", [Lifecycle.COMPLETE, Lifecycle.WITHDRAW])
def test_ended_enrollments_get_nothing(
    checkins: Checkins,
    onboarding: Onboarding,
    sandbox: SlackSandbox,
    clock: ManualClock,
    action: Lifecycle,
) -> None:
    """Completed and withdrawn plans receive no check-ins."""
    enroll(onboarding, tz="UTC")
    onboarding.change(actor=Actor.cli(), hire=HIRE, action=action)
    run(checkins, clock, "2026-12-02T10:00:00")
    assert sandbox.bot_messages() == []


def test_restart_after_downtime_sends_only_the_latest_pulse(
    checkins: Checkins,
    onboarding: Onboarding,
    sandbox: SlackSandbox,
    db: Database,
    clock: ManualClock,
) -> None:
    """Down for three weeks: the next tick sends one pulse, not three; the older row is skipped."""
    enroll(onboarding, start=date(2026, 11, 2), tz="UTC", profile_in=sandbox)
    run(checkins, clock, "2026-11-09T09:31:00")  # week-1 pulse goes out
    # A pulse owed but never sent (the process died before sending it) …
    clock.set(at("2026-11-16T09:31:00"))
    checkins.enqueue(now=clock.now())
    # … and the process comes back on 2026-12-01.
    run(checkins, clock, "2026-12-01T09:31:00")
    sent = keys(sandbox.bot_messages(HIRE))
    assert sent == ["pulse:1:w1", "pulse:1:w4"]
    superseded = rows(db, kinds=["pulse"], states=["skipped"])
    assert [r.key for r in superseded] == ["pulse:1:w2"]
    assert "superseded" in (superseded[0].reason or "")


def test_unanswered_pulse_gets_one_reminder_after_two_working_days(
    checkins: Checkins, onboarding: Onboarding, sandbox: SlackSandbox, clock: ManualClock
) -> None:
    """Friday's pulse unanswered: the reminder comes Tuesday 09:30 (weekend skipped), once."""
    enroll(
        onboarding, start=date(2026, 11, 6), tz="UTC", profile_in=sandbox
    )  # a Friday: pulses on Fridays
    run(checkins, clock, "2026-11-13T09:31:00")
    assert keys(sandbox.bot_messages(HIRE)) == ["pulse:1:w1"]
    run(checkins, clock, "2026-11-16T09:31:00")  # Monday: 1 working day
    assert len(sandbox.bot_messages(HIRE)) == 1
    run(checkins, clock, "2026-11-17T09:31:00")  # Tuesday: 2 working days
    assert keys(sandbox.bot_messages(HIRE)) == ["pulse:1:w1", "reminder:pulse:1:w1"]
    run(checkins, clock, "2026-11-18T09:31:00")
    assert len(sandbox.bot_messages(HIRE)) == 2


def test_answered_pulse_gets_no_reminder_and_at_risk_nudges_the_mentor(
    checkins: Checkins, onboarding: Onboarding, sandbox: SlackSandbox, clock: ManualClock
) -> None:
    """Answering 'at risk' records the mood, nudges the mentor now, and stops the reminder."""
    enroll(onboarding, start=date(2026, 11, 6), tz="UTC", profile_in=sandbox)
    run(checkins, clock, "2026-11-13T09:31:00")
    pulse = sandbox.bot_messages(HIRE)[0]
    result = checkins.answer_mood(
        user_id=HIRE, outbox_id=pulse.event_payload["outbox_id"], mood="at_risk"
    )
    assert result.message.answer is not None
    assert result.message.answer.mood is Mood.AT_RISK
    run(checkins, clock, "2026-11-13T09:32:00")
    assert "at risk" in nudges(sandbox, MENTOR)[0].text.lower()
    run(checkins, clock, "2026-11-17T09:31:00")
    assert keys(sandbox.bot_messages(HIRE)) == ["pulse:1:w1"]
    report = onboarding.progress(actor=Actor.cli(), hire=HIRE)
    assert report.last_mood == "at_risk"


def test_silence_nudges_the_mentor_then_escalates_to_the_manager(
    checkins: Checkins, onboarding: Onboarding, sandbox: SlackSandbox, clock: ManualClock
) -> None:
    """No answers for 5 working days → mentor nudge; 7 → manager escalation; each once."""
    enroll(onboarding, start=date(2026, 11, 2), tz="UTC")
    run(checkins, clock, "2026-11-02T09:31:00")  # welcome (not a question)
    run(checkins, clock, "2026-11-09T09:31:00")  # week-1 pulse, never answered
    run(checkins, clock, "2026-11-13T12:00:00")  # 4 working days
    assert nudges(sandbox, MENTOR) == []
    run(checkins, clock, "2026-11-16T12:00:00")  # 5 working days
    assert len(nudges(sandbox, MENTOR)) == 1
    assert "hasn't answered" in nudges(sandbox, MENTOR)[0].text
    run(checkins, clock, "2026-11-18T12:00:00")  # 7 working days, but 04:00 for the manager
    assert [
        m for m in sandbox.bot_messages(MANAGER) if "escalation" in m.event_payload["key"]
    ] == []
    run(checkins, clock, "2026-11-18T17:31:00")  # 09:31 in Los Angeles
    escalations = [
        m for m in sandbox.bot_messages(MANAGER) if "escalation" in m.event_payload["key"]
    ]
    assert len(escalations) == 1
    run(checkins, clock, "2026-11-18T17:35:00")
    assert len(nudges(sandbox, MENTOR)) == 1


def test_a_blocker_not_cleared_escalates_to_the_manager(
    checkins: Checkins, onboarding: Onboarding, sandbox: SlackSandbox, clock: ManualClock
) -> None:
    """Blocked and still blocked 7 working days after the mentor heard: the manager hears."""
    enroll(onboarding, start=date(2026, 11, 2), tz="UTC")
    clock.set(at("2026-11-03T10:00:00"))
    onboarding.mark(actor=Actor.slack(HIRE), milestone_id="d30-dev-environment", status="blocked")
    run(checkins, clock, "2026-11-03T10:01:00")
    assert len(nudges(sandbox, MENTOR)) == 1
    run(checkins, clock, "2026-11-11T10:00:00")  # 6 working days
    assert not nudges(sandbox, MANAGER, "escalation")
    run(checkins, clock, "2026-11-12T17:31:00")  # 7 working days, 09:30 in Los Angeles
    escalations = [
        m for m in sandbox.bot_messages(MANAGER) if "escalation" in m.event_payload["key"]
    ]
    assert len(escalations) == 1
    assert "hasn't cleared" in escalations[0].text


def test_weekly_digests_for_mentor_and_manager(
    checkins: Checkins, onboarding: Onboarding, sandbox: SlackSandbox, clock: ManualClock
) -> None:
    """On Monday each gets one digest at 09:30 their own time listing the hire."""
    enroll(onboarding, start=date(2026, 11, 2), tz="UTC")
    run(checkins, clock, "2026-11-30T08:31:00")  # 09:31 in Berlin, 00:31 in Los Angeles
    mentor = [m for m in sandbox.bot_messages(MENTOR) if "digest" in m.event_payload["key"]]
    assert len(mentor) == 1
    assert f"<@{HIRE}>" in str(mentor[0].blocks)
    assert not [m for m in sandbox.bot_messages(MANAGER) if "digest" in m.event_payload["key"]]
    run(checkins, clock, "2026-11-30T17:31:00")
    manager = [m for m in sandbox.bot_messages(MANAGER) if "digest" in m.event_payload["key"]]
    assert len(manager) == 1


def test_two_ticks_at_once_send_each_message_once(
    checkins: Checkins,
    onboarding: Onboarding,
    sandbox: SlackSandbox,
    clock: ManualClock,
    db: Database,
) -> None:
    """Four threads ticking together (SQLite and PostgreSQL) post every message exactly once."""
    enroll_utc_hires(sandbox, onboarding, 6)
    clock.set(at("2026-11-02T09:31:00"))
    barrier = threading.Barrier(4)
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            checkins.tick(at("2026-11-02T09:31:00"))
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert failures == []
    posted = keys(sandbox.bot_messages())
    assert sorted(posted) == sorted(set(posted))
    assert len([k for k in posted if k.startswith("welcome:")]) == 6
    assert {r.state for r in rows(db, kinds=["welcome"])} == {"sent"}


def test_429_burst_defers_only_what_was_refused_and_loses_nothing(
    checkins: Checkins,
    onboarding: Onboarding,
    sandbox: SlackSandbox,
    clock: ManualClock,
    db: Database,
) -> None:
    """Three 429s with Retry-After: those rows wait, then go out; no duplicates, none lost."""
    enroll_utc_hires(sandbox, onboarding, 5)
    sandbox.fail("chat.postMessage", 429, retry_after=2, times=3)
    run(checkins, clock, "2026-11-02T09:31:00")
    posted = keys(sandbox.bot_messages())
    assert sorted(posted) == sorted(set(posted))
    assert len(posted) == 5
    assert {r.state for r in rows(db, kinds=["welcome"])} == {"sent"}
    refused = [c for c in sandbox.calls("chat.postMessage") if not c.ok]
    assert len(refused) == 3


def test_a_row_refused_by_rate_limits_more_often_than_max_attempts_is_still_sent(
    checkins: Checkins,
    onboarding: Onboarding,
    sandbox: SlackSandbox,
    clock: ManualClock,
    db: Database,
) -> None:
    """429s never fail a row: refused more than MAX_ATTEMPTS times, it still goes out once."""
    enroll(onboarding, tz="UTC", mentors=())
    sandbox.fail("chat.postMessage", 429, retry_after=1, times=MAX_ATTEMPTS + 2)
    run(checkins, clock, "2026-11-02T09:31:00")
    [welcome] = rows(db, kinds=["welcome"])
    assert welcome.state == "sent"
    assert welcome.attempts == MAX_ATTEMPTS + 3
    assert len(sandbox.bot_messages(HIRE)) == 1


def test_server_errors_are_retried_later_and_permanent_errors_fail_with_a_reason(
    checkins: Checkins,
    onboarding: Onboarding,
    sandbox: SlackSandbox,
    clock: ManualClock,
    db: Database,
) -> None:
    """A 503 leaves the row pending for a retry; a deleted user's row fails saying why."""
    enroll(onboarding, tz="UTC", mentors=())
    sandbox.fail("chat.postMessage", 503, times=1)
    run(checkins, clock, "2026-11-02T09:31:00")
    [welcome] = rows(db, kinds=["welcome"])
    assert welcome.state == "pending"
    assert welcome.not_before is not None
    run(checkins, clock, "2026-11-02T09:40:00")
    [welcome] = rows(db, kinds=["welcome"])
    assert welcome.state == "sent"
    assert len(sandbox.bot_messages(HIRE)) == 1

    sandbox.fail("chat.postMessage", 200, error="account_inactive", times=None)
    run(checkins, clock, "2026-11-09T09:31:00")
    [pulse] = rows(db, kinds=["pulse"])
    assert pulse.state == "failed"
    assert "deactivated" in (pulse.reason or "")


def test_row_left_sending_is_reconciled_from_the_dm_history(
    checkins: Checkins,
    onboarding: Onboarding,
    sandbox: SlackSandbox,
    clock: ManualClock,
    db: Database,
) -> None:
    """A row stuck in 'sending' whose message Slack has is marked sent, not posted again."""
    store_due_rows(checkins, onboarding, clock, db, "2026-11-02T09:31:00")
    with db.transaction() as session:
        [row] = repo.claim(
            session=session, now=clock.now(), token="dead", limit=10, kinds=["welcome"]
        )
    assert checkins.messenger is not None
    channel = checkins.messenger.open_dm(user_id=HIRE)
    checkins.messenger.post(channel=channel, message=checkins.compose(row))  # then "crash"
    run(checkins, clock, "2026-11-02T09:40:00")
    assert len(sandbox.bot_messages(HIRE)) == 1
    [welcome] = rows(db, kinds=["welcome"])
    assert welcome.state == "sent"
    assert welcome.ts == sandbox.bot_messages(HIRE)[0].ts


def test_row_left_sending_without_a_message_is_sent_again(
    checkins: Checkins,
    onboarding: Onboarding,
    sandbox: SlackSandbox,
    clock: ManualClock,
    db: Database,
) -> None:
    """A row stuck in 'sending' that never reached Slack is sent once after the lease expires."""
    store_due_rows(checkins, onboarding, clock, db, "2026-11-02T09:31:00")
    with db.transaction() as session:
        repo.claim(session=session, now=clock.now(), token="dead", limit=10)
    run(checkins, clock, "2026-11-02T09:32:00")  # within the lease: leave it alone
    assert sandbox.bot_messages(HIRE) == []
    run(checkins, clock, "2026-11-02T09:40:00")
    assert keys(sandbox.bot_messages(HIRE)) == ["welcome:1:start"]
