"""Check-in messages as Block Kit: pure functions from :class:`Message` to text and blocks.

Every string a person sees in a check-in lives here (one module per surface). The same renderer
draws a message when it is first posted and after an answer (``chat.update`` in place), so what
was recorded — and when — appears where it was asked. Action ids and payload parsing for the
controls are here too, so the listener and the renderer cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.domain.progress import MilestoneStatus, short_date
from bot.domain.schedule import Kind
from bot.services.checkins import HireLine, Message, MilestoneLine, Mood
from bot.slack import growth_round_blocks, kpi_blocks, limits, one_on_one_blocks
from bot.slack.blocks import (
    Block,
    Reply,
    clip,
    context,
    divider,
    esc,
    fit,
    header,
    last_checkin_line,
    packed,
    section,
    status_options,
)
from bot.slack.focus_blocks import render_nudge as render_focus_nudge
from bot.slack.growth_blocks import add_win_button
from bot.slack.payloads import PayloadError
from bot.text import STATUS_ICONS

# --- action ids -----------------------------------------------------------------------------

MOOD_ACTION = "checkin_mood"
MILESTONE_ACTION = "checkin_milestone"
NOTE_ACTION = "checkin_note"
NOTE_CALLBACK = "checkin_note_modal"
NOTE_BLOCK = "checkin_note_block"
NOTE_INPUT = "checkin_note_input"
#: ``block_id`` of a milestone row in a review: ``checkin_ms:<outbox id>:<milestone id>``.
MILESTONE_BLOCK_PREFIX = "checkin_ms:"

# --- strings --------------------------------------------------------------------------------

MOOD_LABELS = {
    Mood.ON_TRACK: "✅ On track",
    Mood.AT_RISK: "⚠️ At risk",
    Mood.BLOCKED: "⛔ Blocked",
}
ADD_NOTE = "📝 Add a note"
WELCOME_HEADER = "Welcome aboard, {name}! 👋"
WELCOME_BODY = (
    "{today} of your *{plan}* plan. I'll check in once a week — one click is enough — "
    "and ahead of each milestone review. Your manager is <@{manager}>{mentors}."
)
WELCOME_TODAY = "Today is {day}"
WELCOME_FIRST_PHASE = "*First up: {phase}* (due {due:%a %d %b}):"
WELCOME_FOOTER = "Your plan is on my *Home* tab; `/onramp me` shows it anywhere."
ENROLLED_HEADER = "You're on Onramp, {name}! 🗺️"
ENROLLED_BODY = (
    "You're on the *{plan}* plan from *{day_one}*. Your manager is <@{manager}>{mentors}. "
    "I'll greet you on day 1, then check in once a week — one click is enough."
)
ENROLLED_STARTED = (
    "You're on the *{plan}* plan, which started on *{day_one}* ({today}). Your manager is "
    "<@{manager}>{mentors}. I'll check in once a week — one click is enough."
)
ENROLLED_PHASE = "*{phase}* (due {due}) — here's what it holds:"
ENROLLED_FOOTER = (
    "See the whole plan on my *Home* tab and mark milestones there as you go; `/onramp me` "
    "shows it anywhere."
)
PULSE_HEADER = "Weekly check-in · week {week}"
PULSE_BODY = "How's it going, {name}? It's {day}; *{phase}* is {done}/{total} done."
PULSE_QUESTION = "How do you feel about this week?"
#: The monthly pulse after the plan (docs/growth.md "After month 12").
MONTHLY_PULSE_HEADER = "Monthly check-in · month {month}"
MONTHLY_PULSE_QUESTION = "How do you feel about this month?"
HEADS_UP_HEADER = "Heads-up: {phase} review coming up"
HEADS_UP_BODY = "Your *{phase}* review is on *{due:%A %d %B}*{left}. Still open:"
HEADS_UP_ALL_DONE = "Everything in this phase is already closed — nice work."
HEADS_UP_FOOTER = (
    "Update any of these from my *Home* tab or with `/onramp mark <milestone> <status>`."
)
REVIEW_HEADER = "{phase} review · {day}"
REVIEW_BODY = (
    "Time to look back at *{phase}*, {name}. Set each milestone's status below — it's saved "
    "as soon as you pick it."
)
REMINDER_PREFIX = "Reminder: "
REMINDER_FOOTER = "I asked a few working days ago; answering late still counts."
RECORDED = "✓ Recorded {what} · {at}"
RECORDED_LATE = " (late, still counted)"
RECORDED_NOTE = "📝 _{note}_"
NUDGE_BLOCKED = "<@{hire}> is *blocked* on *{milestone}*{since}."
NUDGE_PULSE = "<@{hire}> answered this week's check-in with *{mood}*."
# ``since`` is the day of the first check-in left unanswered (not the last answer).
NUDGE_SILENT = "<@{hire}> hasn't answered the check-in of {since:%a %d %b}, nor any since."
NUDGE_FOOTER = "A quick DM usually unblocks things. Their plan: `/onramp progress <@{hire}>`."
NUDGE_HEADER = "Your mentee needs a hand"
ESCALATION_HEADER = {
    "blocked": "Escalation: {name} is still blocked",
    "silent": "Escalation: {name} has gone quiet",
}
#: The notification text: the header names the hire, so the body follows without repeating them.
ESCALATION_TEXT = "Escalation: {body}"
ESCALATION_BLOCKED = (
    "<@{hire}>'s blocker on *{milestone}* hasn't cleared{since}; their mentor{s} {mentors} "
    "{were} told."
)
ESCALATION_SILENT = NUDGE_SILENT
ESCALATION_FOOTER = (
    "Their plan: `/onramp progress <@{hire}>`; pause it with `/onramp pause <@{hire}>`."
)
DIGEST_MENTOR_HEADER = "Your mentees this week"
DIGEST_MANAGER_HEADER = "Your team this week"
DIGEST_LINE = "<@{user}> · {day} · {percent}% · {phase}{flags}"
DIGEST_NOT_STARTED = "<@{user}> · {day}{flags}"
DIGEST_FOOTER = "Details: `/onramp progress @name` or my *Home* tab."
NOTE_MODAL_TITLE = "Add a note"
NOTE_MODAL_LABEL = "Anything your manager and mentor should know?"
NOTE_MODAL_PLACEHOLDER = "What went well, what's in the way, what would help…"
NOTE_MODAL_SUBMIT = "Save note"
SINCE = " since {since:%a %d %b}"


@dataclass(frozen=True)
class Choice:
    """A control the hire used on a check-in, parsed from a block action."""

    outbox_id: int
    mood: Mood | None = None
    milestone_id: str | None = None
    status: MilestoneStatus | None = None


# --- rendering ------------------------------------------------------------------------------


def render(message: Message) -> Reply:
    """The message as fallback text plus blocks, within Slack's limits."""
    renderer = _RENDERERS[message.reminder_of or message.kind]
    reply = renderer(message)
    if message.reminder_of is not None:
        blocks = [*reply.blocks, context(REMINDER_FOOTER)]
        if blocks and blocks[0]["type"] == "header":
            title = REMINDER_PREFIX + blocks[0]["text"]["text"]
            blocks[0] = header(title)
        reply = Reply(text=REMINDER_PREFIX + reply.text, blocks=blocks)
    return Reply(
        text=clip(reply.text, limits.SECTION_TEXT),
        blocks=fit(reply.blocks, limits.MESSAGE_BLOCKS),
    )


