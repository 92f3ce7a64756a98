"""The hire's "you're on the plan" DM: queued with the enrollment, sent once, in their window."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.app import Container, build
from bot.config import Settings
from bot.domain.schedule import Kind
from bot.sandbox import Message
from bot.services.clock import ManualClock
from bot.services.onboarding import Actor
from tests.conftest import PLANS_DIR
from tests.slack.conftest import shown, view_text
from tests.support.checkins import RunningApp, at, messages_to, outbox_rows
from tests.support.people import HIRE, MANAGER, MENTOR, PLAN

ENROLL = f"enroll <@{HIRE}|hire> mentor=<@{MENTOR}|mentor>"


def _enrolled_dms(app: RunningApp) -> list[Message]:
    return messages_to(app.sandbox, HIRE, f"{Kind.ENROLLED.value}:")


def _rows(container: Container) -> list[str]:
    return [r.key for r in outbox_rows(container.db, kinds=[Kind.ENROLLED.value])]


def test_enrolling_from_slack_dms_the_hire_once_in_their_send_window(app: RunningApp) -> None:
    """Enrolled at 09:00 in New York, the hire hears at 09:30 (their window) what plan they are
    on from which day, who their manager and mentor are and what the first phase holds; later
    ticks send nothing more."""
    app.clock.set(at("2026-11-02T14:00:00"))  # Mon 09:00 New York
    assert "Enrolled" in shown(app.slack.command(ENROLL, MANAGER))
    app.tick()
    assert _enrolled_dms(app) == []
    app.tick("2026-11-02T14:30:00")
    [dm] = _enrolled_dms(app)
    text = view_text({"blocks": dm.blocks})
    assert "You're on the *Junior LLM Engineer* plan from *Tue 3 Nov*" in text
    assert f"Your manager is <@{MANAGER}>, and your mentor is <@{MENTOR}>" in text
    assert "*Onboarding and foundation* (due Thu 3 Dec) — here's what it holds:" in text
    assert "*Home* tab" in text
    app.tick("2026-11-03T15:00:00")
    assert len(_enrolled_dms(app)) == 1


def test_a_retried_enroll_queues_one_dm(app: RunningApp) -> None:
    """The same `/onramp enroll` delivered twice (a retry) owes the hire one DM, not two."""
    app.slack.command(ENROLL, MANAGER)
    app.slack.command(ENROLL, MANAGER)
    assert len(_rows(app.container)) == 1


@pytest.mark.parametrize(("token", "queued"), [(None, 0), ("xoxb-configured", 1)])
def test_the_cli_greets_hires_only_when_slack_is_configured(
    tmp_path: Path, clock: ManualClock, token: str | None, queued: int
) -> None:
    """`onramp enroll` queues the DM only with a Slack token, so a server that can't send it
    keeps nothing waiting."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'cli.db'}",
        plans_dir=PLANS_DIR,
        slack_bot_token=SecretStr(token) if token else None,
    )
    container = build(settings, clock=clock)
    try:
        container.onboarding.enroll(
            actor=Actor.cli(), hire=HIRE, plan_id=PLAN, start=clock.now().date(), manager=MANAGER
        )
        assert len(_rows(container)) == queued
    finally:
        container.close()
