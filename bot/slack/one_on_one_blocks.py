"""1:1s and private notes as Block Kit: the replies to ``/onramp one-on-one`` and ``/onramp
note(s)``, and the prep DM the working day before a 1:1.

Every string a person sees on these surfaces lives here. Pure functions. A prep shows the
manager's early warnings and private notes only on the manager's own DM (the service never puts
them on the hire's).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.domain.one_on_ones import DAYS
from bot.services.checkins import Message
from bot.services.one_on_ones import NoteView, OneOnOneView, Prep, PrepLine
from bot.slack.blocks import Reply, context, divider, esc, header, packed, section, text_reply

ONE_ON_ONE_USAGE = "{cmd} one-on-one @user [weekly|biweekly|monthly DAY TIME | off]"
ONE_ON_ONE_SUMMARY = "Set a hire's recurring 1:1 (a prep DM the working day before)"
NOTE_USAGE = "{cmd} note @user <text>"
NOTE_SUMMARY = "Keep a private note about a hire (only you can ever read it)"
NOTES_USAGE = "{cmd} notes @user"
NOTES_SUMMARY = "Read your own private notes about a hire"

WHO_FIRST = "Name the person first: `{cmd} {sub} @ana …`."
SET_REPLY = (
    "1:1 with <@{hire}>: *{every}* on *{day}s at {at}* ({tz}). Next: *{next:%a %d %b %H:%M}*. "
    "You both get a prep DM the working day before."
)
SHOW_REPLY = (
    "1:1 with <@{hire}>: *{every}* on *{day}s at {at}* ({tz}). Next: *{next:%a %d %b %H:%M}*."
)
NONE_SET = "No 1:1 is set for {who}. Set one: `{cmd} one-on-one {who} weekly thu 15:00`."
OFF_REPLY = "1:1 prep for {who} is off; nothing more will be sent about it."
OFF_NONE = "No 1:1 was set for {who}; nothing changed."
NOTE_SAVED = (
    "🔒 Note #{id} kept about {who}. Only you can ever read it (`{cmd} notes {who}`); "
    "it shows in your 1:1 prep."
)
NOTES_HEADER = "🔒 Your private notes about {who} (only you can see these):"
NOTES_NONE = "You have no notes about {who}. Add one: `{cmd} note {who} …`."
NOTE_LINE = "• {when:%a %d %b %Y} — {text}"

PREP_HEADER_MANAGER = "1:1 prep · {name} · {when:%a %d %b}"
PREP_HEADER_HIRE = "1:1 prep · with your manager · {when:%a %d %b}"
PREP_INTRO_MANAGER = (
    "Your 1:1 with <@{hire}> is *{when:%a %d %b at %H:%M}*. {since}, here's what to talk about:"
)
PREP_INTRO_HIRE = (
    "Your 1:1 with <@{manager}> is *{when:%a %d %b at %H:%M}*. {since}, here's what you might "
    "bring:"
)
PREP_SINCE_LAST = "Since the last one ({at:%a %d %b})"
PREP_SINCE_FIRST = "Over the last two weeks"
PREP_MOODS = "*Check-ins*"
PREP_BLOCKERS = "*Blocked now*"
PREP_EVIDENCE = "*New evidence*"
PREP_FOCUS = "*Open focus items*"
PREP_KPIS = "*KPI readings* (the blueprint's target quoted)"
PREP_NOTES = "*Your private notes since the last 1:1* 🔒 only you see these"
PREP_WARNINGS = "*Worth asking* — only you see these; questions, not a verdict"
PREP_WARNING = "• {question}\n   _“{quote}”_ — {section}"
PREP_NOTHING = "Nothing new was recorded. A good 1:1 to ask what's next."
PREP_FOOTER_MANAGER = "Keep a note for next time: `{cmd} note <@{hire}> …` (only you can read it)."
PREP_FOOTER_HIRE = "Log a win before you meet: `{cmd} win …`."


def set_reply(view: OneOnOneView) -> Reply:
    """The 1:1 as set, with the next meeting on the manager's clock."""
    return text_reply(_format(SET_REPLY, view))


