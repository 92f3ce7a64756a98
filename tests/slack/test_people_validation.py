"""From Slack, only real people are put on record: mentions or ids of active, human members of
the workspace; anything else is refused with what to do, and nothing is stored."""

from __future__ import annotations

import pytest

from bot.app import Container
from bot.sandbox import SlackDriver, SlackSandbox
from bot.slack import messages as msg
from storage import repositories as repo
from tests.slack.conftest import MANAGER, MENTOR, NEWCOMER, shown

GHOST = "U0GHOST"  # users.info says user_not_found (a partial Slack stand-in)
ROBOT = "U0ROBOT"
GONE = "U0GONE"
USAGE = msg.USAGE_LINE.format(usage=msg.USAGE["enroll"].format(cmd="/onramp"))


@pytest.fixture
def workspace(sandbox: SlackSandbox) -> SlackSandbox:
    """The personas, plus another app's bot user and a deactivated account."""
    sandbox.add_user(ROBOT, "deploybot", is_bot=True)
    sandbox.add_user(GONE, "gus", deleted=True)
    return sandbox


def _known(container: Container, user_id: str) -> bool:
    with container.db.read() as session:
        return repo.get_person(session=session, user_id=user_id) is not None


def _no_enrollment(container: Container) -> bool:
    with container.db.read() as session:
        return list(repo.all_enrollments(session=session)) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("enroll @nobody", "@nobody"),
        ("enroll nobody2", "@nobody2"),
        (f"enroll <@{NEWCOMER}|nia> mentor=@ghost", "@ghost"),
        ("enroll plan=junior-llm-engineer @nobody", "@nobody"),
    ],
)
def test_a_typed_name_asks_for_the_autocomplete(
    workspace: SlackSandbox, slack: SlackDriver, container: Container, text: str, name: str
) -> None:
    """A name typed instead of picked from the @ autocomplete gets the hint and the usage line."""
    reply = shown(slack.command(text, MANAGER))
    assert msg.PICK_FROM_AUTOCOMPLETE.format(name=name) in reply
    assert USAGE in reply
    assert _no_enrollment(container)
    assert not _known(container, name.lstrip("@"))


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (ROBOT, msg.NOT_A_PERSON.format(user=ROBOT)),
        (GONE, msg.DEACTIVATED.format(user=GONE)),
        ("bot", None),  # this app itself
    ],
)
@pytest.mark.parametrize("role", ["hire", "mentor"])
def test_only_active_people_can_be_hires_or_mentors(
    workspace: SlackSandbox,
    slack: SlackDriver,
    container: Container,
    who: str,
    expected: str | None,
    role: str,
) -> None:
    """A bot (this app included) or a deactivated account is refused as hire or mentor."""
    user_id = workspace.bot_user_id if who == "bot" else who
    expected = expected or msg.NOT_A_PERSON.format(user=user_id)
    mention = f"<@{user_id}|someone>"
    text = f"enroll {mention}" if role == "hire" else f"enroll <@{NEWCOMER}> mentor={mention}"
    assert expected in shown(slack.command(text, MANAGER))
    assert _no_enrollment(container)
    assert not _known(container, user_id)


def test_the_app_itself_is_refused_even_without_users_info(
    workspace: SlackSandbox, slack: SlackDriver, container: Container
) -> None:
    """With no users.info to ask, the app still knows its own user id (auth.test) and refuses."""
    workspace.fail("users.info", status=200, error="unknown_method", times=None)
    reply = shown(slack.command(f"enroll <@{workspace.bot_user_id}|onramp>", MANAGER))
    assert msg.NOT_A_PERSON.format(user=workspace.bot_user_id) in reply
    assert _no_enrollment(container)


@pytest.mark.parametrize("fault", ["unknown_method", "reset"])
def test_mentions_are_trusted_when_users_info_is_unavailable(
    workspace: SlackSandbox, slack: SlackDriver, container: Container, fault: str
) -> None:
    """A minimal Slack stand-in without users.info (or a network failure) still enrolls the
    people mentioned, known by the names in the mentions."""
    if fault == "reset":
        workspace.reset("users.info", times=None)
    else:
        workspace.fail("users.info", status=200, error=fault, times=None)
    reply = shown(slack.command(f"enroll <@{NEWCOMER}|nia> mentor=<@{MENTOR}|milo>", MANAGER))
    assert f"Enrolled <@{NEWCOMER}>" in reply
    with container.db.read() as session:
        hire = repo.get_person(session=session, user_id=NEWCOMER)
        assert hire is not None
        assert (hire.display_name, hire.tz) == ("nia", None)


def test_a_mention_users_info_does_not_know_is_trusted(
    workspace: SlackSandbox, slack: SlackDriver, container: Container
) -> None:
    """A mention answered with user_not_found (a proxy or partial stand-in) is still enrolled."""
    reply = shown(slack.command(f"enroll <@{GHOST}|gina>", MANAGER))
    assert f"Enrolled <@{GHOST}>" in reply
    assert _known(container, GHOST)
