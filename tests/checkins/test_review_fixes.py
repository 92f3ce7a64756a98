"""Regressions from the check-in review (issue 4): send windows, profile look-ups, silence,
claims re-verified before posting, nudges whose mark ran on a later clock, DMs without
conversations.open."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.domain.schedule import LocalCalendar, public_holidays, zone
from bot.sandbox import SlackSandbox
from bot.services.checkins import SEND_BUDGET
from bot.services.clock import ManualClock
from bot.services.onboarding import Actor, Onboarding
from storage import outbox as repo
from storage import repositories as people_repo
from storage.engine import Database
from tests.support.checkins import (
    Rig,
    at,
    checkin_engine,
    messages_to,
    outbox_rows,
    paced_messenger,
)
from tests.support.enroll import enroll
from tests.support.people import HIRE, MANAGER, MENTOR


def tz_of(db: Database, user_id: str) -> str | None:
    """The time zone stored for ``user_id``."""
    with db.read() as session:
        person = people_repo.get_person(session=session, user_id=user_id)
        return person.tz if person else None


# --- P1-6: a nudge whose mark ran at a later wall clock than the tick's ----------------------


def test_block_marked_on_a_later_clock_still_nudges_the_mentor_on_the_next_tick(rig: Rig) -> None:
    """`mark` at 2026-12-20, then a tick at --now 2026-12-02: the mentor is nudged, once."""
    rig.enroll()
    rig.run("2026-12-02T16:00:00")
    rig.set_clock("2026-12-20T10:00:00")  # the marker's wall clock runs weeks ahead
    rig.onboarding.mark(
        actor=Actor.cli(), hire=HIRE, milestone_id="d30-dev-environment", status="blocked"
    )
    rig.run("2026-12-02T16:10:00")
    assert len(rig.keys(MENTOR, "mentor_nudge")) == 1
    rig.run("2026-12-03T16:10:00")
    assert len(rig.keys(MENTOR, "mentor_nudge")) == 1


def test_a_pending_row_takes_the_earlier_due_time_but_a_sent_row_is_left_alone(
    db: Database,
) -> None:
    """Inserting a known key again only ever moves a pending row's due time earlier."""
    with db.transaction() as session:
        person = people_repo.upsert_person(
            session=session, user_id="U0X", at=at("2026-11-02T09:00:00")
        )
        assert person.id is not None
        pid = person.id

    def row(due: str) -> repo.NewRow:
        return repo.NewRow(
            key="k", kind="mentor_nudge", recipient_id=pid, due_at=at(due), payload={}
        )

    with db.transaction() as session:
        assert repo.insert_new(
            session=session, rows=[row("2026-12-20T10:00:00")], now=at("2026-12-01T00:00:00")
        ) == ["k"]
        assert (
            repo.insert_new(
                session=session, rows=[row("2026-12-25T10:00:00")], now=at("2026-12-01T00:00:00")
            )
            == []
        )
        assert repo.insert_new(
            session=session, rows=[row("2026-12-02T10:00:00")], now=at("2026-12-01T00:00:00")
        ) == ["k"]
    [stored] = outbox_rows(db)
    assert stored.due_at == at("2026-12-02T10:00:00")


# --- P1-1: late items wait for the recipient's next send window -------------------------------


@pytest.mark.parametrize(
    ("tz", "now", "expected"),
    [
        # New York, Wednesday 07:00 local: today's window opens at 09:30 local.
        ("America/New_York", "2026-12-02T12:00:00", "2026-12-02T14:30:00"),
        # Inside the window: now.
        ("America/New_York", "2026-12-02T16:00:00", "2026-12-02T16:00:00"),
        # Saturday 03:00 local: Monday 09:30.
        ("America/New_York", "2026-12-05T08:00:00", "2026-12-07T14:30:00"),
        # Friday 18:00 in Kolkata (after the window): Monday 09:30 IST.
        ("Asia/Kolkata", "2026-12-04T12:30:00", "2026-12-07T04:00:00"),
        # Sydney, east of UTC, on Sunday (UTC Saturday): Monday 09:30 AEDT.
        ("Australia/Sydney", "2026-12-05T22:00:00", "2026-12-06T22:30:00"),
        # Spring forward in New York (Sunday 2027-03-14): Monday 09:30 EDT is 13:30 UTC.
        ("America/New_York", "2027-03-13T20:00:00", "2027-03-15T13:30:00"),
    ],
    ids=[
        "new-york-before-the-window",
        "new-york-in-the-window",
        "new-york-saturday",
        "kolkata-friday-evening",
        "sydney-sunday",
        "new-york-spring-forward",
    ],
)
def test_next_send_window_in_the_recipients_zone(tz: str, now: str, expected: str) -> None:
    """The next send window opens on a working day at the local send time, in any zone: later
    today before it, now inside it, Monday 09:30 local from a weekend or a Friday evening, on
    either side of UTC and across a DST change."""
    calendar = LocalCalendar(zone=zone(tz), send_time=time(9, 30))
    assert calendar.next_send_window(at(now)) == at(expected)


