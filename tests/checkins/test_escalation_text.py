"""What a manager reads when a hire's silence or blocker is escalated to them."""

from __future__ import annotations

from datetime import date

from bot.sandbox.records import Message
from bot.services.onboarding import Actor
from tests.support.checkins import Rig
from tests.support.people import HIRE, MANAGER


def _escalation(rig: Rig) -> Message:
    [found] = rig.sent(MANAGER, having="escalation")
    return found


def _header(message: Message) -> str:
    return str(message.blocks[0]["text"]["text"])


def _name(rig: Rig) -> str:
    return rig.onboarding.progress(actor=Actor.cli(), hire=HIRE).hire.name


def test_silence_names_the_first_unanswered_checkin_as_such(rig: Rig) -> None:
    """The escalation says which check-in went unanswered first (Mon 09 Nov), never that the
    hire last answered then; the header says why, and the text doesn't name the hire twice."""
    rig.enroll(start=date(2026, 11, 2), tz="UTC")
    rig.run("2026-11-02T09:31:00")  # welcome
    rig.run("2026-11-09T09:31:00")  # week-1 pulse, never answered
    rig.run("2026-11-18T17:31:00")  # 7 working days on, 09:31 for the manager
    escalation = _escalation(rig)
    assert escalation.text == (
        f"Escalation: <@{HIRE}> hasn't answered the check-in of Mon 09 Nov, nor any since."
    )
    assert _header(escalation) == f"Escalation: {_name(rig)} has gone quiet"


def test_a_blocker_escalation_says_so_once(rig: Rig) -> None:
    """A blocker escalation's header names the hire and the reason; its text starts with the
    blocker, not with the hire's name followed by their mention."""
    rig.enroll(start=date(2026, 11, 2), tz="UTC")
    rig.set_clock("2026-11-03T10:00:00")
    rig.onboarding.mark(
        actor=Actor.slack(HIRE), milestone_id="d30-dev-environment", status="blocked"
    )
    rig.run("2026-11-03T10:01:00")
    rig.run("2026-11-12T17:31:00")
    escalation = _escalation(rig)
    assert escalation.text.startswith(f"Escalation: <@{HIRE}>'s blocker on *")
    assert _header(escalation) == f"Escalation: {_name(rig)} is still blocked"
