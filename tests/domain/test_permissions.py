"""The permission policy over the whole (relation × action) matrix."""

from __future__ import annotations

import pytest

from bot.domain.errors import PermissionDenied
from bot.domain.permissions import Action, Relation, allowed, relation_of, require

V, C, M, G, H = Action.VIEW, Action.COMMENT, Action.MARK, Action.MANAGE, Action.CALENDAR
E = Action.EVIDENCE
EXPECTED = {
    Relation.HIRE: {V, C, M, H, E},
    Relation.MANAGER: {V, C, M, G, H, E},
    Relation.MENTOR: {V, C},
    Relation.ADMIN: {V, C, M, G, H, E},
    Relation.OTHER: set(),
}


@pytest.mark.parametrize("relation", list(Relation))
@pytest.mark.parametrize("action", list(Action))
def test_matrix(relation: Relation, action: Action) -> None:
    """Hire: self (their own holiday country and evidence); manager of record: all; mentor:
    read and comment; admin: all; others: none."""
    assert allowed(relation, action) is (action in EXPECTED[relation])
    if action in EXPECTED[relation]:
        require(relation, action)
    else:
        with pytest.raises(PermissionDenied):
            require(relation, action)


def test_refusal_to_a_stranger_reveals_nothing() -> None:
    """A stranger's refusal says nothing about whether the hire exists or who manages them."""
    with pytest.raises(PermissionDenied) as excinfo:
        require(Relation.OTHER, Action.VIEW)
    assert str(excinfo.value) == (
        "You can only see plans of people you manage or mentor, or your own."
    )


@pytest.mark.parametrize(
    ("relation", "message"),
    [
        (
            Relation.MENTOR,
            "As the mentor on this plan you can't change the hire's holiday country; "
            "ask the hire's manager.",
        ),
        (
            Relation.OTHER,
            "You can only change the holiday country of people you manage, or your own.",
        ),
    ],
)
def test_calendar_refusals_name_the_holiday_country(relation: Relation, message: str) -> None:
    """Refusing a holiday-country change says what can't be done, in words, and who can."""
    with pytest.raises(PermissionDenied) as excinfo:
        require(relation, Action.CALENDAR)
    assert str(excinfo.value) == message


@pytest.mark.parametrize(
    ("actor", "is_admin", "relation"),
    [
        ("UH", True, Relation.HIRE),
        ("UM", False, Relation.MANAGER),
        ("UX", True, Relation.ADMIN),
        ("UT", False, Relation.MENTOR),
        ("UT", True, Relation.ADMIN),
        ("UX", False, Relation.OTHER),
    ],
)
def test_relation_is_the_strongest_one_held(actor: str, is_admin: bool, relation: Relation) -> None:
    """The hire is always the hire; the manager of record beats admin; admin beats mentor."""
    found = relation_of(actor=actor, hire="UH", manager="UM", mentors={"UT"}, is_admin=is_admin)
    assert found is relation


@pytest.mark.parametrize(("actor", "is_admin"), [("UH", False), ("UX", True), ("UX", False)])
def test_nobody_is_manager_of_someone_never_enrolled(actor: str, is_admin: bool) -> None:
    """Without an enrollment there is no manager: the person is themself, admins are admins."""
    found = relation_of(actor=actor, hire="UH", manager=None, mentors=set(), is_admin=is_admin)
    expected = Relation.HIRE if actor == "UH" else Relation.ADMIN if is_admin else Relation.OTHER
    assert found is expected
