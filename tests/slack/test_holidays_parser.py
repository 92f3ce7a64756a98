"""``/onramp holidays [@user] [country]`` parsing, with plain strings."""

from __future__ import annotations

import pytest

from bot.domain.people import parse_user_ref
from bot.slack import commands_parser as p
from bot.slack import messages as msg
from tests.slack.conftest import refusal

USAGE = "/onramp holidays [@user] [country]"
HANA = parse_user_ref("<@U0HIRE|hana>")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("holidays de-by", p.Holidays(country="de-by")),
        ("holidays none", p.Holidays(country="none")),
        ("holidays <@U0HIRE|hana> US", p.Holidays(country="US", person=HANA)),
        ("holidays US <@U0HIRE|hana>", p.Holidays(country="US", person=HANA)),
        ("HOLIDAYS U0HIRE GB", p.Holidays(country="GB", person=parse_user_ref("U0HIRE"))),
        ("holidays @hana DE", p.Holidays(country="DE", person=parse_user_ref("@hana"))),
        ("holidays", p.Holidays(country=None)),
        ("holidays <@U0HIRE|hana>", p.Holidays(country=None, person=HANA)),
    ],
)
def test_country_with_or_without_a_person(text: str, expected: p.Holidays) -> None:
    """The country is passed on as typed (none: show the setting); the person, if any, may
    come before or after it."""
    assert p.parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "rendered"),
    [
        ("holidays <@U0HIRE|hana> US extra", f"I didn't understand `extra`.\nUsage: `{USAGE}`"),
        (
            "holidays <@U0A|a> <@U0B|b>",
            f"{msg.EXTRA_PERSON.format(user='<@U0B>', hint='')}\nUsage: `{USAGE}`",
        ),
    ],
)
def test_mistakes_say_what_to_type(text: str, rendered: str) -> None:
    """Extra words or a second person get the usage line."""
    assert refusal(text) == rendered


def test_a_misspelt_subcommand_suggests_holidays() -> None:
    """``holiday`` suggests ``holidays`` with its usage."""
    assert f"Did you mean `{USAGE}`?" in refusal("holiday US")
