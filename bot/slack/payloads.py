"""Slack payloads as typed objects: pure functions from the request body (a dict) to dataclasses.

Listeners call these right after ``ack`` so the rest of the code never digs through nested dicts.
A payload that lacks what we need raises :class:`PayloadError` (logged, never shown to people).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

#: ``action_id`` of the status control beside each milestone on the App Home tab.
MILESTONE_STATUS_ACTION = "milestone_status"
#: ``block_id`` prefix of a milestone row on the App Home tab; the milestone id follows it.
MILESTONE_BLOCK_PREFIX = "milestone:"
#: ``action_id`` of the buttons below ``/onramp withdraw @hire``'s question; their ``value`` is
#: ``<enrollment id>:<hire's user id>``.
WITHDRAW_CONFIRM_ACTION = "withdraw_confirm"
WITHDRAW_CANCEL_ACTION = "withdraw_cancel"


class PayloadError(ValueError):
    """The payload is not the shape Slack documents for this kind of request."""


def _str(data: Mapping[str, Any], key: str, *, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise PayloadError(f"{where}: missing {key!r}")
    return value


def _opt_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value else None


def _mapping(data: Mapping[str, Any], key: str, *, where: str) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, Mapping):
        raise PayloadError(f"{where}: missing {key!r}")
    return value


@dataclass(frozen=True)
class SlashCommand:
    """A slash command invocation (``/onramp …``)."""

    command: str
    text: str
    user_id: str
    team_id: str | None
    channel_id: str | None
    response_url: str | None
    trigger_id: str | None

    @property
    def subcommand(self) -> str:
        """The first word, lower-cased (for logs: never the rest, which may hold a note)."""
        words = self.text.split(maxsplit=1)
        return words[0].lower()[:20] if words else ""


def slash_command(body: Mapping[str, Any]) -> SlashCommand:
    """Parse a slash command body (form fields Bolt has already decoded into a dict)."""
    return SlashCommand(
        command=_str(body, "command", where="slash command"),
        text=str(body.get("text") or "").strip(),
        user_id=_str(body, "user_id", where="slash command"),
        team_id=_opt_str(body, "team_id"),
        channel_id=_opt_str(body, "channel_id"),
        response_url=_opt_str(body, "response_url"),
        trigger_id=_opt_str(body, "trigger_id"),
    )


@dataclass(frozen=True)
class HomeOpened:
    """Someone opened one of the app's tabs (``app_home_opened``)."""

    user_id: str
    tab: str

    @property
    def is_home(self) -> bool:
        """The Home tab (the Messages tab needs no view)."""
        return self.tab == "home"


def home_opened(event: Mapping[str, Any]) -> HomeOpened:
    """Parse an ``app_home_opened`` event (the ``event`` object, not the envelope)."""
    if event.get("type") != "app_home_opened":
        raise PayloadError(f"app_home_opened: unexpected event type {event.get('type')!r}")
    return HomeOpened(
        user_id=_str(event, "user", where="app_home_opened"),
        # Slack sends ``tab`` since 2020; older payloads meant the Home tab.
        tab=_opt_str(event, "tab") or "home",
    )


_CLICK = "block_actions"  # where a click's PayloadError says it comes from


def _clicked(
    body: Mapping[str, Any], action_ids: Collection[str], *, what: str
) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """The clicker and the (first) action of a ``block_actions`` payload, whose ``action_id``
    must be one of ``action_ids`` (else the error says it is "not a ``what``")."""
    user = _mapping(body, "user", where=_CLICK)
    actions = body.get("actions")
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], Mapping):
        raise PayloadError(f"{_CLICK}: no actions")
    action = actions[0]
    if action.get("action_id") not in action_ids:
        raise PayloadError(f"{_CLICK}: not a {what}")
    return user, action


@dataclass(frozen=True)
class StatusSelection:
    """A person picked a new status for one of their milestones on the App Home tab."""

    user_id: str
    milestone_id: str
    status: str


