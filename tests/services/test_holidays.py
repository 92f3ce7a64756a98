"""Setting a person's holiday country: validation, who may, the audit row, and what it changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from bot.domain.errors import InvalidInput, NotFound, PermissionDenied
from bot.services.onboarding import (
    HOLIDAY_CODES_URL,
    Actor,
    Onboarding,
    Profile,
    parse_holiday_country,
)
from storage import repositories as repo
from tests.services.conftest import ADMIN, BOSS, HIRE, MENTOR, NEWBIE, PLAN, STRANGER
from tests.support.checkins import checkin_engine

EPIPHANY = date(2027, 1, 6)  # a Wednesday: a public holiday in Bavaria (DE-BY), not in Berlin
STRANGER_REFUSAL = "You can only change the holiday country of people you manage, or your own."


@pytest.fixture
def enrolled(onboarding: Onboarding) -> Onboarding:
    """BOSS manages HIRE (on UTC) with MENTOR; STRANGER is known but unrelated."""
    onboarding.enroll(
        actor=Actor.slack(BOSS),
        hire=Profile(user_id=HIRE, tz="UTC"),
        plan_id=PLAN,
        start=EPIPHANY,
        mentors=[MENTOR],
    )
    onboarding.ensure_person(profile=Profile(user_id=STRANGER))
    return onboarding


def _stored(onboarding: Onboarding, user_id: str = HIRE) -> str | None:
    with onboarding.db.read() as session:
        person = repo.get_person(session=session, user_id=user_id)
        assert person is not None
        return person.holiday_country


def _audit(onboarding: Onboarding) -> list[tuple[str, str, dict[str, object]]]:
    with onboarding.db.read() as session:
        rows = repo.audit_entries(session=session)
    return [(a.action, a.actor_label, a.detail) for a in rows if a.action == "holiday_country"]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("US", "US"), ("de-by", "DE-BY"), (" gb-sct ", "GB-SCT"), ("none", None), ("Default", None)],
)
def test_codes_are_stored_upper_case_and_none_clears(typed: str, stored: str | None) -> None:
    """Codes are upper-cased as the engine reads them; `none` and `default` mean no override."""
    assert parse_holiday_country(typed) == stored


def test_an_unknown_country_says_how_to_find_a_valid_code() -> None:
    """An unknown country names what was typed, examples of valid codes and where all are."""
    with pytest.raises(InvalidInput) as excinfo:
        parse_holiday_country("XX")
    assert str(excinfo.value) == (
        "Unknown holiday country 'XX': use an ISO 3166 code such as US, GB, DE or DE-BY "
        f"(every code: {HOLIDAY_CODES_URL}), or 'none' for the workspace default."
    )


def test_an_unknown_subdivision_lists_the_countrys_subdivisions() -> None:
    """A known country with an unknown subdivision lists the subdivisions it has."""
    with pytest.raises(InvalidInput) as excinfo:
        parse_holiday_country("DE-XX")
    message = str(excinfo.value)
    assert message.startswith("Unknown holiday subdivision 'DE-XX': DE has no subdivision 'XX'")
    assert "BE, BW, BY," in message
    assert message.endswith("or DE alone.")


@pytest.mark.parametrize(("typed", "echo"), [("DE BY", "DE BY"), ("DE\nBY", "DEBY")])
def test_an_unknown_code_is_echoed_with_its_spaces(typed: str, echo: str) -> None:
    """What was typed is echoed with its spaces (so "DE BY" reads as typed), never a line break."""
    with pytest.raises(InvalidInput) as excinfo:
        parse_holiday_country(typed)
    assert str(excinfo.value).startswith(f"Unknown holiday country '{echo}': ")


@pytest.mark.parametrize("typed", ["<!channel>", "<https://evil.example|click>", "D", "DE-BY-X"])
def test_malformed_codes_are_refused_without_echoing_markup(typed: str) -> None:
    """Anything that isn't a code is refused, and no link or mention is echoed back."""
    with pytest.raises(InvalidInput) as excinfo:
        parse_holiday_country(typed)
    assert "<" not in str(excinfo.value)
    assert "Unknown holiday" in str(excinfo.value)


@pytest.mark.parametrize("who", [HIRE, BOSS, ADMIN])
def test_the_hire_their_manager_and_admins_may_set_it(enrolled: Onboarding, who: str) -> None:
    """The hire, the manager of record and an admin may set it; an audit row says who and what."""
    result = enrolled.set_holiday_country(actor=Actor.slack(who), person=HIRE, country="de-by")
    assert (result.user_id, result.country, result.previous, result.changed) == (
        HIRE,
        "DE-BY",
        None,
        True,
    )
    assert _stored(enrolled) == "DE-BY"
    assert _audit(enrolled) == [("holiday_country", who, {"from": None, "to": "DE-BY"})]