def _hire(message: Message) -> HireLine:
    assert message.hire is not None  # noqa: S101 - every per-hire message carries its hire
    return message.hire


def _done(lines: tuple[MilestoneLine, ...]) -> int:
    return sum(1 for m in lines if m.status is MilestoneStatus.DONE)


def _mood_buttons(message: Message) -> Block:
    styles = {Mood.ON_TRACK: "primary", Mood.BLOCKED: "danger"}
    elements: list[Block] = []
    for mood, label in MOOD_LABELS.items():
        button: Block = {
            "type": "button",
            "action_id": f"{MOOD_ACTION}:{mood.value}",
            "text": {"type": "plain_text", "text": label, "emoji": True},
            "value": f"{message.outbox_id}:{mood.value}",
        }
        if mood in styles:
            button["style"] = styles[mood]
        elements.append(button)
    elements.append(_note_button(message))
    elements.append(add_win_button(str(message.outbox_id)))  # opens the evidence modal
    return {
        "type": "actions",
        "block_id": f"checkin_pulse:{message.outbox_id}",
        "elements": elements,
    }


def _note_button(message: Message) -> Block:
    return {
        "type": "button",
        "action_id": NOTE_ACTION,
        "text": {"type": "plain_text", "text": ADD_NOTE, "emoji": True},
        "value": str(message.outbox_id),
    }


