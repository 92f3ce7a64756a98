"""``/onramp`` command text → a typed command, or a usage error with a suggestion. Pure.

Mentions arrive escaped (``<@U123|ana>``) because the manifest sets ``should_escape: true``;
``U123`` is accepted too. ``@ana`` (a name typed without picking it from the autocomplete) is
resolved by the service among people Onramp knows, except where a person would be put on record
(``enroll``'s hire and mentors): there it is refused with a hint to use the autocomplete.

One rule for mentions a subcommand can't use (:func:`_refusal`): a broadcast (``<!here>``,
``@channel``), a user group or a channel anywhere but in a note, or a second person where one is
expected, is refused with a reply that says which and that nothing was done. In a note,
broadcasts are removed (by the service, so every surface agrees) and the reply says so.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from bot.domain.errors import InvalidInput
from bot.domain.guardrails import broadcasts_in, strip_broadcasts
from bot.domain.people import UserRef, parse_user_ref
from bot.domain.progress import Lifecycle, MilestoneStatus
from bot.slack import messages as msg

#: Built-in subcommands, in help order.
BUILTINS: tuple[str, ...] = tuple(msg.USAGE)

# A token is a run of non-spaces, except that a <…> mention or link is kept whole.
_TOKEN = re.compile(r"(?:[^\s<]*<[^>]*>[^\s<]*)+|\S+")
_OPTION = re.compile(r"^([a-z]+)=(.*)$", re.DOTALL)
_PLAN_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
_CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^>]*))?>")
_GROUP_NAME = re.compile(r"<!subteam\^[^|>]*\|@?([^>]*)>", re.I)
# What a person looks like where a person may come first (``mark @hire …``).
_PERSON_FIRST = re.compile(r"^(?:<@|@)|^[UW][A-Z0-9]{2,30}$")


@dataclass(frozen=True)
class Help:
    """``/onramp help`` (or nothing at all)."""


@dataclass(frozen=True)
class Me:
    """``/onramp me``: the caller's own plan."""


@dataclass(frozen=True)
class Progress:
    """``/onramp progress @user``."""

    hire: UserRef


@dataclass(frozen=True)
class Team:
    """``/onramp team``: the hires the caller manages (admins: every other open plan too)."""


@dataclass(frozen=True)
class Mentees:
    """``/onramp mentees``: the hires the caller mentors."""


@dataclass(frozen=True)
class Enroll:
    """``/onramp enroll @user [plan=ID] [start=YYYY-MM-DD] [mentor=@user]``."""

    hire: UserRef
    plan_id: str | None = None
    start: date | None = None
    mentors: tuple[UserRef, ...] = ()


@dataclass(frozen=True)
class Change:
    """``/onramp pause|resume|complete|withdraw @user``."""

    action: Lifecycle
    hire: UserRef


@dataclass(frozen=True)
class Mark:
    """``/onramp mark [@hire] <milestone> <status> [note]``; ``hire`` ``None``: the caller's own
    plan. ``note`` is verbatim (the service removes broadcasts from it)."""

    milestone_id: str
    status: MilestoneStatus
    note: str | None = None
    hire: UserRef | None = None


@dataclass(frozen=True)
class Holidays:
    """``/onramp holidays [@user] [country]``: whose public holidays someone's check-ins skip.

    ``person`` is ``None`` for the caller; ``country`` is as typed (the service validates it),
    ``None`` to show the current setting.
    """

    country: str | None
    person: UserRef | None = None


@dataclass(frozen=True)
class Plans:
    """``/onramp plans``."""


@dataclass(frozen=True)
class Extension:
    """A subcommand another module registered (e.g. ``ask``); ``text`` is everything after it."""

    name: str
    text: str


@dataclass(frozen=True)
class UsageError:
    """What was wrong, the usage line to follow, and (when we can guess) a suggestion."""

    message: str
    usage: str | None = None
    suggestion: str | None = None

    def render(self) -> str:
        """The reply: problem, then usage or suggestion, then where to find help."""
        parts = [self.message]
        if self.suggestion:
            parts.append(self.suggestion)
        elif self.usage:
            parts.append(msg.USAGE_LINE.format(usage=self.usage))
        return "\n".join(parts)


Command = (
    Help | Me | Progress | Team | Mentees | Enroll | Change | Mark | Holidays | Plans | Extension
)


def usage(name: str, cmd: str, extension_usage: dict[str, str] | None = None) -> str:
    """The usage line of a subcommand, with the configured slash command filled in."""
    template = msg.USAGE.get(name) or (extension_usage or {}).get(name) or f"{{cmd}} {name}"
    return template.format(cmd=cmd)


