"""Growth plan in Slack: the "Choose focus items" button and modal, ``/onramp focus`` with an
"Update" button per item and its modal, the stalled-item nudge, and the lines the readiness
view and App Home show. Pure: builds and parses Block Kit, calls nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.services.checkins.messages import Message
from bot.services.focus import MAX_OPEN, FocusForm, FocusList, FocusView, NewFocus
from bot.slack import limits
from bot.slack.blocks import Block, Reply, clip, context, esc, header, section, text_input
from bot.slack.payloads import PayloadError

CHOOSE_ACTION = "focus_choose"
UPDATE_ACTION = "focus_update"
ADD_CALLBACK = "focus_add_modal"
UPDATE_CALLBACK = "focus_update_modal"

FOCUS_USAGE = "{cmd} focus [@user]"
FOCUS_SUMMARY = "the growth plan: 1–3 focus items from a growth round's gaps, and progress on them"
FOCUS_ONE_PERSON = "Name one person, e.g. `{cmd} focus @ana` (or nothing for your own)."

CHOOSE_LABEL = "🎯 Choose focus items"
CHOOSE_HINT = "Pick 1–3 gaps to work on before the next round, with actions and a due date."
LIST_TITLE = "*Growth plan of <@{user}>*"
LIST_EMPTY = "No focus items yet. After a growth round, choose 1–3 from its gaps."
LIST_FULL = "{open} of {max} focus items open."
ITEM = "*#{id} {title}* — {dimension} · due {due}{flags}"
ITEM_ACTION = "     • {action}"
ITEM_LAST = "     _Last progress {at} ({status}){note}_"
ITEM_NONE = "     _No progress recorded yet._"
UPDATE_LABEL = "Update"

ADD_TITLE = "Choose focus items"
ADD_SUBMIT = "Save"
ADD_INTRO = (
    "Up to {slots} focus item{s} for <@{hire}>, pre-filled from the {round} round's gaps. "
    "Leave a title empty to skip that item."
)
ADD_INTRO_NO_ROUND = (
    "Up to {slots} focus item{s} for <@{hire}>. No growth round is revealed yet, so nothing "
    "is pre-filled. Leave a title empty to skip an item."
)
ADD_GAP = (
    "_{dimension}: self {self_side} · manager {manager_side}{flag}. Next, {label}: “{anchor}”_"
)
DIMENSION_LABEL = "Dimension"
TITLE_LABEL = "Focus item {n}"
TITLE_PLACEHOLDER = "What to get better at"
ACTIONS_LABEL = "Actions (one per line, 1–5)"
ACTIONS_PLACEHOLDER = "Write a baseline before each change\nAsk for a review of the rubric"
DUE_LABEL = "Due"
NOTHING_CHOSEN = "Give at least one focus item a title."

UPDATE_TITLE = "Update focus item"
UPDATE_SUBMIT = "Save"
NOTE_LABEL = "What moved since last time"
NOTE_PLACEHOLDER = "Drafted the baseline; review booked for Thursday."
STATUS_LABEL = "Status"
STATUS_LABELS = {"open": "Open", "done": "Done", "dropped": "Dropped"}
UPDATED = "Progress recorded on #{id} “{title}” ({status})."
ADDED = "Added {count} focus item{s} to <@{hire}>'s growth plan: {titles}."

NUDGE_HEADER = "A focus item has stalled"
NUDGE_STALLED = (
    "<@{hire}>'s focus item *{title}* ({dimension}) has had no progress since {since}. "
    "A word from you may unstick it."
)
NUDGE_OVERDUE = (
    "<@{hire}>'s focus item *{title}* ({dimension}) was due {due} and is still open. "
    "Worth asking what got in the way."
)
NUDGE_FOOTER = (
    "You are told once; any update on the item re-arms it, as focus items of <@{hire}> show."
)

TITLE_BLOCK, ACTIONS_BLOCK, DUE_BLOCK, DIMENSION_BLOCK = (
    "focus_title_",
    "focus_actions_",
    "focus_due_",
    "focus_dimension_",
)
NOTE_BLOCK, STATUS_BLOCK = "focus_note", "focus_status"
INPUT = "value"
FIELD_BLOCKS = {
    "title": TITLE_BLOCK,
    "actions": ACTIONS_BLOCK,
    "due": DUE_BLOCK,
    "dimension": DIMENSION_BLOCK,
}


def _flags(item: FocusView) -> str:
    flags = [f for f, on in (("overdue", item.overdue), ("stalled", item.stalled)) if on]
    return f" · *{', '.join(flags)}*" if flags else ""


def item_lines(item: FocusView, *, actions: bool = True) -> list[str]:
    """One focus item as mrkdwn lines: the item, its actions, its latest progress."""
    status = "" if item.status == "open" else f" [{item.status}]"
    lines = [
        ITEM.format(
            id=item.id,
            title=esc(item.title) + status,
            dimension=esc(item.dimension_title),
            due=f"{item.due:%a %d %b %Y}",
            flags=_flags(item),
        )
    ]
    if actions:
        lines += [ITEM_ACTION.format(action=esc(a)) for a in item.actions]
    last = item.last_update
    if last is None:
        lines.append(ITEM_NONE)
    else:
        note = f": {esc(clip(last.note, 300))}" if last.note else ""
        lines.append(ITEM_LAST.format(at=f"{last.at:%d %b}", status=last.status, note=note))
    return lines


def readiness_lines(items: list[FocusView]) -> list[str]:
    """The open focus items, one line each with due date and last progress (readiness)."""
    if not items:
        return []
    return ["", "*Growth plan*", *(line for i in items for line in item_lines(i, actions=False))]


def choose_button(hire: str) -> Block:
    """The reveal DM's "Choose focus items" button (its value: whose plan)."""
    return {
        "type": "actions",
        "block_id": f"focus_choose:{hire}",
        "elements": [
            {
                "type": "button",
                "action_id": CHOOSE_ACTION,
                "text": {"type": "plain_text", "text": CHOOSE_LABEL, "emoji": True},
                "value": hire,
            }
        ],
    }