def _recorded(message: Message) -> list[Block]:
    answer = message.answer
    if answer is None or answer.at_local is None:
        return []
    parts: list[str] = []
    if answer.mood is not None:
        parts.append(MOOD_LABELS[answer.mood])
    if answer.statuses:
        parts.append(
            ", ".join(
                f"{STATUS_ICONS[s]} {_title(message, mid)}" for mid, s in answer.statuses.items()
            )
        )
    if not parts and answer.note:
        parts.append("your note")
    what = "; ".join(parts) or "your answer"
    late = RECORDED_LATE if answer.late else ""
    blocks = [context(RECORDED.format(what=esc(clip(what, 1500)), at=answer.at_local) + late)]
    if answer.note:
        blocks.append(context(RECORDED_NOTE.format(note=esc(clip(answer.note, 1800)))))
    return blocks


def _title(message: Message, milestone_id: str) -> str:
    return next((m.title for m in message.milestones if m.id == milestone_id), milestone_id)


def _your_mentors(message: Message) -> str:
    """``, and your mentor is <@U1>`` (or nothing)."""
    if not message.mentors:
        return ""
    verb = "s are " if len(message.mentors) > 1 else " is "
    return ", and your mentor" + verb + ", ".join(f"<@{m}>" for m in message.mentors)


def _top_milestones(message: Message) -> list[Block]:
    """The phase's milestones (not their sub-items), packed, at most 15."""
    lines = [f"{STATUS_ICONS[m.status]} {esc(m.title)}" for m in message.milestones if not m.parent]
    return packed(lines[:15])


def _welcome(message: Message) -> Reply:
    hire = _hire(message)
    mentors = _your_mentors(message)
    blocks = [
        header(WELCOME_HEADER.format(name=hire.name)),
        section(
            WELCOME_BODY.format(
                today=WELCOME_TODAY.format(day=hire.day_label),
                plan=esc(message.plan_title),
                manager=message.manager,
                mentors=mentors,
            )
        ),
    ]
    if message.phase_title and message.phase_due:
        blocks.append(
            section(
                WELCOME_FIRST_PHASE.format(phase=esc(message.phase_title), due=message.phase_due)
            )
        )
        blocks.extend(_top_milestones(message))
    blocks.append(context(WELCOME_FOOTER))
    return Reply(text=WELCOME_HEADER.format(name=hire.name), blocks=blocks)


