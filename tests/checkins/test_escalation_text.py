"""What a manager reads when a hire's silence or blocker is escalated to them."""

from __future__ import annotations

from datetime import date

from bot.sandbox import SlackSandbox
from bot.sandbox.records import Message
from bot.services.checkins import Checkins
from bot.services.clock import ManualClock
from bot.services.onboarding import Actor, Onboarding
from tests.checkins.conftest import HIRE, MANAGER, at, enroll, run


def _escalation(sandbox: SlackSandbox) -> Message:
    [found] = [m for m in sandbox.bot_messages(MANAGER) if "escalation" in m.event_payload["key"]]
    return found


def _header(message: Message) -> str:
    return str(message.blocks[0]["text"]["text"])


def _name(onboarding: Onboarding) -> str:
    return onboarding.progress(actor=Actor.cli(), hire=HIRE).hire.name


def test_silence_names_the_first_unanswered_checkin_as_such(
    checkins: Checkins, onboarding: Onboarding, sandbox: SlackSandbox, clock: ManualClock
) -> None:
    """The escalation says which check-in went unanswered first (Mon 09 Nov), never that the
    hire last answered then; the header says why, and the text doesn't name the hire twice."""
    enroll(onboarding, start=date(2026, 11, 2), tz="UTC")
    run(checkins, clock, "2026-11-02T09:31:00")  # welcome
    run(checkins, clock, "2026-11-09T09:31:00")  # week-1 pulse, never answered
    run(checkins, clock, "2026-11-18T17:31:00")  # 7 working days on, 09:31 for the manager
    escalation = _escalation(sandbox)
    assert escalation.text == (
        f"Escalation: <@{HIRE}> hasn't answered the check-in of Mon 09 Nov, nor any since."
    )
    assert _header(escalation) == f"Escalation: {_name(onboarding)} has gone quiet"


def test_a_blocker_escalation_says_so_once(
    checkins: Checkins, onboarding: Onboarding, sandbox: SlackSandbox, clock: ManualClock
) -> None:
    """A blocker escalation's header names the hire and the reason; its text starts with the
    blocker, not with the hire's name followed by their mention."""
    enroll(onboarding, start=date(2026, 11, 2), tz="UTC")
    clock.set(at("2026-11-03T10:00:00"))
    onboarding.mark(actor=Actor.slack(HIRE), milestone_id="d30-dev-environment", status="blocked")
    run(checkins, clock, "2026-11-03T10:01:00")
    run(checkins, clock, "2026-11-12T17:31:00")
    escalation = _escalation(sandbox)
    assert escalation.text.startswith(f"Escalation: <@{HIRE}>'s blocker on *")
    assert _header(escalation) == f"Escalation: {_name(onboarding)} is still blocked"