def test_next_send_window_skips_public_holidays() -> None:
    """Christmas in the US is no send window: Friday 2026-12-25 waits for Monday 12-28."""
    calendar = LocalCalendar(
        zone=zone("America/New_York"), send_time=time(9, 30), holidays=public_holidays("US")
    )
    assert calendar.next_send_window(at("2026-12-24T23:00:00")) == at("2026-12-28T14:30:00")


def test_catch_up_on_a_saturday_night_waits_for_monday_morning(rig: Rig) -> None:
    """First tick Saturday 03:00 in New York: nothing goes out until Monday 09:30 local."""
    rig.enroll()
    rig.run("2026-12-05T08:00:00")  # Saturday 03:00 in New York
    assert rig.sent(HIRE) == []
    [review] = rig.rows(kinds=["review"])
    assert (review.state, review.not_before) == ("pending", at("2026-12-07T14:30:00"))
    rig.run("2026-12-07T14:00:00")  # Monday 09:00: not yet
    assert rig.sent(HIRE) == []
    rig.run("2026-12-07T14:31:00")
    assert "review:1:day-30" in rig.keys(HIRE)


def test_a_due_row_claimed_outside_the_window_is_deferred_without_spending_an_attempt(
    rig: Rig,
) -> None:
    """A row owed at 11:00 but first sent for at 21:00 local waits for the next morning."""
    rig.enroll(tz="America/New_York")
    rig.set_clock("2026-12-02T16:00:00")
    rig.checkins.refresh_profiles(now=rig.clock.now())
    rig.checkins.enqueue(now=rig.clock.now())  # derived in the window; the sender was down
    report = rig.checkins.send_due(now=rig.set_clock("2026-12-03T02:00:00"))  # 21:00 in NY
    assert rig.sent(HIRE) == []
    assert {p.key for p in report.deferred} == {"review:1:day-30"}
    [review] = rig.rows(kinds=["review"])
    assert (review.state, review.attempts) == ("pending", 0)
    assert review.not_before == at("2026-12-03T14:30:00")
    rig.run("2026-12-03T14:31:00")
    assert rig.keys(HIRE, "review") == ["review:1:day-30"]


# --- P1-2 and P1-3: profiles --------------------------------------------------------------------


def test_every_new_hire_is_looked_up_before_their_calendar_is_derived(rig: Rig) -> None:
    """25 hires enrolled from the CLI in New York: nobody gets the review at 07:00 local."""
    hires = [f"U0H{i:02d}" for i in range(25)]
    for user_id in hires:
        rig.sandbox.add_user(user_id, user_id.lower(), tz="America/New_York")
        rig.enroll(hire=user_id)
    rig.run("2026-12-02T12:00:00")
    assert all(rig.sent(user_id) == [] for user_id in hires)
    assert {tz_of(rig.db, user_id) for user_id in hires} == {"America/New_York"}
    rig.run("2026-12-02T14:31:00")
    assert all(rig.keys(u, "review") for u in hires)


def test_a_failed_lookup_holds_the_hire_back_and_is_retried_with_back_off(rig: Rig) -> None:
    """users.info fails once: no calendar in the default zone; the next tick looks again."""
    rig.enroll(mentors=())
    rig.sandbox.fail("users.info", 500, times=None)
    rig.run("2026-12-02T12:00:00")  # 12:00 UTC is after 09:30 UTC
    assert rig.rows(kinds=["review", "pulse"]) == []
    assert rig.sent(HIRE) == []
    rig.sandbox.faults.clear()
    tried = len(rig.sandbox.calls("users.info"))
    rig.run("2026-12-02T12:00:30")  # within the back-off: no new call
    assert len(rig.sandbox.calls("users.info")) == tried
    rig.run("2026-12-02T12:05:00")
    assert tz_of(rig.db, HIRE) == "America/New_York"
    assert rig.sent(HIRE) == []  # 07:05 in New York
    rig.run("2026-12-02T14:31:00")
    assert rig.keys(HIRE, "review") == ["review:1:day-30"]


def test_profiles_are_refreshed_every_week(rig: Rig) -> None:
    """A hire who moves to London is seen in London after the weekly refresh."""
    rig.enroll(start=date(2026, 11, 2))
    rig.run("2026-11-02T09:00:00")
    assert tz_of(rig.db, HIRE) == "America/New_York"
    rig.sandbox.add_user(HIRE, "hire", tz="Europe/London")
    rig.run("2026-11-06T09:00:00")
    assert tz_of(rig.db, HIRE) == "America/New_York"  # not yet a week
    rig.run("2026-11-09T09:01:00")
    assert tz_of(rig.db, HIRE) == "Europe/London"


# --- P2-7: silence in each recipient's calendar, once per silence ------------------------------