def _enrolled(message: Message) -> Reply:
    """The hire hears they are on a plan: from when, who their manager and mentors are, and
    what the phase they start in holds (the first 30 days, unless enrolled late)."""
    hire = _hire(message)
    assert message.day_one is not None  # noqa: S101 - composed from a plan, which has a day 1
    body = ENROLLED_STARTED if hire.day >= 1 else ENROLLED_BODY
    blocks = [
        header(ENROLLED_HEADER.format(name=hire.name)),
        section(
            body.format(
                plan=esc(message.plan_title),
                day_one=short_date(message.day_one),
                today=hire.day_label,
                manager=message.manager,
                mentors=_your_mentors(message),
            )
        ),
    ]
    if message.phase_title and message.phase_due:
        due = short_date(message.phase_due)
        blocks.append(section(ENROLLED_PHASE.format(phase=esc(message.phase_title), due=due)))
        blocks.extend(_top_milestones(message))
    blocks.append(context(ENROLLED_FOOTER))
    return Reply(text=ENROLLED_HEADER.format(name=hire.name), blocks=blocks)


def _pulse(message: Message) -> Reply:
    hire = _hire(message)
    body = PULSE_BODY.format(
        name=esc(hire.name),
        day=hire.day_label,
        phase=esc(message.phase_title or hire.current_phase),
        done=_done(message.milestones),
        total=len(message.milestones),
    )
    if message.month is not None:
        title = MONTHLY_PULSE_HEADER.format(month=message.month)
        question = MONTHLY_PULSE_QUESTION
    else:
        title, question = PULSE_HEADER.format(week=message.week or ""), PULSE_QUESTION
    blocks = [header(title), section(f"{body}\n{question}"), _mood_buttons(message)]
    blocks.extend(_recorded(message))
    return Reply(text=f"{title}: {question}", blocks=blocks)


def _heads_up(message: Message) -> Reply:
    phase = message.phase_title or message.phase_id or ""
    left = message.working_days_left
    left_text = f", in {left} working day{'s' if left != 1 else ''}" if left else ""
    open_lines = [
        f"{STATUS_ICONS[m.status]} {esc(m.title)}"
        for m in message.milestones
        if not m.status.closed
    ]
    title = HEADS_UP_HEADER.format(phase=phase)
    assert message.phase_due is not None  # noqa: S101 - a heads-up is always for a phase
    blocks = [
        header(title),
        section(HEADS_UP_BODY.format(phase=esc(phase), due=message.phase_due, left=left_text)),
    ]
    blocks.extend(packed(open_lines) if open_lines else [section(HEADS_UP_ALL_DONE)])
    blocks.append(context(HEADS_UP_FOOTER))
    return Reply(text=title, blocks=blocks)


def _milestone_row(message: Message, milestone: MilestoneLine) -> Block:
    options = status_options()
    current = next(o for o in options if o["value"] == milestone.status.value)
    prefix = "↳ " if milestone.parent else ""
    note = f"\n_{esc(clip(milestone.note, 200))}_" if milestone.note else ""
    return section(
        f"{prefix}{STATUS_ICONS[milestone.status]} {esc(milestone.title)}{note}",
        block_id=clip(
            f"{MILESTONE_BLOCK_PREFIX}{message.outbox_id}:{milestone.id}", limits.BLOCK_ID
        ),
        accessory={
            "type": "static_select",
            "action_id": MILESTONE_ACTION,
            "placeholder": {"type": "plain_text", "text": "Status"},
            "options": options,
            "initial_option": current,
        },
    )


def _review(message: Message) -> Reply:
    hire = _hire(message)
    phase = message.phase_title or message.phase_id or ""
    title = REVIEW_HEADER.format(phase=phase, day=hire.day_label)
    rows = [_milestone_row(message, m) for m in message.milestones]
    recorded = _recorded(message)
    # Header, intro, note button and the recorded lines around the milestone rows.
    room = limits.MESSAGE_BLOCKS - 4 - len(recorded)
    if len(rows) > room:
        rows = [*rows[: room - 1], context(f"…and {len(rows) - room + 1} more on the Home tab")]
    blocks = [
        header(title),
        section(REVIEW_BODY.format(phase=esc(phase), name=esc(hire.name))),
        *rows,
        {
            "type": "actions",
            "block_id": f"checkin_review:{message.outbox_id}",
            "elements": [_note_button(message)],
        },
        *recorded,
    ]
    return Reply(text=f"{title}: {len(message.milestones)} milestones to review", blocks=blocks)


