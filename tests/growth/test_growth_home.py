"""The Growth section on App Home: the hire's own, read through the growth service."""

from __future__ import annotations

import pytest

from bot.sandbox import SlackDriver, View
from bot.slack.growth_blocks import HOME_GROWTH
from tests.slack.conftest import HIRE, MANAGER, MENTOR, STRANGER, HomeTab, view_text


def _growth_section(view: View) -> str | None:
    """The text of the Home's Growth section (its header up to the next divider), if any."""
    start = next(
        (i for i, b in enumerate(view.blocks) if b.get("text", {}).get("text") == HOME_GROWTH),
        None,
    )
    if start is None:
        return None
    end = next(
        (i for i, b in enumerate(view.blocks) if i > start and b["type"] == "divider"),
        len(view.blocks),
    )
    return view_text({"blocks": view.blocks[start:end]})


def test_the_hires_home_counts_their_private_win(enrolled: SlackDriver, home: HomeTab) -> None:
    """The hire's Home has a Growth section counting their own win, even a private one."""
    enrolled.command(
        "win Built the golden eval set tag=evaluation-mindset visibility=private", HIRE
    )
    text = _growth_section(home.open(HIRE))
    assert text is not None
    assert "• *Evaluation mindset* — evidence 1" in text
    assert "• *Collaboration* — evidence 0" in text
    assert "*Milestones:* 0 of " in text
    assert "`/onramp growth`" in text
    assert "`/onramp win … tag=ID`" in text
    assert "%" not in text


@pytest.mark.parametrize("persona", [MANAGER, MENTOR, STRANGER], ids=["manager", "mentor", "other"])
def test_no_one_elses_home_shows_the_hires_growth(
    enrolled: SlackDriver, home: HomeTab, persona: str
) -> None:
    """A manager's, mentor's or stranger's own Home shows no Growth section and no evidence."""
    enrolled.command("win Paired on a retrieval fix tag=collaboration", HIRE)
    assert _growth_section(home.open(persona)) is None
    text = home.text(persona)
    assert "evidence" not in text
    assert "Evaluation mindset" not in text


def test_a_win_republishes_the_hires_home(enrolled: SlackDriver, home: HomeTab) -> None:
    """Logging a win publishes the hire's Home again: its count is current without reopening."""
    home.open(HIRE)
    enrolled.command("win Wrote the incident runbook tag=communication", HIRE)
    assert home.runtime.settle()  # the publish runs after the ack, in the listener's thread
    text = _growth_section(home.view(HIRE))
    assert text is not None
    assert "• *Communication* — evidence 1" in text


def test_a_refused_win_publishes_nothing(enrolled: SlackDriver, home: HomeTab) -> None:
    """A win that was refused (bad tag) leaves the published Home as it was."""
    before = home.open(HIRE)
    enrolled.command("win Wrote it tag=no-such-tag", HIRE)
    assert home.runtime.settle()
    assert home.view(HIRE).blocks == before.blocks
