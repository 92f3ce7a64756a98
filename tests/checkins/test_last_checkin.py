"""The hire's latest check-in answer (mood, day, note) in `/onramp progress` and mentor nudges."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.app import Container, SlackRuntime
from bot.sandbox import SlackDriver, SlackSandbox
from bot.services.clock import ManualClock
from bot.slack import checkin_blocks as cb
from tests.checkins import test_answers
from tests.checkins.conftest import HIRE, MANAGER, MENTOR
from tests.checkins.test_answers import tick, tick_until_posted
from tests.slack.conftest import shown

engine = test_answers.engine  # the container, its engine on the sandbox, a New York hire

NOTE = "Still waiting on GPU quota"
LAST = f"Last check-in: ⚠️ At risk · Mon 9 Nov — “{NOTE}”"


def _answer_at_risk_with_a_note(
    engine: Container, slack: SlackDriver, sandbox: SlackSandbox, clock: ManualClock
) -> None:
    pulse, outbox_id = tick_until_posted(
        engine, clock, sandbox, datetime(2026, 11, 9, 15, 0, tzinfo=UTC), "pulse:1:w1"
    )
    slack.block_action(HIRE, f"{cb.MOOD_ACTION}:at_risk", f"{outbox_id}:at_risk", message=pulse)
    engine.checkins.add_note(user_id=HIRE, outbox_id=outbox_id, note=NOTE)


def test_progress_shows_the_latest_mood_day_and_note(
    engine: Container,
    slack: SlackDriver,
    sandbox: SlackSandbox,
    clock: ManualClock,
    runtime: SlackRuntime,
) -> None:
    """`/onramp progress @hire` shows the last check-in's mood, its day in the hire's zone and
    the hire's note, to the manager and the mentor."""
    _answer_at_risk_with_a_note(engine, slack, sandbox, clock)
    assert runtime.settle()
    for viewer in (MANAGER, MENTOR):
        assert LAST in shown(slack.command(f"progress <@{HIRE}|hire>", viewer))


def test_the_mentor_nudge_says_what_the_hire_last_said(
    engine: Container,
    slack: SlackDriver,
    sandbox: SlackSandbox,
    clock: ManualClock,
    runtime: SlackRuntime,
) -> None:
    """The nudge an at-risk pulse sends the mentor carries the last check-in line, note
    included when the hire wrote one before it went out."""
    _answer_at_risk_with_a_note(engine, slack, sandbox, clock)
    assert runtime.settle()
    tick(engine, clock, clock.now())
    [nudge] = [m for m in sandbox.bot_messages(MENTOR) if "nudge" in m.event_payload["key"]]
    assert LAST in str(nudge.blocks)