def _nudge(message: Message) -> Reply:
    hire = _hire(message)
    if message.reason == "blocked" and message.milestones:
        milestone = message.milestones[0]
        since = SINCE.format(since=message.since) if message.since else ""
        text = NUDGE_BLOCKED.format(hire=hire.user_id, milestone=esc(milestone.title), since="")
        body = NUDGE_BLOCKED.format(hire=hire.user_id, milestone=esc(milestone.title), since=since)
        if milestone.note:
            body += "\n" + RECORDED_NOTE.format(note=esc(clip(milestone.note, 1500)))
    elif message.reason in (Mood.AT_RISK.value, Mood.BLOCKED.value):
        label = MOOD_LABELS[Mood(message.reason)]
        text = body = NUDGE_PULSE.format(hire=hire.user_id, mood=label)
    else:
        assert message.since is not None  # noqa: S101 - silence always has a start
        text = body = NUDGE_SILENT.format(hire=hire.user_id, since=message.since)
    blocks = [header(NUDGE_HEADER), section(body), *_last_checkin(message)]
    blocks.append(context(NUDGE_FOOTER.format(hire=hire.user_id)))
    return Reply(text=text, blocks=blocks)


def _last_checkin(message: Message) -> list[Block]:
    """What the hire last said on a check-in (mood, day, note), when they said anything."""
    last = message.last_checkin
    return [context(last_checkin_line(last))] if last is not None else []


def _escalation(message: Message) -> Reply:
    hire = _hire(message)
    if message.reason == "blocked" and message.milestones:
        mentors = ", ".join(f"<@{m}>" for m in message.mentors) or "(none)"
        since = SINCE.format(since=message.since) if message.since else ""
        body = ESCALATION_BLOCKED.format(
            hire=hire.user_id,
            milestone=esc(message.milestones[0].title),
            since=since,
            s="s" if len(message.mentors) > 1 else "",
            mentors=mentors,
            were="were" if len(message.mentors) > 1 else "was",
        )
    else:
        assert message.since is not None  # noqa: S101 - silence always has a start
        body = ESCALATION_SILENT.format(hire=hire.user_id, since=message.since)
    reason = "blocked" if message.reason == "blocked" and message.milestones else "silent"
    title = ESCALATION_HEADER[reason].format(name=hire.name)
    blocks = [header(title), section(body), *_last_checkin(message)]
    blocks.append(context(ESCALATION_FOOTER.format(hire=hire.user_id)))
    return Reply(text=ESCALATION_TEXT.format(body=body), blocks=blocks)


def _digest(message: Message) -> Reply:
    title = DIGEST_MENTOR_HEADER if message.kind is Kind.MENTOR_DIGEST else DIGEST_MANAGER_HEADER
    lines = []
    for hire in message.hires:
        flags = []
        if hire.blocked:
            flags.append(f"⛔ blocked: {esc(', '.join(hire.blocked))}")
        if hire.overdue:
            flags.append(f"⏰ {hire.overdue} overdue")
        if hire.mood and hire.mood != Mood.ON_TRACK.value and hire.mood in Mood._value2member_map_:
            flags.append(MOOD_LABELS[Mood(hire.mood)])
        template = DIGEST_LINE if hire.day >= 1 else DIGEST_NOT_STARTED
        lines.append(
            template.format(
                user=hire.user_id,
                day=hire.day_label,
                percent=hire.percent,
                phase=hire.current_phase,
                flags=(" · " + " · ".join(flags)) if flags else "",
            )
        )
    blocks = [header(title), *packed(lines), divider(), context(DIGEST_FOOTER)]
    return Reply(text=f"{title}: {len(message.hires)} on their plan", blocks=blocks)