def focus_reply(listed: FocusList) -> Reply:
    """``/onramp focus [@user]``: every item, open first, with an "Update" button on the open
    ones and "Choose focus items" while there is room, for whoever may change the plan."""
    blocks: list[Block] = [section(LIST_TITLE.format(user=listed.user))]
    if not listed.items:
        blocks.append(section(LIST_EMPTY))
    for item in listed.items[:40]:
        button = (
            {
                "type": "button",
                "action_id": UPDATE_ACTION,
                "text": {"type": "plain_text", "text": UPDATE_LABEL},
                "value": str(item.id),
            }
            if listed.can_change and item.status == "open"
            else None
        )
        blocks.append(section("\n".join(item_lines(item)), accessory=button))
    open_now = sum(1 for i in listed.items if i.status == "open")
    if listed.can_change and open_now < MAX_OPEN:
        blocks.append(choose_button(listed.user))
    blocks.append(context(LIST_FULL.format(open=open_now, max=MAX_OPEN)))
    text = LIST_TITLE.format(user=listed.user).replace("*", "")
    return Reply(text=f"{text}: {open_now} open", blocks=blocks)


def _option(text: str, value: str) -> Block:
    return {"text": {"type": "plain_text", "text": clip(text, limits.OPTION_TEXT)}, "value": value}


def _input(block_id: str, label: str, element: Block, *, optional: bool = False) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": {"type": "plain_text", "text": label},
        "element": element,
    }