def show_reply(view: OneOnOneView | None, *, who: str, cmd: str) -> Reply:
    """The current 1:1, or how to set one."""
    if view is None:
        return text_reply(NONE_SET.format(who=who, cmd=cmd))
    return text_reply(_format(SHOW_REPLY, view))


def off_reply(ended: bool, *, who: str) -> Reply:
    """Whether a 1:1 was stopped."""
    return text_reply((OFF_REPLY if ended else OFF_NONE).format(who=who))


def note_saved(note: NoteView, *, who: str, cmd: str) -> Reply:
    """The note is kept, and who can read it (only the author)."""
    return text_reply(NOTE_SAVED.format(id=note.id, who=who, cmd=cmd))


def notes_reply(notes: Sequence[NoteView], *, who: str, cmd: str) -> Reply:
    """The author's own notes, oldest first."""
    if not notes:
        return text_reply(NOTES_NONE.format(who=who, cmd=cmd))
    lines = [NOTES_HEADER.format(who=who)]
    lines += [NOTE_LINE.format(when=n.created_at, text=esc(n.text)) for n in notes]
    return Reply(text=lines[0], blocks=packed(lines))


def render_prep(message: Message, *, cmd: str = "/onramp") -> Reply:
    """A prep DM: the manager's (with their notes and early warnings) or the hire's."""
    prep = message.prep
    assert prep is not None  # noqa: S101 - the composer sets it for this kind
    name = message.hire.name if message.hire else prep.hire
    since = PREP_SINCE_FIRST if prep.first else PREP_SINCE_LAST.format(at=prep.since)
    if prep.for_manager:
        title = PREP_HEADER_MANAGER.format(name=name, when=prep.meeting)
        intro = PREP_INTRO_MANAGER.format(hire=prep.hire, when=prep.meeting, since=since)
        footer = PREP_FOOTER_MANAGER.format(cmd=cmd, hire=prep.hire)
    else:
        title = PREP_HEADER_HIRE.format(when=prep.meeting)
        intro = PREP_INTRO_HIRE.format(manager=prep.manager, when=prep.meeting, since=since)
        footer = PREP_FOOTER_HIRE.format(cmd=cmd)
    blocks = [header(title), section(intro)]
    parts = _parts(prep)
    if not parts:
        blocks.append(section(PREP_NOTHING))
    for heading, lines in parts:
        blocks += packed([heading, *lines])
    if prep.for_manager and prep.warnings:
        blocks.append(divider())
        blocks += packed(
            [
                PREP_WARNINGS,
                *(
                    PREP_WARNING.format(question=w.question, quote=esc(w.quote), section=w.section)
                    for w in prep.warnings
                ),
            ]
        )
    blocks.append(context(footer))
    return Reply(text=title, blocks=blocks)


def _parts(prep: Prep) -> list[tuple[str, list[str]]]:
    parts = [
        (PREP_MOODS, _lines(prep.moods)),
        (PREP_BLOCKERS, [f"• {esc(b)}" for b in prep.blockers]),
        (PREP_EVIDENCE, _lines(prep.evidence)),
        (PREP_FOCUS, _lines(prep.focus, due=True)),
        (PREP_KPIS, _lines(prep.kpis)),
    ]
    if prep.for_manager:
        parts.append((PREP_NOTES, _lines(prep.notes)))
    return [(heading, lines) for heading, lines in parts if lines]


def _lines(items: Sequence[PrepLine], *, due: bool = False) -> list[str]:
    return [f"• {_when(i.when, due=due)}{esc(i.text)}" for i in items]


def _when(day: date | None, *, due: bool) -> str:
    if day is None:
        return ""
    return f"due {day:%a %d %b} — " if due else f"{day:%a %d %b} — "


def _format(template: str, view: OneOnOneView) -> str:
    return template.format(
        hire=view.hire,
        every=view.every,
        day=DAYS[view.weekday].capitalize(),
        at=view.at,
        tz=view.tz,
        next=view.next_local,
    )
