"""Answering check-ins in Slack: the real Bolt app, signed actions from the sandbox driver."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.app import Container, SlackRuntime
from bot.sandbox import Message, SlackDriver, SlackSandbox
from bot.services.clock import ManualClock
from bot.services.onboarding import Actor, Profile
from bot.slack import checkin_blocks as cb
from bot.slack.delivery import SlackMessenger, delivery_client
from storage import outbox as repo
from storage import repositories
from tests.checkins.conftest import HIRE, MANAGER, MENTOR


@pytest.fixture
def engine(container: Container, sandbox: SlackSandbox) -> Container:
    """The container with its check-in engine posting to the sandbox, and a New York hire."""
    client = delivery_client(token=sandbox.bot_token, base_url=sandbox.api_url, timeout=5)
    container.checkins.messenger = SlackMessenger(client, channel_interval=0)
    container.onboarding.enroll(
        actor=Actor.cli(),
        hire=Profile(user_id=HIRE, tz="America/New_York"),
        plan_id="junior-llm-engineer",
        start=date(2026, 11, 2),
        manager=MANAGER,
        mentors=[MENTOR],
    )
    return container


def tick(container: Container, clock: ManualClock, when: datetime) -> None:
    """Move the clock and run one tick."""
    clock.set(when)
    container.checkins.tick(when)


def posted(sandbox: SlackSandbox, key: str) -> Message:
    """The current version of the message posted for outbox ``key``."""
    [message] = [m for m in sandbox.bot_messages(HIRE) if m.event_payload.get("key") == key]
    return message


def tick_until_posted(
    container: Container, clock: ManualClock, sandbox: SlackSandbox, when: datetime, key: str
) -> tuple[Message, int]:
    """Tick at ``when``; the message posted for outbox ``key`` and its outbox id."""
    tick(container, clock, when)
    message = posted(sandbox, key)
    return message, message.event_payload["outbox_id"]


def test_mood_button_records_updates_in_place_and_nudges_the_mentor(
    engine: Container,
    slack: SlackDriver,
    sandbox: SlackSandbox,
    clock: ManualClock,
    runtime: SlackRuntime,
) -> None:
    """'At risk' on the pulse: recorded, the DM shows it with the time, the mentor is told."""
    pulse, outbox_id = tick_until_posted(
        engine, clock, sandbox, datetime(2026, 11, 9, 15, 0, tzinfo=UTC), "pulse:1:w1"
    )
    clock.set(datetime(2026, 11, 17, 20, 0, tzinfo=UTC))  # after the next pulse: still counts
    delivery = slack.block_action(
        HIRE, f"{cb.MOOD_ACTION}:at_risk", f"{outbox_id}:at_risk", message=pulse
    )
    assert delivery.ok
    assert runtime.settle()
    updated = posted(sandbox, "pulse:1:w1")
    assert updated.edited_ts is not None
    shown = str(updated.blocks)
    assert "Recorded" in shown
    assert "At risk" in shown
    assert "Tue 17 Nov 15:00" in shown  # in New York time
    assert "late, still counted" in shown
    tick(engine, clock, clock.now())
    nudges = [m for m in sandbox.bot_messages(MENTOR) if "nudge" in m.event_payload["key"]]
    assert len(nudges) == 1
    assert sandbox.home_view(HIRE) is not None


def test_review_select_marks_the_milestone_through_onboarding(
    engine: Container,
    slack: SlackDriver,
    sandbox: SlackSandbox,
    clock: ManualClock,
    runtime: SlackRuntime,
) -> None:
    """A status picked in the day-30 review is a progress event from 'checkin'; the DM shows it."""
    review, outbox_id = tick_until_posted(
        engine, clock, sandbox, datetime(2026, 12, 2, 16, 0, tzinfo=UTC), "review:1:day-30"
    )
    delivery = slack.block_action(
        HIRE,
        cb.MILESTONE_ACTION,
        "done",
        block_id=f"{cb.MILESTONE_BLOCK_PREFIX}{outbox_id}:d30-dev-environment",
        message=review,
    )
    assert delivery.ok
    assert runtime.settle()
    with engine.db.read() as session:
        enrollment = repositories.latest_enrollment(
            session=session,
            hire_id=repositories.get_person(session=session, user_id=HIRE).id,  # type: ignore[union-attr]
        )
        assert enrollment is not None
        events = repositories.progress_events(session=session, enrollment_id=enrollment.id)  # type: ignore[arg-type]
    assert [(e.milestone_id, e.status, e.source) for e in events] == [
        ("d30-dev-environment", "done", "checkin")
    ]
    shown = str(posted(sandbox, "review:1:day-30").blocks)
    assert "Recorded" in shown
    with engine.db.read() as session:
        row = repo.get(session=session, outbox_id=outbox_id)
    assert row is not None
    assert row.answer == {"statuses": {"d30-dev-environment": "done"}}


def test_add_a_note_opens_a_modal_and_saves_the_note(
    engine: Container,
    slack: SlackDriver,
    sandbox: SlackSandbox,
    clock: ManualClock,
    runtime: SlackRuntime,
) -> None:
    """'Add a note' opens the modal; an empty note is refused in place; a note is saved, shown."""
    pulse, outbox_id = tick_until_posted(
        engine, clock, sandbox, datetime(2026, 11, 9, 15, 0, tzinfo=UTC), "pulse:1:w1"
    )
    slack.block_action(HIRE, cb.NOTE_ACTION, str(outbox_id), message=pulse)
    assert runtime.settle()
    [opened] = sandbox.calls("views.open")
    assert opened.ok
    modal = sandbox.views("modal")[-1]
    empty = slack.view_submission(
        HIRE,
        cb.NOTE_CALLBACK,
        {cb.NOTE_BLOCK: {cb.NOTE_INPUT: {"type": "plain_text_input", "value": "  "}}},
        view=modal,
    )
    assert (empty.json() or {}).get("response_action") == "errors"
    saved = slack.view_submission(
        HIRE,
        cb.NOTE_CALLBACK,
        {cb.NOTE_BLOCK: {cb.NOTE_INPUT: {"type": "plain_text_input", "value": "Waiting on VPN"}}},
        view=modal,
    )
    assert saved.ok
    assert runtime.settle()
    assert "Waiting on VPN" in str(posted(sandbox, "pulse:1:w1").blocks)


def test_someone_else_cannot_answer_a_hires_check_in(
    engine: Container,
    slack: SlackDriver,
    sandbox: SlackSandbox,
    clock: ManualClock,
    runtime: SlackRuntime,
) -> None:
    """The manager clicking the hire's pulse gets a private explanation; nothing is recorded."""
    pulse, outbox_id = tick_until_posted(
        engine, clock, sandbox, datetime(2026, 11, 9, 15, 0, tzinfo=UTC), "pulse:1:w1"
    )
    slack.block_action(
        MANAGER,
        f"{cb.MOOD_ACTION}:on_track",
        f"{outbox_id}:on_track",
        message=pulse,
    )
    assert runtime.settle()
    assert any("Only the person" in r.text for r in sandbox.responses)
    with engine.db.read() as session:
        row = repo.get(session=session, outbox_id=outbox_id)
    assert row is not None
    assert row.answered_at is None
