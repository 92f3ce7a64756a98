"""Every ``/onramp`` subcommand for every persona, through the real Bolt app over HTTP."""

from __future__ import annotations

import pytest

from bot.app import SlackRuntime
from bot.domain.progress import MilestoneStatus
from bot.sandbox import SlackDriver, SlackSandbox
from bot.slack import messages as msg
from tests.slack.conftest import (
    ADMIN,
    HIRE,
    MANAGER,
    MENTOR,
    NEWCOMER,
    OTHER_MANAGER,
    PERSONAS,
    STRANGER,
    shown,
)

REFUSAL = "You can only see plans of people you manage or mentor, or your own."
PLAN_TITLE = "Junior LLM Engineer"
HIRE_HEADER = msg.REPORT_HEADER.format(name="hana", plan=PLAN_TITLE)
NOT_ON_A_PLAN = msg.NOT_ON_A_PLAN.format(cmd="/onramp")
FIRST_MILESTONE = "d30-product-surface"


def _reveals_nothing(text: str) -> bool:
    return PLAN_TITLE not in text and "hana" not in text and FIRST_MILESTONE not in text


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_help_lists_every_subcommand(enrolled: SlackDriver, persona: str) -> None:
    """Anyone gets help with the usage line of every built-in subcommand, privately."""
    delivery = enrolled.command("help", PERSONAS[persona])
    assert delivery.status == 200
    assert delivery.json()["response_type"] == "ephemeral"
    text = shown(delivery)
    for usage in msg.USAGE.values():
        assert usage.format(cmd="/onramp") in text
    assert "/onramp ask <question>" in text  # registered by the Q&A listeners


def test_empty_command_is_help(enrolled: SlackDriver) -> None:
    """``/onramp`` with no words shows help."""
    assert msg.HELP_TITLE in shown(enrolled.command("", STRANGER))


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_me(enrolled: SlackDriver, persona: str) -> None:
    """``me`` shows the hire their plan; everyone else learns they have none and what to do."""
    text = shown(enrolled.command("me", PERSONAS[persona]))
    if persona == "hire":
        assert HIRE_HEADER in text
        assert FIRST_MILESTONE in text
    else:
        assert NOT_ON_A_PLAN in text


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_progress(enrolled: SlackDriver, persona: str) -> None:
    """The hire, their manager, mentor and admins see the plan; others a refusal that tells
    nothing about the hire."""
    text = shown(enrolled.command(f"progress <@{HIRE}|hana>", PERSONAS[persona]))
    if persona in ("hire", "manager", "mentor", "admin"):
        assert HIRE_HEADER in text
        assert f"<@{MANAGER}>" in text
    else:
        assert REFUSAL in text
        assert _reveals_nothing(text)


def test_progress_of_unknown_person_reveals_nothing(enrolled: SlackDriver) -> None:
    """Asking about someone Onramp has never seen gets the same refusal as someone else's hire."""
    assert REFUSAL in shown(enrolled.command(f"progress <@{NEWCOMER}|nia>", MANAGER))


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_team(enrolled: SlackDriver, persona: str) -> None:
    """The manager has the hire on the team list (an admin, under every other open plan);
    anyone else has no team yet."""
    text = shown(enrolled.command("team", PERSONAS[persona]))
    if persona == "manager":
        assert msg.TEAM_TITLE.format(count=1) in text
        assert f"<@{HIRE}>" in text
    elif persona == "admin":
        assert msg.TEAM_OTHERS_TITLE.format(count=1) in text
        assert f"<@{HIRE}>" in text
    else:
        assert msg.NO_TEAM.format(cmd="/onramp") in text


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_enroll_makes_the_caller_manager(
    enrolled: SlackDriver, sandbox: SlackSandbox, persona: str
) -> None:
    """Whoever enrolls a newcomer becomes their manager of record; the start is the next
    working day in the newcomer's time zone (Monday 06:00 in Los Angeles → Tuesday)."""
    caller = PERSONAS[persona]
    text = shown(enrolled.command(f"enroll <@{NEWCOMER}|nia>", caller))
    assert f"Enrolled <@{NEWCOMER}>" in text
    assert "from 2026-11-03" in text
    progress = shown(enrolled.command(f"progress <@{NEWCOMER}>", caller))
    assert f"manager <@{caller}>" in progress
    assert "nia" in progress  # the name came from users.info


def test_enroll_with_plan_start_and_mentor(enrolled: SlackDriver) -> None:
    """Every enroll option is honoured."""
    text = shown(
        enrolled.command(
            f"enroll <@{NEWCOMER}|nia> plan=junior-llm-engineer start=2026-12-01 "
            f"mentor=<@{MENTOR}|milo>",
            OTHER_MANAGER,
        )
    )
    assert "from 2026-12-01" in text
    assert f"mentor: <@{MENTOR}>" in text


def test_enroll_with_the_options_first(enrolled: SlackDriver) -> None:
    """``enroll plan=… @user``: the options may come before the mention."""
    text = shown(enrolled.command(f"enroll plan=junior-llm-engineer <@{NEWCOMER}|nia>", MANAGER))
    assert f"Enrolled <@{NEWCOMER}>" in text