def test_silence_nudge_and_escalation_come_at_each_recipients_send_time(rig: Rig) -> None:
    """New York hire silent: the Berlin mentor hears 09:30 Berlin, the LA manager 09:30 LA."""
    rig.enroll(start=date(2026, 11, 2))
    rig.run("2026-11-09T14:31:00")  # week-1 pulse, 09:31 in New York, unanswered
    rig.run("2026-11-16T08:29:00")  # 5 working days later, 09:29 in Berlin
    assert rig.keys(MENTOR, "mentor_nudge") == []
    rig.run("2026-11-16T08:31:00")  # 09:31 in Berlin (03:31 in New York)
    assert len(rig.keys(MENTOR, "mentor_nudge")) == 1
    rig.run("2026-11-18T14:31:00")  # 7 working days: 06:31 in Los Angeles
    assert rig.keys(MANAGER, "escalation") == []
    rig.run("2026-11-18T17:31:00")  # 09:31 in Los Angeles
    assert len(rig.keys(MANAGER, "escalation")) == 1


def test_a_long_silence_is_reported_once_not_every_week(rig: Rig) -> None:
    """Silent for 14 weeks (past the 60-day look-back): one nudge, one escalation, no weekend."""
    rig.enroll(start=date(2026, 10, 26))
    day = date(2026, 10, 26)
    while day < date(2027, 2, 1):
        # Berlin's morning, and New York's and Los Angeles's; weekends once (nothing may go).
        for hour in ("08:31", "17:31") if day.weekday() < 5 else ("17:31",):
            rig.run(f"{day.isoformat()}T{hour}:00")
        day += timedelta(days=1)
    assert len(rig.keys(HIRE, "pulse")) > 10
    nudged = rig.sent(MENTOR, having="silent")
    escalated = rig.sent(MANAGER, having="silent")
    assert (len(nudged), len(escalated)) == (1, 1)
    for message, tz in ((nudged[0], "Europe/Berlin"), (escalated[0], "America/Los_Angeles")):
        local = datetime.fromtimestamp(float(message.ts), UTC).astimezone(zone(tz))
        assert local.weekday() < 5
        assert time(9, 30) <= local.time() < time(17, 30)


# --- P2-9: a claim is verified right before the post; the time budget is checked per row -------


def test_a_row_whose_claim_was_taken_over_is_not_posted_by_the_first_sender(rig: Rig) -> None:
    """Another replica reconciled the row while this sender was slow: this sender doesn't post."""
    rig.enroll(tz="UTC", mentors=())
    clock = rig.clock
    clock.set(at("2026-11-02T09:31:00"))
    rig.checkins.refresh_profiles(now=clock.now())
    rig.checkins.enqueue(now=clock.now())
    with rig.db.transaction() as session:
        [row] = repo.claim(session=session, now=clock.now(), token="slow", limit=10)
    assert row.id is not None
    with rig.db.transaction() as session:  # the other replica takes it over after the lease
        assert repo.take_over(
            session=session, outbox_id=row.id, old_token="slow", token="other", now=clock.now()
        )
    report = rig.checkins.send_due(now=clock.now())  # nothing claimable: the row is "sending"
    rig.checkins._send_one(row, "slow", clock.now(), report, {})  # the slow sender carries on
    assert rig.sent(HIRE) == []
    [stored] = rig.rows(kinds=["welcome"])
    assert (stored.state, stored.claim_token) == ("sending", "other")


def test_the_time_budget_is_checked_per_row_and_the_rest_released(
    onboarding: Onboarding, sandbox: SlackSandbox, clock: ManualClock
) -> None:
    """Posts paced 20 s apart in one DM: past the 45 s budget the claimed rest go back."""
    slow = paced_messenger(sandbox, clock, channel_interval=20.0)
    checkins = checkin_engine(onboarding, slow)
    enroll(onboarding, tz="America/New_York")
    clock.set(at("2026-12-02T16:00:00"))
    checkins.refresh_profiles(now=clock.now())
    plan = onboarding.catalog.get("junior-llm-engineer").plan
    for milestone in plan.phases[0].milestones[:5]:
        onboarding.mark(actor=Actor.cli(), hire=HIRE, milestone_id=milestone.id, status="blocked")
    report = checkins.send_due(now=clock.now())
    sent = len(messages_to(sandbox, MENTOR, "mentor_nudge"))
    # The budget is checked before each row; a post then waits its 20 s turn in the DM. Checks
    # at 0, 0, 20 and 40 s pass, the one at 60 s does not.
    assert sent == int(SEND_BUDGET.total_seconds() // 20) + 2 < 5
    assert outbox_rows(onboarding.db, states=["sending"]) == []
    waiting = outbox_rows(onboarding.db, states=["pending"], kinds=["mentor_nudge"])
    assert len(waiting) == 5 - sent
    assert all(r.attempts == 0 for r in waiting)
    assert len(report.sent) == sent


# --- P2-11: no conversations.open ------------------------------------------------------------


def test_without_conversations_open_the_dm_goes_to_the_user_id(rig: Rig) -> None:
    """A Slack (or proxy) without conversations.open: the check-in is posted to the user id."""
    rig.sandbox.fail("conversations.open", 200, error="unknown_method", times=None)
    rig.enroll(tz="UTC", mentors=())
    rig.run("2026-11-02T09:31:00")
    assert rig.keys(HIRE) == ["welcome:1:start"]
    posts = rig.sandbox.calls("chat.postMessage")
    assert posts[-1].params.get("channel") == HIRE
