"""`/onramp one-on-one` in Slack: set by the manager of record in their own zone, shown back
with the next meeting, stopped with `off`, refused to anyone else, with clear usage errors.

The test clock stands at Mon 2 Nov 2026 14:00 UTC; the manager's Slack zone is New York.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.app import Container
from bot.cli import load
from bot.config import Settings
from bot.sandbox import SlackDriver
from bot.services.onboarding import Actor
from tests.slack.conftest import ADMIN, HIRE, MANAGER, MENTOR, PLANS_DIR, shown

HANA = f"<@{HIRE}|hana>"
#: The workspace default zone in these tests (app.yaml's ``default_timezone``).
WORKSPACE_TZ = "Europe/Lisbon"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The Slack tests' settings with a workspace default zone other than UTC."""
    database_url = f"sqlite:///{tmp_path / 'onramp.db'}"
    return Settings(
        database_url=database_url,
        plans_dir=PLANS_DIR,
        admins=[ADMIN],
        default_timezone=WORKSPACE_TZ,
    )


def test_the_manager_sets_shows_and_stops_a_1_1(enrolled: SlackDriver) -> None:
    """The reply names the rhythm, the manager's zone and the next meeting on their clock;
    with no schedule it shows the current one; `off` stops it."""
    text = shown(enrolled.command(f"one-on-one {HANA} weekly thu 3pm", MANAGER))
    assert "*weekly* on *Thursdays at 15:00* (America/New_York)" in text
    assert "Next: *Thu 05 Nov 15:00*" in text
    assert "Next: *Thu 05 Nov 15:00*" in shown(enrolled.command(f"one-on-one {HANA}", MENTOR))
    assert "is off" in shown(enrolled.command(f"one-on-one {HANA} off", MANAGER))
    assert "No 1:1 is set" in shown(enrolled.command(f"one-on-one {HANA}", MANAGER))


def test_an_admin_may_set_it_on_the_managers_clock(enrolled: SlackDriver) -> None:
    """An admin (not the manager) may set it, in the manager's zone; biweekly Mondays at 09:00
    start next Monday."""
    text = shown(enrolled.command(f"one-on-one {HANA} biweekly Monday 9:00", ADMIN))
    assert "*biweekly* on *Mondays at 09:00* (America/New_York)" in text
    assert "Next: *Mon 09 Nov 09:00*" in text


@pytest.mark.parametrize("who", [HIRE, MENTOR], ids=["hire", "mentor"])
def test_only_the_manager_or_an_admin_sets_it(enrolled: SlackDriver, who: str) -> None:
    """The hire and the mentor are refused with who may."""
    text = shown(enrolled.command(f"one-on-one {HANA} weekly thu 15:00", who))
    assert "Only the hire's manager of record (or an admin) can set their 1:1." in text


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("", "Name the person first"),
        (f"{HANA} daily thu 15:00", "isn't weekly, biweekly or monthly"),
        (f"{HANA} weekly th 15:00", "isn't a day"),
        (f"{HANA} weekly thu 25:00", "isn't a time"),
        (f"{HANA} weekly thu", "Say when"),
    ],
    ids=["no-person", "rhythm", "day", "time", "missing"],
)
def test_usage_errors_say_what_to_type(enrolled: SlackDriver, typed: str, said: str) -> None:
    """Each mistake gets one sentence naming it and the form to use; nothing is set."""
    assert said in shown(enrolled.command(f"one-on-one {typed}".strip(), MANAGER))
    assert "No 1:1 is set" in shown(enrolled.command(f"one-on-one {HANA}", MANAGER))


def test_the_cli_sets_and_shows_it_as_slack_does(enrolled: SlackDriver, settings: Settings) -> None:
    """`onramp one-on-one USER weekly thu 15:00 --as MANAGER` sets it on the manager's clock, and
    Slack shows the same 1:1 (the CLI reads the system clock, so no date is asserted)."""
    env = {"DATABASE_URL": settings.database_url}
    args = ["one-on-one", HIRE, "weekly", "thu", "15:00", "--as", MANAGER, "--json"]
    result = CliRunner().invoke(load(), args, env=env)
    assert result.exit_code == 0, result.output
    shown_json = json.loads(result.stdout)
    assert (shown_json["day"], shown_json["at"], shown_json["tz"]) == (
        "thursday",
        "15:00",
        "America/New_York",
    )
    assert "*weekly* on *Thursdays at 15:00*" in shown(
        enrolled.command(f"one-on-one {HANA}", MANAGER)
    )
    refused = CliRunner().invoke(load(), [*args[:5], "--as", MENTOR], env=env)
    assert refused.exit_code == 1


def test_a_manager_without_a_zone_gets_the_workspace_default(
    slack: SlackDriver, container: Container
) -> None:
    """An admin setting the 1:1 of a manager Slack never told us the zone of sets it in the
    workspace default zone, as the CLI does, not UTC."""
    container.onboarding.enroll(
        actor=Actor.cli(),
        hire=HIRE,
        plan_id="junior-llm-engineer",
        start=date(2026, 11, 2),
        manager=MANAGER,
        mentors=[MENTOR],
    )
    text = shown(slack.command(f"one-on-one {HANA} weekly thu 15:00", ADMIN))
    assert f"*weekly* on *Thursdays at 15:00* ({WORKSPACE_TZ})" in text, text
