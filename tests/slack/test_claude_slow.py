"""A slow Claude never in Slack's way: answers wait on their own threads, acks do not."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.app import SlackRuntime
from bot.config import Settings
from bot.llm.fake_api import FakeMessagesAPI
from bot.sandbox import SlackDriver, SlackSandbox
from tests.conftest import PLANS_DIR
from tests.slack.conftest import ADMIN, HIRE, shown
from tests.support.claude import API_KEY

QUESTION = "How fast should responses be at the 95th percentile?"
WAITING = 20  # questions on a slow Claude (design.md §10)


@pytest.fixture
def settings(tmp_path: Path, fake_api: FakeMessagesAPI) -> Settings:
    """Claude (the fake) with 4 workers and room for the other 16 questions in its queue."""
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'onramp.db'}",
        plans_dir=PLANS_DIR,
        admins=[ADMIN],
        anthropic_api_key=SecretStr(API_KEY),
        anthropic={
            "base_url": fake_api.base_url,
            "model": "claude-fake-1",
            "max_retries": 0,
            "timeout_seconds": 60,
            "deadline_seconds": 60,
            "workers": 4,
            "queue": 16,
        },
    )


def test_help_is_acked_while_twenty_questions_wait_on_a_ten_second_claude(
    slack: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime, fake_api: FakeMessagesAPI
) -> None:
    """With 20 DM questions held by a Claude that takes 10 s, `/onramp help` is acked with its
    text before any answer is posted; then every question gets Claude's answer."""
    fake_api.latency = 10.0
    for _ in range(WAITING):
        slack.dm(HIRE, QUESTION)
    # Every Claude worker is busy inside a 10-second reply (and Bolt's pool has 16 threads).
    assert fake_api.wait_for_requests(4)
    help_ack = slack.command("help", ADMIN)
    assert "/onramp enroll @user" in shown(help_ack)
    assert sandbox.bot_messages(HIRE) == []  # the ack came first: no answer had arrived yet
    fake_api.release()
    assert runtime.settle(timeout=30)
    answers = sandbox.bot_messages(HIRE)
    assert len(answers) == WAITING
    assert all("According to the blueprint" in a.text for a in answers)
