"""`onramp tick` end to end: the CLI, the configured Slack (the sandbox), a real database."""

from __future__ import annotations

import json

import pytest
import time_machine

from bot.sandbox import SlackSandbox
from tests.support.cli import invoke
from tests.support.people import HIRE, MANAGER, MENTOR


@pytest.mark.parametrize("mark_clock", ["2026-12-02T16:02:00Z", "2026-12-20T10:00:00Z"])
def test_must_show_through_the_command_line(
    database_url: str, sandbox: SlackSandbox, mark_clock: str
) -> None:
    """enroll; tick 12:00Z: nothing; 16:00Z: the review; again: nothing; blocked: mentor nudge.

    The mark runs at a real wall clock before, or weeks after, the ticks' --now (a checker
    running after 2026-12-02): the next tick nudges the mentor either way.
    """
    env = {**sandbox.env(), "DATABASE_URL": database_url}
    code, out, err = invoke(
        *("enroll", HIRE, "--plan", "junior-llm-engineer", "--start", "2026-11-02"),
        *("--manager", MANAGER, "--mentor", MENTOR),
        env=env,
    )
    assert code == 0, err

    code, out, err = invoke("tick", "--now", "2026-12-02T12:00:00Z", "--dry-run", "--json", env=env)
    assert code == 0, err
    dry = json.loads(out)
    assert "review" not in [item["kind"] for item in dry["would_send"]]
    assert sandbox.bot_messages() == []  # a dry run sends nothing …
    code, out, err = invoke("tick", "--now", "2026-12-02T12:00:00Z", "--json", env=env)
    assert code == 0, err
    early = json.loads(out)
    assert [item["key"] for item in early["sent"]] == [item["key"] for item in dry["would_send"]]
    assert early["sent"] == []  # 07:00 in New York: nothing at all, and no flood later
    skipped = {item["kind"]: item["reason"] for item in early["skipped"]}
    assert skipped.keys() == {"welcome", "pulse"}
    assert "day-30 review" in skipped["pulse"]  # the late week-4 pulse: the review asks instead

    code, out, err = invoke("tick", "--now", "2026-12-02T16:00:00Z", env=env)
    assert code == 0, err
    assert "review:1:day-30" in out
    reviews = [m for m in sandbox.bot_messages(HIRE) if m.event_payload["key"] == "review:1:day-30"]
    assert len(reviews) == 1

    code, out, err = invoke("tick", "--now", "2026-12-02T16:01:00Z", env=env)
    assert code == 0, err
    assert "Nothing to send." in out

    with time_machine.travel(mark_clock, tick=True):
        code, out, err = invoke("mark", HIRE, "d30-dev-environment", "blocked", env=env)
    assert code == 0, err
    code, out, err = invoke("tick", "--now", "2026-12-02T16:05:00Z", env=env)
    assert code == 0, err
    assert MENTOR in out
    assert "mentor_nudge" in out
    assert len([m for m in sandbox.bot_messages(MENTOR) if "nudge" in m.event_payload["key"]]) == 1


def test_tick_without_slack_explains_what_to_set(database_url: str) -> None:
    """Without SLACK_BOT_TOKEN the tick refuses (exit 2) and names the fix; a dry run works."""
    env = {"DATABASE_URL": database_url, "SLACK_BOT_TOKEN": ""}
    code, _, err = invoke("tick", env=env)
    assert code == 2
    assert "SLACK_BOT_TOKEN" in err
    assert "--dry-run" in err
    code, out, _ = invoke("tick", "--dry-run", env=env)
    assert code == 0
    assert "Nothing to send." in out


def test_bad_now_is_a_usage_error(database_url: str) -> None:
    """--now that is not ISO-8601 exits 2 with an example of the right form."""
    code, _, err = invoke("tick", "--now", "tomorrow", env={"DATABASE_URL": database_url})
    assert code == 2
    assert "2026-12-02T16:00:00Z" in err