_RENDERERS = {
    Kind.WELCOME: _welcome,
    Kind.PULSE: _pulse,
    Kind.HEADS_UP: _heads_up,
    Kind.REVIEW: _review,
    Kind.MENTOR_NUDGE: _nudge,
    Kind.ESCALATION: _escalation,
    Kind.MENTOR_DIGEST: _digest,
    Kind.MANAGER_DIGEST: _digest,
    Kind.ENROLLED: _enrolled,
    Kind.GROWTH_SELF: growth_round_blocks.render_round,
    Kind.GROWTH_MANAGER: growth_round_blocks.render_round,
    Kind.GROWTH_MENTOR: growth_round_blocks.render_round,
    Kind.GROWTH_REVEAL: growth_round_blocks.render_reveal,
    Kind.FOCUS_NUDGE: render_focus_nudge,
    Kind.ONE_ON_ONE_PREP: one_on_one_blocks.render_prep,
    Kind.KPI_REMINDER: kpi_blocks.render_reminder,
}


def note_modal(*, outbox_id: int, channel: str | None, ts: str | None) -> dict[str, Any]:
    """The "Add a note" modal; ``private_metadata`` names the check-in and where it was posted."""
    return {
        "type": "modal",
        "callback_id": NOTE_CALLBACK,
        "private_metadata": f"{outbox_id}|{channel or ''}|{ts or ''}",
        "title": {"type": "plain_text", "text": NOTE_MODAL_TITLE},
        "submit": {"type": "plain_text", "text": NOTE_MODAL_SUBMIT},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": NOTE_BLOCK,
                "label": {"type": "plain_text", "text": NOTE_MODAL_LABEL},
                "element": {
                    "type": "plain_text_input",
                    "action_id": NOTE_INPUT,
                    "multiline": True,
                    "max_length": 2000,
                    "placeholder": {"type": "plain_text", "text": NOTE_MODAL_PLACEHOLDER},
                },
            }
        ],
    }


# --- parsing the controls (pure) ------------------------------------------------------------


class ChoiceError(PayloadError):
    """The action is not one of ours, or is malformed."""


def parse_choice(action: Mapping[str, Any]) -> Choice:
    """A mood button or a milestone select → :class:`Choice`."""
    action_id = str(action.get("action_id") or "")
    if action_id.startswith(MOOD_ACTION):
        raw, _, mood = str(action.get("value") or "").partition(":")
        if not raw.isdigit() or mood not in Mood._value2member_map_:
            raise ChoiceError(f"mood button value {action.get('value')!r}")
        return Choice(outbox_id=int(raw), mood=Mood(mood))
    if action_id == MILESTONE_ACTION:
        block_id = str(action.get("block_id") or "")
        rest = block_id.removeprefix(MILESTONE_BLOCK_PREFIX)
        raw, _, milestone_id = rest.partition(":")
        selected = action.get("selected_option")
        value = selected.get("value") if isinstance(selected, Mapping) else None
        if not block_id.startswith(MILESTONE_BLOCK_PREFIX) or not raw.isdigit() or not milestone_id:
            raise ChoiceError(f"milestone block id {block_id!r}")
        if not isinstance(value, str) or value not in MilestoneStatus._value2member_map_:
            raise ChoiceError(f"milestone status {value!r}")
        return Choice(outbox_id=int(raw), milestone_id=milestone_id, status=MilestoneStatus(value))
    if action_id == NOTE_ACTION:
        raw = str(action.get("value") or "")
        if not raw.isdigit():
            raise ChoiceError(f"note button value {raw!r}")
        return Choice(outbox_id=int(raw))
    raise ChoiceError(f"not a check-in action: {action_id!r}")


def parse_note_metadata(private_metadata: str) -> tuple[int, str | None, str | None]:
    """``"<outbox id>|<channel>|<ts>"`` from :func:`note_modal` → its parts."""
    raw, _, rest = private_metadata.partition("|")
    channel, _, ts = rest.partition("|")
    if not raw.isdigit():
        raise ChoiceError(f"note modal metadata {private_metadata!r}")
    return int(raw), channel or None, ts or None
