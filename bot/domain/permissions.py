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
    EVIDENCE = "evidence"  # record evidence of the hire's growth (a win, a link)


_ALLOWED: dict[Relation, frozenset[Action]] = {
    Relation.HIRE: frozenset(
        {Action.VIEW, Action.COMMENT, Action.MARK, Action.CALENDAR, Action.EVIDENCE}
    ),
    Relation.MANAGER: frozenset(Action),
    Relation.MENTOR: frozenset({Action.VIEW, Action.COMMENT}),
    Relation.ADMIN: frozenset(Action),
    Relation.OTHER: frozenset(),
}

#: What each action is, in words, for "you can't …" (a lifecycle change names itself instead).
_CANT = {
    Action.VIEW: "see it",
    Action.COMMENT: "add notes to it",
    Action.MARK: "mark its milestones",
    Action.MANAGE: "change it",
    Action.CALENDAR: "change the hire's holiday country",
    Action.EVIDENCE: "record evidence of the hire's growth",
}
#: A stranger's refusal per action: who may, never whether the hire or their plan exists.
_ONLY = {
    Action.VIEW: "You can only see plans of people you manage or mentor, or your own.",
    Action.COMMENT: "You can only add notes to your own plan or the plans of people you manage "
    "or mentor.",
    Action.MARK: "You can only mark milestones on your own plan or the plans of people you manage.",
    Action.MANAGE: "You can only {verb} the plans of people you manage; ask their manager.",
    Action.CALENDAR: "You can only change the holiday country of people you manage, or your own.",
    Action.EVIDENCE: "You can only record evidence of your own growth or of people you manage.",
}


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


def require(relation: Relation, action: Action, *, verb: str | None = None) -> None:
    """Raise :class:`PermissionDenied` (revealing nothing about the hire) unless allowed.

    ``verb`` names a :attr:`Action.MANAGE` change as the person asked for it (``pause``).
    """
    if not allowed(relation, action):
        raise refusal(relation, action, verb=verb)


def refusal(relation: Relation, action: Action, *, verb: str | None = None) -> PermissionDenied:
    """The refusal for ``relation`` attempting ``action``: what was refused and who may, never
    what exists. The same (relation, action, verb) always gives the same words."""
    if relation is Relation.OTHER:
        return PermissionDenied(_ONLY[action].format(verb=verb or "change"))
    cant = f"{verb} it" if verb else _CANT[action]
    return PermissionDenied(
        f"As the {relation.value} on this plan you can't {cant}; ask the hire's manager."
    )


class Visibility(StrEnum):
    """Who sees a piece of evidence besides the hire, chosen once when it is recorded."""

    PRIVATE = "private"  # only the hire
    MANAGER = "manager"  # the hire and their manager of record
    MENTORS = "mentors"  # the hire, their manager and their mentors


#: Which evidence each relation sees. Admins configure, they never read private evidence; the
#: operator's CLI is an admin. Strangers see nothing (and are refused before asking).
_SEES: dict[Relation, frozenset[Visibility]] = {
    Relation.HIRE: frozenset(Visibility),
    Relation.MANAGER: frozenset({Visibility.MANAGER, Visibility.MENTORS}),
    Relation.MENTOR: frozenset({Visibility.MENTORS}),
    Relation.ADMIN: frozenset({Visibility.MANAGER, Visibility.MENTORS}),
    Relation.OTHER: frozenset(),
}


def visible_evidence(relation: Relation) -> frozenset[Visibility]:
    """The visibilities of the hire's evidence that ``relation`` may see (maybe none)."""
    return _SEES[relation]