def tokenize(text: str) -> list[str]:
    """Split on spaces, keeping ``<@U1|two words>`` mentions whole."""
    return _TOKEN.findall(text)


def parse_command(
    text: str,
    *,
    cmd: str = "/onramp",
    extensions: Collection[str] = (),
    extension_usage: dict[str, str] | None = None,
) -> Command | UsageError:
    """Parse the text after the slash command."""
    text = text.strip()
    if not text:
        return Help()
    head, _, rest = text.partition(" ")
    name = head.lower()
    rest = rest.strip()
    if name in extensions and name not in BUILTINS:
        # Broadcasts mean nothing to a question and are never echoed back.
        return Extension(name=name, text=strip_broadcasts(rest).strip())
    args = tokenize(rest)

    def use(sub: str) -> str:
        return usage(sub, cmd, extension_usage)

    refused = _refusal(head) if name not in BUILTINS else None
    if refused is not None:
        return UsageError(refused, suggestion=msg.SEE_HELP.format(cmd=cmd))
    if name != "mark":  # mark's note is free text: checked word by word in _mark
        refused = next(filter(None, map(_refusal, args)), None)
        if refused is not None:
            return UsageError(refused, use(name) if name in BUILTINS else None)

    match name:
        case "help":
            return Help()
        case "me" | "team" | "mentees" | "plans":
            if args:
                return UsageError(msg.EXTRA_ARGUMENTS.format(extra=" ".join(args)), use(name))
            simple: dict[str, Command] = {
                "me": Me(),
                "team": Team(),
                "mentees": Mentees(),
                "plans": Plans(),
            }
            return simple[name]
        case "progress":
            ref = _one_user(args, use(name))
            return ref if isinstance(ref, UsageError) else Progress(hire=ref)
        case "pause" | "resume" | "complete" | "withdraw":
            ref = _one_user(args, use(name))
            return ref if isinstance(ref, UsageError) else Change(Lifecycle(name), ref)
        case "enroll":
            return _enroll(args, use(name), cmd)
        case "mark":
            return _mark(rest, use(name))
        case "holidays":
            return _holidays(args, use(name))
        case _:
            return _unknown(head, cmd, [*BUILTINS, *extensions], extension_usage)


def _refusal(token: str) -> str | None:
    """Why ``token`` can't be part of a command: it holds a broadcast, a user group or a
    channel (``None``: it may be fine). Names them in words, never as a mention."""
    names = broadcasts_in(token)
    if "group" in names:
        group = _GROUP_NAME.search(token)
        shown = re.sub(r"[<>&*`]", "", group.group(1)) if group else ""
        return msg.GROUP_REFUSED.format(name=shown.strip() or msg.A_USER_GROUP)
    if names:
        return msg.BROADCAST_REFUSED.format(name=names[0])
    channel = _CHANNEL.search(token)
    if channel is not None:
        return msg.CHANNEL_REFUSED.format(channel=f"<#{channel.group(1)}>")
    return None


def _extra(tokens: list[str], usage_line: str, *, enroll: bool = False) -> UsageError:
    """Words after everything a subcommand takes: a second person is named as one."""
    token = tokens[0]
    try:
        ref = parse_user_ref(token)
    except InvalidInput:
        ref = None
    if ref is not None and (ref.user_id is not None or token.startswith("@")):
        hint = msg.EXTRA_PERSON_ENROLL.format(user=ref.text) if enroll else ""
        return UsageError(msg.EXTRA_PERSON.format(user=ref.text, hint=hint), usage_line)
    return UsageError(msg.EXTRA_ARGUMENTS.format(extra=" ".join(tokens)), usage_line)


def _user(token: str, usage_line: str) -> UserRef | UsageError:
    refused = _refusal(token)
    if refused is not None:
        return UsageError(refused, usage_line)
    try:
        return parse_user_ref(token)
    except InvalidInput as exc:
        return UsageError(str(exc), usage_line)


def _one_user(args: list[str], usage_line: str) -> UserRef | UsageError:
    if not args:
        return UsageError(msg.MISSING_USER.format(usage=usage_line))
    if len(args) > 1:
        return _extra(args[1:], usage_line)
    return _user(args[0], usage_line)


