"""Q&A in Slack with the Claude backend: the real ``anthropic`` client against the loopback fake
Messages API, the real Bolt app and WebClient against the sandbox."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.app import SlackRuntime
from bot.config import Settings
from bot.llm.fake_api import FakeMessagesAPI, Scripted, message
from bot.sandbox import SlackDriver, SlackSandbox
from bot.slack import answer_blocks as ab
from tests.conftest import PLANS_DIR
from tests.slack.conftest import ADMIN, HIRE
from tests.support.claude import API_KEY

LATENCY = "How fast should responses be at the 95th percentile?"


@pytest.fixture
def settings(tmp_path: Path, fake_api: FakeMessagesAPI) -> Settings:
    """The Slack tests' settings plus a key, so ``auto`` answers with Claude (the fake); no SDK
    retries, so a failure falls back at once."""
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'onramp.db'}",
        plans_dir=PLANS_DIR,
        admins=[ADMIN],
        anthropic_api_key=SecretStr(API_KEY),
        anthropic={
            "base_url": fake_api.base_url,
            "model": "claude-fake-1",
            "max_retries": 0,
            "timeout_seconds": 5,
        },
    )


def _cited(text: str) -> dict[str, Any]:
    """A Claude reply whose one text block cites the first search result."""
    return message(
        [
            {
                "type": "text",
                "text": text,
                "citations": [
                    {
                        "type": "search_result_location",
                        "source": "s7",
                        "title": "7) KPIs and Productivity Metrics",
                        "cited_text": "p95 within product SLA",
                        "search_result_index": 0,
                        "start_block_index": 0,
                        "end_block_index": 1,
                    }
                ],
            }
        ]
    )


def test_ask_with_claude_says_it_is_looking(
    slack: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime, fake_api: FakeMessagesAPI
) -> None:
    """With Claude (seconds, not milliseconds) ``/onramp ask`` acks with “Looking that up…”, then
    the cited answer arrives privately."""
    delivery = slack.command(f"ask {LATENCY}", HIRE)
    assert delivery.json()["text"] == ab.LOOKING_UP
    assert runtime.settle()
    looking, answer = sandbox.ephemerals(HIRE)
    assert (looking.source, answer.source) == ("ack", "response_url")
    assert "According to the blueprint" in answer.text
    assert "*Sources:* §" in json.dumps(answer.blocks, ensure_ascii=False)
    assert len(fake_api.requests) == 1


def test_broadcasts_in_claudes_answer_never_reach_slack(
    slack: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime, fake_api: FakeMessagesAPI
) -> None:
    """Claude writing <!channel>, <!here>, a group mention or @everyone still posts none."""
    fake_api.enqueue(
        _cited("<!channel> <!here|here> <!subteam^S0DEVS|devs> @everyone: p95 within product SLA.")
    )
    slack.dm(HIRE, LATENCY)
    assert runtime.settle()
    [reply] = sandbox.bot_messages(HIRE)
    posted = reply.text + json.dumps(reply.blocks)
    assert "p95 within product SLA" in posted
    for token in ("<!", "@everyone", "@here", "@channel", "subteam"):
        assert token not in posted


def test_claude_failing_falls_back_with_a_note(
    slack: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime, fake_api: FakeMessagesAPI
) -> None:
    """When Claude fails, the quoted answer comes with the fallback note as a context line (not
    inside the answer text)."""
    fake_api.enqueue(
        Scripted(status=500, body={"type": "error", "error": {"type": "api_error", "message": "x"}})
    )
    slack.dm(HIRE, LATENCY)
    assert runtime.settle()
    [reply] = sandbox.bot_messages(HIRE)
    note = next(b for b in reply.blocks if b.get("block_id") == ab.NOTE_BLOCK)
    assert note["elements"][0]["text"] == (
        ":information_source: Claude is having trouble right now, so this answer quotes the "
        "blueprint directly."
    )
    sections = [b["text"]["text"] for b in reply.blocks if b["type"] == "section"]
    assert "p95 within product SLA" in "\n".join(sections)
    assert "Claude is unavailable" not in "\n".join(sections)