def test_the_operator_may_set_it(enrolled: Onboarding) -> None:
    """The CLI operator has every right."""
    enrolled.set_holiday_country(actor=Actor.cli(), person=HIRE, country="US")
    assert _stored(enrolled) == "US"
    assert _audit(enrolled) == [("holiday_country", "cli", {"from": None, "to": "US"})]


@pytest.mark.parametrize(
    ("who", "message"),
    [
        (
            MENTOR,
            "As the mentor on this plan you can't change the hire's holiday country; "
            "ask the hire's manager.",
        ),
        (STRANGER, STRANGER_REFUSAL),
    ],
)
def test_mentors_and_strangers_are_refused(enrolled: Onboarding, who: str, message: str) -> None:
    """A mentor or anyone else is refused and nothing is written."""
    with pytest.raises(PermissionDenied) as excinfo:
        enrolled.set_holiday_country(actor=Actor.slack(who), person=HIRE, country="US")
    assert str(excinfo.value) == message
    assert _stored(enrolled) is None
    assert _audit(enrolled) == []


def test_an_unknown_person_reveals_nothing_to_a_stranger(enrolled: Onboarding) -> None:
    """Someone Onramp has never seen gets the stranger's refusal; an admin learns the truth."""
    with pytest.raises(PermissionDenied, match=STRANGER_REFUSAL):
        enrolled.set_holiday_country(actor=Actor.slack(STRANGER), person=NEWBIE, country="US")
    with pytest.raises(NotFound, match="Onramp doesn't know <@UNEWBIE> yet"):
        enrolled.set_holiday_country(actor=Actor.slack(ADMIN), person=NEWBIE, country="US")


def test_anyone_may_set_their_own(enrolled: Onboarding) -> None:
    """A manager (or anyone) sets their own, without naming themself, even before Onramp knew
    them: their digests follow their own calendar too."""
    enrolled.set_holiday_country(actor=Actor.slack(BOSS), country="US")
    enrolled.set_holiday_country(actor=Actor.slack(NEWBIE), country="GB")
    assert (_stored(enrolled, BOSS), _stored(enrolled, NEWBIE)) == ("US", "GB")


def test_clearing_and_repeating(enrolled: Onboarding) -> None:
    """`none` goes back to the workspace default; setting the same value again changes nothing
    and writes no audit row."""
    enrolled.set_holiday_country(actor=Actor.slack(HIRE), country="DE-BY")
    again = enrolled.set_holiday_country(actor=Actor.slack(HIRE), country="de-by")
    assert not again.changed
    cleared = enrolled.set_holiday_country(actor=Actor.slack(BOSS), person=HIRE, country="none")
    assert (cleared.country, cleared.previous) == (None, "DE-BY")
    assert cleared.as_json() == {
        "user": HIRE,
        "holiday_country": None,
        "previous": "DE-BY",
        "changed": True,
    }
    assert _stored(enrolled) is None
    assert [detail for _, _, detail in _audit(enrolled)] == [
        {"from": None, "to": "DE-BY"},
        {"from": "DE-BY", "to": None},
    ]


def test_a_bad_code_is_refused_before_anything_is_read(enrolled: Onboarding) -> None:
    """Even a stranger's bad code gets the code's message (it reveals nothing about anyone)."""
    with pytest.raises(InvalidInput, match="Unknown holiday country 'XX'"):
        enrolled.set_holiday_country(actor=Actor.slack(STRANGER), person=HIRE, country="XX")


def test_the_check_in_engine_follows_it(enrolled: Onboarding) -> None:
    """With DE-BY set, the welcome due on Epiphany waits for the next working day; cleared
    again, the workspace default (Berlin, where it is a working day) sends it that morning."""
    engine = checkin_engine(enrolled, holiday_country="DE-BE")
    morning = datetime.combine(EPIPHANY, time(10, 0), tzinfo=UTC)

    def welcomes() -> list[str]:
        report = engine.tick(morning, dry_run=True)
        return [p.key for p in report.would_send if p.kind.value == "welcome"]

    assert len(welcomes()) == 1
    enrolled.set_holiday_country(actor=Actor.slack(HIRE), country="DE-BY")
    assert welcomes() == []
    enrolled.set_holiday_country(actor=Actor.slack(HIRE), country="default")
    assert len(welcomes()) == 1
