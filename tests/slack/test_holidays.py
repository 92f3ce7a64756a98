"""``/onramp holidays`` through the real Bolt app over HTTP, for each persona."""

from __future__ import annotations

import pytest

from bot.app import Container
from bot.config import Settings
from bot.sandbox import SlackDriver
from storage import repositories as repo
from tests.slack.conftest import HIRE, MANAGER, NEWCOMER, PERSONAS, shown

COUNTRY_REFUSAL = "You can only change the holiday country of people you manage, or your own."
MENTOR_REFUSAL = (
    "As the mentor on this plan you can't change the hire's holiday country; "
    "ask the hire's manager."
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The Slack tests' settings, with US public holidays as the workspace default."""
    checkins = settings.checkins.model_copy(update={"holiday_country": "US"})
    return settings.model_copy(update={"checkins": checkins})


def _stored(container: Container, user_id: str = HIRE) -> str | None:
    with container.db.read() as session:
        person = repo.get_person(session=session, user_id=user_id)
        return None if person is None else person.holiday_country


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_who_may_set_a_hires_holiday_country(
    enrolled: SlackDriver, container: Container, persona: str
) -> None:
    """The hire, their manager and admins set it (privately, in the ack); the mentor and others
    are refused and nothing changes."""
    delivery = enrolled.command(f"holidays <@{HIRE}|hana> de-by", PERSONAS[persona])
    assert delivery.json()["response_type"] == "ephemeral"
    text = shown(delivery)
    if persona in ("hire", "manager", "admin"):
        whose = "your" if persona == "hire" else f"<@{HIRE}>'s"
        assert text.startswith(
            f"Done: {whose} check-ins now skip weekends and public holidays in *DE-BY*."
        )
        assert _stored(container) == "DE-BY"
    else:
        assert text.startswith(MENTOR_REFUSAL if persona == "mentor" else COUNTRY_REFUSAL)
        assert _stored(container) is None


def test_without_a_person_it_is_the_callers_own(
    enrolled: SlackDriver, container: Container
) -> None:
    """`holidays US` sets the caller's own, even for someone Onramp has just met."""
    text = shown(enrolled.command("holidays us", NEWCOMER))
    assert text.startswith("Done: your check-ins now skip weekends and public holidays in *US*.")
    assert _stored(container, NEWCOMER) == "US"


def test_none_goes_back_to_the_workspace_default(
    enrolled: SlackDriver, container: Container
) -> None:
    """`none` clears it and names the workspace default that applies now; saying it again
    changes nothing."""
    enrolled.command("holidays GB", HIRE)
    text = shown(enrolled.command(f"holidays none <@{HIRE}|hana>", MANAGER))
    assert text.startswith(
        f"Done: <@{HIRE}>'s check-ins now follow the workspace calendar: weekends and public "
        "holidays in *US*."
    )
    assert _stored(container) is None
    again = shown(enrolled.command("holidays default", HIRE))
    assert again.startswith("Nothing to change: your check-ins already follow the workspace")


def test_an_unknown_code_gets_the_same_clear_message(
    enrolled: SlackDriver, container: Container
) -> None:
    """An unknown country says how to find a valid code, as on the command line."""
    text = shown(enrolled.command("holidays XX", HIRE))
    assert text.startswith(
        "Unknown holiday country 'XX': use an ISO 3166 code such as US, GB, DE or DE-BY "
        "(every code: https://holidays.readthedocs.io/en/latest/#available-countries), "
        "or 'none' for the workspace default."
    )
    assert _stored(container) is None


def test_no_country_shows_the_callers_workspace_default_and_how_to_change_it(
    enrolled: SlackDriver, container: Container
) -> None:
    """`holidays` alone says which calendar the caller's check-ins follow now (the workspace
    default, when they have none) and how to change it, and changes nothing."""
    text = shown(enrolled.command("holidays", HIRE))
    assert text.startswith(
        "\n".join(
            [
                "Right now your check-ins follow the workspace calendar: weekends and public "
                "holidays in *US*.",
                "To change it: `/onramp holidays CODE` with an ISO code such as US, GB, DE or "
                "DE-BY, or `/onramp holidays none` for the workspace calendar.",
            ]
        )
    )
    assert _stored(container) is None


def test_no_country_shows_the_callers_own_setting(
    enrolled: SlackDriver, container: Container
) -> None:
    """After `holidays GB`, `holidays` alone says the check-ins skip GB's holidays."""
    enrolled.command("holidays gb", HIRE)
    text = shown(enrolled.command("holidays", HIRE))
    assert text.startswith("Right now your check-ins skip weekends and public holidays in *GB*.")
    assert _stored(container) == "GB"


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_a_persons_setting_is_shown_to_whoever_may_change_it(
    enrolled: SlackDriver, persona: str
) -> None:
    """`holidays @hire` alone shows the hire's setting to the hire, their manager and admins,
    with the command to change it; the mentor and strangers are refused as for a change."""
    enrolled.command(f"holidays <@{HIRE}|hana> de-by", MANAGER)
    text = shown(enrolled.command(f"holidays <@{HIRE}|hana>", PERSONAS[persona]))
    if persona in ("hire", "manager", "admin"):
        assert "check-ins skip weekends and public holidays in *DE-BY*." in text
        assert "/onramp holidays " in text
    elif persona == "mentor":
        assert text.startswith(MENTOR_REFUSAL)
    else:
        assert text.startswith(COUNTRY_REFUSAL)
        assert "DE-BY" not in text
