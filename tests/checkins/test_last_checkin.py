"""The hire's latest check-in answer (mood, day, note) in `/onramp progress` and mentor nudges."""

from __future__ import annotations

import pytest

from bot.slack import checkin_blocks as cb
from tests.slack.conftest import shown
from tests.support.checkins import RunningApp, messages_to
from tests.support.people import HIRE, MANAGER, MENTOR

NOTE = "Still waiting on GPU quota"
LAST = f"Last check-in: ⚠️ At risk · Mon 9 Nov — “{NOTE}”"


@pytest.fixture
def answered(enrolled_app: RunningApp) -> RunningApp:
    """The running app after the hire answered the week-1 pulse 'at risk' and added a note."""
    app = enrolled_app
    pulse, outbox_id = app.first_pulse()
    app.slack.block_action(HIRE, f"{cb.MOOD_ACTION}:at_risk", f"{outbox_id}:at_risk", message=pulse)
    app.container.checkins.add_note(user_id=HIRE, outbox_id=outbox_id, note=NOTE)
    assert app.runtime.settle()
    return app


def test_progress_shows_the_latest_mood_day_and_note(answered: RunningApp) -> None:
    """`/onramp progress @hire` shows the last check-in's mood, its day in the hire's zone and
    the hire's note, to the manager and the mentor."""
    for viewer in (MANAGER, MENTOR):
        assert LAST in shown(answered.slack.command(f"progress <@{HIRE}|hire>", viewer))


def test_the_mentor_nudge_says_what_the_hire_last_said(answered: RunningApp) -> None:
    """The nudge an at-risk pulse sends the mentor carries the last check-in line, note
    included when the hire wrote one before it went out."""
    answered.tick()
    [nudge] = messages_to(answered.sandbox, MENTOR, having="nudge")
    assert LAST in str(nudge.blocks)
