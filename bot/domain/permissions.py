"""Who may do what to whose plan: one pure function over (relationship, action)."""

from __future__ import annotations

from enum import StrEnum

from bot.domain.errors import PermissionDenied


class Relation(StrEnum):
    """How the actor relates to the hire whose plan is being touched."""

    HIRE = "hire"  # the hire themself
    MANAGER = "manager"  # manager of record on the enrollment
    MENTOR = "mentor"  # one of the enrollment's mentors
    ADMIN = "admin"  # listed under `admins` in app.yaml (or the operator's CLI)
    OTHER = "other"  # anyone else in the workspace


class Action(StrEnum):
    """Things that can be done to an enrollment (or, for ``CALENDAR``, to the hire's calendar)."""

    VIEW = "view"  # see progress, notes, check-in answers
    COMMENT = "comment"  # add a note without changing a status
    MARK = "mark"  # change a milestone status
    MANAGE = "manage"  # pause / resume / complete / withdraw, change mentors
    CALENDAR = "calendar"  # set whose public holidays the hire's check-ins skip


_ALLOWED: dict[Relation, frozenset[Action]] = {
    Relation.HIRE: frozenset({Action.VIEW, Action.COMMENT, Action.MARK, Action.CALENDAR}),
    Relation.MANAGER: frozenset(Action),
    Relation.MENTOR: frozenset({Action.VIEW, Action.COMMENT}),
    Relation.ADMIN: frozenset(Action),
    Relation.OTHER: frozenset(),
}

#: Refusals worded for actions that don't read as "you can't <action> it".
_CANT = {Action.CALENDAR: "change the hire's holiday country"}
_ONLY = {
    Action.CALENDAR: "You can only change the holiday country of people you manage, or your own."
}
_ONLY_DEFAULT = "You can only see plans of people you manage or mentor, or your own."


def relation_of(
    *,
    actor: str,
    hire: str,
    manager: str | None,
    mentors: frozenset[str] | set[str],
    is_admin: bool,
) -> Relation:
    """The strongest relation the actor holds; the hire's own relation wins over admin.

    ``manager`` is ``None`` for someone who has never been enrolled (nobody manages them).
    """
    if actor == hire:
        return Relation.HIRE
    if manager is not None and actor == manager:
        return Relation.MANAGER
    if is_admin:
        return Relation.ADMIN
    if actor in mentors:
        return Relation.MENTOR
    return Relation.OTHER


def allowed(relation: Relation, action: Action) -> bool:
    """Whether ``relation`` may perform ``action``."""
    return action in _ALLOWED[relation]


def require(relation: Relation, action: Action) -> None:
    """Raise :class:`PermissionDenied` (revealing nothing about the hire) unless allowed."""
    if not allowed(relation, action):
        raise refusal(relation, action)


def refusal(relation: Relation, action: Action) -> PermissionDenied:
    """The refusal for ``relation`` attempting ``action``: who may, never what exists."""
    if relation is Relation.OTHER:
        return PermissionDenied(_ONLY.get(action, _ONLY_DEFAULT))
    return PermissionDenied(
        f"As the {relation.value} on this plan you can't "
        f"{_CANT.get(action, f'{action.value} it')}; ask the hire's manager."
    )
