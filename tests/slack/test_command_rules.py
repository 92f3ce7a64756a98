"""Replies that fit the person asking (issue 14, items 12-14): milestone ids as typed, managers
marking for their hire, one rule for mentions a command can't use, refusals naming the action,
admin and mentor lists titled for what they hold, Home's time in the viewer's zone."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest

from bot.domain.progress import MilestoneStatus
from bot.sandbox import SlackDriver
from bot.services.clock import ManualClock
from bot.slack import messages as msg
from bot.text import STATUS_ICONS
from tests.slack.conftest import (
    ADMIN,
    HIRE,
    MANAGER,
    MENTOR,
    NEWCOMER,
    PERSONAS,
    STRANGER,
    HomeTab,
    shown,
)

CMD = "/onramp"
MILESTONE = "d30-dev-environment"
BROADCAST = re.compile(r"<!(channel|here|everyone|subteam)|[@＠](channel|here|everyone)\b", re.I)
NOTHING_CHANGED = "Nothing was changed."
ONLY_MARK = "You can only mark milestones on your own plan or the plans of people you manage."


def _status(driver: SlackDriver, milestone: str = MILESTONE) -> str:
    """The hire's own view of one milestone's line."""
    text = shown(driver.command("me", HIRE))
    return next(line for line in text.splitlines() if f"`{milestone}`" in line)


# --- item 12: mark ----------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["D30-DEV-ENVIRONMENT Done", "`d30_dev_environment` DONE"])
def test_milestone_ids_are_matched_in_any_case(enrolled: SlackDriver, typed: str) -> None:
    """``mark D30-DEV-ENVIRONMENT Done`` marks the milestone, as its status is matched too."""
    text = shown(enrolled.command(f"mark {typed}", HIRE))
    assert "is now _done_" in text
    assert STATUS_ICONS[MilestoneStatus.DONE] in _status(enrolled)


def test_a_near_miss_in_capitals_gets_a_suggestion(enrolled: SlackDriver) -> None:
    """A misspelt id in capitals is refused with the id it was probably meant to be."""
    text = shown(enrolled.command("mark D30-DEV-ENVIRONMNT done", HIRE))
    assert f"Did you mean {MILESTONE}?" in text


def test_the_manager_marks_for_their_hire(enrolled: SlackDriver) -> None:
    """``mark @hire <milestone> <status>`` from the manager of record changes the hire's plan."""
    text = shown(enrolled.command(f"mark <@{HIRE}|hana> {MILESTONE} done set up together", MANAGER))
    assert f"on <@{HIRE}>'s plan is now _done_, with your note" in text
    assert "set up together" in _status(enrolled)


@pytest.mark.parametrize(
    ("caller", "refusal"),
    [
        (MENTOR, "As the mentor on this plan you can't mark its milestones"),
        (
            PERSONAS["other_manager"],
            "You can only mark milestones on your own plan or the plans of people",
        ),
        (STRANGER, "You can only mark milestones on your own plan or the plans of people"),
    ],
)
def test_only_the_manager_may_mark_for_a_hire(
    enrolled: SlackDriver, caller: str, refusal: str
) -> None:
    """A mentor is told they can't mark; anyone else learns nothing about the hire."""
    text = shown(enrolled.command(f"mark <@{HIRE}> {MILESTONE} done", caller))
    assert refusal in text
    assert "hana" not in text
    assert STATUS_ICONS[MilestoneStatus.NOT_STARTED] in _status(enrolled)


def test_a_broadcast_left_out_of_a_note_is_said(enrolled: SlackDriver) -> None:
    """``<!channel>`` in a note is not saved, and the reply says it was left out."""
    text = shown(enrolled.command(f"mark {MILESTONE} blocked <!channel> GPU quota", HIRE))
    assert "I left the *channel* mention out of the note" in text
    assert "GPU quota" in _status(enrolled)
    assert not BROADCAST.search(text)


# --- item 13: one rule for mentions a command can't use ---------------------------------------


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ("<!here>", "A channel-wide mention (*here*) would notify everyone"),
        ("<!subteam^S0DEVS|@devs>", "*devs* is a user group"),
        ("<#C0GENERAL|general>", "<#C0GENERAL> is a channel, not a person"),
        (f"<@{STRANGER}|sam>", f"<@{STRANGER}> would be a second"),
    ],
)
def test_enroll_refuses_what_it_cant_use_and_says_so(
    enrolled: SlackDriver, extra: str, says: str
) -> None:
    """A broadcast, group, channel or second person beside the hire is refused, named (never
    as a ping) and nothing is enrolled."""
    text = shown(enrolled.command(f"enroll <@{NEWCOMER}|nia> {extra}", MANAGER))
    assert says in text
    assert NOTHING_CHANGED in text
    assert not BROADCAST.search(text)
    assert msg.NOT_ON_A_PLAN.format(cmd=CMD) in shown(enrolled.command("me", NEWCOMER))


