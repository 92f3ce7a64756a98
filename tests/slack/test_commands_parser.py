"""The ``/onramp`` text parser, with plain strings."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.progress import Lifecycle, MilestoneStatus
from bot.slack import commands_parser as p
from bot.slack import messages as msg
from tests.slack.conftest import refusal


def test_escaped_mentions_become_user_refs() -> None:
    """``<@U123|ana>`` (should_escape: true) gives the user id and the name."""
    parsed = p.parse_command("progress <@U0ABC123|ana>")
    assert parsed == p.Progress(hire=p.parse_user_ref("<@U0ABC123|ana>"))
    assert isinstance(parsed, p.Progress)
    assert (parsed.hire.user_id, parsed.hire.name) == ("U0ABC123", "ana")


def test_enroll_with_every_option() -> None:
    """plan=, start= and (repeatable) mentor= are read; the order doesn't matter."""
    parsed = p.parse_command(
        "enroll <@U0HIRE|h> mentor=<@U0M1|a> start=2026-03-02 plan=role-x mentor=<@U0M2>"
    )
    assert isinstance(parsed, p.Enroll)
    assert parsed.plan_id == "role-x"
    assert parsed.start == date(2026, 3, 2)
    assert [m.user_id for m in parsed.mentors] == ["U0M1", "U0M2"]


@pytest.mark.parametrize(
    "text",
    [
        "enroll plan=role-x <@U0HIRE|h>",
        "enroll start=2026-03-02 mentor=<@U0M1|a> <@U0HIRE|h> plan=role-x",
        "enroll mentor=<@U0M1|a> plan=role-x start=2026-03-02 U0HIRE",
    ],
)
def test_enroll_takes_the_hire_anywhere_among_the_options(text: str) -> None:
    """The hire may come before, between or after the options."""
    parsed = p.parse_command(text)
    assert isinstance(parsed, p.Enroll)
    assert parsed.hire.user_id == "U0HIRE"
    assert parsed.plan_id == "role-x"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("enroll @nobody", "@nobody"),
        ("enroll nobody2", "@nobody2"),
        ("enroll <@U0A1> mentor=@ghost", "@ghost"),
        ("enroll plan=x @nobody", "@nobody"),
    ],
)
def test_enroll_refuses_typed_names(text: str, name: str) -> None:
    """A hire or mentor must be a mention (picked from the autocomplete) or a user id."""
    said = refusal(text)
    assert said.startswith(msg.PICK_FROM_AUTOCOMPLETE.format(name=name))
    assert "Usage: `/onramp enroll @user" in said


def test_mentions_with_spaces_in_the_name_stay_whole() -> None:
    """A display name with spaces inside a mention doesn't split the token."""
    assert p.tokenize("<@U1|Ana María> plan=x") == ["<@U1|Ana María>", "plan=x"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("enroll <@U0A1> start=2026-13-01", "use YYYY-MM-DD"),
        ("enroll <@U0A1> start=2026-3-2", "use YYYY-MM-DD"),
        ("enroll <@U0A1> plan=Bad_Plan", "is not a plan id"),
        ("enroll <@U0A1> plan=a plan=b", "is given twice"),
        ("enroll <@U0A1> who=<@U0A2>", "is not an option here"),
        ("enroll plan=x", "Say whose plan"),
        ("enroll <@U0A1> <@U0A2>", "<@U0A2> would be a second: run it once for each"),
        ("progress", "Say whose plan"),
        ("progress <@U0A1> <@U0A2>", "<@U0A2> would be a second: run it once for each"),
        ("pause !!", "is not a person"),
        ("me now", "I didn't understand `now`"),
        ("mark", "Say which milestone"),
        ("mark d30-x", "Say the new status of `d30-x`"),
        ("mark d30-x nope", "'nope' is not a milestone status"),
    ],
)
def test_mistakes_say_what_and_how(text: str, expected: str) -> None:
    """Each mistake gets a message naming the problem (and the usage line to follow)."""
    assert expected in refusal(text)


def test_usage_line_follows_the_problem() -> None:
    """A usage error shows the subcommand's usage with the configured command name."""
    assert "Usage: `/ramp enroll @user [plan=ID] [start=YYYY-MM-DD] [mentor=@user]`" in (
        refusal("enroll <@U0A1> start=soon", cmd="/ramp")
    )


def test_unknown_subcommand_suggests_the_closest() -> None:
    """``withdrew`` → did you mean ``withdraw``, with its usage."""
    assert "Did you mean `/onramp withdraw @user`?" in refusal("withdrew <@U0A1>")


def test_mark_keeps_the_note_verbatim() -> None:
    """Everything after the status is the note, spacing and mentions included."""
    parsed = p.parse_command("mark d30-x in-progress  waiting on <@U9>  for access")
    assert parsed == p.Mark("d30-x", MilestoneStatus.IN_PROGRESS, "waiting on <@U9>  for access")


@pytest.mark.parametrize("action", list(Lifecycle))
def test_lifecycle_subcommands(action: Lifecycle) -> None:
    """pause, resume, complete and withdraw each take one person."""
    parsed = p.parse_command(f"{action.value.upper()} <@U0X>")
    assert parsed == p.Change(action, p.parse_user_ref("<@U0X>"))


def test_registered_extension_gets_the_rest_verbatim() -> None:
    """A registered subcommand (``ask``) receives the text after its name untouched."""
    parsed = p.parse_command("ask What does  'done' mean?", extensions=["ask"])
    assert parsed == p.Extension(name="ask", text="What does  'done' mean?")


def test_unregistered_extension_is_unknown() -> None:
    """Without a registered ``ask``, it is an unknown subcommand."""
    assert refusal("ask anything")


def test_empty_text_and_help() -> None:
    """No text, or ``help``, is help."""
    assert p.parse_command("  ") == p.Help()
    assert p.parse_command("HELP") == p.Help()
