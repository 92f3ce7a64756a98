"""Slack's limits: the checker catches violations, and our renderers stay inside them even for
large teams and long notes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.services.onboarding import Actor, Onboarding, Overview
from bot.slack import blocks, limits


def test_checker_accepts_a_valid_message() -> None:
    """A plain section message passes."""
    assert limits.message_problems(text="hi", blocks=[blocks.section("hello")]) == []


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        ([blocks.section("x")] * 51, "51 blocks (limit 50)"),
        ([{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}], "limit 3000"),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": "a",
                            "text": {"type": "plain_text", "text": "b" * 76},
                        }
                    ],
                }
            ],
            "limit 75",
        ),
        ([{"type": "context", "elements": [{"type": "mrkdwn", "text": "c" * 2001}]}], "2000"),
        ([{"type": "nonsense"}], "unknown block type"),
    ],
)
def test_checker_catches_violations(bad: list[dict[str, object]], problem: str) -> None:
    """Too many blocks, long sections, buttons and context, unknown blocks are each reported."""
    found = limits.message_problems(text="t", blocks=bad)
    assert any(problem in p for p in found), found


def test_check_view_raises_with_every_problem() -> None:
    """A Home view over 100 blocks raises LimitError listing the problem."""
    with pytest.raises(limits.LimitError, match="101 blocks"):
        limits.check_view({"type": "home", "blocks": [blocks.section("x")] * 101})


def test_large_team_and_long_notes_fit(onboarding: Onboarding) -> None:
    """120 hires under one manager, a 2000-character note: team reply, progress and Home fit."""
    manager = Actor.slack("U0BIGBOSS")
    for index in range(120):
        onboarding.enroll(actor=manager, hire=f"U0H{index:04d}")
    onboarding.mark(
        actor=Actor.slack("U0H0000"),
        milestone_id="d30-product-surface",
        status="blocked",
        note="<!channel> " + "n" * 1980,
    )
    team = tuple(onboarding.team(actor=manager))
    every = Overview(managed=team, mentored=team, others=team)  # each list as long as it gets
    own = onboarding.own(actor=Actor.slack("U0H0000"))
    assert own is not None
    reply = blocks.team_reply(every, "/onramp")
    assert limits.message_problems(text=reply.text, blocks=reply.blocks) == []
    progress = blocks.progress_reply(own)
    assert limits.message_problems(text=progress.text, blocks=progress.blocks) == []
    assert "<!channel>" not in str(progress.blocks)  # escaped, never a broadcast
    view = blocks.home_view(own=own, overview=every, cmd="/onramp", updated=datetime.now(UTC))
    assert limits.view_problems(view) == []


def test_help_fits_with_extensions() -> None:
    """Help with extra registered subcommands still fits."""
    extra = [blocks.ExtensionHelp("ask", "{cmd} ask <question>", "ask about your role")]
    reply = blocks.help_reply("/onramp", extra)
    assert limits.message_problems(text=reply.text, blocks=reply.blocks) == []
    assert "/onramp ask <question>" in str(reply.blocks)