@pytest.mark.parametrize(
    "command",
    [
        f"progress <@{HIRE}> <!here>",
        "pause <!channel>",
        "me <!everyone>",
        "team <!here|here>",
        "holidays <!here> US",
        f"mark <!here> {MILESTONE} done",
        f"mark {MILESTONE} <!channel>",
        "<!here>",
    ],
)
def test_every_subcommand_refuses_a_broadcast_the_same_way(
    enrolled: SlackDriver, command: str
) -> None:
    """Wherever a broadcast sits (outside a note), the reply refuses it in the same words."""
    text = shown(enrolled.command(command, MANAGER))
    assert "would notify everyone, and Onramp never does that" in text
    assert NOTHING_CHANGED in text
    assert not BROADCAST.search(text)


# --- item 14: refusals, lists and Home ---------------------------------------------------------


@pytest.mark.parametrize("action", ["pause", "resume", "complete", "withdraw"])
@pytest.mark.parametrize("hire", [HIRE, NEWCOMER])
def test_a_strangers_lifecycle_refusal_names_the_action(
    enrolled: SlackDriver, action: str, hire: str
) -> None:
    """A stranger is told they can only <action> plans of people they manage, in the same words
    for a hire and for someone Onramp has never enrolled."""
    text = shown(enrolled.command(f"{action} <@{hire}>", STRANGER))
    assert f"You can only {action} the plans of people you manage" in text
    assert "see plans" not in text


def test_an_admins_team_is_titled_for_what_it_lists(enrolled: SlackDriver) -> None:
    """An admin who manages nobody sees every open plan under that title, each with its
    manager, never "Your team"."""
    text = shown(enrolled.command("team", ADMIN))
    assert "Every other open plan (1)" in text
    assert f"<@{HIRE}>" in text
    assert f"manager <@{MANAGER}>" in text
    assert "Your team" not in text


def test_an_admin_sees_their_own_team_apart(enrolled: SlackDriver) -> None:
    """An admin who also manages a hire sees "Your team" with that hire only, then the rest."""
    enrolled.command(f"enroll <@{NEWCOMER}|nia>", ADMIN)
    text = shown(enrolled.command("team", ADMIN))
    mine, others = text.split("Every other open plan (1)")
    assert msg.TEAM_TITLE.format(count=1) in mine
    assert f"<@{NEWCOMER}>" in mine
    assert f"<@{HIRE}>" in others


def test_a_mentor_is_pointed_to_their_mentees(enrolled: SlackDriver) -> None:
    """A mentor's ``team`` says they manage nobody and where their mentees are listed."""
    text = shown(enrolled.command("team", MENTOR))
    assert msg.NO_TEAM.format(cmd=CMD) in text
    assert msg.TEAM_SEE_MENTEES.format(count="1 hire", cmd=CMD) in text


@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        (MENTOR, msg.MENTEES_TITLE.format(count=1)),
        (MANAGER, msg.NO_MENTEES.format(cmd=CMD)),
        (STRANGER, msg.NO_MENTEES.format(cmd=CMD)),
    ],
)
def test_mentees_lists_who_you_mentor(enrolled: SlackDriver, caller: str, expected: str) -> None:
    """``/onramp mentees`` lists a mentor's mentees; others are told how mentors are named."""
    text = shown(enrolled.command("mentees", caller))
    assert expected in text
    assert (f"<@{HIRE}>" in text) is (caller == MENTOR)


@pytest.mark.parametrize(("user", "zone"), [(HIRE, "Europe/Berlin"), (MANAGER, "America/New_York")])
def test_home_is_updated_in_the_viewers_time(
    enrolled: SlackDriver, home: HomeTab, clock: ManualClock, user: str, zone: str
) -> None:
    """Home says when it was updated in the viewer's own time zone, not UTC."""
    home.open(user)
    local = clock.now().astimezone(ZoneInfo(zone))
    assert f"Updated {local:%Y-%m-%d %H:%M %Z}" in home.text(user)
    assert "UTC" not in home.text(user)