def status_selection(body: Mapping[str, Any]) -> StatusSelection:
    """Parse the ``block_actions`` payload of a milestone status control."""
    user, action = _clicked(body, (MILESTONE_STATUS_ACTION,), what="milestone status control")
    block_id = _str(action, "block_id", where=_CLICK)
    if not block_id.startswith(MILESTONE_BLOCK_PREFIX):
        raise PayloadError(f"{_CLICK}: block_id {block_id[:60]!r} names no milestone")
    selected = _mapping(action, "selected_option", where=_CLICK)
    return StatusSelection(
        user_id=_str(user, "id", where=_CLICK),
        milestone_id=block_id.removeprefix(MILESTONE_BLOCK_PREFIX),
        status=_str(selected, "value", where=_CLICK),
    )


@dataclass(frozen=True)
class WithdrawChoice:
    """A click on [Withdraw] or [Cancel] below ``/onramp withdraw``'s question."""

    user_id: str
    hire: str
    enrollment_id: int
    confirmed: bool


def withdraw_choice(body: Mapping[str, Any]) -> WithdrawChoice:
    """Parse the ``block_actions`` payload of a withdraw confirmation button."""
    buttons = (WITHDRAW_CONFIRM_ACTION, WITHDRAW_CANCEL_ACTION)
    user, action = _clicked(body, buttons, what="withdraw confirmation")
    raw, _, hire = _str(action, "value", where=_CLICK).partition(":")
    if not raw.isdigit() or not hire:
        raise PayloadError(f"{_CLICK}: withdraw value {raw[:20]!r} names no plan")
    return WithdrawChoice(
        user_id=_str(user, "id", where=_CLICK),
        hire=hire,
        enrollment_id=int(raw),
        confirmed=action.get("action_id") == WITHDRAW_CONFIRM_ACTION,
    )


@dataclass(frozen=True)
class EventEnvelope:
    """The outer part of an Events API delivery: what de-duplication and echo checks need."""

    event_id: str | None
    event_type: str | None
    subtype: str | None
    user_id: str | None
    bot_id: str | None


def event_envelope(body: Mapping[str, Any]) -> EventEnvelope | None:
    """The envelope of an ``event_callback`` body, or ``None`` for any other kind of request."""
    if body.get("type") != "event_callback":
        return None
    event = body.get("event")
    event = event if isinstance(event, Mapping) else {}
    return EventEnvelope(
        event_id=_opt_str(body, "event_id"),
        event_type=_opt_str(event, "type"),
        subtype=_opt_str(event, "subtype"),
        user_id=_opt_str(event, "user"),
        bot_id=_opt_str(event, "bot_id"),
    )


#: Message subtypes that are echoes of something already seen, never a person talking to us.
ECHO_SUBTYPES = frozenset({"bot_message", "message_changed", "message_deleted"})


def is_echo(envelope: EventEnvelope, *, bot_user_id: str | None) -> bool:
    """A bot's message (ours or another's), or an edit/deletion echo: nothing to react to."""
    if envelope.bot_id is not None or envelope.subtype in ECHO_SUBTYPES:
        return True
    return bot_user_id is not None and envelope.user_id == bot_user_id


def request_kind(body: Mapping[str, Any]) -> tuple[str, str]:
    """A short (kind, detail) pair for logs: ``("command", "/onramp enroll")``, ``("event", …)``.

    Never includes free text (command arguments, messages), which may hold personal data.
    """
    if "command" in body and isinstance(body.get("command"), str):
        words = str(body.get("text") or "").split(maxsplit=1)
        sub = words[0].lower()[:20] if words else ""
        return "command", f"{body['command']} {sub}".strip()
    kind = body.get("type")
    if kind == "event_callback":
        event = body.get("event")
        detail = event.get("type") if isinstance(event, Mapping) else None
        return "event", str(detail or "?")
    if kind == "block_actions":
        actions = body.get("actions")
        first = actions[0] if isinstance(actions, list) and actions else {}
        detail = first.get("action_id") if isinstance(first, Mapping) else None
        return "action", str(detail or "?")
    if kind in ("view_submission", "view_closed"):
        view = body.get("view")
        detail = view.get("callback_id") if isinstance(view, Mapping) else None
        return "view", str(detail or "?")
    return str(kind or "unknown"), ""