def test_enroll_twice_is_refused(enrolled: SlackDriver) -> None:
    """A hire with an open plan can't be enrolled again."""
    text = shown(enrolled.command(f"enroll <@{HIRE}|hana>", MANAGER))
    assert "already enrolled" in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"enroll <@{NEWCOMER}> plan=no-such-plan", "Plans available: junior-llm-engineer"),
        (f"enroll <@{NEWCOMER}> start=2026-02-30", "use YYYY-MM-DD"),
        (f"enroll <@{NEWCOMER}> start=tomorrow", "use YYYY-MM-DD"),
        ("enroll", "Say whose plan"),
        (f"enroll <@{NEWCOMER}> boss=<@{MANAGER}>", "use plan=, start= or mentor="),
    ],
)
def test_enroll_mistakes_say_how_to_fix(enrolled: SlackDriver, text: str, expected: str) -> None:
    """Unknown plans list the plans; bad dates name the format; missing people name the usage."""
    assert expected in shown(enrolled.command(text, MANAGER))


LIFECYCLE = ["pause", "resume", "complete", "withdraw"]


@pytest.mark.parametrize("action", LIFECYCLE)
@pytest.mark.parametrize("persona", list(PERSONAS))
def test_lifecycle(enrolled: SlackDriver, persona: str, action: str) -> None:
    """Only the manager of record and admins can pause, resume, complete or withdraw (which
    asks them to confirm first)."""
    if action == "resume":
        enrolled.command(f"pause <@{HIRE}>", MANAGER)
    text = shown(enrolled.command(f"{action} <@{HIRE}|hana>", PERSONAS[persona]))
    if persona in ("manager", "admin") and action == "withdraw":
        assert msg.WITHDRAW_CONFIRM.format(hire=HIRE, plan="Junior LLM Engineer") in text
    elif persona in ("manager", "admin"):
        assert msg.LIFECYCLE_DONE[action].format(hire=HIRE, cmd="/onramp") in text
    elif persona in ("hire", "mentor"):
        assert f"you can't {action} it; ask the hire's manager" in text
    else:
        assert f"You can only {action} the plans of people you manage" in text
        assert _reveals_nothing(text)


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_mark(enrolled: SlackDriver, persona: str) -> None:
    """``mark`` changes the caller's own plan; people without a plan are told how to get one."""
    text = shown(
        enrolled.command(f"mark {FIRST_MILESTONE} done shipped the tour", PERSONAS[persona])
    )
    if persona == "hire":
        assert "is now _done_, with your note" in text
        assert "shipped the tour" in text
    else:
        assert "You're not on an Onramp plan yet" in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"mark {FIRST_MILESTONE} finished", "use one of: not_started, in_progress, done"),
        ("mark d30-product-surfac done", f"Did you mean {FIRST_MILESTONE}"),
        (f"mark {FIRST_MILESTONE}", "Say the new status"),
    ],
)
def test_mark_mistakes(enrolled: SlackDriver, text: str, expected: str) -> None:
    """A wrong status lists the statuses; a misspelt milestone suggests the right one."""
    assert expected in shown(enrolled.command(text, HIRE))


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_plans(enrolled: SlackDriver, persona: str) -> None:
    """Anyone can list the plans."""
    text = shown(enrolled.command("plans", PERSONAS[persona]))
    assert "`junior-llm-engineer` v1" in text


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [("enrol", "enroll"), ("progres", "progress"), ("halp", "help"), ("teams", "team")],
)
def test_unknown_subcommand_suggests_the_closest(
    enrolled: SlackDriver, typed: str, suggested: str
) -> None:
    """A typo gets the closest subcommand's usage line, not an error page."""
    delivery = enrolled.command(f"{typed} <@{HIRE}>", STRANGER)
    assert delivery.status == 200
    text = shown(delivery)
    assert f"I don't know `/onramp {typed}`" in text
    assert f"Did you mean `/onramp {suggested}" in text


def test_gibberish_points_to_help(enrolled: SlackDriver) -> None:
    """Text unlike any subcommand points to help."""
    text = shown(enrolled.command("xyzzy plugh", ADMIN))
    assert msg.SEE_HELP.format(cmd="/onramp") in text


def test_mark_refreshes_home_for_hire_manager_and_mentor(
    enrolled: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime
) -> None:
    """After ``/onramp mark`` the Home tabs of the hire, manager and mentor are re-published,
    and the hire's shows the new status."""
    enrolled.command(f"mark {FIRST_MILESTONE} in_progress", HIRE)
    assert runtime.settle()
    published = {c.params["user_id"] for c in sandbox.calls("views.publish")}
    assert published == {HIRE, MANAGER, MENTOR}
    home = sandbox.home_view(HIRE)
    assert home is not None
    row = next(b for b in home.blocks if b.get("block_id") == f"milestone:{FIRST_MILESTONE}")
    assert row["accessory"]["initial_option"]["value"] == "in_progress"


def test_users_info_failure_falls_back_to_the_user_id(
    enrolled: SlackDriver, sandbox: SlackSandbox
) -> None:
    """When ``users.info`` is unavailable (a stand-in without it), enroll still works and the
    person is known by their id."""
    sandbox.fail("users.info", status=200, error="unknown_method", times=None)
    text = shown(enrolled.command(f"enroll <@{NEWCOMER}>", OTHER_MANAGER))
    assert f"Enrolled <@{NEWCOMER}>" in text
    assert NEWCOMER in shown(enrolled.command(f"progress <@{NEWCOMER}>", OTHER_MANAGER))


def test_status_names_are_the_domain_statuses() -> None:
    """The help text lists exactly the milestone statuses the domain knows."""
    assert all(s.value in msg.SUMMARY["mark"] for s in MilestoneStatus)