def add_modal(form: FocusForm) -> dict[str, Any]:
    """Up to three items (as many as fit), each pre-filled from a gap: a dimension select, a
    title, actions one per line and a due date."""
    gaps = form.gaps
    plural = "" if form.slots == 1 else "s"
    intro = (
        ADD_INTRO.format(slots=form.slots, s=plural, hire=form.hire, round=gaps.round)
        if gaps.round
        else ADD_INTRO_NO_ROUND.format(slots=form.slots, s=plural, hire=form.hire)
    )
    blocks: list[Block] = [section(intro)]
    options = [_option(d.title, d.id) for d in form.dimensions]
    for n in range(form.slots):
        gap = gaps.items[n] if n < len(gaps.items) else None
        if gap is not None:
            blocks.append(
                context(
                    ADD_GAP.format(
                        dimension=esc(gap.title),
                        self_side=esc(gap.self_label or "—"),
                        manager_side=esc(gap.manager_label or "—"),
                        flag=", 2+ apart" if gap.flagged else "",
                        label=esc(gap.next_label),
                        anchor=esc(gap.next_anchor),
                    )
                )
            )
        select: Block = {"type": "static_select", "action_id": INPUT, "options": options}
        chosen = next((o for o in options if gap and o["value"] == gap.dimension_id), None)
        if chosen is not None:
            select["initial_option"] = chosen
        title = {
            "type": "plain_text_input",
            "action_id": INPUT,
            "max_length": 300,
            "placeholder": {"type": "plain_text", "text": TITLE_PLACEHOLDER},
        }
        if gap is not None:
            title["initial_value"] = clip(f"Towards “{gap.next_label}” on {gap.title}", 300)
        actions = text_input(
            INPUT,
            placeholder=ACTIONS_PLACEHOLDER,
            max_length=1500,
            initial=None if gap is None else clip(gap.next_anchor, 300),
        )
        due = {"type": "datepicker", "action_id": INPUT, "initial_date": str(form.suggested_due)}
        blocks += [
            _input(f"{TITLE_BLOCK}{n}", TITLE_LABEL.format(n=n + 1), title, optional=True),
            _input(f"{DIMENSION_BLOCK}{n}", DIMENSION_LABEL, select, optional=True),
            _input(f"{ACTIONS_BLOCK}{n}", ACTIONS_LABEL, actions, optional=True),
            _input(f"{DUE_BLOCK}{n}", DUE_LABEL, due, optional=True),
        ]
    return {
        "type": "modal",
        "callback_id": ADD_CALLBACK,
        "private_metadata": form.hire,
        "title": {"type": "plain_text", "text": ADD_TITLE},
        "submit": {"type": "plain_text", "text": ADD_SUBMIT},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


@dataclass(frozen=True)
class Chosen:
    """The items typed in the add modal (by their position in it) and the blocks they came
    from, so a refusal shows beside the right field."""

    items: list[NewFocus]
    positions: list[int]


def _value(values: Mapping[str, Any], block: str) -> Mapping[str, Any]:
    return (values.get(block) or {}).get(INPUT) or {}


def parse_add(values: Mapping[str, Any]) -> Chosen:
    """The add modal's items that have a title (a missing due date reads as yesterday, so
    the service refuses it beside its field)."""
    items: list[NewFocus] = []
    positions: list[int] = []
    for n in range(MAX_OPEN):
        title = (_value(values, f"{TITLE_BLOCK}{n}").get("value") or "").strip()
        if not title:
            continue
        selected = _value(values, f"{DIMENSION_BLOCK}{n}").get("selected_option") or {}
        actions = (_value(values, f"{ACTIONS_BLOCK}{n}").get("value") or "").splitlines()
        picked = _value(values, f"{DUE_BLOCK}{n}").get("selected_date")
        try:
            due = date.fromisoformat(picked) if picked else date.min
        except ValueError:
            due = date.min
        items.append(
            NewFocus(
                dimension=str(selected.get("value") or ""),
                title=title,
                actions=tuple(a.strip().lstrip("•-* ").strip() for a in actions if a.strip()),
                due=due,
            )
        )
        positions.append(n)
    return Chosen(items=items, positions=positions)


def add_error(field: str, position: int) -> str:
    """The block a refusal of ``field`` on the item at ``position`` shows beside."""
    return f"{FIELD_BLOCKS.get(field, TITLE_BLOCK)}{position}"


def added_reply(items: list[FocusView], *, hire: str) -> Reply:
    """What the person who chose the items hears."""
    titles = ", ".join(f"#{i.id} “{esc(i.title)}”" for i in items)
    s = "" if len(items) == 1 else "s"
    return Reply(
        text=ADDED.format(count=len(items), s=s, hire=hire, titles=titles),
        blocks=[section(ADDED.format(count=len(items), s=s, hire=hire, titles=titles))],
    )


def update_modal(item: FocusView) -> dict[str, Any]:
    """A note and the item's status (now: its current one)."""
    options = [_option(label, value) for value, label in STATUS_LABELS.items()]
    current = next(o for o in options if o["value"] == item.status)
    return {
        "type": "modal",
        "callback_id": UPDATE_CALLBACK,
        "private_metadata": str(item.id),
        "title": {"type": "plain_text", "text": UPDATE_TITLE},
        "submit": {"type": "plain_text", "text": UPDATE_SUBMIT},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            section("\n".join(item_lines(item))),
            _input(
                NOTE_BLOCK,
                NOTE_LABEL,
                text_input(INPUT, placeholder=NOTE_PLACEHOLDER, max_length=2000),
                optional=True,
            ),
            _input(
                STATUS_BLOCK,
                STATUS_LABEL,
                {
                    "type": "static_select",
                    "action_id": INPUT,
                    "options": options,
                    "initial_option": current,
                },
            ),
        ],
    }


def parse_update(values: Mapping[str, Any]) -> tuple[str, str | None]:
    """The update modal's note and status."""
    note = str(_value(values, NOTE_BLOCK).get("value") or "")
    status = (_value(values, STATUS_BLOCK).get("selected_option") or {}).get("value")
    return note, None if status is None else str(status)


def parse_focus_id(value: Any) -> int:
    """A focus item's id from a button value or a modal's metadata."""
    text = str(value or "")
    if not text.isdigit() or int(text) <= 0:
        raise PayloadError(f"not a focus item id: {text[:20]!r}")
    return int(text)


def updated_reply(item: FocusView) -> Reply:
    """What the person who recorded progress hears."""
    text = UPDATED.format(id=item.id, title=esc(item.title), status=item.status)
    return Reply(text=text, blocks=[section(text)])


def render_nudge(message: Message) -> Reply:
    """The stalled-item nudge to a mentor (else the manager)."""
    item = message.focus
    assert item is not None  # noqa: S101 - composed with its item
    assert message.hire is not None  # noqa: S101
    hire = message.hire.user_id
    words = {"hire": hire, "title": esc(item.title), "dimension": esc(item.dimension_title)}
    if message.reason == "overdue":
        body = NUDGE_OVERDUE.format(**words, due=f"{item.due:%a %d %b}")
    else:
        since = item.last_update.at if item.last_update else item.created_at
        body = NUDGE_STALLED.format(**words, since=f"{since:%a %d %b}")
    blocks = [
        header(NUDGE_HEADER),
        section(body),
        section("\n".join(item_lines(item))),
        context(NUDGE_FOOTER.format(hire=hire)),
    ]
    return Reply(text=body, blocks=blocks)
