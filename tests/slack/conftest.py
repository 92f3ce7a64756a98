"""The Slack stack under test: the real Bolt app and WebClient, over loopback HTTP, against the
sandbox (``bot.sandbox``), on a real database. Personas are Slack users in the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.app import Container, SlackRuntime, build, build_slack, database_ok
from bot.config import Settings
from bot.sandbox import Delivery, SlackDriver, SlackSandbox, View
from bot.services.clock import ManualClock
from bot.slack import limits
from bot.slack.commands_parser import UsageError, parse_command
from bot.slack.server import wsgi_app
from bot.slack.settings import SlackCredentials
from tests.conftest import PLANS_DIR
from tests.support.claude import fake_api  # noqa: F401 - the fixture, offered to this folder
from tests.support.loopback import serve_wsgi

MANAGER = "U0MANAGER"
HIRE = "U0HIRE"
MENTOR = "U0MENTOR"
OTHER_MANAGER = "U0OTHERMGR"
ADMIN = "U0ADMIN"
STRANGER = "U0STRANGER"
NEWCOMER = "U0NEWBIE"

PERSONAS = {
    "manager": MANAGER,
    "hire": HIRE,
    "mentor": MENTOR,
    "other_manager": OTHER_MANAGER,
    "admin": ADMIN,
    "stranger": STRANGER,
}


def add_personas(slack: SlackSandbox) -> SlackSandbox:
    """Make every persona (and the newcomer) a member of the sandbox's workspace."""
    slack.add_user(MANAGER, "maria", tz="America/New_York", real_name="Maria Manager")
    slack.add_user(HIRE, "hana", tz="Europe/Berlin", real_name="Hana Hire")
    slack.add_user(MENTOR, "milo", tz="Europe/Berlin")
    slack.add_user(OTHER_MANAGER, "otto", tz="UTC")
    slack.add_user(ADMIN, "ada", tz="UTC")
    slack.add_user(STRANGER, "sam", tz="Asia/Tokyo")
    slack.add_user(NEWCOMER, "nia", tz="America/Los_Angeles")
    return slack


@pytest.fixture
def sandbox() -> Iterator[SlackSandbox]:
    """A running Slack stand-in with the personas as workspace members."""
    with SlackSandbox() as slack:
        yield add_personas(slack)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings on a fresh SQLite file with U0ADMIN as the admin.

    The Slack layer never touches SQL, and the services' tests already run on both databases;
    running these end-to-end tests twice would double their time for no new coverage.
    """
    database_url = f"sqlite:///{tmp_path / 'onramp.db'}"
    return Settings(database_url=database_url, plans_dir=PLANS_DIR, admins=[ADMIN])


@pytest.fixture
def container(settings: Settings, clock: ManualClock) -> Iterator[Container]:
    """The services on the test database and the test clock."""
    built = build(settings, clock=clock)
    yield built
    built.close()


@pytest.fixture
def credentials(sandbox: SlackSandbox) -> SlackCredentials:
    """The sandbox's tokens and Web API URL."""
    return SlackCredentials(
        bot_token=sandbox.bot_token,
        app_token=sandbox.app_token,
        signing_secret=sandbox.signing_secret,
        api_url=sandbox.api_url,
    )


@pytest.fixture
def runtime(container: Container, credentials: SlackCredentials) -> Iterator[SlackRuntime]:
    """The Bolt app wired like ``onramp serve`` wires it."""
    built = build_slack(container, credentials)
    yield built
    built.close()


@pytest.fixture
def events_url(runtime: SlackRuntime, container: Container) -> Iterator[str]:
    """The app's ``/slack/events`` served over loopback HTTP (Bolt's WSGI adapter)."""
    with serve_wsgi(wsgi_app(runtime.app, health=lambda: database_ok(container.db))) as base:
        yield f"{base}/slack/events"


@pytest.fixture
def slack(sandbox: SlackSandbox, events_url: str, runtime: SlackRuntime) -> Iterator[SlackDriver]:
    """Plays Slack towards the app; afterwards, every reply and view must fit Slack's limits."""
    yield SlackDriver(sandbox=sandbox, events_url=events_url)
    assert runtime.settle()
    assert_within_limits(sandbox)


def assert_within_limits(sandbox: SlackSandbox) -> None:
    """Every ephemeral reply, message and view the sandbox recorded passes the limits."""
    problems: list[str] = []
    for reply in sandbox.ephemerals():
        problems += limits.message_problems(text=reply.text, blocks=reply.blocks)
    for message in sandbox.bot_messages():
        problems += limits.message_problems(text=message.text, blocks=message.blocks)
    for call in sandbox.calls("views.publish"):
        problems += limits.view_problems(call.params["view"])
    assert problems == []


def shown(delivery: Delivery) -> str:
    """Everything a person would read in a command's ack: the text and every block's text."""
    body = delivery.json() or {}
    parts = [str(body.get("text", ""))]
    parts += [_block_text(block) for block in body.get("blocks", [])]
    return "\n".join(parts)


def view_text(view: dict[str, Any]) -> str:
    """All text in a view's blocks."""
    return "\n".join(_block_text(block) for block in view.get("blocks", []))


def _block_text(block: dict[str, Any]) -> str:
    texts = []
    if isinstance(block.get("text"), dict):
        texts.append(block["text"].get("text", ""))
    for element in block.get("elements", []):
        text = element.get("text", "") if isinstance(element, dict) else ""
        texts.append(text.get("text", "") if isinstance(text, dict) else text)  # a button's label
    return "\n".join(texts)


def enroll_hire(driver: SlackDriver) -> None:
    """The manager enrolls the hire with the mentor through ``/onramp enroll``."""
    delivery = driver.command(f"enroll <@{HIRE}|hana> mentor=<@{MENTOR}|milo>", MANAGER)
    assert "Enrolled" in shown(delivery), shown(delivery)


@pytest.fixture
def enrolled(slack: SlackDriver) -> SlackDriver:
    """The manager has enrolled the hire, with the mentor, through ``/onramp enroll``."""
    enroll_hire(slack)
    return slack


@dataclass(frozen=True)
class HomeTab:
    """The App Home as each person sees it: open it, then read the view published for them."""

    driver: SlackDriver
    sandbox: SlackSandbox
    runtime: SlackRuntime

    def open(self, user_id: str) -> View:
        """``user_id`` opens the Home tab; once the app has settled, the view published for them."""
        self.driver.app_home_opened(user_id)
        assert self.runtime.settle()
        return self.view(user_id)

    def view(self, user_id: str) -> View:
        """The Home view ``user_id`` sees now; there must be one."""
        view = self.sandbox.home_view(user_id)
        assert view is not None, f"no Home view was published for {user_id}"
        return view

    def text(self, user_id: str) -> str:
        """All text of the Home view ``user_id`` sees now."""
        return view_text({"blocks": self.view(user_id).blocks})


@pytest.fixture
def home(slack: SlackDriver, sandbox: SlackSandbox, runtime: SlackRuntime) -> HomeTab:
    """The App Home of the app under test, opened and read as any persona."""
    return HomeTab(slack, sandbox, runtime)


def refusal(text: str, **options: Any) -> str:
    """What the parser tells the user about ``/onramp text``, which must be a usage error."""
    parsed = parse_command(text, **options)
    assert isinstance(parsed, UsageError), parsed
    return parsed.render()
