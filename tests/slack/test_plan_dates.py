"""Slack says when a plan really starts and what its day is: a weekend start, before day 1."""

from __future__ import annotations

from bot.sandbox import SlackDriver
from tests.slack.conftest import HIRE, MANAGER, MENTOR, HomeTab, shown


def test_a_saturday_start_says_day_one_is_monday_on_every_surface(
    slack: SlackDriver, home: HomeTab
) -> None:
    """`enroll … start=<a Saturday>` replies that day 1 is the Monday (no "0% done"), and the
    hire's Home, `/onramp me` and the manager's `/onramp team` all say it starts that Monday."""
    reply = shown(
        slack.command(f"enroll <@{HIRE}|hana> start=2026-11-07 mentor=<@{MENTOR}|milo>", MANAGER)
    )
    assert "Sat 7 Nov is a Saturday, so day 1 is Mon 9 Nov" in reply
    assert "Starts Mon 9 Nov" in reply
    assert "% done" not in reply
    home.open(HIRE)
    assert "Check-ins start on Monday Nov 09" in home.text(HIRE)
    assert "Saturday" not in home.text(HIRE)
    me = shown(slack.command("me", HIRE))
    assert "starts Mon 9 Nov" in me
    assert "day -" not in me
    team = shown(slack.command("team", MANAGER))
    assert f"<@{HIRE}>* — starts Mon 9 Nov" in team