def _enroll(args: list[str], usage_line: str, cmd: str) -> Enroll | UsageError:
    """The hire and the options, in any order; people must be Slack mentions (or user ids)."""
    hire: UserRef | None = None
    plan_id: str | None = None
    start: date | None = None
    mentors: list[UserRef] = []
    seen: set[str] = set()
    for token in args:
        option = _OPTION.match(token)
        if option is None:
            if hire is not None:
                return _extra([token], usage_line, enroll=True)
            ref = _person(token, usage_line)
            if isinstance(ref, UsageError):
                return ref
            hire = ref
            continue
        key, value = option.group(1), option.group(2)
        if key in seen and key != "mentor":
            return UsageError(msg.REPEATED_OPTION.format(option=key), usage_line)
        seen.add(key)
        if key == "plan":
            if not _PLAN_ID.match(value):
                return UsageError(msg.BAD_PLAN_ID.format(value=value, cmd=cmd), usage_line)
            plan_id = value
        elif key == "start":
            try:
                start = date.fromisoformat(value)
            except ValueError:
                return UsageError(msg.BAD_DATE.format(value=value), usage_line)
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                return UsageError(msg.BAD_DATE.format(value=value), usage_line)
        elif key == "mentor":
            mentor = _person(value, usage_line)
            if isinstance(mentor, UsageError):
                return mentor
            mentors.append(mentor)
        else:
            return UsageError(msg.UNKNOWN_OPTION.format(option=key), usage_line)
    if hire is None:
        return UsageError(msg.MISSING_USER.format(usage=usage_line))
    return Enroll(hire=hire, plan_id=plan_id, start=start, mentors=tuple(mentors))


def _person(token: str, usage_line: str) -> UserRef | UsageError:
    """Someone to put on record: a mention or a user id, never a bare name (Slack sends a
    mention only when the person was picked from the autocomplete; a typed name may be anyone)."""
    ref = _user(token, usage_line)
    if isinstance(ref, UserRef) and ref.user_id is None:
        return UsageError(msg.PICK_FROM_AUTOCOMPLETE.format(name=ref.text), usage_line)
    return ref


def _mark(rest: str, usage_line: str) -> Mark | UsageError:
    """``[@hire] <milestone> <status> [note]``: the note is kept verbatim."""
    hire: UserRef | None = None
    first = _TOKEN.match(rest)
    if first is not None and _PERSON_FIRST.match(first.group(0)):
        ref = _user(first.group(0), usage_line)
        if isinstance(ref, UsageError):
            return ref
        hire, rest = ref, rest[first.end() :].strip()
    parts = rest.split(maxsplit=2)
    refused = next(filter(None, map(_refusal, parts[:2])), None)
    if refused is not None:
        return UsageError(refused, usage_line)
    if not parts:
        return UsageError(msg.MISSING_MILESTONE.format(usage=usage_line))
    if len(parts) == 1:
        return UsageError(msg.MISSING_STATUS.format(milestone=parts[0]), usage_line)
    try:
        status = MilestoneStatus.parse(parts[1])
    except InvalidInput as exc:
        return UsageError(str(exc), usage_line)
    note = parts[2].strip() if len(parts) > 2 else None
    return Mark(milestone_id=parts[0], status=status, note=note or None, hire=hire)


def _holidays(args: list[str], usage_line: str) -> Holidays | UsageError:
    """A country and, before or after it, optionally the person (a mention or ``@name``; a bare
    user id must come first). Without a country: the current setting (the caller's, or the
    person's)."""
    marked = [i for i, arg in enumerate(args) if arg.startswith(("<@", "@"))]
    if len(marked) > 1:
        return _extra([args[marked[1]]], usage_line)
    if len(args) > 2:
        return _extra(args[2:], usage_line)
    if not args or (len(args) == 1 and not marked):
        return Holidays(country=args[0] if args else None)
    who = marked[0] if marked else 0
    ref = _user(args[who], usage_line)
    country = args[1 - who] if len(args) == 2 else None
    return ref if isinstance(ref, UsageError) else Holidays(country=country, person=ref)


def _unknown(
    word: str, cmd: str, names: list[str], extension_usage: dict[str, str] | None
) -> UsageError:
    shown = word[:40]
    close = difflib.get_close_matches(word.lower(), names, n=1, cutoff=0.6)
    message = msg.UNKNOWN_SUBCOMMAND.format(cmd=cmd, word=shown)
    if close:
        suggestion = msg.DID_YOU_MEAN.format(usage=usage(close[0], cmd, extension_usage))
        return UsageError(message, suggestion=f"{suggestion} {msg.SEE_HELP.format(cmd=cmd)}")
    return UsageError(message, suggestion=msg.SEE_HELP.format(cmd=cmd))
