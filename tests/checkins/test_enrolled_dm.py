"""The hire's "you're on the plan" DM: queued with the enrollment, sent once, in their window."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.app import Container, SlackRuntime, build
from bot.config import Settings
from bot.domain.schedule import Kind
from bot.sandbox import Message, SlackDriver, SlackSandbox
from bot.services.clock import ManualClock
from bot.services.onboarding import Actor
from bot.slack.delivery import SlackMessenger, delivery_client
from storage import outbox as repo
from tests.checkins.conftest import HIRE, MANAGER, MENTOR, PLAN
from tests.conftest import PLANS_DIR
from tests.slack.conftest import shown, view_text

ENROLL = f"enroll <@{HIRE}|hire> mentor=<@{MENTOR}|mentor>"


@pytest.fixture
def engine(container: Container, sandbox: SlackSandbox, runtime: SlackRuntime) -> Container:
    """The Slack app's container with its check-in engine posting to the sandbox."""
    client = delivery_client(token=sandbox.bot_token, base_url=sandbox.api_url, timeout=5)
    container.checkins.messenger = SlackMessenger(client, channel_interval=0)
    return container


def _tick(engine: Container, clock: ManualClock, when: datetime) -> None:
    clock.set(when)
    engine.checkins.tick(when)


def _enrolled_dms(sandbox: SlackSandbox) -> list[Message]:
    return [
        m
        for m in sandbox.bot_messages(HIRE)
        if m.event_payload.get("key", "").startswith(f"{Kind.ENROLLED.value}:")
    ]


def _rows(container: Container) -> list[str]:
    with container.db.read() as session:
        return [r.key for r in repo.rows_where(session=session, kinds=[Kind.ENROLLED.value])]


def test_enrolling_from_slack_dms_the_hire_once_in_their_send_window(
    engine: Container, slack: SlackDriver, sandbox: SlackSandbox, clock: ManualClock
) -> None:
    """Enrolled at 09:00 in New York, the hire hears at 09:30 (their window) what plan they are
    on from which day, who their manager and mentor are and what the first phase holds; later
    ticks send nothing more."""
    clock.set(datetime(2026, 11, 2, 14, 0, tzinfo=UTC))  # Mon 09:00 New York
    assert "Enrolled" in shown(slack.command(ENROLL, MANAGER))
    _tick(engine, clock, clock.now())
    assert _enrolled_dms(sandbox) == []
    _tick(engine, clock, datetime(2026, 11, 2, 14, 30, tzinfo=UTC))
    [dm] = _enrolled_dms(sandbox)
    text = view_text({"blocks": dm.blocks})
    assert "You're on the *Junior LLM Engineer* plan from *Tue 3 Nov*" in text
    assert f"Your manager is <@{MANAGER}>, and your mentor is <@{MENTOR}>" in text
    assert "*Onboarding and foundation* (due Thu 3 Dec) — here's what it holds:" in text
    assert "*Home* tab" in text
    _tick(engine, clock, datetime(2026, 11, 3, 15, 0, tzinfo=UTC))
    assert len(_enrolled_dms(sandbox)) == 1


def test_a_retried_enroll_queues_one_dm(
    engine: Container, slack: SlackDriver, sandbox: SlackSandbox, clock: ManualClock
) -> None:
    """The same `/onramp enroll` delivered twice (a retry) owes the hire one DM, not two."""
    slack.command(ENROLL, MANAGER)
    slack.command(ENROLL, MANAGER)
    assert len(_rows(engine)) == 1


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
